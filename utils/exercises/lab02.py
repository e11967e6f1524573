"""Tests of lab 02's exercises: the Jacobians of one layer, their chain to
dL/dW1 reshaped into W1's shape, backprop through a deep sigmoid chain, the
chain through a network of any depth, and backprop for a batch.

Every test builds its own layers from ``seed`` and sizes other than the
lab's 784 -> 64 -> 10, and compares with centred differences
(``utils.checks.numerical_jacobian`` and ``numerical_gradient``) or with
forward-mode derivatives: never with the reference code.
"""
from __future__ import annotations

from collections.abc import Mapping

import tracemalloc

import numpy as np

from ..checks import (close, numerical_gradient, numerical_jacobian,
                      rel_error)
from . import Clause, Spec, loop_free, require

KEYS = ("da/dW", "da/db", "da/dv", "df/da")


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def _close(a, b, tol: float = 1e-6) -> bool:
    return close(a, b, tol)


def _looks_like(got, wrong, right, tol: float = 1e-6) -> bool:
    """Whether ``got`` is the known ``wrong`` answer, and that is not ``right``."""
    return _close(got, wrong, tol) and not _close(wrong, right, tol)


def test_layer_jacobians(layer_jacobians, seed: int = 0, n_out: int = 3,
                         n_in: int = 5) -> str:
    """Exercise 2.1: da/dW (Kronecker, row-major), da/db, da/dv and df/da."""
    rng = np.random.default_rng(seed)
    W = rng.normal(size=(n_out, n_in))
    b = rng.normal(size=n_out)
    v = rng.normal(size=n_in)
    result = layer_jacobians(W.copy(), b.copy(), v.copy())
    require(isinstance(result, Mapping),
            f"return a dict with the keys {', '.join(KEYS)}; got "
            f"{type(result).__name__}.")
    missing = [key for key in KEYS if key not in result]
    require(not missing, f"the dict lacks {', '.join(map(repr, missing))}; "
            f"it needs {', '.join(map(repr, KEYS))}.")
    got = {key: np.asarray(result[key], dtype=np.float64) for key in KEYS}

    a = W @ v + b
    expected = {  # the three linear maps: exact for any h
        "da/dW": numerical_jacobian(lambda W_: W_ @ v + b, W, 1.0),
        "da/db": numerical_jacobian(lambda b_: W @ v + b_, b, 1.0),
        "da/dv": numerical_jacobian(lambda v_: W @ v_ + b, v, 1.0),
        "df/da": numerical_jacobian(_sigmoid, a, 1e-5)}
    shapes = {key: value.shape for key, value in expected.items()}
    dW = got["da/dW"]
    if dW.shape == shapes["da/dW"][::-1] != shapes["da/dW"]:
        raise AssertionError(f"da/dW has shape {dW.shape}: transposed. A "
                             "Jacobian has one row per output a_i, "
                             f"shape {shapes['da/dW']}.")
    require(dW.shape == shapes["da/dW"],
            f"da/dW should have shape {shapes['da/dW']} (n_out, n_out * "
            f"n_in), got {dW.shape}.")
    if _looks_like(dW, np.kron(v[None, :], np.eye(n_out)), expected["da/dW"]):
        raise AssertionError("da/dW is the column-major Jacobian v^T (x) I: "
                             "the exercise flattens W row-major, entry W[i, j] "
                             "at position n_in * i + j, so it is I (x) v^T.")
    require(_close(dW, expected["da/dW"]),
            "da/dW disagrees with centred differences: output a_i depends "
            "only on row i of W, with coefficients v: I (x) v^T.")
    for key, shape in shapes.items():
        value = got[key]
        if key != "da/dW" and value.ndim == 1 and value.shape == shape[:1]:
            raise AssertionError(f"{key} should be a matrix {shape}, got a "
                                 f"vector {value.shape}: use np.eye or np.diag.")
    if got["da/dv"].shape == (n_in, n_out) and n_in != n_out:
        raise AssertionError("da/dv has shape (n_in, n_out): it is W^T. "
                             "Rows are outputs, so da/dv = W.")
    for key in ("da/db", "da/dv"):
        require(got[key].shape == shapes[key],
                f"{key} should have shape {shapes[key]}, got {got[key].shape}.")
        require(_close(got[key], expected[key]),
                f"{key} disagrees with centred differences: da/db is the "
                "identity, da/dv is W.")
    df = got["df/da"]
    require(df.shape == shapes["df/da"],
            f"df/da should have shape {shapes['df/da']}, got {df.shape}.")
    f = _sigmoid(a)
    if _looks_like(df, np.diag(a * (1 - a)), expected["df/da"]):
        raise AssertionError("df/da used a (1 - a): the derivative of the "
                             "sigmoid is f (1 - f) with f = sigmoid(a).")
    require(_close(df, expected["df/da"]),
            "df/da disagrees with centred differences: the sigmoid acts "
            "entry by entry, so df/da = diag(f (1 - f)) with f = sigmoid(W v "
            "+ b).")
    return (f"the four Jacobians of a {n_out} x {n_in} layer match centred "
            "differences.")


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


def _random_jacobians(rng):
    """A stand-in for layer_jacobians: random matrices of the right shapes,
    the same ones for a layer's shape however often it is asked."""
    made = {}

    def random_jacobians(W, b, v):
        n_out, n_in = np.shape(W)
        if (n_out, n_in) not in made:
            made[n_out, n_in] = {
                "da/dW": rng.normal(size=(n_out, n_out * n_in)),
                "da/db": rng.normal(size=(n_out, n_out)),
                "da/dv": rng.normal(size=(n_out, n_in)),
                "df/da": rng.normal(size=(n_out, n_out))}
        return {k: v.copy() for k, v in made[n_out, n_in].items()}
    random_jacobians.made = made      # what was handed out, by shape
    return random_jacobians


def test_dL_dW1_by_jacobians(dL_dW1_by_jacobians, seed: int = 0, n_in: int = 6,
                             hidden: int = 4, n_out: int = 3) -> str:
    """Exercise 2.2: dL/dW1 of one image, chained and reshaped to W1's shape."""
    W1, b1, W2, b2, x, y = _network(seed, n_in, hidden, n_out)
    grad = dL_dW1_by_jacobians(W1.copy(), b1.copy(), W2.copy(), b2.copy(),
                               x.copy(), y.copy())
    require(grad is not None, "dL_dW1_by_jacobians returned None.")
    grad = np.asarray(grad, dtype=np.float64)
    require(grad.size == W1.size,
            f"the gradient has {grad.size} entries, W1 has {W1.size} "
            f"({hidden} x {n_in} in this check: do not hard-code 64 or 784).")
    if grad.shape == (n_in, hidden) != W1.shape:
        raise AssertionError(f"the gradient has shape {grad.shape}, W1 has "
                             f"{W1.shape}: reshape the row to W1.shape.")
    require(grad.shape == W1.shape, f"the gradient should have W1's shape "
            f"{W1.shape}, got {grad.shape}: reshape the 1 x {W1.size} row.")

    def loss():
        a2 = W2 @ _sigmoid(W1 @ x + b1) + b2
        return float(np.logaddexp.reduce(a2) - a2 @ y)

    numeric = np.array([numerical_gradient(loss, W1, index, 1e-5)
                        for index in np.ndindex(*W1.shape)]).reshape(W1.shape)
    if _looks_like(grad, numeric.reshape(-1).reshape(n_in, hidden).T, numeric):
        raise AssertionError(
            "the numbers are right but in the wrong places: the row was built "
            "row-major (I (x) x^T, entry W1[k, m] at n_in * k + m), so read it "
            "back row-major with .reshape(W1.shape), not column-major.")
    if _looks_like(grad, -numeric, numeric):
        raise AssertionError("the gradient has the wrong sign: dL/da2 = "
                             "(y_hat - y)^T, not (y - y_hat)^T.")
    f1 = _sigmoid(W1 @ x + b1)
    delta2 = np.exp(W2 @ f1 + b2 - np.logaddexp.reduce(W2 @ f1 + b2)) - y
    if _looks_like(grad, np.outer(W2.T @ delta2, x), numeric):
        raise AssertionError("the sigmoid's Jacobian diag(f1 (1 - f1)) is "
                             "missing from the chain between W2 and da1/dW1.")
    require(_close(grad, numeric),
            "dL/dW1 disagrees with centred differences of the loss (rel. "
            f"error {rel_error(grad, numeric):.1e}, tolerance 1e-6): chain "
            "dL/da2 (1 x n_out), da2/df1 = W2, df1/da1 and da1/dW1.")
    _require_the_chain(dL_dW1_by_jacobians, (W1, b1, W2, b2, x, y), seed)
    return (f"dL/dW1 of a {n_in}-{hidden}-{n_out} network matches centred "
            "differences, and it is the chain of layer_jacobians' matrices.")


def _require_the_chain(answer, network, seed: int) -> None:
    """Run ``answer`` with its ``layer_jacobians`` swapped for one that
    returns random dense matrices of the right shapes: only a product of
    the Jacobians it was given, reshaped row-major, gives the result."""
    W1, b1, W2, b2, x, y = network
    names = getattr(answer, "__globals__", {})
    require("layer_jacobians" in names,
            "build the Jacobians with layer_jacobians (exercise 2.1) and "
            "multiply them: the outer product is not this exercise.")
    rng = np.random.default_rng(seed + 1)
    random_jacobians = _random_jacobians(rng)
    made = random_jacobians.made

    real = names["layer_jacobians"]
    names["layer_jacobians"] = random_jacobians
    try:
        got = np.asarray(answer(W1.copy(), b1.copy(), W2.copy(), b2.copy(),
                                x.copy(), y.copy()), dtype=np.float64)
    finally:
        names["layer_jacobians"] = real
    one, two = made.get(W1.shape), made.get(W2.shape)
    require(one is not None and two is not None,
            "layer_jacobians should be called for both layers: "
            "layer_jacobians(W1, b1, x) and layer_jacobians(W2, b2, f1).")
    f1 = _sigmoid(W1 @ x + b1)
    a2 = W2 @ f1 + b2
    dL_da2 = (np.exp(a2 - np.logaddexp.reduce(a2)) - y)[None, :]
    chained = dL_da2 @ two["da/dv"] @ one["df/da"] @ one["da/dW"]
    require(got.shape == W1.shape and _close(got, chained.reshape(W1.shape)),
            "the result is right for the real Jacobians but is not their "
            "chain: with other matrices from layer_jacobians it should be "
            "dL/da2 @ da2/df1 @ df1/da1 @ da1/dW1, reshaped to W1.shape. "
            "Use the matrices layer_jacobians returns, not a shortcut.")


def _chain(seed: int, depth: int, width: int):
    """A random sigmoid chain: weights, out, inputs, derivatives (as deep_chain)."""
    rng = np.random.default_rng(seed)
    weights = [rng.normal(size=(width, width)) for _ in range(depth)]
    out = rng.normal(size=width)
    f = rng.normal(size=width)
    inputs, derivatives = [f], []
    for W in weights:
        f = _sigmoid(W @ f)
        derivatives.append(f * (1 - f))
        inputs.append(f)
    return weights, out, inputs, derivatives


def _forward_mode(weights, out, inputs, derivatives, i, j) -> float:
    """d output / d W_first[i, j] by pushing a tangent forwards (no backprop)."""
    tangent = np.zeros(len(out))
    tangent[i] = inputs[0][j] * derivatives[0][i]
    for W, derivative in zip(weights[1:], derivatives[1:]):
        tangent = derivative * (W @ tangent)
    return float(out @ tangent)


def _matrix(derivative, width: int) -> np.ndarray:
    """The width x width matrix of derivative(i, j)."""
    return np.array([[derivative(i, j) for j in range(width)]
                     for i in range(width)], dtype=np.float64)


def test_gradient_by_backprop(gradient_by_backprop, seed: int = 0,
                              depth: int = 3, width: int = 4) -> str:
    """Exercise 2.3: backprop through a sigmoid chain of any depth."""
    for case_depth in sorted({depth, 1}):
        weights, out, inputs, derivatives = _chain(seed, case_depth, width)
        got = _matrix(lambda i, j: gradient_by_backprop(
            weights, out.copy(), inputs, derivatives, i, j), width)
        expected = _matrix(lambda i, j: _forward_mode(
            weights, out, inputs, derivatives, i, j), width)
        no_last = _matrix(lambda i, j: _forward_mode(
            weights, out / derivatives[-1], inputs, derivatives, i, j), width)
        with_W = _matrix(lambda i, j: _forward_mode(
            [W.T for W in weights], out, inputs, derivatives, i, j), width)
        where = f"a chain of {case_depth} layer(s) of width {width}"
        if _looks_like(got, no_last, expected, 1e-8):
            raise AssertionError(
                f"on {where}: the last layer's sigmoid derivative is "
                "missing: start from delta = out * derivatives[-1].")
        if _looks_like(got, with_W, expected, 1e-8):
            raise AssertionError(
                f"on {where}: delta is carried back with W instead of "
                "W^T: delta_(l-1) = (W_l^T delta_l) * sigmoid'_(l-1).")
        require(_close(got, expected, 1e-8),
                f"on {where} the derivatives disagree with forward-mode "
                f"differentiation (rel. error {rel_error(got, expected):.1e}, "
                "tolerance 1e-8): multiply in W^T and the sigmoid derivative "
                "of every layer, from the last down to the first.")
    return f"all derivatives for chains of {depth} and 1 layer(s) are right."


def _no_paths(answer) -> str:
    """The spec's "one matrix-vector product per layer": the lines run must
    not grow with the width (the paths of a chain of 4 grow as width^3)."""
    def call(width):
        weights, out, inputs, derivatives = _chain(0, 4, width)
        return answer(weights, out, inputs, derivatives, 0, 0)
    return loop_free(call, what="unit", sizes=(2, 12))


def _layered(seed: int, sizes, batch: int):
    """Weights, biases, a batch of images and one-hot labels of a random
    network with sigmoid hidden layers and a softmax output."""
    rng = np.random.default_rng(seed)
    weights = [0.5 * rng.normal(size=(n_out, n_in))
               for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    biases = [0.1 * rng.normal(size=n_out) for n_out in sizes[1:]]
    X = rng.uniform(0.2, 1.0, size=(batch, sizes[0]))
    Y = np.eye(sizes[-1])[rng.permutation(batch) % sizes[-1]]
    return weights, biases, X, Y


def _mean_loss(weights, biases, X, Y) -> float:
    """Mean cross-entropy of the rows of X, written with logaddexp."""
    h = X
    for W, b in zip(weights[:-1], biases[:-1]):
        h = _sigmoid(h @ W.T + b)
    a = h @ weights[-1].T + biases[-1]
    return float(np.mean(np.logaddexp.reduce(a, axis=1) - (a * Y).sum(1)))


def _numeric(weights, biases, X, Y):
    """Centred differences of the mean loss at every weight and bias."""
    def grads(params):
        return [np.array([numerical_gradient(
            lambda: _mean_loss(weights, biases, X, Y), p, index, 1e-5)
            for index in np.ndindex(*p.shape)]).reshape(p.shape)
            for p in params]
    return grads(weights), grads(biases)


def _forward_grads(weights, biases, X, Y, with_sigmoid=True):
    """The gradients by pushing a tangent forward for each parameter entry
    (no backprop), optionally with the hidden sigmoids' derivative left out
    of the chain: the grader's own picture of that mistake."""
    def grads(params, is_weight):
        out = []
        for layer, p in enumerate(params):
            g = np.zeros(p.shape)
            for index in np.ndindex(*p.shape):
                h, dh = X, np.zeros_like(X)
                for k, (W, b) in enumerate(zip(weights, biases)):
                    da = dh @ W.T
                    if k == layer:
                        i = index[0]
                        da[:, i] += h[:, index[1]] if is_weight else 1.0
                    a = h @ W.T + b
                    if k < len(weights) - 1:
                        h = _sigmoid(a)
                        dh = da * h * (1 - h) if with_sigmoid else da
                P = np.exp(a - np.logaddexp.reduce(a, axis=1)[:, None])
                g[index] = np.mean(((P - Y) * da).sum(1))
            out.append(g)
        return out
    return grads(weights, True), grads(biases, False)


def _require_lists(result, weights, biases, batch: int, where: str):
    """Check the shape of the answer: two lists, first layer first, each
    gradient of its parameter's shape. Return them as float arrays."""
    require(isinstance(result, (tuple, list)) and len(result) == 2,
            f"on {where}: return two lists, (weight gradients, bias "
            f"gradients); got {type(result).__name__}.")
    dWs, dbs = (list(r) for r in result)
    L = len(weights)
    require(len(dWs) == L and len(dbs) == L,
            f"on {where}: one gradient per layer, {L} weight and {L} bias "
            f"gradients; got {len(dWs)} and {len(dbs)}.")
    dWs = [np.asarray(g, dtype=np.float64) for g in dWs]
    dbs = [np.asarray(g, dtype=np.float64) for g in dbs]
    want = [W.shape for W in weights]
    got = [g.shape for g in dWs]
    if got == want[::-1] != want:
        raise AssertionError(f"on {where}: the lists run last layer first; "
                             "return them first layer first.")
    for layer, (g, W) in enumerate(zip(dWs, weights), 1):
        if g.shape == W.T.shape != W.shape:
            raise AssertionError(
                f"on {where}: the gradient of W_{layer} has shape {g.shape}, "
                f"W_{layer} has {W.shape}: it is transposed. Rows are the "
                "layer's outputs, columns its inputs.")
        require(g.shape == W.shape,
                f"on {where}: the gradient of W_{layer} should have its "
                f"shape {W.shape}, got {g.shape}.")
    for layer, (g, b) in enumerate(zip(dbs, biases), 1):
        if g.shape == (batch, b.size) and batch > 1:
            raise AssertionError(
                f"on {where}: the gradient of b_{layer} has one row per "
                "image: sum the images' contributions (axis 0).")
        require(g.shape == b.shape,
                f"on {where}: the gradient of b_{layer} should have shape "
                f"{b.shape}, got {g.shape}.")
    return dWs, dbs


def _require_values(dWs, dbs, weights, biases, X, Y, where: str) -> None:
    """Compare with centred differences of the mean loss; name the mistake."""
    num_W, num_b = _numeric(weights, biases, X, Y)
    got, expected = dWs + dbs, num_W + num_b
    N = len(X)
    if all(_close(g, -e) for g, e in zip(got, expected)):
        raise AssertionError(f"on {where}: every gradient has the wrong sign: "
                             "dL/da of the last layer is y_hat - y, not "
                             "y - y_hat.")
    if N > 1 and all(_close(g, N * e) for g, e in zip(got, expected)):
        raise AssertionError(
            f"on {where}: the gradients are {N} times too large, the "
            "gradient of the summed loss: the loss is the mean over the "
            "batch, so divide by the number of images.")
    if len(weights) > 1:
        no_W, no_b = _forward_grads(weights, biases, X, Y, with_sigmoid=False)
        if all(_close(g, w) for g, w in zip(got, no_W + no_b)):
            raise AssertionError(
                f"on {where}: the sigmoid's derivative f (1 - f) is missing "
                "when the gradient goes down through a hidden layer.")
    L = len(weights)
    for layer in reversed(range(L)):
        if _close(dWs[layer], num_W[layer]) and _close(dbs[layer],
                                                         num_b[layer]):
            continue
        if layer == L - 1:
            raise AssertionError(
                f"on {where}: the last layer's gradients disagree with "
                "centred differences (rel. error "
                f"{rel_error(dWs[layer], num_W[layer]):.1e} for W_{L}): "
                "they start from dL/da of the softmax layer, y_hat - y, and "
                "the layer's input.")
        raise AssertionError(
            f"on {where}: the gradients of layer {layer + 1} disagree with "
            "centred differences (rel. error "
            f"{rel_error(dWs[layer], num_W[layer]):.1e} for W_{layer + 1}), "
            f"those of layer {layer + 2} agree: the error enters when the "
            f"gradient goes down from layer {layer + 2} to layer "
            f"{layer + 1}, through its weights and the sigmoid of layer "
            f"{layer + 1}.")


def test_dL_dW_by_jacobians(dL_dW_by_jacobians, seed: int = 0,
                            sizes=(5, 4, 3, 3)) -> str:
    """Exercise 2.4: dL/dW and dL/db of every layer of one image, chained."""
    for case in dict.fromkeys((tuple(sizes), (sizes[0], sizes[-1]))):
        weights, biases, X, Y = _layered(seed, case, 1)
        where = f"a {'-'.join(map(str, case))} network"
        result = dL_dW_by_jacobians([W.copy() for W in weights],
                                    [b.copy() for b in biases],
                                    X[0].copy(), Y[0].copy())
        dWs, dbs = _require_lists(result, weights, biases, 1, where)
        num_W = _numeric(weights, biases, X, Y)[0]
        for layer, (g, W, numeric) in enumerate(zip(dWs, weights, num_W), 1):
            if _looks_like(g, numeric.reshape(-1).reshape(W.shape, order="F"),
                           numeric):
                raise AssertionError(
                    f"on {where}: the numbers of dL/dW_{layer} are right but "
                    "in the wrong places: the row was built row-major, so "
                    "read it back with .reshape(W.shape), not column-major.")
        _require_values(dWs, dbs, weights, biases, X, Y, where)
        _require_deep_chain(dL_dW_by_jacobians, weights, biases, X[0], Y[0],
                            seed, where)
    return (f"the gradients of a {'-'.join(map(str, sizes))} network and of "
            "a single layer match centred differences, and they are the "
            "chain of layer_jacobians' matrices.")


def _require_deep_chain(answer, weights, biases, x, y, seed, where) -> None:
    """Swap layer_jacobians for random matrices of the right shapes: only
    their chain, reshaped row-major, gives the answer's result."""
    names = getattr(answer, "__globals__", {})
    require("layer_jacobians" in names,
            "build the Jacobians with layer_jacobians (exercise 2.1) and "
            "chain them: backprop without Jacobians is exercise 2.5.")
    rng = np.random.default_rng(seed + 1)
    random_jacobians = _random_jacobians(rng)
    made = random_jacobians.made

    real = names["layer_jacobians"]
    names["layer_jacobians"] = random_jacobians
    try:
        result = answer([W.copy() for W in weights],
                        [b.copy() for b in biases], x.copy(), y.copy())
    finally:
        names["layer_jacobians"] = real
    jac = [made.get(W.shape) for W in weights]
    require(all(j is not None for j in jac),
            f"on {where}: layer_jacobians should be called for every layer, "
            "with that layer's weights, bias and input.")
    h = x
    for W, b in zip(weights[:-1], biases[:-1]):
        h = _sigmoid(W @ h + b)
    a = weights[-1] @ h + biases[-1]
    row = (np.exp(a - np.logaddexp.reduce(a)) - y)[None, :]
    want_W, want_b = [None] * len(weights), [None] * len(weights)
    for layer in reversed(range(len(weights))):
        want_W[layer] = (row @ jac[layer]["da/dW"]).reshape(
            weights[layer].shape)
        want_b[layer] = (row @ jac[layer]["da/db"]).reshape(-1)
        if layer:
            row = row @ jac[layer]["da/dv"] @ jac[layer - 1]["df/da"]
    ok = (isinstance(result, (tuple, list)) and len(result) == 2
          and all(_close(g, w) for g, w in zip(list(result[0])
                                               + list(result[1]),
                                               want_W + want_b))
          and len(result[0]) == len(weights))
    require(ok, f"on {where}: the result is right for the real Jacobians but "
            "is not their chain: with other matrices from layer_jacobians it "
            "should be dL/da_L @ da_L/df_(L-1) @ df_(L-1)/da_(L-1) @ ... "
            "@ da_l/dW_l (and da_l/db_l), reshaped. Use the matrices "
            "layer_jacobians returns, not a shortcut.")


def test_batch_gradients(batch_gradients, seed: int = 0, sizes=(5, 4, 3, 3),
                         batch: int = 4) -> str:
    """Exercise 2.5: the mean-loss gradients of a batch, by backprop."""
    for case in dict.fromkeys((tuple(sizes), (sizes[0], sizes[-1]))):
        weights, biases, X, Y = _layered(seed, case, batch)
        where = f"a {'-'.join(map(str, case))} network and {batch} images"
        copies = [p.copy() for p in weights + biases + [X, Y]]
        lists = (copies[:len(weights)], copies[len(weights):2 * len(weights)])
        given = [list(one) for one in lists]
        result = batch_gradients(*lists, copies[-2], copies[-1])
        require(all(len(a) == len(b) and all(x is y for x, y in zip(a, b))
                    for a, b in zip(lists, given)),
                f"on {where}: batch_gradients changed the lists it was given "
                "(reversed, popped or appended to them): walk down the "
                "layers with indices or reversed(...), not list.reverse().")
        require(all(np.array_equal(c, p) for c, p in
                    zip(copies, weights + biases + [X, Y])),
                f"on {where}: batch_gradients changed its inputs: compute "
                "new arrays instead (no +=, -= or *= on the inputs).")
        dWs, dbs = _require_lists(result, weights, biases, batch, where)
        _require_values(dWs, dbs, weights, biases, X, Y, where)
    return (f"the mean-loss gradients of a {'-'.join(map(str, sizes))} "
            f"network and of a single layer, for {batch} images, match "
            "centred differences.")


def _no_image_loop(answer) -> str:
    """The spec's "no Python loop over the images"."""
    def call(n):
        weights, biases, X, Y = _layered(0, (5, 4, 3), n)
        return answer(weights, biases, X, Y)
    return loop_free(call, what="image")


def _no_jacobian_matrices(answer) -> str:
    """The spec's "no Jacobian matrices": memory like backprop's, far below
    one (n, n) Jacobian per image (64 images, 300-unit layers)."""
    weights, biases, X, Y = _layered(1, (40, 300, 300, 10), 64)
    tracemalloc.start()
    try:
        answer(weights, biases, X, Y)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    stack = 64 * 300 * 300 * 8             # one sigmoid Jacobian per image
    limit = stack // 4
    require(peak < limit, f"batch_gradients used {peak / 1e6:.1f} MB at its "
            f"peak for 64 images and 300-unit layers, about what a stack of "
            f"per-image Jacobians takes ({stack / 1e6:.0f} MB): multiply by "
            "the sigmoid's derivative element-wise instead of building "
            "diagonal Jacobian matrices.")
    return (f"{peak / 1e6:.1f} MB at the peak for 64 images and 300-unit "
            f"layers (a Jacobian per image would take {stack / 1e6:.0f} MB).")


EXERCISES = {
    "2.1": Spec("layer_jacobians", points=3, test=test_layer_jacobians,
                reference="utils.saved.lab02_jacobians:layer_jacobians"),
    "2.2": Spec("dL_dW1_by_jacobians", points=3, test=test_dL_dW1_by_jacobians,
                reference="utils.saved.lab02_jacobians:dL_dW1_by_jacobians"),
    "2.3": Spec("gradient_by_backprop", points=2,
                clauses=(Clause("no recursion over paths", _no_paths),),
                replaces=("gradient_by_paths",),  # defined in the lab
                test=test_gradient_by_backprop,
                reference="utils.saved.lab02_jacobians:gradient_by_backprop"),
    "2.4": Spec("dL_dW_by_jacobians", points=3, test=test_dL_dW_by_jacobians,
                reference="utils.saved.lab02_jacobians:dL_dW_by_jacobians"),
    "2.5": Spec("batch_gradients", points=3, test=test_batch_gradients,
                clauses=(Clause("no loop over the images", _no_image_loop),
                         Clause("no Jacobian matrices", _no_jacobian_matrices)),
                reference="utils.saved.lab02_jacobians:batch_gradients"),
}
