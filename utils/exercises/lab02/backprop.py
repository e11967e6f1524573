"""Check of exercise 2.3 (gradient_by_backprop)."""

from __future__ import annotations

from functools import partial

import numpy as np

from ...checks import rel_error
from .. import loop_free, require
from ..common import looks_like, rel_close
from ._shared import _sigmoid


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
    return np.array(
        [[derivative(i, j) for j in range(width)] for i in range(width)], dtype=np.float64
    )


def check_gradient_by_backprop(
    gradient_by_backprop, seed: int = 0, depth: int = 3, width: int = 4
) -> str:
    """Exercise 2.3: backprop through a sigmoid chain of any depth."""
    for case_depth in sorted({depth, 1}):
        weights, out, inputs, derivatives = _chain(seed, case_depth, width)
        got = _matrix(
            lambda i, j: gradient_by_backprop(weights, out.copy(), inputs, derivatives, i, j),  # noqa: B023 called at once, in this iteration
            width,
        )
        expected = _matrix(partial(_forward_mode, weights, out, inputs, derivatives), width)
        no_last = _matrix(
            partial(_forward_mode, weights, out / derivatives[-1], inputs, derivatives), width
        )
        with_W = _matrix(
            partial(_forward_mode, [W.T for W in weights], out, inputs, derivatives), width
        )
        where = f"a chain of {case_depth} layer(s) of width {width}"
        if looks_like(got, no_last, expected, 1e-8):
            raise AssertionError(
                f"on {where}: the last layer's sigmoid derivative is "
                "missing: start from delta = out * derivatives[-1]."
            )
        if looks_like(got, with_W, expected, 1e-8):
            raise AssertionError(
                f"on {where}: delta is carried back with W instead of "
                "W^T: delta_(l-1) = (W_l^T delta_l) * sigmoid'_(l-1)."
            )
        require(
            rel_close(got, expected, 1e-8),
            f"on {where} the derivatives disagree with forward-mode "
            f"differentiation (rel. error {rel_error(got, expected):.1e}, "
            "tolerance 1e-8): multiply in W^T and the sigmoid derivative "
            "of every layer, from the last down to the first.",
        )
    return f"all derivatives for chains of {depth} and 1 layer(s) are right."


def _no_paths(answer) -> str:
    """The spec's "one matrix-vector product per layer": the lines run must
    not grow with the width (the paths of a chain of 4 grow as width^3)."""

    def call(width):
        weights, out, inputs, derivatives = _chain(0, 4, width)
        return answer(weights, out, inputs, derivatives, 0, 0)

    return loop_free(call, what="unit", sizes=(2, 12))
