"""What the checks of lab 05 share: the tolerance, a random quadratic and its
gradient, checks of an answer's pair of arrays."""

from __future__ import annotations

import numpy as np

from .. import require
from ..common import answer_pair

TOL = 1e-9  # float64 round-off of a few operations, far below any mistake


def _float_pair(result, names: str) -> tuple[np.ndarray, np.ndarray]:
    """The answer's pair (``names``), a tuple or a list, as float64 arrays."""
    return tuple(
        np.asarray(r, dtype=np.float64) for r in answer_pair(result, f"({names})", lists=True)
    )


def _quadratic(rng: np.random.Generator, dim: int) -> np.ndarray:
    """A random symmetric positive definite matrix, eigenvalues in [1, 20]."""
    q, _ = np.linalg.qr(rng.normal(size=(dim, dim)))
    return (q * rng.uniform(1, 20, dim)) @ q.T


def _gradient(matrix: np.ndarray):
    """The gradient of 0.5 w^T A w + 0.05 sum(w^4): not linear in w."""
    return lambda w: matrix @ w + 0.2 * w**3


def _unchanged(function: str, names: str, before, after) -> None:
    for name, old, new in zip(names.split(", "), before, after):
        require(
            np.array_equal(old, new),
            f"{function} changed the argument {name} passed in: return "
            "new arrays (v = gamma * v + ..., not v *= ...).",
        )


def _shapes(answer_w, answer_v, w, what: str) -> None:
    require(
        answer_w.shape == w.shape and answer_v.shape == w.shape,
        f"{what}: the new arrays have shapes {answer_w.shape} and "
        f"{answer_v.shape}; they should keep the shape {w.shape} of w.",
    )
