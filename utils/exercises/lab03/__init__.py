"""The graded exercises of lab 03 (a two-layer perceptron in NumPy).

Each check builds its own seeded networks and data (never those of the
notebook), calls the student's answer and compares it with an independent
computation: SciPy's sigmoid and softmax for the forward pass, centred
finite differences for the backward pass, and an epoch replayed with the
reference functions for the training loop.
"""

from __future__ import annotations

import numpy as np

from .. import Clause, Spec, loop_free
from .errors import check_most_confused, check_per_class_errors
from .network import (
    _backward_on,
    _cache_only,
    _float32_forward,
    _float32_weights,
    _forward_on,
    _input_checks_backward,
    _input_checks_forward,
    check_mlp_backward,
    check_mlp_forward,
)
from .rates import _refuses_settings, check_learning_rates
from .training import (
    _confident_and_wrong,
    _evaluate_on,
    _float32_epoch,
    _float32_network,
    _input_checks_epoch,
    check_evaluate,
    check_train_epoch,
)

EXERCISES = {
    "3.1": Spec(
        "mlp_forward",
        points=3,
        check=check_mlp_forward,
        reference="utils.saved.lab03_mlp:mlp_forward",
        clauses=(
            Clause(
                "no loop over images",
                lambda answer: loop_free(lambda n: _forward_on(answer, n), "image"),
            ),
            Clause("float32 stays float32", _float32_forward),
            Clause("the shape check kept", _input_checks_forward),
        ),
    ),
    "3.2": Spec(
        "mlp_backward",
        points=4,
        check=check_mlp_backward,
        reference="utils.saved.lab03_mlp:mlp_backward",
        clauses=(
            Clause(
                "no loop over images",
                lambda answer: loop_free(lambda n: _backward_on(answer, n), "image"),
            ),
            Clause("uses the cache only", _cache_only),
            Clause("float32 stays float32", _float32_weights),
            Clause("the shape check kept", _input_checks_backward),
        ),
    ),
    "3.3": Spec(
        "train_epoch",
        points=3,
        check=check_train_epoch,
        reference="utils.saved.lab03_mlp:train_epoch",
        clauses=(
            Clause("float32 stays float32", _float32_epoch),
            Clause("the argument checks kept", _input_checks_epoch),
        ),
    ),
    "3.4": Spec(
        "evaluate",
        points=1,
        check=check_evaluate,
        reference="utils.saved.lab03_mlp:evaluate",
        clauses=(
            Clause("a finite loss for sure wrong guesses", _confident_and_wrong),
            Clause("Python floats for a float32 network", _float32_network),
            Clause(
                "no loop over images",
                lambda answer: loop_free(lambda n: _evaluate_on(answer, n), "image"),
            ),
        ),
    ),
    "3.5": Spec(
        "learning_rates",
        points=2,
        check=check_learning_rates,
        reference="utils.saved.lab03_mlp:learning_rates",
        clauses=(
            Clause("bad settings refused", _refuses_settings),
            Clause(
                "no loop over epochs",
                lambda answer: loop_free(lambda n: answer(1.0, 0.9, n), "epoch"),
            ),
        ),
    ),
    "3.6": Spec(
        "per_class_errors",
        points=1,
        check=check_per_class_errors,
        reference="utils.saved.lab03_mlp:per_class_errors",
        clauses=(
            Clause(
                "no loop over images",
                lambda answer: loop_free(
                    lambda n: answer(np.arange(n) % 3, np.zeros(n, int), 3), "image"
                ),
            ),
        ),
    ),
    "3.7": Spec(
        "most_confused",
        points=3,
        check=check_most_confused,
        reference="utils.saved.lab03_mlp:most_confused",
        replaces=("utils.plots:count_confusions",),
        clauses=(
            Clause(
                "no loop over images",
                lambda answer: loop_free(
                    lambda n: answer(np.arange(n) % 3, np.zeros(n, int), 2, 3), "image"
                ),
            ),
        ),
    ),
}
