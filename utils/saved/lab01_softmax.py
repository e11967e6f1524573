"""Saved code: softmax regression of lab 01.

Generated from ``labs/01_softmax_derivation.ipynb`` by
``tools/save_code.py``: edit the lab's cells tagged ``save`` and run
``make saved``, never this file.
"""


from __future__ import annotations


import numpy as np


SAVED_FROM = "labs/01_softmax_derivation.ipynb"
__all__ = ["softmax", "batch_softmax_jacobian", "cross_entropy", "one_hot",
           "loss_and_grads", "gradient_check", "train",
           "class_contrast"]


# labs/01_softmax_derivation.ipynb, section "1 The softmax, and why the naive one overflows"
def softmax(o):
    """Return the softmax of the scores o (..., K) along the last axis."""
    shifted = o - o.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


# labs/01_softmax_derivation.ipynb, section "2 The Jacobian of the softmax"
def batch_softmax_jacobian(P):
    """Return the Jacobians diag(p) - p p^T of the rows p of P: (N, K, K)."""
    diagonal = P[:, :, None] * np.eye(P.shape[1])
    return diagonal - P[:, :, None] * P[:, None, :]


# labs/01_softmax_derivation.ipynb, section "3 Cross-entropy and $\partial C/\partial o = p - y$"
def cross_entropy(o, y):
    """Return the summed cross-entropy of scores o (N, K) for labels y (N,)."""
    shifted = o - o.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -log_p[np.arange(len(y)), y].sum()


# labs/01_softmax_derivation.ipynb, section "3 Cross-entropy and $\partial C/\partial o = p - y$"
def one_hot(y, n_classes=10, dtype=np.float64):
    """Return the (N, n_classes) one-hot matrix of integer labels y (N,)."""
    return np.eye(n_classes, dtype=dtype)[y]


# labs/01_softmax_derivation.ipynb, section "4 Softmax regression and its gradient"
def loss_and_grads(W, b, X, y):
    """Return the summed cross-entropy of softmax regression, dW and db."""
    O = X @ W + b                                 # (N, K) scores
    delta = softmax(O) - one_hot(y, W.shape[1], dtype=O.dtype)  # dC/dO
    return cross_entropy(O, y), X.T @ delta, delta.sum(axis=0)


# labs/01_softmax_derivation.ipynb, section "4 Softmax regression and its gradient"
def gradient_check(loss, params, grad, n_checks, h=1e-5, seed=0):
    """Return the worst error of grad against centred differences of loss at
    n_checks random entries of params, relative to max |grad|."""
    pick = np.random.default_rng(seed)
    worst = 0.0
    for _ in range(n_checks):
        index = tuple(int(pick.integers(m)) for m in params.shape)
        step = np.zeros_like(params)
        step[index] = h
        numeric = (loss(params + step) - loss(params - step)) / (2 * h)
        worst = max(worst, abs(numeric - grad[index]))
    return float(worst / np.abs(grad).max())


# labs/01_softmax_derivation.ipynb, section "6 Training with minibatches"
def train(X, y, n_classes, epochs, learning_rate, batch_size, seed,
          decay=False):
    """Train softmax regression from zero weights by minibatch gradient
    descent on the mean loss; yield (W, b, mean loss) after every epoch."""
    W = np.zeros((X.shape[1], n_classes), dtype=X.dtype)
    b = np.zeros(n_classes, dtype=X.dtype)
    rng = np.random.default_rng(seed)  # one generator for the whole run
    for epoch in range(epochs):
        rate = learning_rate
        if decay:  # linearly down to zero after the last epoch
            rate *= 1 - epoch / epochs
        order = rng.permutation(len(X))  # a new order every epoch
        total = 0.0
        for start in range(0, len(X), batch_size):
            batch = order[start:start + batch_size]  # the last may be short
            loss, dW, db = loss_and_grads(W, b, X[batch], y[batch])
            W -= rate * dW / len(batch)  # the mean loss's gradient
            b -= rate * db / len(batch)
            total += loss
        yield W, b, total / len(X)


# labs/01_softmax_derivation.ipynb, section "8 What the weights look like"
def class_contrast(X, y, n_classes):
    """Return (D, K): each class's mean image minus the other images' mean."""
    Y = one_hot(y, n_classes, X.dtype)  # (N, K)
    counts = Y.sum(axis=0)[:, None]  # images per class, (K, 1)
    sums = Y.T @ X  # (K, D) per-class sums
    own = sums / counts
    others = (sums.sum(axis=0) - sums) / (len(X) - counts)
    return (own - others).T
