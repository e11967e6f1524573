"""Checks of exercises 1.6 (train) and 1.7 (class_contrast)."""

from __future__ import annotations

import numpy as np

from ...checks import rel_error
from .. import require
from ..common import answer_array, looks_like, rel_close
from ._shared import TOL


def _step_loss(W, b, X, y):
    """Summed loss and its gradients for softmax regression, written from
    the per-example rule dC/do = p - y with explicit sums."""
    O = X @ W + b
    log_p = O - np.logaddexp.reduce(O, axis=1, keepdims=True)
    delta = np.exp(log_p)
    delta[np.arange(len(y)), y] -= 1.0
    return float(-log_p[np.arange(len(y)), y].sum()), X.T @ delta, delta.sum(0)


def _replay(
    X,
    y,
    k,
    epochs,
    learning_rate,
    batch_size,
    seed,
    decay,
    shuffle=True,
    reseed=False,
    summed=False,
    drop_last=False,
    late_decay=False,
    loss_per_batch=False,
    labels_follow=True,
):
    """The epochs ``train`` should yield, with one slip switched on."""
    W = np.zeros((X.shape[1], k))
    b = np.zeros(k)
    rng = np.random.default_rng(seed)
    yielded = []
    for epoch in range(epochs):
        if reseed:
            rng = np.random.default_rng(seed)
        rate = learning_rate
        if decay:
            rate *= 1 - (epoch + late_decay) / epochs
        order = rng.permutation(len(X)) if shuffle else np.arange(len(X))
        stop = len(X) - len(X) % batch_size if drop_last else len(X)
        total, means = 0.0, []
        for start in range(0, stop, batch_size):
            batch = order[start : start + batch_size]
            labels = y[batch] if labels_follow else y[start : start + batch_size]
            loss, dW, db = _step_loss(W, b, X[batch], labels)
            scale = 1.0 if summed else 1.0 / len(batch)
            W = W - rate * scale * dW
            b = b - rate * scale * db
            total += loss
            means.append(loss / len(batch))
        yielded.append((W, b, np.mean(means) if loss_per_batch else total / len(X)))
    return yielded


_TRAIN_SLIPS = [
    (
        dict(shuffle=False),
        "the images were visited in their stored order: "
        "draw a new order from the generator at the start of every epoch",
    ),
    (
        dict(reseed=True),
        "every epoch visited the images in the same order: "
        "make ONE generator, np.random.default_rng(seed), before the epochs, "
        "and draw each epoch's order from it",
    ),
    (
        dict(labels_follow=False),
        "the images were shuffled but the labels "
        "were not: index X and y with the same batch of the order",
    ),
    (
        dict(summed=True),
        "the steps are batch_size times too large: "
        "loss_and_grads returns the gradient of the SUMMED loss, the step is "
        "on the mean, so divide by the batch's size",
    ),
    (
        dict(drop_last=True),
        "the last, smaller batch was left out: "
        "range(0, N, batch_size) with order[start:start + batch_size] keeps it",
    ),
    (
        dict(late_decay=True),
        "the decayed rate is one epoch early: the first "
        "epoch (epoch 0) uses the full learning_rate, and the rate reaches "
        "zero only after the last epoch",
    ),
    (
        dict(decay=None),
        "the rate did not decay (or decayed when it should "
        "not): with decay=True it shrinks linearly over the epochs",
    ),
]


def _train_case(rng, n, d, k, dtype=np.float64):
    X = rng.random((n, d)).astype(dtype)
    y = rng.integers(0, k, n)
    return X, y


def check_train(
    train,
    seed: int = 0,
    n: int = 23,
    d: int = 5,
    k: int = 3,
    batch_size: int = 4,
    epochs: int = 3,
    learning_rate: float = 0.5,
    decay: bool = True,
) -> str:
    """Exercise 1.6: epochs of minibatch gradient descent, yielded one by
    one, against a replay written here."""
    rng = np.random.default_rng(seed)
    X, y = _train_case(rng, n, d, k)
    X_stored, y_stored = X.copy(), y.copy()
    schedule = {"decay": True} if decay else {}  # decay=False by default
    run = train(X, y, k, epochs, learning_rate, batch_size, seed + 1, **schedule)
    require(
        hasattr(run, "__next__"),
        f"train returned a {type(run).__name__}, not a generator: end "
        "every epoch with `yield W, b, mean_loss` (no return of a list).",
    )
    got = []
    for item in run:
        require(
            isinstance(item, tuple) and len(item) == 3,
            "each epoch should yield the three values (W, b, mean_loss).",
        )
        W, b, loss = item
        require(np.size(loss) == 1, f"the mean loss is one number, got shape {np.shape(loss)}.")
        got.append(
            (
                answer_array(W, "W", shape=(d, k)).copy(),
                answer_array(b, "b", shape=(k,)).copy(),
                float(np.asarray(loss).reshape(())),
            )
        )
        if len(got) > epochs:
            break
    require(
        len(got) == epochs,
        f"{epochs} epochs should yield {epochs} "
        f"times, yours yielded {len(got)}: yield once at the end of "
        "each epoch.",
    )
    require(
        np.array_equal(X, X_stored) and np.array_equal(y, y_stored),
        "train changed X or y: take the batches with an index array "
        "(X[batch], y[batch]); never shuffle the data in place.",
    )
    args = (X, y, k, epochs, learning_rate, batch_size, seed + 1, decay)
    right = _replay(*args)

    def same(run, part, upto):
        return all(rel_close(g[part], r[part], 1e-9) for g, r in zip(got[:upto], run[:upto]))

    for epoch in range(epochs):
        if same(right, 0, epoch + 1) and same(right, 1, epoch + 1):
            continue
        hints = []
        for slip, hint in _TRAIN_SLIPS:
            if slip.get("decay", 0) is None:
                wrong = _replay(*args[:-1], not decay)
            else:
                wrong = _replay(*args, **slip)
            if same(wrong, 0, epochs) and same(wrong, 1, epochs):
                hints.append(hint)
        require(
            False,
            f"after epoch {epoch} (counting from 0) W and b differ "
            "from a replay that starts from zero weights, draws "
            "rng.permutation(N) once per epoch from one generator "
            "np.random.default_rng(seed), and steps on each batch of "
            "that order by the rate times the gradient of the batch's "
            "mean loss: "
            + (hints[0] if hints else "check the order, the batches, the rate and the step")
            + ".",
        )
    losses = np.array([g[2] for g in got])
    right_losses = np.array([r[2] for r in right])
    if rel_error(losses, right_losses) > 1e-9:
        per_batch = np.array([r[2] for r in _replay(*args, loss_per_batch=True)])
        hint = (
            "you averaged the batches' mean losses, so the smaller last "
            "batch counts as much as a full one: add up the summed "
            "losses and divide by N"
            if rel_error(losses, per_batch) < 1e-9
            else "the mean over all N images of the epoch, each "
            "counted once, from the losses before each batch's step"
        )
        require(
            False,
            f"the yielded losses {np.round(losses, 5).tolist()} "
            f"should be {np.round(right_losses, 5).tolist()}: {hint}.",
        )
    single = next(
        iter(train(X.astype(np.float32), y, k, 1, learning_rate, batch_size, seed, decay))
    )
    require(
        all(np.asarray(v).dtype == np.float32 for v in single[:2]),
        "float32 images gave weights of dtype "
        f"{np.asarray(single[0]).dtype}: make W and b zeros in the "
        "images' dtype (dtype=X.dtype), so that section 6 trains in "
        "float32.",
    )
    rate = "decaying" if decay else "constant (the default)"
    return (
        f"{epochs} epochs of {n} images in batches of {batch_size}, "
        f"{rate} rate: weights and losses match a replay."
    )


def _contrast(X, y, k):
    """Class mean minus the mean of every other image, one class at a time."""
    columns = []
    for c in range(k):
        mine = [x for x, label in zip(X, y) if label == c]
        rest = [x for x, label in zip(X, y) if label != c]
        columns.append(np.mean(mine, axis=0) - np.mean(rest, axis=0))
    return np.array(columns).T


def check_class_contrast(class_contrast, seed: int = 0, n: int = 40, d: int = 6, k: int = 4) -> str:
    """Exercise 1.7: each class's mean image minus the other images' mean."""
    rng = np.random.default_rng(seed)
    # classes of different sizes tell a mean of images from a mean of means
    sizes = rng.permutation(np.arange(k) + max(n // k - k // 2, 1))
    y = rng.permutation(np.repeat(np.arange(k), sizes))
    X = rng.random((len(y), d)) + np.arange(d)
    X_stored = X.copy()
    got = class_contrast(X, y.copy(), k)
    require(np.array_equal(X, X_stored), "class_contrast changed X: work on new arrays.")
    if np.shape(got) == (k, d) and k != d:
        raise AssertionError(
            f"the result has shape {np.shape(got)}, one ROW "
            "per class: return one COLUMN per class, shape "
            "(D, K), like W."
        )
    got = answer_array(got, "class_contrast(X, y, K)", shape=(d, k))
    expected = _contrast(X, y, k)
    means = np.array([X[y == c].mean(0) for c in range(k)])
    if looks_like(got, (means - X.mean(0)).T, expected, TOL):
        raise AssertionError(
            "you subtracted the mean of ALL images, the "
            "class's own included: subtract the mean of "
            "the images of the OTHER classes."
        )
    of_means = np.array([np.delete(means, c, 0).mean(0) for c in range(k)])
    if looks_like(got, (means - of_means).T, expected, TOL):
        raise AssertionError(
            "you averaged the other classes' MEANS, so a "
            "small class counts as much as a large one: "
            "average the other classes' IMAGES, each "
            "counted once."
        )
    require(
        rel_close(got, expected, 1e-10),
        "column k should be the mean image of class k minus the mean of "
        f"the images of every other class (rel. error "
        f"{rel_error(got, expected):.1e}).",
    )
    single = class_contrast(X.astype(np.float32), y.copy(), k)
    require(
        np.asarray(single).dtype == np.float32,
        "float32 images gave a contrast of dtype "
        f"{np.asarray(single).dtype}: keep the images' dtype (make the "
        "one-hot labels with dtype=X.dtype, say).",
    )
    return (
        f"{k} columns right for {len(y)} images in classes of unequal size; float32 stays float32."
    )
