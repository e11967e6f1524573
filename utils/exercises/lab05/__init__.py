"""Graded exercises of lab 05 (momentum): checks, points and references.

Every check builds its own problems from a seed (random quadratics, a
non-quadratic gradient, random velocities and rates), so that no number
shown in the lab can be copied into an answer, and compares the answer with
a computation of its own; ``torch_sgd_step`` is compared with
``torch.optim.SGD`` itself.
"""

from __future__ import annotations

from .. import Spec
from .steps import (
    check_heavy_ball_rate,
    check_heavy_ball_step,
    check_nesterov_rate,
    check_nesterov_step,
)
from .torch_sgd import check_lr_schedule, check_torch_sgd_step
from .tuning import check_iterations_to_converge, check_polyak_parameters

EXERCISES = {
    "5.1": Spec(
        "heavy_ball_step",
        points=3,
        check=check_heavy_ball_step,
        reference="utils.saved.lab05_momentum:heavy_ball_step",
    ),
    "5.2": Spec(
        "heavy_ball_rate",
        points=2,
        check=check_heavy_ball_rate,
        reference="utils.saved.lab05_momentum:heavy_ball_rate",
    ),
    "5.3": Spec(
        "polyak_parameters",
        points=3,
        check=check_polyak_parameters,
        reference="utils.saved.lab05_momentum:polyak_parameters",
    ),
    "5.4": Spec(
        "iterations_to_converge",
        points=3,
        check=check_iterations_to_converge,
        reference="utils.saved.lab05_momentum:iterations_to_converge",
    ),
    "5.5": Spec(
        "nesterov_step",
        points=2,
        check=check_nesterov_step,
        reference="utils.saved.lab05_momentum:nesterov_step",
    ),
    "5.6": Spec(
        "nesterov_rate",
        points=2,
        check=check_nesterov_rate,
        reference="utils.saved.lab05_momentum:nesterov_rate",
    ),
    "5.7": Spec(
        "torch_sgd_step",
        points=3,
        check=check_torch_sgd_step,
        reference="utils.saved.lab05_momentum:torch_sgd_step",
    ),
    "5.8": Spec(
        "lr_schedule",
        points=2,
        check=check_lr_schedule,
        reference="utils.saved.lab05_momentum:lr_schedule",
    ),
}
