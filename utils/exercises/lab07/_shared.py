"""The tolerance the checks of lab 07 compare with."""

from __future__ import annotations

TOL = 1e-5  # relative: float32 round-off stays below it, no slip does
