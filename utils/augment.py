"""Random small moves of a whole batch of digits at once: whole-pixel shifts (labs 03, 04)
and sub-pixel shifts with rotations."""
from __future__ import annotations

import math

import numpy as np
import torch
from torch.nn import functional as F


def shift_rotate(images: np.ndarray, rng: np.random.Generator, max_shift: float = 2.0,
                 max_degrees: float = 10.0) -> np.ndarray:
    """Return ``images`` (N, 784) or (N, 28, 28), each moved by up to ``max_shift`` pixels and
    rotated by up to ``max_degrees``, in one vectorised resampling (same shape and dtype)."""
    array = np.asarray(images)
    if array.shape[1:] not in ((784,), (28, 28)):
        raise ValueError(f"expected digits of shape (N, 784) or (N, 28, 28), got {array.shape}.")
    if max_shift < 0 or max_degrees < 0:
        raise ValueError("max_shift and max_degrees must be >= 0.")
    n = len(array)
    batch = torch.from_numpy(np.ascontiguousarray(array, dtype=np.float32)).reshape(n, 1, 28, 28)
    angles = torch.from_numpy(rng.uniform(-max_degrees, max_degrees, n) * math.pi / 180).float()
    shifts = torch.from_numpy(rng.uniform(-max_shift, max_shift, (n, 2)) * 2 / 28).float()
    cos, sin = torch.cos(angles), torch.sin(angles)
    theta = torch.stack([torch.stack([cos, -sin, shifts[:, 0]], 1), torch.stack([sin, cos, shifts[:, 1]], 1)], 1)
    grid = F.affine_grid(theta, batch.shape, align_corners=False)
    moved = F.grid_sample(batch, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    return moved.reshape(array.shape).numpy().astype(array.dtype, copy=False)


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
