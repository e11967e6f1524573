"""Checks for the exercises of lab 02 (Jacobians)."""
from __future__ import annotations

import numpy as np

from . import require, run_check


def check_2_1(jacobian_wrt_weights) -> None:
    """Check Exercise 2.1: d(Wv)/d vec_row(W) as a Kronecker product."""
    def body():
        rng = np.random.default_rng(21)
        v = rng.normal(size=5)
        J = jacobian_wrt_weights(v, 3)
        require(J is not None, "jacobian_wrt_weights returned None.")
        J = np.asarray(J, dtype=np.float64)
        require(J.shape == (3, 15), f"expected shape (3, 15) for 3 outputs and a 3 x 5 matrix, got {J.shape}.")
        W = rng.normal(size=(3, 5))
        h = 1e-6
        numeric = np.stack([((W.reshape(-1) + h * e).reshape(3, 5) @ v - (W.reshape(-1) - h * e).reshape(3, 5) @ v)
                            / (2 * h) for e in np.eye(15)], axis=1)
        if np.allclose(J, np.kron(v[None, :], np.eye(3))):
            raise AssertionError("this is the column-major Jacobian; the exercise asks for row-major vec(W).")
        require(np.allclose(J, numeric, atol=1e-8), "the Jacobian disagrees with finite differences: "
                "output i depends on row i of W, with coefficients v.")
        return "equals the row-major Kronecker product I (x) v^T."
    run_check("2.1", body)


def check_2_2(batch_dW1) -> None:
    """Check Exercise 2.2: the summed-loss gradient of W1 for a batch."""
    def body():
        rng = np.random.default_rng(22)
        X = rng.random((6, 12))
        Y = np.eye(10)[rng.integers(0, 10, 6)]
        W1, b1 = 0.3 * rng.normal(size=(7, 12)), 0.1 * rng.normal(size=7)
        W2, b2 = 0.3 * rng.normal(size=(10, 7)), 0.1 * rng.normal(size=10)

        def loss(W1_):
            F1 = 1 / (1 + np.exp(-(X @ W1_.T + b1)))
            A2 = F1 @ W2.T + b2
            A2 = A2 - A2.max(1, keepdims=True)
            return float(-(Y * (A2 - np.log(np.exp(A2).sum(1, keepdims=True)))).sum())

        grad = batch_dW1(X, Y, W1.copy(), b1, W2, b2)
        require(grad is not None, "batch_dW1 returned None.")
        grad = np.asarray(grad, dtype=np.float64)
        require(grad.shape == W1.shape, f"dW1 must have the shape of W1 {W1.shape}, got {grad.shape}.")
        h = 1e-6
        numeric = np.zeros_like(W1)
        for idx in np.ndindex(*W1.shape):
            E = np.zeros_like(W1)
            E[idx] = h
            numeric[idx] = (loss(W1 + E) - loss(W1 - E)) / (2 * h)
        err = float(np.max(np.abs(grad - numeric)) / np.max(np.abs(numeric)))
        if err > 1e-6 and np.allclose(grad * len(X), numeric, rtol=1e-5):
            raise AssertionError("your gradient is the MEAN over the batch; the exercise asks for the sum.")
        require(err < 1e-6, f"dW1 disagrees with finite differences (rel. error {err:.1e}, tolerance 1e-6); "
                "did you keep the sigmoid derivative F1 (1 - F1)?")
        return f"rel. error {err:.1e} (tolerance 1e-6)."
    run_check("2.2", body)
