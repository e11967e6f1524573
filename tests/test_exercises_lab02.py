"""Lab 02's graded exercises: typical wrong answers (column-major Jacobians, a
transposed reshape, a missing sigmoid derivative, W instead of W^T, a sum
instead of a mean, a loop over the images) score 0 with a hint that says what
is wrong (what every exercise keeps is in test_exercises_contract.py)."""

import numpy as np
import pytest
from exercise_contract import assert_caught, assert_clause_caught

from utils.exercises import grade
from utils.exercises.lab02 import EXERCISES
from utils.saved.lab01_softmax import softmax
from utils.saved.lab02_jacobians import forward, layer_jacobians, sigmoid


def _layer(W, b, v, **wrong):
    """layer_jacobians with some entries replaced by typical mistakes."""
    f = sigmoid(W @ v + b)
    right = {
        "da/dW": np.kron(np.eye(len(b)), v[None, :]),
        "da/db": np.eye(len(b)),
        "da/dv": W,
        "df/da": np.diag(f * (1 - f)),
    }
    mistakes = {
        "column-major": np.kron(v[None, :], np.eye(len(b))),
        "transposed": np.kron(np.eye(len(b)), v[:, None]),
        "vector": f * (1 - f),
        "a(1-a)": np.diag((W @ v + b) * (1 - (W @ v + b))),
        "W^T": W.T,
        "ones": np.ones(len(b)),
    }
    return {**right, **{key: mistakes[name] for key, name in wrong.items()}}


def _layer_with(**wrong):
    """layer_jacobians with the Jacobians named in ``wrong`` done wrong."""
    return lambda W, b, v: _layer(W, b, v, **wrong)


def _chain(W1, b1, W2, b2, x, y, sign=1, with_sigmoid=True, order="C"):
    """dL/dW1 by Jacobians, with a typical mistake switched on."""
    _, f1, _, y_hat = forward(W1, b1, W2, b2, x)
    jacobians = layer_jacobians(W1, b1, x)
    dL_da1 = sign * (y_hat - y)[None, :] @ W2
    if with_sigmoid:
        dL_da1 = dL_da1 @ jacobians["df/da"]
    return (dL_da1 @ jacobians["da/dW"]).reshape(W1.shape, order=order)


def _backprop(weights, out, inputs, derivatives, i, j, last=True, transpose=True, stop=0):
    """gradient_by_backprop with a typical mistake switched on."""
    delta = out * derivatives[-1] if last else out
    for layer in range(len(weights) - 1, stop, -1):
        W = weights[layer].T if transpose else weights[layer]
        delta = (W @ delta) * derivatives[layer - 1]
    return delta[i] * inputs[0][j]


def _deep_chain(
    weights, biases, x, y, sign=1, with_sigmoid=True, order="C", reverse=False, transpose=False
):
    """dL_dW_by_jacobians with a typical mistake switched on."""
    inputs = [x]
    for W, b in zip(weights[:-1], biases[:-1]):
        inputs.append(sigmoid(W @ inputs[-1] + b))
    y_hat = softmax(weights[-1] @ inputs[-1] + biases[-1])
    jac = [layer_jacobians(W, b, v) for W, b, v in zip(weights, biases, inputs)]
    row = sign * (y_hat - y)[None, :]
    dWs, dbs = [], []
    for layer in range(len(weights) - 1, -1, -1):
        shape = weights[layer].shape[::-1] if transpose else weights[layer].shape
        dWs.append((row @ jac[layer]["da/dW"]).reshape(shape, order=order))
        dbs.append((row @ jac[layer]["da/db"]).reshape(-1))
        if layer:
            row = row @ jac[layer]["da/dv"]
            if with_sigmoid:
                row = row @ jac[layer - 1]["df/da"]
    if reverse:
        return dWs, dbs
    return dWs[::-1], dbs[::-1]


def _deep_shortcut(weights, biases, x, y):
    """The right gradients by backprop, without any Jacobian."""
    return _batch(weights, biases, x[None, :], y[None, :])


def _batch(
    weights, biases, X, Y, mean=True, with_sigmoid=True, sign=1, bias_rows=False, in_place=False
):
    """batch_gradients with a typical mistake switched on."""
    outputs = [X]
    for W, b in zip(weights[:-1], biases[:-1]):
        outputs.append(sigmoid(outputs[-1] @ W.T + b))
    delta = sign * (softmax(outputs[-1] @ weights[-1].T + biases[-1]) - Y)
    if in_place:
        Y -= 0.0 * Y + Y  # reuses the labels' memory
    if mean:
        delta = delta / len(X)
    dWs, dbs = [], []
    for layer in range(len(weights) - 1, -1, -1):
        dWs.insert(0, delta.T @ outputs[layer])
        dbs.insert(0, delta if bias_rows else delta.sum(axis=0))
        if layer:
            delta = delta @ weights[layer]
            if with_sigmoid:
                delta = delta * outputs[layer] * (1 - outputs[layer])
    return dWs, dbs


def _batch_by_loop(weights, biases, X, Y):
    """Right, but one image at a time."""
    total = None
    for x_n, y_n in zip(X, Y):
        dWs, dbs = _batch(weights, biases, x_n[None, :], y_n[None, :])
        grads = dWs + dbs
        total = grads if total is None else [t + g for t, g in zip(total, grads)]
    L = len(weights)
    return ([t / len(X) for t in total[:L]], [t / len(X) for t in total[L:]])


WRONG = {
    "column-major da/dW": ("2.1", _layer_with(**{"da/dW": "column-major"}), "column-major"),
    "transposed da/dW": ("2.1", _layer_with(**{"da/dW": "transposed"}), "transposed"),
    "df/da as a vector": ("2.1", _layer_with(**{"df/da": "vector"}), "should be a matrix"),
    "sigmoid derivative a (1 - a)": (
        "2.1",
        _layer_with(**{"df/da": "a(1-a)"}),
        "f (1 - f) with f = sigmoid(a)",
    ),
    "da/dv = W^T": ("2.1", _layer_with(**{"da/dv": "W^T"}), "it is W^T"),
    "da/db as ones": ("2.1", _layer_with(**{"da/db": "ones"}), "use np.eye"),
    "no dict": ("2.1", lambda *args: tuple(_layer(*args).values()), "return a dict"),
    "column-major reshape": ("2.2", lambda *args: _chain(*args, order="F"), "wrong places"),
    "y - y_hat": ("2.2", lambda *args: _chain(*args, sign=-1), "wrong sign"),
    "no sigmoid derivative": (
        "2.2",
        lambda *args: _chain(*args, with_sigmoid=False),
        "diag(f1 (1 - f1)) is missing",
    ),
    "the outer product": (
        "2.2",
        lambda W1, b1, W2, b2, x, y: np.outer(
            (W2.T @ (forward(W1, b1, W2, b2, x)[3] - y))
            * forward(W1, b1, W2, b2, x)[1]
            * (1 - forward(W1, b1, W2, b2, x)[1]),
            x,
        ),
        "should be called for both layers",
    ),
    "a flat row": ("2.2", lambda *args: _chain(*args).reshape(-1), "W1's shape"),
    "no last derivative": (
        "2.3",
        lambda *args: _backprop(*args, last=False),
        "last layer's sigmoid derivative",
    ),
    "W instead of W^T": ("2.3", lambda *args: _backprop(*args, transpose=False), "instead of W^T"),
    "one layer short": ("2.3", lambda *args: _backprop(*args, stop=1), "forward-mode"),
    "deep: y - y_hat": ("2.4", lambda *args: _deep_chain(*args, sign=-1), "wrong sign"),
    "deep: no sigmoid derivative": (
        "2.4",
        lambda *args: _deep_chain(*args, with_sigmoid=False),
        "sigmoid's derivative f (1 - f) is missing",
    ),
    "deep: column-major reshape": (
        "2.4",
        lambda *args: _deep_chain(*args, order="F"),
        "wrong places",
    ),
    "deep: last layer first": (
        "2.4",
        lambda *args: _deep_chain(*args, reverse=True),
        "last layer first",
    ),
    "deep: transposed dW": (
        "2.4",
        lambda *args: _deep_chain(*args, transpose=True),
        "it is transposed",
    ),
    "deep: backprop, no Jacobians": ("2.4", _deep_shortcut, "should be called for every layer"),
    "batch: the summed loss": ("2.5", lambda *args: _batch(*args, mean=False), "times too large"),
    "batch: y - y_hat": ("2.5", lambda *args: _batch(*args, sign=-1), "wrong sign"),
    "batch: no sigmoid derivative": (
        "2.5",
        lambda *args: _batch(*args, with_sigmoid=False),
        "sigmoid's derivative f (1 - f) is missing",
    ),
    "batch: bias per image": (
        "2.5",
        lambda *args: _batch(*args, bias_rows=True),
        "one row per image",
    ),
    "batch: labels overwritten": (
        "2.5",
        lambda *args: _batch(*args, in_place=True),
        "changed its inputs",
    ),
}


def test_a_loop_over_the_images_loses_the_clause():
    assert_clause_caught("2.5", _batch_by_loop, "no loop over the images", "loops over the images")


@pytest.mark.parametrize("mistake", WRONG)
def test_wrong_answer_scores_zero_with_its_hint(mistake):
    assert_caught(*WRONG[mistake])


def test_hard_coded_sizes_crash_with_the_line_shown(capsys):
    def hard_coded(W1, b1, W2, b2, x, y):
        return _chain(W1, b1, W2, b2, x, y).reshape(64, 784)

    assert grade("2.2", hard_coded).score == 0
    assert "reshape(64, 784)" in capsys.readouterr().out


def test_every_exercise_has_a_wrong_answer_caught():
    assert {exercise for exercise, _, _ in WRONG.values()} == set(EXERCISES)
