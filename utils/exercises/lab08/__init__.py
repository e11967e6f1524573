"""Graded exercises of lab 08 (Greek letters in the embedding): checks, points, references.

Every check builds its own inputs from a seed: a small random network with a
dropout layer and an ``embed`` method, random points in clusters, random
distance matrices with many tied votes, a set with a duplicated image. The
answers are compared with computations written here, independently of the
lab's reference in ``utils.saved.lab08_embedding``.
"""

from __future__ import annotations

import numpy as np

from .. import Clause, Spec, loop_free
from .counts import check_confusion_matrix, check_read_among_others, check_wilson_interval
from .embedding import _gradients_off, _on_the_device, check_embed, check_ssd_matrix
from .knn import check_knn_predict, check_loo_knn_predictions, check_select_method_and_k

EXERCISES = {
    "8.1": Spec(
        "embed",
        points=2,
        check=check_embed,
        reference="utils.saved.lab08_embedding:embed",
        clauses=(
            Clause("on the model's device", _on_the_device),
            Clause("gradients off", _gradients_off),
        ),
    ),
    "8.2": Spec(
        "ssd_matrix",
        points=2,
        check=check_ssd_matrix,
        reference="utils.saved.lab08_embedding:ssd_matrix",
        clauses=(
            Clause(
                "no Python loop",
                lambda answer: loop_free(
                    lambda n: answer(np.ones((n, 3)), np.zeros((n, 3))), "row"
                ),
            ),
        ),
    ),
    "8.3": Spec(
        "knn_predict",
        points=3,
        check=check_knn_predict,
        reference="utils.saved.lab08_embedding:knn_predict",
    ),
    "8.4": Spec(
        "loo_knn_predictions",
        points=3,
        check=check_loo_knn_predictions,
        reference="utils.saved.lab08_embedding:loo_knn_predictions",
    ),
    "8.5": Spec(
        "wilson_interval",
        points=3,
        check=check_wilson_interval,
        reference="utils.saved.lab08_embedding:wilson_interval",
        replaces=("scipy.stats:binomtest",),
    ),
    "8.6": Spec(
        "confusion_matrix",
        points=2,
        check=check_confusion_matrix,
        reference="utils.saved.lab08_embedding:confusion_matrix",
        replaces=("utils.plots:count_confusions",),
    ),
    "8.7": Spec(
        "read_among_others",
        points=3,
        check=check_read_among_others,
        reference="utils.saved.lab08_embedding:read_among_others",
    ),
    "8.8": Spec(
        "select_method_and_k",
        points=3,
        check=check_select_method_and_k,
        reference="utils.saved.lab08_embedding:select_method_and_k",
    ),
}
