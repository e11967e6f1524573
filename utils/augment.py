"""Random whole-pixel shifts of a whole batch of digits at once (labs 03, 04).

Sub-pixel shifts with rotations: ``utils.backbones.random_affine`` (lab 07).
"""
from __future__ import annotations

import numpy as np


def shift_pixels(images: np.ndarray, rng: np.random.Generator,
                 max_shift: int = 1) -> np.ndarray:
    """Return ``images`` (N, 784) or (N, 28, 28), each moved by a random whole number of
    pixels in [-max_shift, max_shift] along each axis, zeros filled in (same shape, dtype)."""
    array = np.asarray(images)
    if array.shape[1:] not in ((784,), (28, 28)):
        raise ValueError(f"expected digits of shape (N, 784) or (N, 28, 28), got {array.shape}.")
    if isinstance(max_shift, bool) or int(max_shift) != max_shift or not 0 <= max_shift < 28:
        raise ValueError(f"max_shift must be a whole number of pixels in [0, 27], got {max_shift!r}.")
    k = int(max_shift)
    n = len(array)
    images = array.reshape(n, 28, 28)
    offsets = rng.integers(-k, k + 1, size=(n, 2))  # (up, left) per image
    moved = np.zeros((n, 28, 28), dtype=array.dtype)
    for dy in range(-k, k + 1):  # one slice per offset: no per-image loop
        for dx in range(-k, k + 1):
            rows = np.flatnonzero((offsets[:, 0] == dy) & (offsets[:, 1] == dx))
            moved[rows, max(-dy, 0):28 - max(dy, 0), max(-dx, 0):28 - max(dx, 0)] = \
                images[rows, max(dy, 0):28 + min(dy, 0), max(dx, 0):28 + min(dx, 0)]
    return moved.reshape(array.shape)
