"""Check of exercise 4.1 (sgd_step, with weight decay)."""

from __future__ import annotations

import numpy as np

from ...checks import rel_error
from .. import require


def _params(rng, layers, dtype):
    """A network's parameters and gradients: W1, b1, ... with random values."""
    sizes = rng.integers(2, 6, layers + 1)
    params, grads = {}, {}
    for k in range(1, layers + 1):
        for name, shape in ((f"W{k}", (sizes[k], sizes[k - 1])), (f"b{k}", (sizes[k],))):
            params[name] = rng.normal(0, 1, shape).astype(dtype)
            grads[name] = rng.normal(0, 1, shape).astype(dtype)
    return params, grads


def check_sgd_step(
    answer, seed=40, layers=2, dtype="float64", learning_rate=0.3, weight_decay=0.1
) -> str:
    """sgd_step(params, grads, lr, wd): in place, decay on the weights."""
    rng = np.random.default_rng(seed)
    params, grads = _params(rng, layers, np.dtype(dtype))
    start = {name: value.copy() for name, value in params.items()}
    kept = {name: grad.copy() for name, grad in grads.items()}
    if weight_decay:
        returned = answer(params, grads, learning_rate, weight_decay)
    else:  # the spec's default, weight_decay=0.0
        returned = answer(params, grads, learning_rate)

    require(
        any(not np.array_equal(start[k], params[k]) for k in params),
        "params did not change: update the dict you are given in place "
        "(params[name] -= ...); the return value is not used.",
    )
    require(
        returned is None,
        f"sgd_step returned a {type(returned).__name__}"
        ": it updates params in place and returns nothing (None).",
    )
    for name, value in params.items():
        require(
            np.shape(value) == start[name].shape,
            f"params['{name}'] changed shape from {start[name].shape} to {np.shape(value)}.",
        )
        require(
            value.dtype == start[name].dtype,
            f"params['{name}'] became {value.dtype}, it was "
            f"{start[name].dtype}: update it in place with -=.",
        )
    tol = 1e-12 if dtype == "float64" else 1e-5
    lr, wd = learning_rate, weight_decay
    for name, value in params.items():
        W, g = start[name].astype(np.float64), kept[name].astype(np.float64)
        decay = name.startswith("W")
        expected = W - lr * (g + wd * W) if decay else W - lr * g
        if rel_error(value, expected) <= tol:
            continue
        half = "the gradient of (weight_decay / 2) ||W||^2 is weight_decay * W"
        slips = [  # (what a plausible slip computes, its hint)
            (
                W - lr * (g + wd * W),
                "the biases are decayed too: add "
                "weight_decay * W to the weights only (names starting with "
                "'W'), never to the biases",
            ),
            (
                W - lr * g,
                "the weights are not decayed: add weight_decay * W "
                "to the gradient of every weight matrix",
            ),
            (
                W - lr * (g - wd * W),
                "the decay has the wrong sign: " + half + ", and the step subtracts it",
            ),
            (
                W - lr * g - wd * W,
                "the decay term is not multiplied by the "
                "learning rate: W <- W - lr * (dW + weight_decay * W)",
            ),
            (W - lr * (g + 2 * wd * W), "the decay is twice too large: " + half),
            (W - lr * (g + wd * W / 2), "the decay is half as large as it should be: " + half),
            (
                W + lr * (g + wd * W) if decay else W + lr * g,
                "the step goes up the gradient: subtract it",
            ),
        ]
        hints = [hint for candidate, hint in slips if rel_error(value, candidate) <= tol]
        kind = "a weight: W - lr * (dW + weight_decay * W)" if decay else "a bias: b - lr * db"
        require(
            False,
            f"params['{name}'] is wrong (rel. error "
            f"{rel_error(value, expected):.1e}); it is {kind}. "
            + (hints[0][0].upper() + hints[0][1:] + "." if hints else ""),
        )
    return f"{len(params)} arrays stepped in place, weights decayed."
