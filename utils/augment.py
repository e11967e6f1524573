"""Random variations of training images, three kinds.

``shift_pixels``: whole-pixel shifts of a batch of digits (labs 03, 04).
``random_affine``: sub-pixel shifts and rotations, all channels of an image
moved together (lab 07). ``vary_like_writers``: digits varied the ways
writers vary (slant, size, wobble, pen width), for lab 08's augmented
DigitNet (``utils.checkpoints.load_or_train_augmented``). The last two import
torch when called, so the NumPy labs do not load it.
"""

from __future__ import annotations

import math

import numpy as np


def shift_pixels(images: np.ndarray, rng: np.random.Generator, max_shift: int = 1) -> np.ndarray:
    """Return ``images`` (N, 784) or (N, 28, 28), each moved by a random whole number of
    pixels in [-max_shift, max_shift] along each axis, zeros filled in (same shape, dtype)."""
    array = np.asarray(images)
    if array.shape[1:] not in ((784,), (28, 28)):
        raise ValueError(f"expected digits of shape (N, 784) or (N, 28, 28), got {array.shape}.")
    if isinstance(max_shift, bool) or int(max_shift) != max_shift or not 0 <= max_shift < 28:
        raise ValueError(
            f"max_shift must be a whole number of pixels in [0, 27], got {max_shift!r}."
        )
    k = int(max_shift)
    n = len(array)
    images = array.reshape(n, 28, 28)
    offsets = rng.integers(-k, k + 1, size=(n, 2))  # (up, left) per image
    moved = np.zeros((n, 28, 28), dtype=array.dtype)
    for dy in range(-k, k + 1):  # one slice per offset: no per-image loop
        for dx in range(-k, k + 1):
            rows = np.flatnonzero((offsets[:, 0] == dy) & (offsets[:, 1] == dx))
            moved[rows, max(-dy, 0) : 28 - max(dy, 0), max(-dx, 0) : 28 - max(dx, 0)] = images[
                rows, max(dy, 0) : 28 + min(dy, 0), max(dx, 0) : 28 + min(dx, 0)
            ]
    return moved.reshape(array.shape)


def random_affine(images, rng, max_shift, max_degrees):
    """Images (N, H, W) or (N, H, W, C) in [0, 1], moved at random.

    One transform per image, drawn from ``rng`` (shift up to ``max_shift``
    pixels on each axis, rotation up to ``max_degrees``), applied to all of
    its channels at once; returns float32 of the same shape.
    """
    import torch
    from torch.nn import functional as F

    array = np.ascontiguousarray(images, dtype=np.float32)
    if array.ndim not in (3, 4):
        raise ValueError(f"expected (N, H, W) or (N, H, W, C) images, got {array.shape}.")
    batch = torch.from_numpy(array)
    batch = batch[:, None] if array.ndim == 3 else batch.permute(0, 3, 1, 2)
    n, _, height, width = batch.shape
    angles = rng.uniform(-max_degrees, max_degrees, n) * math.pi / 180
    shifts = rng.uniform(-max_shift, max_shift, (n, 2))
    angles = torch.from_numpy(angles).float()
    shifts = torch.from_numpy(shifts * 2 / np.array([width, height])).float()
    cos, sin = torch.cos(angles), torch.sin(angles)
    theta = torch.stack(
        [torch.stack([cos, -sin, shifts[:, 0]], 1), torch.stack([sin, cos, shifts[:, 1]], 1)], 1
    )
    grid = F.affine_grid(theta, list(batch.shape), align_corners=False)
    moved = F.grid_sample(
        batch.contiguous(), grid, mode="bilinear", padding_mode="zeros", align_corners=False
    )
    moved = moved[:, 0] if array.ndim == 3 else moved.permute(0, 2, 3, 1)
    return np.ascontiguousarray(moved.numpy())


def _smooth(noise, sigma):
    """Gaussian blur of (N, C, H, H) noise: two products with a blur matrix."""
    import torch

    t = torch.arange(noise.shape[-1], dtype=noise.dtype)
    blur = torch.exp(-((t[:, None] - t[None]) ** 2) / (2 * sigma**2))
    blur = blur / blur.sum(1, keepdim=True)
    return blur @ noise @ blur.T


def _dilate(x):
    """Grey dilation of (N, 1, H, W) images by a 3x3 square, zeros outside."""
    import torch
    from torch.nn import functional as F

    p = F.pad(x, (1, 1, 1, 1))
    rows = torch.maximum(torch.maximum(p[..., :-2], p[..., 1:-1]), p[..., 2:])
    return torch.maximum(torch.maximum(rows[..., :-2, :], rows[..., 1:-1, :]), rows[..., 2:, :])


def _pen(x, amount):
    """Thicken (amount > 0) or thin (< 0) strokes: part of a 3x3 dilation
    or erosion of x, per image."""

    a = amount.view(-1, 1, 1, 1)
    return x + a.clamp(min=0) * (_dilate(x) - x) + (-a).clamp(min=0) * (-_dilate(-x) - x)


def vary_like_writers(
    x,
    generator,
    degrees=12.0,
    shear=0.35,
    scale=(0.75, 1.2),
    shift=2.0,
    elastic=1.5,
    smooth=3.0,
    stroke=0.8,
):
    """Randomly varied copies of digits x (N, 1, 28, 28), float in [0, 1].

    Per image: rotation up to ``degrees``, horizontal shear (slant) up to
    ``shear``, scale in ``scale``, shift up to ``shift`` px, an elastic
    wobble of about ``elastic`` px smoothed over ``smooth`` px (Simard et
    al. 2003), and the pen made thicker or thinner by up to ``stroke``
    of a 3x3 grey dilation or erosion. All zero (scale (1, 1)): x itself.
    """
    import torch
    from torch.nn import functional as F

    n = len(x)

    def uniform(low, high, size=(n,)):
        return low + (high - low) * torch.rand(size, generator=generator)

    angle = uniform(-degrees, degrees) * math.pi / 180
    slant, zoom = uniform(-shear, shear), uniform(*scale)
    cos, sin = torch.cos(angle) / zoom, torch.sin(angle) / zoom
    move = uniform(-shift, shift, (n, 2)) * 2 / 28
    theta = torch.stack(
        [
            torch.stack([cos, cos * slant - sin, move[:, 0]], 1),
            torch.stack([sin, sin * slant + cos, move[:, 1]], 1),
        ],
        1,
    )
    grid = F.affine_grid(theta, (n, 1, 28, 28), align_corners=False)
    if elastic > 0:
        noise = _smooth(uniform(-1, 1, (n, 2, 28, 28)), smooth)
        noise = noise / noise.abs().amax((1, 2, 3), keepdim=True).clamp(1e-6)
        grid = grid + elastic * 2 / 28 * noise.permute(0, 2, 3, 1)
    out = F.grid_sample(x.float(), grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    if stroke > 0:
        out = _pen(out, uniform(-stroke, stroke))
    return out.clamp(0, 1)
