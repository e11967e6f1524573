"""Checks of exercises 2.1 (layer_jacobians) and 2.2 (dL_dW1_by_jacobians)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ...checks import numerical_gradient, numerical_jacobian, rel_error
from .. import require
from ..common import looks_like, rel_close
from ._shared import TOL, _random_jacobians, _sigmoid

KEYS = ("da/dW", "da/db", "da/dv", "df/da")


def check_layer_jacobians(layer_jacobians, seed: int = 0, n_out: int = 3, n_in: int = 5) -> str:
    """Exercise 2.1: da/dW (Kronecker, row-major), da/db, da/dv and df/da."""
    rng = np.random.default_rng(seed)
    W = rng.normal(size=(n_out, n_in))
    b = rng.normal(size=n_out)
    v = rng.normal(size=n_in)
    result = layer_jacobians(W.copy(), b.copy(), v.copy())
    require(
        isinstance(result, Mapping),
        f"return a dict with the keys {', '.join(KEYS)}; got {type(result).__name__}.",
    )
    missing = [key for key in KEYS if key not in result]
    require(
        not missing,
        f"the dict lacks {', '.join(map(repr, missing))}; it needs {', '.join(map(repr, KEYS))}.",
    )
    got = {key: np.asarray(result[key], dtype=np.float64) for key in KEYS}

    a = W @ v + b
    expected = {  # the three linear maps: exact for any h
        "da/dW": numerical_jacobian(lambda W_: W_ @ v + b, W, 1.0),
        "da/db": numerical_jacobian(lambda b_: W @ v + b_, b, 1.0),
        "da/dv": numerical_jacobian(lambda v_: W @ v_ + b, v, 1.0),
        "df/da": numerical_jacobian(_sigmoid, a, 1e-5),
    }
    shapes = {key: value.shape for key, value in expected.items()}
    dW = got["da/dW"]
    if dW.shape == shapes["da/dW"][::-1] != shapes["da/dW"]:
        raise AssertionError(
            f"da/dW has shape {dW.shape}: transposed. A "
            "Jacobian has one row per output a_i, "
            f"shape {shapes['da/dW']}."
        )
    require(
        dW.shape == shapes["da/dW"],
        f"da/dW should have shape {shapes['da/dW']} (n_out, n_out * n_in), got {dW.shape}.",
    )
    if looks_like(dW, np.kron(v[None, :], np.eye(n_out)), expected["da/dW"], TOL):
        raise AssertionError(
            "da/dW is the column-major Jacobian v^T (x) I: "
            "the exercise flattens W row-major, entry W[i, j] "
            "at position n_in * i + j, so it is I (x) v^T."
        )
    require(
        rel_close(dW, expected["da/dW"], TOL),
        "da/dW disagrees with centred differences: output a_i depends "
        "only on row i of W, with coefficients v: I (x) v^T.",
    )
    for key, shape in shapes.items():
        value = got[key]
        if key != "da/dW" and value.ndim == 1 and value.shape == shape[:1]:
            raise AssertionError(
                f"{key} should be a matrix {shape}, got a "
                f"vector {value.shape}: use np.eye or np.diag."
            )
    if got["da/dv"].shape == (n_in, n_out) and n_in != n_out:
        raise AssertionError(
            "da/dv has shape (n_in, n_out): it is W^T. Rows are outputs, so da/dv = W."
        )
    for key in ("da/db", "da/dv"):
        require(
            got[key].shape == shapes[key],
            f"{key} should have shape {shapes[key]}, got {got[key].shape}.",
        )
        require(
            rel_close(got[key], expected[key], TOL),
            f"{key} disagrees with centred differences: da/db is the identity, da/dv is W.",
        )
    df = got["df/da"]
    require(
        df.shape == shapes["df/da"], f"df/da should have shape {shapes['df/da']}, got {df.shape}."
    )
    if looks_like(df, np.diag(a * (1 - a)), expected["df/da"], TOL):
        raise AssertionError(
            "df/da used a (1 - a): the derivative of the sigmoid is f (1 - f) with f = sigmoid(a)."
        )
    require(
        rel_close(df, expected["df/da"], TOL),
        "df/da disagrees with centred differences: the sigmoid acts "
        "entry by entry, so df/da = diag(f (1 - f)) with f = sigmoid(W v "
        "+ b).",
    )
    return f"the four Jacobians of a {n_out} x {n_in} layer match centred differences."


def _network(seed: int, n_in: int, hidden: int, n_out: int):
    """Weights, one image and its one-hot label of a random small network."""
    rng = np.random.default_rng(seed)
    W1 = 0.5 * rng.normal(size=(hidden, n_in))
    b1 = 0.1 * rng.normal(size=hidden)
    W2 = 0.5 * rng.normal(size=(n_out, hidden))
    b2 = 0.1 * rng.normal(size=n_out)
    x = rng.uniform(0.2, 1.0, size=n_in)
    y = np.eye(n_out)[rng.integers(n_out)]
    return W1, b1, W2, b2, x, y


def check_dL_dW1_by_jacobians(
    dL_dW1_by_jacobians, seed: int = 0, n_in: int = 6, hidden: int = 4, n_out: int = 3
) -> str:
    """Exercise 2.2: dL/dW1 of one image, chained and reshaped to W1's shape."""
    W1, b1, W2, b2, x, y = _network(seed, n_in, hidden, n_out)
    grad = dL_dW1_by_jacobians(W1.copy(), b1.copy(), W2.copy(), b2.copy(), x.copy(), y.copy())
    require(grad is not None, "dL_dW1_by_jacobians returned None.")
    grad = np.asarray(grad, dtype=np.float64)
    require(
        grad.size == W1.size,
        f"the gradient has {grad.size} entries, W1 has {W1.size} "
        f"({hidden} x {n_in} in this check: do not hard-code 64 or 784).",
    )
    if grad.shape == (n_in, hidden) != W1.shape:
        raise AssertionError(
            f"the gradient has shape {grad.shape}, W1 has {W1.shape}: reshape the row to W1.shape."
        )
    require(
        grad.shape == W1.shape,
        f"the gradient should have W1's shape "
        f"{W1.shape}, got {grad.shape}: reshape the 1 x {W1.size} row.",
    )

    def loss():
        a2 = W2 @ _sigmoid(W1 @ x + b1) + b2
        return float(np.logaddexp.reduce(a2) - a2 @ y)

    numeric = np.array(
        [numerical_gradient(loss, W1, index, 1e-5) for index in np.ndindex(*W1.shape)]
    ).reshape(W1.shape)
    if looks_like(grad, numeric.reshape(-1).reshape(n_in, hidden).T, numeric, TOL):
        raise AssertionError(
            "the numbers are right but in the wrong places: the row was built "
            "row-major (I (x) x^T, entry W1[k, m] at n_in * k + m), so read it "
            "back row-major with .reshape(W1.shape), not column-major."
        )
    if looks_like(grad, -numeric, numeric, TOL):
        raise AssertionError(
            "the gradient has the wrong sign: dL/da2 = (y_hat - y)^T, not (y - y_hat)^T."
        )
    f1 = _sigmoid(W1 @ x + b1)
    delta2 = np.exp(W2 @ f1 + b2 - np.logaddexp.reduce(W2 @ f1 + b2)) - y
    if looks_like(grad, np.outer(W2.T @ delta2, x), numeric, TOL):
        raise AssertionError(
            "the sigmoid's Jacobian diag(f1 (1 - f1)) is "
            "missing from the chain between W2 and da1/dW1."
        )
    require(
        rel_close(grad, numeric, TOL),
        "dL/dW1 disagrees with centred differences of the loss (rel. "
        f"error {rel_error(grad, numeric):.1e}, tolerance 1e-6): chain "
        "dL/da2 (1 x n_out), da2/df1 = W2, df1/da1 and da1/dW1.",
    )
    _require_the_chain(dL_dW1_by_jacobians, (W1, b1, W2, b2, x, y), seed)
    return (
        f"dL/dW1 of a {n_in}-{hidden}-{n_out} network matches centred "
        "differences, and it is the chain of layer_jacobians' matrices."
    )


def _require_the_chain(answer, network, seed: int) -> None:
    """Run ``answer`` with its ``layer_jacobians`` swapped for one that
    returns random dense matrices of the right shapes: only a product of
    the Jacobians it was given, reshaped row-major, gives the result."""
    W1, b1, W2, b2, x, y = network
    names = getattr(answer, "__globals__", {})
    require(
        "layer_jacobians" in names,
        "build the Jacobians with layer_jacobians (exercise 2.1) and "
        "multiply them: the outer product is not this exercise.",
    )
    rng = np.random.default_rng(seed + 1)
    random_jacobians = _random_jacobians(rng)
    made = random_jacobians.made

    real = names["layer_jacobians"]
    names["layer_jacobians"] = random_jacobians
    try:
        got = np.asarray(
            answer(W1.copy(), b1.copy(), W2.copy(), b2.copy(), x.copy(), y.copy()), dtype=np.float64
        )
    finally:
        names["layer_jacobians"] = real
    one, two = made.get(W1.shape), made.get(W2.shape)
    require(
        one is not None and two is not None,
        "layer_jacobians should be called for both layers: "
        "layer_jacobians(W1, b1, x) and layer_jacobians(W2, b2, f1).",
    )
    f1 = _sigmoid(W1 @ x + b1)
    a2 = W2 @ f1 + b2
    dL_da2 = (np.exp(a2 - np.logaddexp.reduce(a2)) - y)[None, :]
    chained = dL_da2 @ two["da/dv"] @ one["df/da"] @ one["da/dW"]
    require(
        got.shape == W1.shape and rel_close(got, chained.reshape(W1.shape), TOL),
        "the result is right for the real Jacobians but is not their "
        "chain: with other matrices from layer_jacobians it should be "
        "dL/da2 @ da2/df1 @ df1/da1 @ da1/dW1, reshaped to W1.shape. "
        "Use the matrices layer_jacobians returns, not a shortcut.",
    )
