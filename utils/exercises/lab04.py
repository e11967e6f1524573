"""Checks for the exercises of lab 04 (overfitting)."""
from __future__ import annotations

import numpy as np

from . import require, run_check


def check_4_1(generalisation_gaps) -> None:
    """Check Exercise 4.1: per-epoch gaps and the epoch of the largest one."""
    def body():
        train = [0.80, 0.90, 0.97, 0.99]
        val = [0.78, 0.85, 0.86, 0.90]
        result = generalisation_gaps(train, val)
        require(result is not None and len(result) == 2, "return the pair (gaps, epoch of the largest gap).")
        gaps, epoch = result
        gaps = np.asarray(gaps, dtype=np.float64)
        require(np.allclose(gaps, [0.02, 0.05, 0.11, 0.09]),
                f"gaps should be train - validation per epoch, [0.02, 0.05, 0.11, 0.09]; got {gaps}.")
        if epoch == 2:
            raise AssertionError("epoch 2 is the 0-based index; epochs are counted from 1.")
        require(epoch == 3, f"the largest gap (0.11) is at epoch 3, you said {epoch}.")
        return "gaps per epoch and the worst epoch (3) are right."
    run_check("4.1", body)


def check_4_2(stop_epoch) -> None:
    """Check Exercise 4.2: early stopping with patience."""
    def body():
        cases = [([1.0, 0.8, 0.7, 0.75, 0.72, 0.71, 0.9], 2, 5),
                 ([1.0, 0.8, 0.7, 0.75, 0.72, 0.71, 0.9], 3, 6),
                 ([1.0, 0.9, 0.8, 0.7], 1, 4),
                 ([0.5, 0.6], 1, 2)]
        for losses, patience, expected in cases:
            got = stop_epoch(losses, patience)
            require(got is not None, "stop_epoch returned None.")
            require(got == expected, f"stop_epoch({losses}, patience={patience}) should be {expected}, got {got}.")
        return "stops patience epochs after the best validation loss."
    run_check("4.2", body)
