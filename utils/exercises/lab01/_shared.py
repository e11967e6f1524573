"""The tolerance the checks of lab 01 compare with."""

from __future__ import annotations

TOL = 1e-6  # relative: centred differences agree to it, no slip does
