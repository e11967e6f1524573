"""Checks for the exercises of lab 01 (softmax and cross-entropy)."""
from __future__ import annotations

import numpy as np

from . import require, run_check


def _reference_softmax(o):
    e = np.exp(o - o.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def check_1_1(log_softmax) -> None:
    """Check Exercise 1.1: a stable row-wise log-softmax."""
    def body():
        rng = np.random.default_rng(11)
        o = rng.normal(size=(6, 10))
        out = log_softmax(o.copy())
        require(out is not None, "log_softmax returned None; return the array of log-probabilities.")
        out = np.asarray(out, dtype=np.float64)
        require(out.shape == o.shape, f"expected shape {o.shape}, got {out.shape}.")
        require(np.allclose(out, np.log(_reference_softmax(o)), atol=1e-10),
                "values differ from log(softmax(o)); subtract the row maximum, then the log of the row sum.")
        with np.errstate(all="ignore"):
            big = np.asarray(log_softmax(np.array([[1000.0, 0.0, -1000.0]])), dtype=np.float64)
        require(np.all(np.isfinite(big[:, :2])) and not np.isnan(big).any(),
                f"scores [1000, 0, -1000] gave {big}: something overflowed. Shift by the maximum first.")
        require(np.allclose(big[0, :2], [0.0, -1000.0]), f"log_softmax([1000, 0, -1000]) should start [0, -1000], got {big}.")
        return "finite and exact, even for scores of +-1000."
    run_check("1.1", body)


def check_1_2(mean_loss_grads) -> None:
    """Check Exercise 1.2: gradients of the mean cross-entropy of softmax regression."""
    def body():
        rng = np.random.default_rng(12)
        X = rng.random((7, 5))
        y = rng.integers(0, 10, 7)
        W = 0.1 * rng.normal(size=(5, 10))
        b = 0.1 * rng.normal(size=10)
        result = mean_loss_grads(W.copy(), b.copy(), X, y)
        require(result is not None and len(result) == 2, "return a pair (dW, db).")
        dW, db = (np.asarray(g, dtype=np.float64) for g in result)
        require(dW.shape == W.shape and db.shape == b.shape,
                f"dW must have shape {W.shape} and db {b.shape}, got {dW.shape} and {db.shape}.")

        def loss(W_, b_):
            P = _reference_softmax(X @ W_ + b_)
            return -np.mean(np.log(P[np.arange(len(y)), y]))

        h = 1e-6
        num_W = np.zeros_like(W)
        for idx in np.ndindex(*W.shape):
            E = np.zeros_like(W)
            E[idx] = h
            num_W[idx] = (loss(W + E, b) - loss(W - E, b)) / (2 * h)
        num_b = np.array([(loss(W, b + h * e) - loss(W, b - h * e)) / (2 * h) for e in np.eye(10)])
        err_W = np.max(np.abs(dW - num_W)) / max(np.max(np.abs(num_W)), 1e-12)
        err_b = np.max(np.abs(db - num_b)) / max(np.max(np.abs(num_b)), 1e-12)
        if err_W > 1e-6 and np.allclose(dW, len(X) * num_W, rtol=1e-5):
            raise AssertionError("dW is N times too large: that is the gradient of the SUM; divide by the batch size.")
        require(err_W < 1e-6, f"dW disagrees with finite differences (rel. error {err_W:.1e}, tolerance 1e-6).")
        require(err_b < 1e-6, f"db disagrees with finite differences (rel. error {err_b:.1e}, tolerance 1e-6); "
                "sum (P - Y) over the batch, then divide by N.")
        return f"rel. errors {err_W:.1e} (dW) and {err_b:.1e} (db), tolerance 1e-6."
    run_check("1.2", body)


def check_1_3(batch_softmax_jacobian) -> None:
    """Check Exercise 1.3: all softmax Jacobians of a batch at once."""
    def body():
        rng = np.random.default_rng(13)
        P = _reference_softmax(rng.normal(size=(4, 6)))
        J = batch_softmax_jacobian(P)
        require(J is not None, "batch_softmax_jacobian returned None.")
        J = np.asarray(J, dtype=np.float64)
        require(J.shape == (4, 6, 6), f"expected shape (4, 6, 6), got {J.shape}.")
        for n in range(4):
            expected = np.diag(P[n]) - np.outer(P[n], P[n])
            require(np.allclose(J[n], expected, atol=1e-12),
                    f"Jacobian {n} is wrong: diagonal p_i(1 - p_i), off-diagonal -p_i p_j.")
        return "all four Jacobians equal diag(p) - p p^T."
    run_check("1.3", body)
