"""The graded exercises of lab 04 (overfitting): weight decay, early stopping.

Each check builds its own seeded inputs (never those of the notebook), calls
the student's answer and compares it with an independent computation.
"""

from __future__ import annotations

from .. import Spec
from .dropout import check_dropout, check_dropout_gradients
from .stopping import check_early_stopping, check_generalisation_gap, check_learning_curve
from .weight_decay import check_sgd_step

EXERCISES = {
    "4.1": Spec(
        "sgd_step",
        points=2,
        check=check_sgd_step,
        reference="utils.saved.lab04_regularise:sgd_step",
    ),
    "4.2": Spec(
        "EarlyStopping",
        points=3,
        check=check_early_stopping,
        reference="utils.saved.lab04_regularise:EarlyStopping",
    ),
    "4.3": Spec(
        "generalisation_gap",
        points=1,
        check=check_generalisation_gap,
        reference="utils.saved.lab04_regularise:generalisation_gap",
    ),
    "4.4": Spec(
        "learning_curve",
        points=3,
        check=check_learning_curve,
        reference="utils.saved.lab04_regularise:learning_curve",
    ),
    "4.5": Spec(
        "dropout", points=3, check=check_dropout, reference="utils.saved.lab04_regularise:dropout"
    ),
    "4.6": Spec(
        "dropout_gradients",
        points=3,
        check=check_dropout_gradients,
        reference="utils.saved.lab04_regularise:dropout_gradients",
    ),
}
