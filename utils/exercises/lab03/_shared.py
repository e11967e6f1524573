"""What the checks of lab 03 share: a random network, and a check that an
answer refuses bad input."""

from __future__ import annotations

import numpy as np

from .. import require


def _network(rng, n_in, hidden, n_out, std=0.5, dtype=np.float64):
    """Random weights AND biases (zero biases would hide a missing one)."""
    return {
        "W1": rng.normal(0, std, (hidden, n_in)).astype(dtype),
        "b1": rng.normal(0, std, hidden).astype(dtype),
        "W2": rng.normal(0, std, (n_out, hidden)).astype(dtype),
        "b2": rng.normal(0, std, n_out).astype(dtype),
    }


def _refuses(call, needle: str, what: str) -> None:
    """``call()`` raises ValueError whose message says ``needle``."""
    try:
        call()
    except ValueError as err:
        require(
            needle in str(err),
            f"{what} raised ValueError({str(err)!r}); "
            f"the check written for you says {needle!r}: keep it as "
            "given.",
        )
        return
    require(
        False, f"{what} did not raise ValueError: keep the check on the shapes written for you."
    )
