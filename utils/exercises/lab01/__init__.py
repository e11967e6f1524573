"""Checks of lab 01's exercises: the softmax, its Jacobian, the cross-entropy,
the gradient of softmax regression, a centred-difference gradient check,
the training loop and the class-contrast images the templates resemble.

Every check builds its own inputs from ``seed`` (and sizes): never the arrays
the lab shows.  Expected values come from the definitions, computed another
way (pairwise differences, ``np.logaddexp``, explicit loops, centred
differences of the loss), so a check never compares with the reference code.
"""

from __future__ import annotations

import numpy as np

from .. import Clause, Spec, loop_free
from .loss import check_cross_entropy, check_gradient_check, check_loss_and_grads
from .softmax import _softmax, check_batch_softmax_jacobian, check_softmax
from .training import check_class_contrast, check_train

EXERCISES = {
    "1.1": Spec(
        "softmax", points=2, check=check_softmax, reference="utils.saved.lab01_softmax:softmax"
    ),
    "1.2": Spec(
        "batch_softmax_jacobian",
        points=1,
        check=check_batch_softmax_jacobian,
        reference="utils.saved.lab01_softmax:batch_softmax_jacobian",
        clauses=(
            Clause(
                "no loop over samples",
                lambda answer: loop_free(lambda n: answer(_softmax(np.ones((n, 3))))),
            ),
        ),
    ),
    "1.3": Spec(
        "cross_entropy",
        points=2,
        check=check_cross_entropy,
        reference="utils.saved.lab01_softmax:cross_entropy",
    ),
    "1.4": Spec(
        "loss_and_grads",
        points=3,
        check=check_loss_and_grads,
        reference="utils.saved.lab01_softmax:loss_and_grads",
        clauses=(
            Clause(
                "no loop over samples",
                lambda answer: loop_free(
                    lambda n: answer(
                        np.zeros((4, 3)), np.zeros(3), np.ones((n, 4)), np.arange(n) % 3
                    )
                ),
            ),
        ),
    ),
    "1.5": Spec(
        "gradient_check",
        points=3,
        check=check_gradient_check,
        reference="utils.saved.lab01_softmax:gradient_check",
        replaces=("utils.checks:numerical_gradient",),
    ),
    "1.6": Spec("train", points=4, check=check_train, reference="utils.saved.lab01_softmax:train"),
    "1.7": Spec(
        "class_contrast",
        points=2,
        check=check_class_contrast,
        reference="utils.saved.lab01_softmax:class_contrast",
        clauses=(
            Clause(
                "no loop over images",
                lambda answer: loop_free(
                    lambda n: answer(np.ones((n, 3)), np.arange(n) % 2, 2), "image"
                ),
            ),
        ),
    ),
}
