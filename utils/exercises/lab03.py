"""Checks for the exercises of lab 03 (a two-layer perceptron in NumPy)."""
from __future__ import annotations

import numpy as np

from ..checks import numerical_gradient, rel_error
from . import require, run_check


def check_3_1(per_class_errors):
    """Check Exercise 3.1: misclassified images counted per TRUE class (lab 03)."""
    def body():
        y_true = np.array([0, 0, 1, 1, 1, 2, 3, 3])
        y_pred = np.array([0, 1, 1, 2, 2, 2, 0, 3])
        out = per_class_errors(y_true, y_pred, n_classes=5)
        require(out is not None, "your function returned None; return an array of counts.")
        out = np.asarray(out)
        require(out.shape == (5,), f"expected one count per class, shape (5,), got shape {out.shape}. "
                "Did you pass minlength=n_classes?")
        expected = np.array([1, 2, 0, 1, 0])
        by_prediction = np.array([1, 1, 2, 0, 0])
        if np.array_equal(out, by_prediction):
            raise AssertionError("you counted errors by PREDICTED class; count them by the TRUE class.")
        require(np.array_equal(out, expected),
                f"for y_true={y_true.tolist()}, y_pred={y_pred.tolist()} expected {expected.tolist()}, "
                f"got {out.tolist()}.")
        perfect = per_class_errors(y_true, y_true, n_classes=5)
        require(np.array_equal(np.asarray(perfect), np.zeros(5)), "perfect predictions must give zero errors.")
        return "errors are counted per true class, with a zero for classes without errors."
    run_check("3.1", body)


def _tanh_loss(params, X, y):
    F1 = np.tanh(X @ params["W1"].T + params["b1"])
    A2 = F1 @ params["W2"].T + params["b2"]
    shifted = A2 - A2.max(axis=1, keepdims=True)
    return float(np.mean(np.log(np.exp(shifted).sum(axis=1)) - shifted[np.arange(len(y)), y]))


def check_3_2(tanh_mlp_gradients):
    """Check Exercise 3.2: gradients of a tanh-hidden-layer network vs finite differences (lab 03)."""
    def body():
        rng = np.random.default_rng(3)
        params = {"W1": rng.normal(0, 0.5, (5, 7)), "b1": rng.normal(0, 0.5, 5),
                  "W2": rng.normal(0, 0.5, (4, 5)), "b2": rng.normal(0, 0.5, 4)}
        X = rng.random((6, 7))
        y = rng.integers(0, 4, 6)
        grads = tanh_mlp_gradients(params, X, np.eye(4)[y])
        require(grads is not None, "your function returned None; return a dict of gradients.")
        require(isinstance(grads, dict) and set(grads) >= {"W1", "b1", "W2", "b2"},
                "return a dict with the keys 'W1', 'b1', 'W2', 'b2'.")
        for name, value in params.items():
            grad = np.asarray(grads[name], dtype=np.float64)
            require(grad.shape == value.shape,
                    f"the gradient of {name} must have the shape of {name}, {value.shape}, got {grad.shape}.")
            numeric = np.zeros_like(value)
            for index in np.ndindex(value.shape):
                numeric[index] = numerical_gradient(lambda: _tanh_loss(params, X, y), value, index, h=1e-6)
            error = rel_error(grad, numeric)
            hint = ""
            if rel_error(grad * len(X), numeric) < 1e-6:
                hint = " It is N times too small: divide by the batch size once, not twice."
            elif rel_error(grad / len(X), numeric) < 1e-6:
                hint = " It is N times too large: divide by the batch size (the loss is a mean)."
            require(error < 1e-6, f"dL/d{name} disagrees with finite differences (rel. error {error:.1e}, "
                    f"tolerance 1e-06).{hint} Check tanh'(a) = 1 - tanh(a)^2 and the transposes.")
        return "the tanh network's gradients match finite differences to 1e-6."
    run_check("3.2", body)
