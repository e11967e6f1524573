"""Numerical checks in the cs231n manner: a relative error printed next to its tolerance."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def rel_error(a, b, eps: float = 1e-12) -> float:
    """Return max |a - b| / max(|a| + |b|, eps), elementwise, as a float."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"rel_error needs equal shapes, got {a.shape} and {b.shape}.")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), eps)))


def check_close(name: str, actual, expected, tol: float) -> None:
    """Assert that ``actual`` matches ``expected`` to relative error ``tol``, printing both."""
    err = rel_error(actual, expected)
    print(f"{name}: rel. error {err:.1e} (tolerance {tol:.0e})")
    if not err <= tol:
        raise AssertionError(
            f"{name}: relative error {err:.2e} is above the tolerance {tol:.0e}. "
            "The two computations disagree: check signs, sums over the batch and transposes."
        )


def numerical_gradient(f: Callable[[], float], x: np.ndarray, index, h: float = 1e-6) -> float:
    """Return the centred difference (f(x+h) - f(x-h)) / 2h at one entry of ``x``
    (in place, restored)."""
    old = x[index]
    x[index] = old + h
    f_plus = f()
    x[index] = old - h
    f_minus = f()
    x[index] = old
    return (f_plus - f_minus) / (2 * h)


def numerical_jacobian(
    function: Callable[[np.ndarray], np.ndarray], point, h: float = 1e-5
) -> np.ndarray:
    """Return the centred-difference Jacobian of ``function`` at ``point``.

    ``function`` takes an array shaped like ``point`` and returns a vector.
    The result has shape (outputs, point.size): column k is the derivative
    with respect to entry k of ``point`` in row-major order. It perturbs a
    float64 copy (``numerical_gradient`` entry by entry); ``point`` is kept.
    """
    x = np.array(point, dtype=np.float64)

    def values() -> np.ndarray:
        return np.array(function(x), dtype=np.float64).reshape(-1)

    columns = [numerical_gradient(values, x, index, h) for index in np.ndindex(*x.shape)]
    return np.stack(columns, axis=1)
