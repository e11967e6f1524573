"""Graded exercises of lab 07 (transfer learning): checks, points and references.

Every check builds its own inputs from a seed: random logits, small random
backbones (``utils.backbones.Backbone`` with a few convolution blocks, one
with batch norm), random images, random features with labels. The answers
are compared with computations written here, independently of the lab's
reference in ``utils.saved.lab07_transfer``.
"""

from __future__ import annotations

from .. import Clause, Spec
from .control import check_shuffled_control
from .cuts import check_score_cuts
from .features import (
    _default_batches,
    _gradients_off,
    _on_the_device,
    check_cut_activations,
    check_extract_features,
)
from .head import _default_settings, _modes, check_train_head
from .imagenet import check_imagenet_normalise, check_top_k_classes

EXERCISES = {
    "7.1": Spec(
        "top_k_classes",
        points=1,
        check=check_top_k_classes,
        reference="utils.saved.lab07_transfer:top_k_classes",
    ),
    "7.2": Spec(
        "cut_activations",
        points=3,
        check=check_cut_activations,
        reference="utils.saved.lab07_transfer:cut_activations",
    ),
    "7.3": Spec(
        "extract_features",
        points=3,
        check=check_extract_features,
        reference="utils.saved.lab07_transfer:extract_features",
        clauses=(
            Clause("on the device asked for", _on_the_device),
            Clause("gradients off", _gradients_off),
            Clause("the spec's defaults", _default_batches),
        ),
    ),
    "7.4": Spec(
        "score_cuts",
        points=3,
        check=check_score_cuts,
        reference="utils.saved.lab07_transfer:score_cuts",
    ),
    "7.5": Spec(
        "shuffled_control",
        points=2,
        check=check_shuffled_control,
        reference="utils.saved.lab07_transfer:shuffled_control",
    ),
    "7.6": Spec(
        "train_head",
        points=3,
        check=check_train_head,
        reference="utils.saved.lab07_transfer:train_head",
        clauses=(
            Clause("training, then evaluation mode", _modes),
            Clause("the spec's defaults", _default_settings),
        ),
    ),
    "7.7": Spec(
        "imagenet_normalise",
        points=1,
        check=check_imagenet_normalise,
        reference="utils.saved.lab07_transfer:imagenet_normalise",
    ),
}
