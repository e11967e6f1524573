"""Lab 02's graded exercises: the references pass the cases the lab shows and
the hidden ones; unfinished, crashing and typical wrong answers (column-major
Jacobians, a transposed reshape, a missing sigmoid derivative, W instead of
W^T) score 0 with a hint that says what is wrong."""
from pathlib import Path

import numpy as np
import pytest

from test_exercises_lab01 import (assert_caught, crashing, hidden_cases,
                                  unfinished)
from utils.exercises import grade, reference
from utils.exercises.lab02 import EXERCISES
from utils.jacobians import forward, layer_jacobians, sigmoid

LAB = Path(__file__).parents[1] / "labs" / "02_jacobians.ipynb"


@pytest.mark.parametrize("exercise", EXERCISES)
def test_reference_passes_the_shown_and_the_hidden_cases(exercise):
    check = grade(exercise, reference(exercise))
    assert hidden_cases(exercise, LAB), f"exercise {exercise}: no hidden case"
    for case in hidden_cases(exercise, LAB):
        check.run(**case)
    assert all(check.passed) and check.score == EXERCISES[exercise].points


@pytest.mark.parametrize("exercise", EXERCISES)
@pytest.mark.parametrize("answer", [unfinished, crashing])
def test_unfinished_or_crashing_answer_scores_zero(exercise, answer, capsys):
    check = grade(exercise, answer)
    assert check.score == 0 and check.keep() is reference(exercise)
    said = "not done yet" if answer is unfinished else "crashing, line"
    assert said in capsys.readouterr().out


def _layer(W, b, v, **wrong):
    """layer_jacobians with some entries replaced by typical mistakes."""
    f = sigmoid(W @ v + b)
    right = {"da/dW": np.kron(np.eye(len(b)), v[None, :]),
             "da/db": np.eye(len(b)), "da/dv": W, "df/da": np.diag(f * (1 - f))}
    mistakes = {"column-major": np.kron(v[None, :], np.eye(len(b))),
                "transposed": np.kron(np.eye(len(b)), v[:, None]),
                "vector": f * (1 - f),
                "a(1-a)": np.diag((W @ v + b) * (1 - (W @ v + b))),
                "W^T": W.T, "ones": np.ones(len(b))}
    return {**right, **{key: mistakes[name] for key, name in wrong.items()}}


def _chain(W1, b1, W2, b2, x, y, sign=1, with_sigmoid=True, order="C"):
    """dL/dW1 by Jacobians, with a typical mistake switched on."""
    _, f1, _, y_hat = forward(W1, b1, W2, b2, x)
    jacobians = layer_jacobians(W1, b1, x)
    dL_da1 = sign * (y_hat - y)[None, :] @ W2
    if with_sigmoid:
        dL_da1 = dL_da1 @ jacobians["df/da"]
    return (dL_da1 @ jacobians["da/dW"]).reshape(W1.shape, order=order)


def _backprop(weights, out, inputs, derivatives, i, j, last=True,
              transpose=True, stop=0):
    """gradient_by_backprop with a typical mistake switched on."""
    delta = out * derivatives[-1] if last else out
    for layer in range(len(weights) - 1, stop, -1):
        W = weights[layer].T if transpose else weights[layer]
        delta = (W @ delta) * derivatives[layer - 1]
    return delta[i] * inputs[0][j]


WRONG = {
    "column-major da/dW": (
        "2.1", lambda W, b, v: _layer(W, b, v, **{"da/dW": "column-major"}),
        "column-major"),
    "transposed da/dW": (
        "2.1", lambda W, b, v: _layer(W, b, v, **{"da/dW": "transposed"}),
        "transposed"),
    "df/da as a vector": (
        "2.1", lambda W, b, v: _layer(W, b, v, **{"df/da": "vector"}),
        "should be a matrix"),
    "sigmoid derivative a (1 - a)": (
        "2.1", lambda W, b, v: _layer(W, b, v, **{"df/da": "a(1-a)"}),
        r"f \(1 - f\) with f = sigmoid\(a\)"),
    "da/dv = W^T": (
        "2.1", lambda W, b, v: _layer(W, b, v, **{"da/dv": "W^T"}),
        r"it is W\^T"),
    "da/db as ones": (
        "2.1", lambda W, b, v: _layer(W, b, v, **{"da/db": "ones"}),
        "use np.eye"),
    "no dict": ("2.1", lambda W, b, v: tuple(_layer(W, b, v).values()),
                "return a dict"),
    "column-major reshape": (
        "2.2", lambda *args: _chain(*args, order="F"), "wrong places"),
    "y - y_hat": ("2.2", lambda *args: _chain(*args, sign=-1), "wrong sign"),
    "no sigmoid derivative": (
        "2.2", lambda *args: _chain(*args, with_sigmoid=False),
        r"diag\(f1 \(1 - f1\)\) is\s+missing"),
    "a flat row": (
        "2.2", lambda *args: _chain(*args).reshape(-1), "W1's shape"),
    "no last derivative": (
        "2.3", lambda *args: _backprop(*args, last=False),
        "last layer's sigmoid derivative"),
    "W instead of W^T": (
        "2.3", lambda *args: _backprop(*args, transpose=False),
        "instead of W\\^T"),
    "one layer short": (
        "2.3", lambda *args: _backprop(*args, stop=1), "forward-mode"),
}


@pytest.mark.parametrize("mistake", WRONG)
def test_wrong_answer_scores_zero_with_its_hint(mistake, capsys):
    assert_caught(*WRONG[mistake], lambda: capsys.readouterr().out)


def test_hard_coded_sizes_crash_with_the_line_shown(capsys):
    def hard_coded(W1, b1, W2, b2, x, y):
        return _chain(W1, b1, W2, b2, x, y).reshape(64, 784)

    assert grade("2.2", hard_coded).score == 0
    assert "reshape(64, 784)" in capsys.readouterr().out


def test_every_exercise_has_a_wrong_answer_caught():
    assert {exercise for exercise, _, _ in WRONG.values()} == set(EXERCISES)
