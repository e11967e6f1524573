"""Checks of exercises 3.3 (train_epoch) and 3.4 (evaluate)."""

from __future__ import annotations

import math

import numpy as np
from scipy.special import expit

from ...checks import rel_error
from ...saved.lab01_softmax import one_hot
from ...saved.lab03_mlp import mean_cross_entropy, mlp_backward, mlp_forward
from ...saved.lab04_regularise import sgd_step
from .. import require
from ..common import answer_pair
from ._shared import _network, _refuses


def _input_checks_epoch(answer) -> str:
    """The argument checks given with the stub, kept (clear errors)."""
    rng = np.random.default_rng(3)
    params = _network(rng, 4, 3, 2)
    X = rng.random((6, 4))
    _refuses(
        lambda: answer(params, X, np.zeros(5, int), 2, 0.1, np.random.default_rng(0)),
        "X has 6 images but y has 5 labels",
        "5 labels for 6 images",
    )
    for size in (0, 7):
        _refuses(
            lambda size=size: answer(
                params, X, np.zeros(6, int), size, 0.1, np.random.default_rng(0)
            ),
            "batch_size must be between 1 and the training-set size 6",
            f"batch_size={size} for 6 images",
        )
    return "clear errors for mismatched labels and batch sizes"


def _float32_epoch(answer) -> str:
    """The spec's one_hot in the dtype of P: float32 training stays float32."""
    rng = np.random.default_rng(3)
    params = _network(rng, 4, 3, 2, dtype=np.float32)
    X = rng.random((10, 4), dtype=np.float32)
    dtypes = set()

    def step(params, grads, learning_rate, weight_decay=0.0):
        dtypes.update(str(np.asarray(g).dtype) for g in grads.values())
        sgd_step(params, grads, learning_rate, weight_decay)

    answer(
        params,
        X,
        np.zeros(10, int),
        4,
        0.1,  # class 1 absent
        np.random.default_rng(0),
        step=step,
    )
    require(dtypes, "no step was taken.")
    require(
        dtypes == {"float32"},
        f"float32 training produced gradients in "
        f"{sorted(dtypes)}: make the one-hot labels in the dtype of P, "
        "one_hot(labels, K, P.dtype), so that nothing runs in float64.",
    )
    return "float32 in, float32 gradients (with a class absent from y)"


def _replay(
    params,
    X,
    y,
    batch_size,
    learning_rate,
    weight_decay,
    seed,
    epochs=2,
    shuffle=True,
    labels_follow=True,
    drop_last=False,
    loss_per_batch=False,
    loss_after_step=False,
):
    """Train ``epochs`` epochs the reference way, or with one slip."""
    params = {k: v.copy() for k, v in params.items()}
    rng, n, losses = np.random.default_rng(seed), len(X), []
    for _ in range(epochs):
        order = rng.permutation(n) if shuffle else np.arange(n)
        total, batch_losses = 0.0, []
        for start in range(0, n, batch_size):
            batch = order[start : start + batch_size]
            if drop_last and len(batch) < batch_size:
                break
            labels = y[batch] if labels_follow else y[start : start + batch_size]
            cache = mlp_forward(params, X[batch])[1]
            loss = mean_cross_entropy(cache["A2"], labels)
            grads = mlp_backward(params, cache, one_hot(labels, params["b2"].size, X.dtype))
            sgd_step(params, grads, learning_rate, weight_decay)
            if loss_after_step:
                loss = mean_cross_entropy(mlp_forward(params, X[batch])[1]["A2"], labels)
            total += loss * len(batch)
            batch_losses.append(loss)
        losses.append(np.mean(batch_losses) if loss_per_batch else total / n)
    return params, losses


def check_train_epoch(
    answer,
    seed=32,
    n=37,
    batch_size=8,
    weight_decay=0.0,
    learning_rate=0.5,
    n_in=6,
    hidden=5,
    n_out=3,
) -> str:
    """Two epochs of train_epoch against a replay with the reference code."""
    rng = np.random.default_rng(seed)
    start = _network(rng, n_in, hidden, n_out)
    X = rng.random((n, n_in))
    y = rng.integers(0, n_out, n)
    X_stored, y_stored = X.copy(), y.copy()
    calls = []

    def step(params, grads, learning_rate, weight_decay=None):
        calls.append((learning_rate, weight_decay))
        sgd_step(params, grads, learning_rate, weight_decay or 0.0)

    params = {k: v.copy() for k, v in start.items()}
    epoch_rng = np.random.default_rng(seed + 1)
    decay = {"weight_decay": weight_decay} if weight_decay else {}  # default 0
    losses = [
        answer(params, X, y, batch_size, learning_rate, epoch_rng, step=step, **decay)
        for _ in range(2)
    ]
    require(
        np.array_equal(X, X_stored) and np.array_equal(y, y_stored),
        "train_epoch changed X or y: pick the batches with an index "
        "array (X[batch], y[batch]); never shuffle the data in place.",
    )
    require(
        all(isinstance(loss, (float, np.floating)) for loss in losses),
        f"return the epoch's mean loss as a float, got {losses[0]!r}.",
    )
    per_epoch = math.ceil(n / batch_size)
    if len(calls) != 2 * per_epoch:
        dropped = n % batch_size and len(calls) == 2 * (n // batch_size)
        require(
            False,
            f"{n} images in batches of {batch_size} make "
            f"{per_epoch} steps per epoch, your two epochs took "
            f"{len(calls)}"
            + (
                ": the last, partial batch was dropped. range(0, n, "
                "batch_size) includes it; order[start:start + "
                "batch_size] slices it."
                if dropped
                else ": call step once per batch."
            ),
        )
    require(
        all(rate == learning_rate and decay == weight_decay for rate, decay in calls),
        f"step was called with (learning_rate, weight_decay) = "
        f"{calls[0]}, expected {(learning_rate, weight_decay)}: pass "
        "both on unchanged.",
    )
    args = (start, X, y, batch_size, learning_rate, weight_decay, seed + 1)
    right, right_losses = _replay(*args)
    if not all(rel_error(params[k], right[k]) < 1e-9 for k in right):
        slips = [
            (
                dict(shuffle=False),
                "the images were visited in their stored "
                "order: shuffle them, order = rng.permutation(len(X)), at the "
                "start of every epoch",
            ),
            (
                dict(labels_follow=False),
                "the images were shuffled but the labels were not: index both with the same order",
            ),
        ]
        hints = [
            hint
            for slip, hint in slips
            if all(rel_error(params[k], v) < 1e-9 for k, v in _replay(*args, **slip)[0].items())
        ]
        require(
            False,
            "after two epochs the weights differ from a replay "
            "that draws order = rng.permutation(len(X)) once per epoch "
            "(the only use of rng) and steps on order[0:B], "
            "order[B:2B], ...: "
            + (
                hints[0]
                if hints
                else "draw the order from the rng "
                "argument (not np.random), then per batch: forward, "
                "loss, backward, step(params, grads, learning_rate, "
                "weight_decay)"
            )
            + ".",
        )
    if rel_error(np.array(losses), np.array(right_losses)) > 1e-9:
        slips = [
            (
                dict(loss_per_batch=True),
                "you averaged the batch means, so "
                "the smaller last batch counts as much as a full one: weight "
                "each batch's mean loss by its size and divide by len(X)",
            ),
            (
                dict(loss_after_step=True),
                "you measured each batch's loss "
                "after its step: use the loss of the forward pass, before the "
                "update",
            ),
        ]
        hints = [
            hint
            for slip, hint in slips
            if rel_error(np.array(losses), np.array(_replay(*args, **slip)[1])) < 1e-9
        ]
        require(
            False,
            f"the returned losses {np.round(losses, 5).tolist()} "
            f"should be {np.round(right_losses, 5).tolist()}, the mean "
            "over all images of the epoch, each counted once"
            + (f": {hints[0]}." if hints else "."),
        )
    return f"2 epochs of {n} images in batches of {batch_size} are right."


def check_evaluate(answer, seed=34, n=40, n_in=6, hidden=5, n_out=4) -> str:
    """evaluate(params, X, y) -> (loss, accuracy) on a random network."""
    rng = np.random.default_rng(seed)
    params = _network(rng, n_in, hidden, n_out, std=1.5)
    X = rng.random((n, n_in))
    A2 = expit(X @ params["W1"].T + params["b1"]) @ params["W2"].T + params["b2"]
    # labels: the network's own guess for about half the images, so that
    # the accuracy is neither 0 nor 1
    y = np.where(rng.random(n) < 0.5, A2.argmax(axis=1), rng.integers(0, n_out, n))
    log_P = A2 - A2.max(axis=1, keepdims=True)
    log_P -= np.log(np.exp(log_P).sum(axis=1, keepdims=True))
    loss = float(-log_P[np.arange(n), y].mean())
    accuracy = float(np.mean(A2.argmax(axis=1) == y))
    got = answer_pair(answer(params, X, y), "(loss, accuracy)")
    require(
        all(np.ndim(v) == 0 for v in got),
        "return two numbers (loss, accuracy), not arrays: the loss is "
        "the MEAN over the images, the accuracy one fraction.",
    )
    _python_floats(got)
    got_loss, got_accuracy = (float(v) for v in got)
    require(
        not (np.isclose(got_loss, accuracy) and np.isclose(got_accuracy, loss)),
        "the pair is in the wrong order: return (loss, accuracy).",
    )
    if not np.isclose(got_accuracy, accuracy, rtol=0, atol=1e-12):
        by_column = float(np.mean(A2.argmax(axis=0)[y % n_out] == y))
        require(
            not np.isclose(got_accuracy, accuracy * n),
            f"the accuracy {got_accuracy:g} is a count: divide by the "
            f"number of images ({n}) to get the fraction correct.",
        )
        require(
            not np.isclose(got_accuracy, 1 - accuracy),
            "you returned the error rate: the accuracy is the fraction "
            "of images whose most probable class IS the label.",
        )
        require(
            False,
            f"the accuracy should be {accuracy:.4f}, got "
            f"{got_accuracy:.4f}: take the most probable class of each "
            "image, the argmax over the classes (axis=1), and compare "
            "it with y"
            + (
                " (you took it over the images, axis=0)"
                if np.isclose(got_accuracy, by_column)
                else ""
            )
            + ".",
        )
    require(
        not np.isclose(got_loss, loss * n),
        f"the loss is {n} times too large: it is the MEAN cross-entropy "
        "over the images, not the sum.",
    )
    require(
        np.isclose(got_loss, loss, rtol=1e-9, atol=0),
        f"the loss should be the mean cross-entropy {loss:.6f}, got "
        f"{got_loss:.6f}: mean_cross_entropy(cache['A2'], y) of the "
        "forward pass.",
    )
    return f"loss and accuracy of {n} images right ({accuracy:.2f} correct)."


def _python_floats(got) -> None:
    """The spec's "a pair of Python floats" (np.float64 is one; not
    np.float32, nor a 0-d array)."""
    names = [type(v).__name__ for v in got]
    require(
        all(isinstance(v, float) for v in got),
        f"return Python floats, got ({names[0]}, {names[1]}): convert "
        "each number with float(...), so that the pair prints and "
        "compares like plain numbers whatever the network's dtype.",
    )


def _float32_network(answer) -> str:
    """A float32 network still gives a pair of Python floats."""
    rng = np.random.default_rng(35)
    params = _network(rng, 5, 4, 3, std=1.5, dtype=np.float32)
    X = rng.random((30, 5)).astype(np.float32)
    y = rng.integers(0, 3, 30)
    got = answer_pair(answer(params, X, y), "(loss, accuracy)")
    _python_floats(got)
    A2 = (
        expit(X.astype(np.float64) @ params["W1"].T.astype(np.float64) + params["b1"])
        @ params["W2"].T.astype(np.float64)
        + params["b2"]
    )
    log_P = A2 - A2.max(axis=1, keepdims=True)
    log_P -= np.log(np.exp(log_P).sum(axis=1, keepdims=True))
    loss = float(-log_P[np.arange(30), y].mean())
    require(
        np.isclose(got[0], loss, rtol=1e-4, atol=0)
        and np.isclose(
            got[1], np.mean(A2.argmax(axis=1) == y), rtol=0, atol=1.01 / 30
        ),  # a float32 near-tie
        f"on a float32 network the pair should be about ({loss:.5f}, "
        f"{np.mean(A2.argmax(axis=1) == y):.4f}), got {got}.",
    )
    return "a float32 network gives two Python floats"


def _evaluate_on(answer, n, seed=3):
    """``answer(params, X, y)`` on ``n`` images of a small network."""
    rng = np.random.default_rng(seed)
    return answer(_network(rng, 4, 3, 2), rng.random((n, 4)), rng.integers(0, 2, n))


def _confident_and_wrong(answer) -> str:
    """The spec's "from the logits": a sure wrong guess gives a finite loss."""
    params = {
        "W1": np.zeros((2, 3)),
        "b1": np.zeros(2),
        "W2": np.zeros((3, 2)),
        "b2": np.array([0.0, 900.0, -900.0]),
    }
    X, y = np.ones((4, 3)), np.array([0, 1, 2, 1])
    with np.errstate(all="ignore"):
        loss, accuracy = (float(v) for v in answer(params, X, y))
    require(
        np.isfinite(loss) and np.isclose(loss, 675.0, rtol=1e-9),
        f"with logits (0, 900, -900) and labels 0, 1, 2, 1 the mean loss "
        f"is (900 + 0 + 1800 + 0) / 4 = 675, got {loss}: -log P "
        "underflows to inf. Compute the loss from the logits with "
        "mean_cross_entropy(cache['A2'], y) (log-sum-exp).",
    )
    require(accuracy == 0.5, f"accuracy should be 0.5, got {accuracy}.")
    return "a confident wrong guess gives a large finite loss"
