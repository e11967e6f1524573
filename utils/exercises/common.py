"""What the graders share: comparisons of arrays, and checks that an answer
returned the kind of value its spec asks for (a hint when it did not)."""

from __future__ import annotations

import sys

import numpy as np

from ..checks import rel_error
from . import require


def rel_close(a, b, tol: float) -> bool:
    """Whether ``a`` and ``b`` have one shape and a relative error
    (``utils.checks.rel_error``, element-wise) of at most ``tol``."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and rel_error(a, b) <= tol


def looks_like(got, wrong, right, tol: float) -> bool:
    """Whether ``got`` is the known ``wrong`` answer, and that is not
    ``right`` (both to relative error ``tol``)."""
    return rel_close(got, wrong, tol) and not rel_close(wrong, right, tol)


def _is_tensor(value) -> bool:
    """Whether ``value`` is a torch tensor (torch is not imported for it:
    an answer that made a tensor has imported torch)."""
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(value, torch.Tensor)


def answer_array(
    value,
    what: str,
    *,
    strict: bool = True,
    shape: tuple | None = None,
    dtype: type | None = np.float64,
) -> np.ndarray:
    """The answer ``value`` (named ``what`` in hints) as an array of
    ``dtype`` (None: its own), after checking that it is not None.

    ``strict``: it must be a NumPy array; otherwise anything ``np.asarray``
    takes, a torch tensor detached and moved to the CPU first.  ``shape``:
    the shape it must have.
    """
    require(value is not None, f"{what} is None: did you forget the return?")
    if strict:
        tensor = _is_tensor(value)
        require(
            isinstance(value, np.ndarray),
            f"{what} is a {type(value).__name__}: return a NumPy array"
            + (" (.cpu().numpy())." if tensor else "."),
        )
    elif _is_tensor(value):
        value = value.detach().cpu().numpy()
    array = np.asarray(value, dtype=dtype)
    require(
        shape is None or array.shape == shape,
        f"{what} should have shape {shape}, got {array.shape}.",
    )
    return array


def answer_pair(result, what: str, *, lists: bool = False) -> tuple:
    """The answer ``result`` after checking it is a pair ``what`` ("(P,
    cache)"): a tuple of two, or with ``lists`` a list of two as well."""
    require(
        isinstance(result, (tuple, list) if lists else tuple) and len(result) == 2,
        f"return the pair {what}, got {type(result).__name__}.",
    )
    return tuple(result)
