"""Checks of lab 02's exercises: the Jacobians of one layer, their chain to
dL/dW1 reshaped into W1's shape, backprop through a deep sigmoid chain, the
chain through a network of any depth, and backprop for a batch.

Every check builds its own layers from ``seed`` and sizes other than the
lab's 784 -> 64 -> 10, and compares with centred differences
(``utils.checks.numerical_jacobian`` and ``numerical_gradient``) or with
forward-mode derivatives: never with the reference code.
"""

from __future__ import annotations

from .. import Clause, Spec
from .backprop import _no_paths, check_gradient_by_backprop
from .deep import (
    _no_image_loop,
    _no_jacobian_matrices,
    check_batch_gradients,
    check_dL_dW_by_jacobians,
)
from .jacobians import check_dL_dW1_by_jacobians, check_layer_jacobians

EXERCISES = {
    "2.1": Spec(
        "layer_jacobians",
        points=3,
        check=check_layer_jacobians,
        reference="utils.saved.lab02_jacobians:layer_jacobians",
    ),
    "2.2": Spec(
        "dL_dW1_by_jacobians",
        points=3,
        check=check_dL_dW1_by_jacobians,
        reference="utils.saved.lab02_jacobians:dL_dW1_by_jacobians",
    ),
    "2.3": Spec(
        "gradient_by_backprop",
        points=2,
        clauses=(Clause("no recursion over paths", _no_paths),),
        replaces=("gradient_by_paths",),  # defined in the lab
        check=check_gradient_by_backprop,
        reference="utils.saved.lab02_jacobians:gradient_by_backprop",
    ),
    "2.4": Spec(
        "dL_dW_by_jacobians",
        points=3,
        check=check_dL_dW_by_jacobians,
        reference="utils.saved.lab02_jacobians:dL_dW_by_jacobians",
    ),
    "2.5": Spec(
        "batch_gradients",
        points=3,
        check=check_batch_gradients,
        clauses=(
            Clause("no loop over the images", _no_image_loop),
            Clause("no Jacobian matrices", _no_jacobian_matrices),
        ),
        reference="utils.saved.lab02_jacobians:batch_gradients",
    ),
}
