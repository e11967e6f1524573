"""Checks for the exercises of lab 05 (momentum)."""
from __future__ import annotations

import numpy as np

from . import require, run_check


def check_5_1(momentum_step) -> None:
    """Check Exercise 5.1: one heavy-ball step v = gamma v + lr g, w = w - v."""
    def body():
        w, v, g = np.array([1.0, -2.0]), np.array([0.5, 0.25]), np.array([4.0, -1.0])
        result = momentum_step(w.copy(), v.copy(), g, 0.1, 0.9)
        require(result is not None and len(result) == 2, "return the pair (new w, new v).")
        new_w, new_v = (np.asarray(r, dtype=np.float64) for r in result)
        require(np.allclose(new_v, [0.85, 0.125]), f"new v should be gamma v + lr grad = [0.85, 0.125], got {new_v}.")
        require(np.allclose(new_w, [0.15, -2.125]), f"new w should be w - new v = [0.15, -2.125], got {new_w}; "
                "subtract the NEW velocity.")
        return "v = gamma v + lr grad, then w = w - v."
    run_check("5.1", body)


def check_5_2(best_heavy_ball) -> None:
    """Check Exercise 5.2: Polyak's optimal step and momentum for eigenvalues in [mu, L]."""
    def body():
        for mu, L, lr, gamma in [(1.0, 100.0, 4 / 121, (9 / 11) ** 2), (2.0, 8.0, 4 / (np.sqrt(8) + np.sqrt(2)) ** 2, 1 / 9)]:
            result = best_heavy_ball(mu, L)
            require(result is not None and len(result) == 2, "return the pair (lr, gamma).")
            got_lr, got_gamma = (float(r) for r in result)
            require(np.isclose(got_gamma, gamma), f"for mu={mu}, L={L} gamma should be {gamma:.4f}, got {got_gamma:.4f}.")
            require(np.isclose(got_lr, lr), f"for mu={mu}, L={L} lr should be {lr:.5f}, got {got_lr:.5f}.")
        return "lr = 4 / (sqrt L + sqrt mu)^2, gamma = ((sqrt L - sqrt mu) / (sqrt L + sqrt mu))^2."
    run_check("5.2", body)
