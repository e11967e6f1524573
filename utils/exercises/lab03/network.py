"""Checks of exercises 3.1 (mlp_forward) and 3.2 (mlp_backward)."""

from __future__ import annotations

import numpy as np
from scipy.special import expit, softmax

from ...checks import numerical_gradient, rel_error
from ...saved.lab03_mlp import mean_cross_entropy, mlp_forward
from .. import require
from ..common import answer_pair
from ._shared import _network, _refuses


def check_mlp_forward(answer, seed=30, n=6, n_in=8, hidden=5, n_out=3) -> str:
    """mlp_forward(params, X) -> (P, cache) on a random network."""
    rng = np.random.default_rng(seed)
    params = _network(rng, n_in, hidden, n_out)
    X = rng.random((n, n_in))
    P, cache = answer_pair(answer(params, X), "(P, cache)")
    P = np.asarray(P)
    require(
        P.shape == (n, n_out),
        f"P must have shape (N, K) = {(n, n_out)} for {n} images and "
        f"{n_out} classes, got {P.shape}.",
    )
    A1 = X @ params["W1"].T + params["b1"]
    A2 = expit(A1) @ params["W2"].T + params["b2"]
    expected = softmax(A2, axis=1)
    by_column = np.allclose(P.sum(axis=0), 1) and n > 1
    require(
        np.allclose(P.sum(axis=1), 1),
        "each row of P (one image) must sum to 1"
        + (
            ": you normalised the columns; take the softmax over the classes, axis=1."
            if by_column
            else "."
        ),
    )
    if rel_error(P, expected) > 1e-10:
        slips = [  # (what a plausible slip computes, its hint)
            (
                softmax(expit(X @ params["W1"].T) @ params["W2"].T, axis=1),
                "the biases are missing: A1 = X W1^T + b1, A2 = F1 W2^T + b2",
            ),
            (
                softmax(np.tanh(A1) @ params["W2"].T + params["b2"], axis=1),
                "the hidden layer uses tanh: it is the sigmoid",
            ),
            (
                softmax(np.maximum(A1, 0) @ params["W2"].T + params["b2"], axis=1),
                "the hidden layer uses ReLU: it is the sigmoid",
            ),
            (
                softmax(A1 @ params["W2"].T + params["b2"], axis=1),
                "the hidden activation is missing: F1 = sigmoid(A1)",
            ),
        ]
        hints = [hint for value, hint in slips if rel_error(P, value) < 1e-8]
        require(
            False,
            f"P differs from softmax(sigmoid(X W1^T + b1) W2^T "
            f"+ b2) (rel. error {rel_error(P, expected):.1e})"
            + (f": {hints[0]}." if hints else "."),
        )
    require(
        isinstance(cache, dict) and {"X", "F1", "A2", "P"} <= set(cache),
        "cache must be a dict with the keys 'X', 'F1', 'A2' and 'P' "
        "(mlp_backward and the loss read them).",
    )
    for key, value, hint in [
        ("X", X, "the images"),
        ("F1", expit(A1), "the hidden activations sigmoid(A1)"),
        ("A2", A2, "the logits (before the softmax)"),
        ("P", expected, "the probabilities"),
    ]:
        got = np.asarray(cache[key])
        require(
            got.shape == value.shape and rel_error(got, value) < 1e-10,
            f"cache['{key}'] must be {hint}, shape {value.shape}"
            + (
                ": you stored A1, before the sigmoid"
                if key == "F1" and got.shape == A1.shape and rel_error(got, A1) < 1e-10
                else ""
            )
            + (
                ": you stored P, after the softmax"
                if key == "A2" and got.shape == A2.shape and rel_error(got, expected) < 1e-10
                else ""
            )
            + ".",
        )
    # activations and logits near +-1000, the scale of a diverging run
    lift = 1000 + 2000 * np.abs(params["W2"]).sum()  # every logit >= 1000
    _no_overflow(
        answer,
        dict(params, W1=params["W1"] * 2000, W2=params["W2"] * 2000, b2=params["b2"] + lift),
        X,
        "activations and logits near +-1000",
        "exp overflows (or 0/0). Call sigmoid and softmax from the "
        "cell above: neither overflows (softmax subtracts each row's "
        "maximum)",
    )
    # every hidden unit far below 0: exp(-A1) overflows in 1 / (1 + exp(-A1))
    _no_overflow(
        answer,
        dict(params, b1=params["b1"] - 5000),
        X,
        "activations near -5000",
        "1 / (1 + exp(-a)) overflows. Call "
        "sigmoid from the cell above (0.5 + 0.5 tanh(a / 2) never "
        "overflows)",
    )
    return f"P and cache right ({n} images, {n_in}-{hidden}-{n_out}), also for big logits."


def _input_checks_forward(answer) -> str:
    """The shape check given with the stub, kept (a clear error)."""
    rng = np.random.default_rng(3)
    params = _network(rng, 4, 3, 2)
    _refuses(
        lambda: answer(params, rng.random((5, 6))),
        "X must have shape (N, 4)",
        "X with 6 columns for a 4-input net",
    )
    _refuses(lambda: answer(params, rng.random(4)), "X must have shape (N, 4)", "a 1-D X")
    return "a clear ValueError for an X of the wrong shape"


def _input_checks_backward(answer) -> str:
    """The shape check given with the stub, kept (a clear error)."""
    rng = np.random.default_rng(3)
    params = _network(rng, 4, 3, 2)
    cache = mlp_forward(params, rng.random((5, 4)))[1]
    _refuses(
        lambda: answer(params, cache, np.eye(3)[[0, 1, 2, 0, 1]]),
        "Y_onehot must have the shape of the probabilities (5, 2)",
        "Y_onehot with 3 columns for 2 classes",
    )
    return "a clear ValueError for a Y_onehot of the wrong shape"


def _float32_forward(answer) -> str:
    """The spec's "keep the dtype of X", for float32 images and weights."""
    rng = np.random.default_rng(3)
    params = _network(rng, 4, 3, 2, dtype=np.float32)
    P = np.asarray(answer(params, rng.random((5, 4), dtype=np.float32))[0])
    require(
        P.dtype == np.float32,
        f"float32 images and weights gave P in {P.dtype}: keep the "
        "inputs' dtype (float64 arrays make training twice as slow).",
    )
    return "float32 in, float32 out"


def _no_overflow(answer, params, X, inputs: str, hint: str) -> None:
    """``answer(params, X)`` raises no overflow and gives the right P."""
    F1 = expit(X @ params["W1"].T + params["b1"])
    expected = softmax(F1 @ params["W2"].T + params["b2"], axis=1)
    try:
        with np.errstate(over="raise", invalid="raise"):
            P = np.asarray(answer(params, X)[0])
    except FloatingPointError as err:
        raise AssertionError(f"with {inputs} NumPy reports '{err}': {hint}.") from None
    require(
        np.all(np.isfinite(P)) and np.allclose(P, expected, rtol=1e-8, atol=1e-12),
        f"with {inputs}, P is not finite or wrong: call sigmoid and softmax from the cell above.",
    )


def _loss(params, X, y):
    return mean_cross_entropy(mlp_forward(params, X)[1]["A2"], y)


def check_mlp_backward(answer, seed=31, n=7, n_in=6, hidden=5, n_out=4) -> str:
    """mlp_backward(params, cache, Y) against centred finite differences."""
    rng = np.random.default_rng(seed)
    params = _network(rng, n_in, hidden, n_out)
    X = rng.random((n, n_in))
    y = rng.integers(0, n_out, n)
    Y = np.eye(n_out)[y]
    cache = mlp_forward(params, X)[1]
    given = {k: v.copy() for k, v in cache.items()}
    grads = answer(params, given, Y)
    changed = [k for k in cache if not np.array_equal(given[k], cache[k])]
    require(
        not changed,
        f"mlp_backward changed the cache's {changed} in "
        "place (the loss still reads them): compute dA2 = (P - Y) / N "
        "as a new array.",
    )
    require(
        isinstance(grads, dict) and set(grads) >= set(params),
        "return a dict with the keys 'W1', 'b1', 'W2', 'b2'.",
    )
    right = []
    for name in ("W2", "b2", "W1", "b1"):  # from the output back
        value = params[name]
        grad = np.asarray(grads[name], dtype=np.float64)
        require(
            grad.shape != value.shape[::-1] or grad.ndim < 2 or value.shape[0] == value.shape[1],
            f"dL/d{name} has shape {grad.shape}, {name} has "
            f"{value.shape}: a gradient has its parameter's shape; "
            "transpose the product (dA.T @ input, not input.T @ dA).",
        )
        require(
            grad.shape == value.shape,
            f"dL/d{name} must have the shape of {name}, {value.shape}, got {grad.shape}.",
        )
        numeric = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            numeric[index] = numerical_gradient(lambda: _loss(params, X, y), value, index, h=1e-6)
        error = rel_error(grad, numeric)
        if error <= 1e-6:
            right.append(name)
            continue
        if rel_error(-grad, numeric) <= 1e-6:
            hint = "its sign is flipped: dL/dA2 = (P - Y) / N, not (Y - P) / N"
        elif rel_error(grad / n, numeric) <= 1e-6:
            hint = (
                f"it is N = {n} times too large: the loss is a MEAN "
                "over the batch, so divide dL/dA2 by N"
            )
        elif rel_error(grad * n, numeric) <= 1e-6:
            hint = f"it is N = {n} times too small: divide by the batch size once, not twice"
        elif {"W2", "b2"} <= set(right):
            hint = (
                "dL/dW2 and dL/db2 are right, so the slip is in the "
                "hidden layer: dF1 = dA2 @ W2 (not W2.T), then "
                "dA1 = dF1 * F1 * (1 - F1)"
            )
        elif "b2" in right:
            hint = "dL/db2 is right, so look at dW2 = dA2.T @ F1"
        else:
            hint = "start from dL/dA2 = (P - Y) / N"
        require(
            False,
            f"dL/d{name} disagrees with centred finite "
            f"differences (rel. error {error:.1e}, tolerance 1e-06): "
            f"{hint}.",
        )
    return f"4 gradients = finite differences ({n} images, {n_in}-{hidden}-{n_out})."


def _forward_on(answer, n, seed=3):
    """``answer(params, X)`` on ``n`` images of a small network."""
    rng = np.random.default_rng(seed)
    return answer(_network(rng, 4, 3, 2), rng.random((n, 4)))


def _backward_on(answer, n, seed=3, dtype=np.float64, forget_first=False):
    """``answer(params, cache, Y)`` on ``n`` images of a small network;
    ``forget_first``: W1 and b1 are NaN (the cache holds all it needs)."""
    rng = np.random.default_rng(seed)
    params = _network(rng, 4, 3, 2, dtype=dtype)
    X = rng.random((n, 4)).astype(dtype)
    cache = mlp_forward(params, X)[1]
    Y = np.eye(2, dtype=dtype)[rng.integers(0, 2, n)]
    if forget_first:
        params = dict(
            params, W1=np.full_like(params["W1"], np.nan), b1=np.full_like(params["b1"], np.nan)
        )
    return answer(params, cache, Y)


def _cache_only(answer) -> str:
    """The spec's "use the cache only": W1 and b1 are not needed."""
    grads = _backward_on(answer, 5, forget_first=True)
    expected = _backward_on(answer, 5)
    bad = [k for k in expected if not np.allclose(grads[k], expected[k], equal_nan=True)]
    require(
        not bad,
        f"with params['W1'] and params['b1'] set to NaN the "
        f"gradients {bad} changed: a second forward pass. Take F1 and P "
        "from the cache: the backward pass needs only W2.",
    )
    return "W1 and b1 are not read: the cache is used"


def _float32_weights(answer) -> str:
    """The spec's dtype clause, for the weight gradients (their cost)."""
    grads = _backward_on(answer, 5, dtype=np.float32)
    wide = [k for k in ("W1", "W2") if np.asarray(grads[k]).dtype != np.float32]
    require(
        not wide,
        f"float32 inputs gave {wide} in float64: keep the "
        "inputs' dtype (float64 products cost twice as much).",
    )
    return "float32 weights get float32 gradients"
