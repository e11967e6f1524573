"""What the checks of lab 02 share: the tolerance, the sigmoid, random Jacobians."""

from __future__ import annotations

import numpy as np

TOL = 1e-6  # relative: centred differences agree to it, no slip does


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def _random_jacobians(rng):
    """A stand-in for layer_jacobians: random matrices of the right shapes,
    the same ones for a layer's shape however often it is asked."""
    made = {}

    def random_jacobians(W, b, v):
        n_out, n_in = np.shape(W)
        if (n_out, n_in) not in made:
            made[n_out, n_in] = {
                "da/dW": rng.normal(size=(n_out, n_out * n_in)),
                "da/db": rng.normal(size=(n_out, n_out)),
                "da/dv": rng.normal(size=(n_out, n_in)),
                "df/da": rng.normal(size=(n_out, n_out)),
            }
        return {k: v.copy() for k, v in made[n_out, n_in].items()}

    random_jacobians.made = made  # what was handed out, by shape
    return random_jacobians
