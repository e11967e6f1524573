"""Graded exercises of lab 06 (a convolutional network): checks and points.

The checks build their own inputs from a seed: sizes checked against
``nn.Conv2d`` itself, a network whose forward pass is recomputed here with
``torch.nn.functional`` from the answer's own weights, a training step
compared with gradients taken here, and made-up "ink" images whose crop,
size and centre of mass are measured here.
"""

from __future__ import annotations

from .. import Clause, Spec
from .numpy_ops import (
    _conv_batch,
    _conv_numpy,
    _pool_batch,
    _pool_numpy,
    check_conv2d,
    check_max_pool2d,
)
from .photo import check_mnist_box
from .shapes import _dropout_layers, check_conv_output_size, check_conv_param_count, check_digit_net
from .step import check_train_step
from .training import (
    _epoch_device,
    _evaluate_device,
    _no_grad,
    check_evaluate_net,
    check_train_net_epoch,
)

EXERCISES = {
    "6.1": Spec(
        "conv_output_size",
        points=1,
        check=check_conv_output_size,
        reference="utils.saved.lab06_nets:conv_output_size",
    ),
    "6.2": Spec(
        "conv_param_count",
        points=1,
        check=check_conv_param_count,
        reference="utils.saved.lab06_nets:conv_param_count",
    ),
    "6.3": Spec(
        "DigitNet",
        points=3,
        check=check_digit_net,
        reference="utils.saved.lab06_nets:DigitNet",
        clauses=(Clause("dropout where the spec puts it", _dropout_layers),),
    ),
    "6.4": Spec(
        "train_step",
        points=3,
        check=check_train_step,
        reference="utils.saved.lab06_nets:train_step",
    ),
    "6.5": Spec(
        "train_net_epoch",
        points=3,
        check=check_train_net_epoch,
        reference="utils.saved.lab06_nets:train_net_epoch",
        clauses=(Clause("batches moved to the device", _epoch_device),),
    ),
    "6.6": Spec(
        "evaluate_net",
        points=2,
        check=check_evaluate_net,
        reference="utils.saved.lab06_nets:evaluate_net",
        clauses=(
            Clause("no gradients tracked", _no_grad),
            Clause("batches moved to the device", _evaluate_device),
        ),
    ),
    "6.7": Spec(
        "conv2d",
        points=3,
        check=check_conv2d,
        reference="utils.saved.lab06_nets:conv2d",
        clauses=(
            Clause("written in NumPy", _conv_numpy),
            Clause("no loop over the images", _conv_batch),
        ),
    ),
    "6.8": Spec(
        "max_pool2d",
        points=2,
        check=check_max_pool2d,
        reference="utils.saved.lab06_nets:max_pool2d",
        clauses=(
            Clause("written in NumPy", _pool_numpy),
            Clause("no loop over the images", _pool_batch),
        ),
    ),
    "6.9": Spec(
        "mnist_box", points=3, check=check_mnist_box, reference="utils.saved.lab06_photo:mnist_box"
    ),
}
