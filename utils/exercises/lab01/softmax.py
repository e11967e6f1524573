"""Checks of exercises 1.1 (softmax) and 1.2 (batch_softmax_jacobian)."""

from __future__ import annotations

import numpy as np

from ...checks import rel_error
from .. import require
from ..common import answer_array, looks_like, rel_close
from ._shared import TOL


def _softmax(o: np.ndarray) -> np.ndarray:
    """Softmax as p_i = 1 / sum_j exp(o_j - o_i): no shift by the maximum."""
    with np.errstate(over="ignore"):
        return 1.0 / np.exp(o[..., None, :] - o[..., :, None]).sum(axis=-1)


def check_softmax(softmax, seed: int = 0, n: int = 6, k: int = 10, scale: float = 3.0) -> str:
    """Exercise 1.1: a row-wise softmax that cannot overflow."""
    rng = np.random.default_rng(seed)
    o = scale * rng.normal(size=(n, k))
    before = o.copy()
    p = answer_array(softmax(o), "softmax(o)", shape=(n, k))
    require(
        np.array_equal(o, before),
        "softmax changed its input o: compute o - max into a new array (o - ..., not o -= ...).",
    )
    require(
        np.all(np.isfinite(p)),
        f"softmax of moderate scores (|o| up to {np.abs(o).max():.0f}) gave inf or nan.",
    )
    if not np.allclose(p.sum(axis=1), 1) and np.allclose(p.sum(axis=0), 1):
        raise AssertionError(
            "the COLUMNS sum to 1: normalise each row (one "
            "example), sum over axis=-1 with keepdims=True."
        )
    require(
        np.allclose(p.sum(axis=1), 1),
        "the rows do not sum to 1: divide exp(o - max) by its row sum.",
    )
    require(
        rel_close(p, _softmax(o), 1e-10),
        "the probabilities are not exp(o_i) / sum_j exp(o_j) row by row "
        f"(rel. error {rel_error(p, _softmax(o)):.1e}).",
    )
    large = np.array(
        [[1000.0, 1001.0, 1002.0], [-1000.0, -1001.0, -1002.0], [1000.0, 0.0, -1000.0]]
    )
    with np.errstate(all="ignore"):
        big = answer_array(softmax(large.copy()), "softmax of a (3, 3) batch", shape=(3, 3))
    broken = ~np.all(np.isfinite(big), axis=1)
    if broken[1:].any() and not broken[0]:
        raise AssertionError(
            "scores like [-1000, -1001, -1002] in a batch that also holds "
            "[1000, 1001, 1002] gave nan: shift EACH row by its own maximum "
            "(o.max(axis=-1, keepdims=True)), not by the batch's largest score."
        )
    require(
        not broken.any(),
        "scores like [1000, 1001, 1002] gave inf or nan: np.exp overflowed. "
        "Subtract each row's maximum before np.exp (section 1).",
    )
    require(
        rel_close(big, _softmax(large), 1e-10),
        f"softmax([1000, 1001, 1002]) should equal softmax([0, 1, 2]) = "
        f"{np.round(_softmax(large)[0], 4)}, got {np.round(big[0], 4)}.",
    )
    vector = rng.normal(size=k) + 1000.0
    hint = (
        "a single score vector o of shape (K,), near 1000, should give "
        "its K probabilities: work along the last axis (axis=-1), not "
        "axis=1, and shift by the maximum there too"
    )
    try:
        with np.errstate(all="ignore"):
            single = softmax(vector.copy())
    except (IndexError, ValueError) as err:  # numpy's AxisError is both
        raise AssertionError(f"{hint} ({type(err).__name__}: {err}).") from None
    require(np.shape(single) == (k,) and rel_close(single, _softmax(vector), 1e-10), f"{hint}.")
    return (
        f"{n} x {k} rows right and summing to 1; finite at scores of "
        "+-1000; a vector near 1000 works too."
    )


def check_batch_softmax_jacobian(
    batch_softmax_jacobian, seed: int = 0, n: int = 4, k: int = 6
) -> str:
    """Exercise 1.2: the N Jacobians diag(p) - p p^T of a batch at once."""
    rng = np.random.default_rng(seed)
    P = _softmax(rng.normal(size=(n, k)))
    J = answer_array(batch_softmax_jacobian(P.copy()), "batch_softmax_jacobian(P)", shape=(n, k, k))
    for row in range(n):
        p = P[row]
        expected = np.array([[p[i] * ((i == j) - p[j]) for j in range(k)] for i in range(k)])
        if looks_like(J[row], np.diag(p), expected, TOL):
            raise AssertionError(
                f"Jacobian {row} is only diag(p): the off-diagonal entries -p_i p_j are missing."
            )
        if looks_like(J[row], np.diag(p) + np.outer(p, p), expected, TOL):
            raise AssertionError(
                f"Jacobian {row} has the wrong sign on p p^T: it is diag(p) MINUS p p^T."
            )
        require(
            rel_close(J[row], expected, 1e-10),
            f"Jacobian {row} is wrong: entry (i, j) is p_i (delta_ij - p_j): "
            "p_i (1 - p_i) on the diagonal, -p_i p_j off it.",
        )
    return f"all {n} Jacobians ({k} x {k}) equal diag(p) - p p^T."
