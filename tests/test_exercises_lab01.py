"""Lab 01's graded exercises: typical wrong answers score 0 with a hint that
says what is wrong (what every exercise keeps is in
test_exercises_contract.py)."""

import numpy as np
import pytest
from exercise_contract import assert_caught, assert_clause_caught

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


def _gradient_check(
    loss,
    params,
    grad,
    n_checks,
    h=1e-5,
    seed=0,
    forward=False,
    own_entry=False,
    same_entry=False,
    step=None,
    in_place=False,
):
    """gradient_check with one of the typical mistakes switched on."""
    pick = np.random.default_rng(seed)
    h = h if step is None else step
    worst = 0.0
    for _ in range(n_checks):
        index = tuple(0 if same_entry else int(pick.integers(m)) for m in params.shape)
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


def _grads(W, b, X, y):
    return _loss(W, b, X, y), X.T @ _delta(W, b, X, y), _delta(W, b, X, y).sum(0)


def _train(
    X,
    y,
    n_classes,
    epochs,
    learning_rate,
    batch_size,
    seed,
    decay=False,
    shuffle=True,
    reseed=False,
    labels_follow=True,
    summed=False,
    drop_last=False,
    late=0,
    ignore_decay=False,
    per_batch=False,
    weight_dtype=None,
    in_place=False,
):
    """train with one of the typical mistakes switched on."""
    dtype = weight_dtype or X.dtype
    W = np.zeros((X.shape[1], n_classes), dtype=dtype)
    b = np.zeros(n_classes, dtype=dtype)
    rng = np.random.default_rng(seed)
    for epoch in range(epochs):
        if reseed:
            rng = np.random.default_rng(seed)
        rate = learning_rate
        if decay and not ignore_decay:
            rate *= 1 - (epoch + late) / epochs
        order = rng.permutation(len(X)) if shuffle else np.arange(len(X))
        if in_place:
            X[:] = X[order]
            y[:] = y[order]
            order = np.arange(len(X))
        stop = len(X) - len(X) % batch_size if drop_last else len(X)
        total, means = 0.0, []
        for start in range(0, stop, batch_size):
            batch = order[start : start + batch_size]
            labels = y[batch] if labels_follow else y[start : start + batch_size]
            loss, dW, db = _grads(W, b, X[batch], labels)
            scale = 1 if summed else len(batch)
            W -= (rate * dW / scale).astype(dtype)
            b -= (rate * db / scale).astype(dtype)
            total += loss
            means.append(loss / len(batch))
        yield W, b, (np.mean(means) if per_batch else total / len(X))


def _train_list(*args, **kwargs):
    return list(_train(*args, **kwargs))


def _wrong_train(**slip):
    return lambda *a, **k: _train(*a, **k, **slip)


def _contrast(X, y, n_classes, of_means=False, of_all=False):
    means = np.array([X[y == c].mean(0) for c in range(n_classes)])
    if of_all:
        return (means - X.mean(0)).T
    if of_means:
        return (means - np.array([np.delete(means, c, 0).mean(0) for c in range(n_classes)])).T
    return np.array([X[y == c].mean(0) - X[y != c].mean(0) for c in range(n_classes)]).T


def _contrast_loop(X, y, n_classes):
    sums = np.zeros((n_classes, X.shape[1]), dtype=X.dtype)
    counts = np.zeros(n_classes, dtype=X.dtype)
    for x, label in zip(X, y):
        sums[label] += x
        counts[label] += 1
    own = sums / counts[:, None]
    return (own - (sums.sum(0) - sums) / (len(X) - counts)[:, None]).T


WRONG = {
    "softmax without the shift": ("1.1", _no_shift, "np.exp overflowed"),
    "softmax shifted by the batch maximum": ("1.1", _batch_max, "its own maximum"),
    "softmax normalised down the columns": (
        "1.1",
        lambda o: _softmax(o, axis=0),
        "COLUMNS sum to 1",
    ),
    "softmax on axis 1 only": ("1.1", lambda o: _softmax(o, axis=1), "axis=-1"),
    "softmax that changes its input": ("1.1", _in_place, "changed its input"),
    "Jacobian without -p p^T": ("1.2", lambda P: P[:, :, None] * np.eye(P.shape[1]), "only diag"),
    "Jacobian with +p p^T": (
        "1.2",
        lambda P: P[:, :, None] * np.eye(P.shape[1]) + P[:, :, None] * P[:, None, :],
        "wrong sign",
    ),
    "mean cross-entropy": (
        "1.3",
        lambda o, y: -_log_softmax(o)[np.arange(len(y)), y].mean(),
        "N times too small",
    ),
    "log of the softmax": (
        "1.3",
        lambda o, y: -np.log(_softmax(o)[np.arange(len(y)), y]).sum(),
        "underflowed",
    ),
    "every label of every row": ("1.3", lambda o, y: -_log_softmax(o)[:, y].sum(), "np.arange(N)"),
    "cross-entropy per example": (
        "1.3",
        lambda o, y: -_log_softmax(o)[np.arange(len(y)), y],
        "ONE number",
    ),
    "mean loss": (
        "1.4",
        lambda W, b, X, y: (
            _loss(W, b, X, y) / len(X),
            X.T @ _delta(W, b, X, y),
            _delta(W, b, X, y).sum(0),
        ),
        "loss is N times too small",
    ),
    "scores without the bias": (
        "1.4",
        lambda W, b, X, y: (
            _loss(W, 0 * b, X, y),
            X.T @ _delta(W, b, X, y),
            _delta(W, b, X, y).sum(0),
        ),
        "ignores b",
    ),
    "y - p": (
        "1.4",
        lambda W, b, X, y: (
            _loss(W, b, X, y),
            -X.T @ _delta(W, b, X, y),
            -_delta(W, b, X, y).sum(0),
        ),
        "wrong sign",
    ),
    "gradient of the mean": (
        "1.4",
        lambda W, b, X, y: (
            _loss(W, b, X, y),
            X.T @ _delta(W, b, X, y) / len(X),
            _delta(W, b, X, y).sum(0) / len(X),
        ),
        "dW is N times too small",
    ),
    "transposed dW": (
        "1.4",
        lambda W, b, X, y: (_loss(W, b, X, y), _delta(W, b, X, y).T @ X, _delta(W, b, X, y).sum(0)),
        "transposed",
    ),
    "db of the first example": (
        "1.4",
        lambda W, b, X, y: (_loss(W, b, X, y), X.T @ _delta(W, b, X, y), _delta(W, b, X, y)[0]),
        "db disagrees",
    ),
    "db not summed": (
        "1.4",
        lambda W, b, X, y: (_loss(W, b, X, y), X.T @ _delta(W, b, X, y), _delta(W, b, X, y)),
        "one entry per class",
    ),
    "forward differences": (
        "1.5",
        lambda *a, **k: _gradient_check(*a, **k, forward=True),
        "centred difference",
    ),
    "error relative to the entry": (
        "1.5",
        lambda *a, **k: _gradient_check(*a, **k, own_entry=True),
        "LARGEST",
    ),
    "the same entry every time": (
        "1.5",
        lambda *a, **k: _gradient_check(*a, **k, same_entry=True),
        "at random",
    ),
    "a fixed step h": (
        "1.5",
        lambda *a, **k: _gradient_check(*a, **k, step=1e-5),
        "use the step h",
    ),
    "params changed in place": (
        "1.5",
        lambda *a, **k: _gradient_check(*a, **k, in_place=True),
        "params itself, nudged in place",
    ),
    "train without a shuffle": ("1.6", _wrong_train(shuffle=False), "stored order"),
    "train reseeded every epoch": ("1.6", _wrong_train(reseed=True), "same order"),
    "labels not shuffled": ("1.6", _wrong_train(labels_follow=False), "labels were not"),
    "step on the summed loss": ("1.6", _wrong_train(summed=True), "batch_size times too large"),
    "last batch dropped": ("1.6", _wrong_train(drop_last=True), "last, smaller batch"),
    "decay one epoch early": ("1.6", _wrong_train(late=1), "one epoch early"),
    "decay ignored": ("1.6", _wrong_train(ignore_decay=True), "did not decay"),
    "decay on by default": (
        "1.6",
        lambda X, y, k, e, r, B, seed, decay=True: _train(X, y, k, e, r, B, seed, decay),
        "did not decay",
        dict(decay=False),
    ),
    "loss averaged per batch": ("1.6", _wrong_train(per_batch=True), "averaged the batches"),
    "train returns a list": ("1.6", _train_list, "not a generator"),
    "weights always float64": ("1.6", _wrong_train(weight_dtype=np.float64), "dtype=X.dtype"),
    "data shuffled in place": ("1.6", _wrong_train(in_place=True), "changed X or y"),
    "contrast with the mean of all images": (
        "1.7",
        lambda X, y, k: _contrast(X, y, k, of_all=True),
        "mean of ALL images",
    ),
    "contrast with the mean of the class means": (
        "1.7",
        lambda X, y, k: _contrast(X, y, k, of_means=True),
        "other classes' MEANS",
    ),
    "contrast one row per class": (
        "1.7",
        lambda X, y, k: _contrast(X, y, k).T,
        "one COLUMN per class",
    ),
    "contrast in float64": (
        "1.7",
        lambda X, y, k: _contrast(X.astype(np.float64), y, k),
        "contrast of dtype float64",
    ),
    "contrast without the class's own mean": (
        "1.7",
        lambda X, y, k: -_contrast(X, y, k),
        "column k should be",
    ),
}


@pytest.mark.parametrize("mistake", WRONG)
def test_wrong_answer_scores_zero_with_its_hint(mistake):
    exercise, answer, hint, *case = WRONG[mistake]
    assert_caught(exercise, answer, hint, **(case[0] if case else {}))


def test_every_core_exercise_has_a_wrong_answer_caught():
    assert {wrong[0] for wrong in WRONG.values()} == set(EXERCISES)


def test_a_loop_over_the_images_is_caught():
    assert_clause_caught("1.7", _contrast_loop, "no loop over images", "loops over the images")
