"""Checks of exercises 2.4 (dL_dW_by_jacobians) and 2.5 (batch_gradients)."""

from __future__ import annotations

import tracemalloc

import numpy as np

from ...checks import numerical_gradient, rel_error
from .. import loop_free, require
from ..common import looks_like, rel_close
from ._shared import TOL, _random_jacobians, _sigmoid


def _layered(seed: int, sizes, batch: int):
    """Weights, biases, a batch of images and one-hot labels of a random
    network with sigmoid hidden layers and a softmax output."""
    rng = np.random.default_rng(seed)
    weights = [0.5 * rng.normal(size=(n_out, n_in)) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
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
        return [
            np.array(
                [
                    numerical_gradient(lambda: _mean_loss(weights, biases, X, Y), p, index, 1e-5)
                    for index in np.ndindex(*p.shape)
                ]
            ).reshape(p.shape)
            for p in params
        ]

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
    require(
        isinstance(result, (tuple, list)) and len(result) == 2,
        f"on {where}: return two lists, (weight gradients, bias "
        f"gradients); got {type(result).__name__}.",
    )
    dWs, dbs = (list(r) for r in result)
    L = len(weights)
    require(
        len(dWs) == L and len(dbs) == L,
        f"on {where}: one gradient per layer, {L} weight and {L} bias "
        f"gradients; got {len(dWs)} and {len(dbs)}.",
    )
    dWs = [np.asarray(g, dtype=np.float64) for g in dWs]
    dbs = [np.asarray(g, dtype=np.float64) for g in dbs]
    want = [W.shape for W in weights]
    got = [g.shape for g in dWs]
    if got == want[::-1] != want:
        raise AssertionError(
            f"on {where}: the lists run last layer first; return them first layer first."
        )
    for layer, (g, W) in enumerate(zip(dWs, weights), 1):
        if g.shape == W.T.shape != W.shape:
            raise AssertionError(
                f"on {where}: the gradient of W_{layer} has shape {g.shape}, "
                f"W_{layer} has {W.shape}: it is transposed. Rows are the "
                "layer's outputs, columns its inputs."
            )
        require(
            g.shape == W.shape,
            f"on {where}: the gradient of W_{layer} should have its "
            f"shape {W.shape}, got {g.shape}.",
        )
    for layer, (g, b) in enumerate(zip(dbs, biases), 1):
        if g.shape == (batch, b.size) and batch > 1:
            raise AssertionError(
                f"on {where}: the gradient of b_{layer} has one row per "
                "image: sum the images' contributions (axis 0)."
            )
        require(
            g.shape == b.shape,
            f"on {where}: the gradient of b_{layer} should have shape {b.shape}, got {g.shape}.",
        )
    return dWs, dbs


def _require_values(dWs, dbs, weights, biases, X, Y, where: str) -> None:
    """Compare with centred differences of the mean loss; name the mistake."""
    num_W, num_b = _numeric(weights, biases, X, Y)
    got, expected = dWs + dbs, num_W + num_b
    N = len(X)
    if all(rel_close(g, -e, TOL) for g, e in zip(got, expected)):
        raise AssertionError(
            f"on {where}: every gradient has the wrong sign: "
            "dL/da of the last layer is y_hat - y, not "
            "y - y_hat."
        )
    if N > 1 and all(rel_close(g, N * e, TOL) for g, e in zip(got, expected)):
        raise AssertionError(
            f"on {where}: the gradients are {N} times too large, the "
            "gradient of the summed loss: the loss is the mean over the "
            "batch, so divide by the number of images."
        )
    if len(weights) > 1:
        no_W, no_b = _forward_grads(weights, biases, X, Y, with_sigmoid=False)
        if all(rel_close(g, w, TOL) for g, w in zip(got, no_W + no_b)):
            raise AssertionError(
                f"on {where}: the sigmoid's derivative f (1 - f) is missing "
                "when the gradient goes down through a hidden layer."
            )
    L = len(weights)
    for layer in reversed(range(L)):
        if rel_close(dWs[layer], num_W[layer], TOL) and rel_close(dbs[layer], num_b[layer], TOL):
            continue
        if layer == L - 1:
            raise AssertionError(
                f"on {where}: the last layer's gradients disagree with "
                "centred differences (rel. error "
                f"{rel_error(dWs[layer], num_W[layer]):.1e} for W_{L}): "
                "they start from dL/da of the softmax layer, y_hat - y, and "
                "the layer's input."
            )
        raise AssertionError(
            f"on {where}: the gradients of layer {layer + 1} disagree with "
            "centred differences (rel. error "
            f"{rel_error(dWs[layer], num_W[layer]):.1e} for W_{layer + 1}), "
            f"those of layer {layer + 2} agree: the error enters when the "
            f"gradient goes down from layer {layer + 2} to layer "
            f"{layer + 1}, through its weights and the sigmoid of layer "
            f"{layer + 1}."
        )


def check_dL_dW_by_jacobians(dL_dW_by_jacobians, seed: int = 0, sizes=(5, 4, 3, 3)) -> str:
    """Exercise 2.4: dL/dW and dL/db of every layer of one image, chained."""
    for case in dict.fromkeys((tuple(sizes), (sizes[0], sizes[-1]))):
        weights, biases, X, Y = _layered(seed, case, 1)
        where = f"a {'-'.join(map(str, case))} network"
        result = dL_dW_by_jacobians(
            [W.copy() for W in weights], [b.copy() for b in biases], X[0].copy(), Y[0].copy()
        )
        dWs, dbs = _require_lists(result, weights, biases, 1, where)
        num_W = _numeric(weights, biases, X, Y)[0]
        for layer, (g, W, numeric) in enumerate(zip(dWs, weights, num_W), 1):
            if looks_like(g, numeric.reshape(-1).reshape(W.shape, order="F"), numeric, TOL):
                raise AssertionError(
                    f"on {where}: the numbers of dL/dW_{layer} are right but "
                    "in the wrong places: the row was built row-major, so "
                    "read it back with .reshape(W.shape), not column-major."
                )
        _require_values(dWs, dbs, weights, biases, X, Y, where)
        _require_deep_chain(dL_dW_by_jacobians, weights, biases, X[0], Y[0], seed, where)
    return (
        f"the gradients of a {'-'.join(map(str, sizes))} network and of "
        "a single layer match centred differences, and they are the "
        "chain of layer_jacobians' matrices."
    )


def _require_deep_chain(answer, weights, biases, x, y, seed, where) -> None:
    """Swap layer_jacobians for random matrices of the right shapes: only
    their chain, reshaped row-major, gives the answer's result."""
    names = getattr(answer, "__globals__", {})
    require(
        "layer_jacobians" in names,
        "build the Jacobians with layer_jacobians (exercise 2.1) and "
        "chain them: backprop without Jacobians is exercise 2.5.",
    )
    rng = np.random.default_rng(seed + 1)
    random_jacobians = _random_jacobians(rng)
    made = random_jacobians.made

    real = names["layer_jacobians"]
    names["layer_jacobians"] = random_jacobians
    try:
        result = answer([W.copy() for W in weights], [b.copy() for b in biases], x.copy(), y.copy())
    finally:
        names["layer_jacobians"] = real
    jac = [made.get(W.shape) for W in weights]
    require(
        all(j is not None for j in jac),
        f"on {where}: layer_jacobians should be called for every layer, "
        "with that layer's weights, bias and input.",
    )
    h = x
    for W, b in zip(weights[:-1], biases[:-1]):
        h = _sigmoid(W @ h + b)
    a = weights[-1] @ h + biases[-1]
    row = (np.exp(a - np.logaddexp.reduce(a)) - y)[None, :]
    want_W, want_b = [None] * len(weights), [None] * len(weights)
    for layer in reversed(range(len(weights))):
        want_W[layer] = (row @ jac[layer]["da/dW"]).reshape(weights[layer].shape)
        want_b[layer] = (row @ jac[layer]["da/db"]).reshape(-1)
        if layer:
            row = row @ jac[layer]["da/dv"] @ jac[layer - 1]["df/da"]
    ok = (
        isinstance(result, (tuple, list))
        and len(result) == 2
        and all(
            rel_close(g, w, TOL) for g, w in zip(list(result[0]) + list(result[1]), want_W + want_b)
        )
        and len(result[0]) == len(weights)
    )
    require(
        ok,
        f"on {where}: the result is right for the real Jacobians but "
        "is not their chain: with other matrices from layer_jacobians it "
        "should be dL/da_L @ da_L/df_(L-1) @ df_(L-1)/da_(L-1) @ ... "
        "@ da_l/dW_l (and da_l/db_l), reshaped. Use the matrices "
        "layer_jacobians returns, not a shortcut.",
    )


def check_batch_gradients(
    batch_gradients, seed: int = 0, sizes=(5, 4, 3, 3), batch: int = 4
) -> str:
    """Exercise 2.5: the mean-loss gradients of a batch, by backprop."""
    for case in dict.fromkeys((tuple(sizes), (sizes[0], sizes[-1]))):
        weights, biases, X, Y = _layered(seed, case, batch)
        where = f"a {'-'.join(map(str, case))} network and {batch} images"
        copies = [p.copy() for p in weights + biases + [X, Y]]
        lists = (copies[: len(weights)], copies[len(weights) : 2 * len(weights)])
        given = [list(one) for one in lists]
        result = batch_gradients(*lists, copies[-2], copies[-1])
        require(
            all(
                len(a) == len(b) and all(x is y for x, y in zip(a, b)) for a, b in zip(lists, given)
            ),
            f"on {where}: batch_gradients changed the lists it was given "
            "(reversed, popped or appended to them): walk down the "
            "layers with indices or reversed(...), not list.reverse().",
        )
        require(
            all(np.array_equal(c, p) for c, p in zip(copies, weights + biases + [X, Y])),
            f"on {where}: batch_gradients changed its inputs: compute "
            "new arrays instead (no +=, -= or *= on the inputs).",
        )
        dWs, dbs = _require_lists(result, weights, biases, batch, where)
        _require_values(dWs, dbs, weights, biases, X, Y, where)
    return (
        f"the mean-loss gradients of a {'-'.join(map(str, sizes))} "
        f"network and of a single layer, for {batch} images, match "
        "centred differences."
    )


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
    stack = 64 * 300 * 300 * 8  # one sigmoid Jacobian per image
    limit = stack // 4
    require(
        peak < limit,
        f"batch_gradients used {peak / 1e6:.1f} MB at its "
        f"peak for 64 images and 300-unit layers, about what a stack of "
        f"per-image Jacobians takes ({stack / 1e6:.0f} MB): multiply by "
        "the sigmoid's derivative element-wise instead of building "
        "diagonal Jacobian matrices.",
    )
    return (
        f"{peak / 1e6:.1f} MB at the peak for 64 images and 300-unit "
        f"layers (a Jacobian per image would take {stack / 1e6:.0f} MB)."
    )
