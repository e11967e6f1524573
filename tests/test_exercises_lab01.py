"""Lab 01's graded exercises: typical wrong answers score 0 with a hint that
says what is wrong (what every exercise keeps is in
test_exercises_contract.py)."""
import numpy as np
import pytest

from exercise_contract import assert_caught
from utils.exercises.lab01 import EXERCISES


def _softmax(o, axis=-1):
    e = np.exp(o - o.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _log_softmax(o):
    shifted = o - o.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def _delta(W, b, X, y):
    return _softmax(X @ W + b) - np.eye(W.shape[1])[y]


def _loss(W, b, X, y):
    return -_log_softmax(X @ W + b)[np.arange(len(y)), y].sum()


def _no_shift(o):
    return np.exp(o) / np.exp(o).sum(axis=-1, keepdims=True)


def _batch_max(o):
    e = np.exp(o - o.max())
    return e / e.sum(axis=-1, keepdims=True)


def _in_place(o):
    o -= o.max(axis=-1, keepdims=True)
    return np.exp(o) / np.exp(o).sum(axis=-1, keepdims=True)


def _gradient_check(loss, params, grad, n_checks, h=1e-5, seed=0,
                    forward=False, own_entry=False, same_entry=False,
                    step=None, in_place=False):
    """gradient_check with one of the typical mistakes switched on."""
    pick = np.random.default_rng(seed)
    h = h if step is None else step
    worst = 0.0
    for _ in range(n_checks):
        index = tuple(0 if same_entry else int(pick.integers(m))
                      for m in params.shape)
        if in_place:
            params[index] += h
            plus = loss(params)
            params[index] -= 2 * h
            numeric = (plus - loss(params)) / (2 * h)
        else:
            e = np.zeros_like(params)
            e[index] = h
            minus = loss(params) if forward else loss(params - e)
            numeric = (loss(params + e) - minus) / (h if forward else 2 * h)
        scale = abs(grad[index]) if own_entry else np.abs(grad).max()
        worst = max(worst, abs(numeric - grad[index]) / scale)
    return worst


WRONG = {
    "softmax without the shift": ("1.1", _no_shift, "np.exp overflowed"),
    "softmax shifted by the batch maximum": ("1.1", _batch_max,
                                             "its own maximum"),
    "softmax normalised down the columns": (
        "1.1", lambda o: _softmax(o, axis=0), "COLUMNS sum to 1"),
    "softmax on axis 1 only": ("1.1", lambda o: _softmax(o, axis=1),
                               "axis=-1"),
    "softmax that changes its input": ("1.1", _in_place,
                                       "changed its input"),
    "Jacobian without -p p^T": (
        "1.2", lambda P: P[:, :, None] * np.eye(P.shape[1]), "only diag"),
    "Jacobian with +p p^T": (
        "1.2", lambda P: P[:, :, None] * np.eye(P.shape[1])
        + P[:, :, None] * P[:, None, :], "wrong sign"),
    "mean cross-entropy": (
        "1.3", lambda o, y: -_log_softmax(o)[np.arange(len(y)), y].mean(),
        "N times too small"),
    "log of the softmax": (
        "1.3", lambda o, y: -np.log(_softmax(o)[np.arange(len(y)), y]).sum(),
        "underflowed"),
    "every label of every row": (
        "1.3", lambda o, y: -_log_softmax(o)[:, y].sum(), "np.arange(N)"),
    "cross-entropy per example": (
        "1.3", lambda o, y: -_log_softmax(o)[np.arange(len(y)), y],
        "ONE number"),
    "mean loss": (
        "1.4", lambda W, b, X, y: (_loss(W, b, X, y) / len(X),
                                   X.T @ _delta(W, b, X, y),
                                   _delta(W, b, X, y).sum(0)),
        "loss is N times too small"),
    "scores without the bias": (
        "1.4", lambda W, b, X, y: (_loss(W, 0 * b, X, y),
                                   X.T @ _delta(W, b, X, y),
                                   _delta(W, b, X, y).sum(0)),
        "ignores b"),
    "y - p": (
        "1.4", lambda W, b, X, y: (_loss(W, b, X, y),
                                   -X.T @ _delta(W, b, X, y),
                                   -_delta(W, b, X, y).sum(0)),
        "wrong sign"),
    "gradient of the mean": (
        "1.4", lambda W, b, X, y: (_loss(W, b, X, y),
                                   X.T @ _delta(W, b, X, y) / len(X),
                                   _delta(W, b, X, y).sum(0) / len(X)),
        "dW is N times too small"),
    "transposed dW": (
        "1.4", lambda W, b, X, y: (_loss(W, b, X, y),
                                   _delta(W, b, X, y).T @ X,
                                   _delta(W, b, X, y).sum(0)),
        "transposed"),
    "db of the first example": (
        "1.4", lambda W, b, X, y: (_loss(W, b, X, y),
                                   X.T @ _delta(W, b, X, y),
                                   _delta(W, b, X, y)[0]),
        "db disagrees"),
    "db not summed": (
        "1.4", lambda W, b, X, y: (_loss(W, b, X, y),
                                   X.T @ _delta(W, b, X, y),
                                   _delta(W, b, X, y)),
        "one entry per class"),
    "forward differences": (
        "1.5", lambda *a, **k: _gradient_check(*a, **k, forward=True),
        "centred difference"),
    "error relative to the entry": (
        "1.5", lambda *a, **k: _gradient_check(*a, **k, own_entry=True),
        "LARGEST"),
    "the same entry every time": (
        "1.5", lambda *a, **k: _gradient_check(*a, **k, same_entry=True),
        "at random"),
    "a fixed step h": (
        "1.5", lambda *a, **k: _gradient_check(*a, **k, step=1e-5),
        "use the step h"),
    "params changed in place": (
        "1.5", lambda *a, **k: _gradient_check(*a, **k, in_place=True),
        "params itself, nudged in place"),
}


@pytest.mark.parametrize("mistake", WRONG)
def test_wrong_answer_scores_zero_with_its_hint(mistake):
    assert_caught(*WRONG[mistake])


def test_every_core_exercise_has_a_wrong_answer_caught():
    assert {exercise for exercise, _, _ in WRONG.values()} == set(EXERCISES)
