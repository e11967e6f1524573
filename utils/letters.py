"""Features of letters that transfer across writers (lab 08, section 8).

``layer_features`` reads any layer of a DigitNet (the pooled second convolution,
"conv2", transfers to letters better than the 50-d "embed");
``l2_normalise`` turns the lab's SSD k-NN into cosine k-NN (for unit rows
SSD = 2 - 2 cos: the same neighbours), so that a faint or thin letter,
whose features are short, is not drawn to the letter with the shortest
features; ``rewrite`` redraws a letter photo as another writer might, for
held-out letters; ``augment`` varies MNIST digits the way writers vary
(slant, size, wobble, pen width) to train a DigitNet on
(``load_or_train_augmented`` caches it next to lab 06's).
"""
from __future__ import annotations

import math

import numpy as np
import torch
from scipy import ndimage
from torch.nn import functional as F

from .config import cache_dir, checkpoint_dir, device as default_device
from .config import profile, progress
from .nets import DigitNet, load_digit_net, save_digit_net, train_step

LAYERS = ("conv1", "conv2", "embed", "digits")
AUGMENT = {"degrees": 12.0, "shear": 0.35, "scale": (0.75, 1.2),
           "shift": 2.0, "elastic": 1.5, "smooth": 3.0, "stroke": 0.8}


def _smooth(noise, sigma):
    """Gaussian blur of (N, C, H, H) noise: two products with a blur matrix."""
    t = torch.arange(noise.shape[-1], dtype=noise.dtype)
    blur = torch.exp(-(t[:, None] - t[None]) ** 2 / (2 * sigma ** 2))
    blur = blur / blur.sum(1, keepdim=True)
    return blur @ noise @ blur.T


def _dilate(x):
    """Grey dilation of (N, 1, H, W) images by a 3x3 square, zeros outside."""
    p = F.pad(x, (1, 1, 1, 1))
    rows = torch.maximum(torch.maximum(p[..., :-2], p[..., 1:-1]),
                         p[..., 2:])
    return torch.maximum(torch.maximum(rows[..., :-2, :], rows[..., 1:-1, :]),
                         rows[..., 2:, :])


def _pen(x, amount):
    """Thicken (amount > 0) or thin (< 0) strokes: part of a 3x3 dilation
    or erosion of x, per image."""
    a = amount.view(-1, 1, 1, 1)
    return (x + a.clamp(min=0) * (_dilate(x) - x)
            + (-a).clamp(min=0) * (-_dilate(-x) - x))


def augment(x, generator, degrees=12.0, shear=0.35, scale=(0.75, 1.2),
            shift=2.0, elastic=1.5, smooth=3.0, stroke=0.8):
    """Randomly varied copies of digits x (N, 1, 28, 28), float in [0, 1].

    Per image: rotation up to ``degrees``, horizontal shear (slant) up to
    ``shear``, scale in ``scale``, shift up to ``shift`` px, an elastic
    wobble of about ``elastic`` px smoothed over ``smooth`` px (Simard et
    al. 2003), and the pen made thicker or thinner by up to ``stroke``
    of a 3x3 grey dilation or erosion. All zero (scale (1, 1)): x itself.
    """
    n = len(x)

    def uniform(low, high, size=(n,)):
        return low + (high - low) * torch.rand(size, generator=generator)

    angle = uniform(-degrees, degrees) * math.pi / 180
    slant, zoom = uniform(-shear, shear), uniform(*scale)
    cos, sin = torch.cos(angle) / zoom, torch.sin(angle) / zoom
    move = uniform(-shift, shift, (n, 2)) * 2 / 28
    theta = torch.stack([torch.stack([cos, cos * slant - sin, move[:, 0]], 1),
                         torch.stack([sin, sin * slant + cos, move[:, 1]], 1)],
                        1)
    grid = F.affine_grid(theta, (n, 1, 28, 28), align_corners=False)
    if elastic > 0:
        noise = _smooth(uniform(-1, 1, (n, 2, 28, 28)), smooth)
        noise = noise / noise.abs().amax((1, 2, 3), keepdim=True).clamp(1e-6)
        grid = grid + elastic * 2 / 28 * noise.permute(0, 2, 3, 1)
    out = F.grid_sample(x.float(), grid, mode="bilinear",
                        padding_mode="zeros", align_corners=False)
    if stroke > 0:
        out = _pen(out, uniform(-stroke, stroke))
    return out.clamp(0, 1)


@torch.no_grad()
def layer_features(model, batch, layer="embed"):
    """Activations (N, d) of a DigitNet's ``layer`` for images (N, 28, 28).

    Layers: "conv1" (10 x 12 x 12 after pooling), "conv2" (20 x 4 x 4),
    "embed" (the hidden layer), "digits" (the ten log-probabilities).
    """
    if layer not in LAYERS:
        raise ValueError(f"unknown layer {layer!r}; choose one of {LAYERS}.")
    model.eval()
    where = next(model.parameters()).device
    x = torch.as_tensor(np.asarray(batch, dtype=np.float32))[:, None]
    x = F.relu(F.max_pool2d(model.conv1(x.to(where)), 2))
    if layer != "conv1":
        x = F.relu(F.max_pool2d(model.conv2(x), 2))
    if layer in ("embed", "digits"):
        x = F.relu(model.fc1(x.flatten(1)))
    if layer == "digits":
        x = F.log_softmax(model.fc2(x), dim=1)
    return x.flatten(1).cpu().numpy()


def l2_normalise(rows):
    """Rows (N, d) scaled to length 1 (all-zero rows stay zero)."""
    rows = np.asarray(rows, dtype=np.float64)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.maximum(norms, 1e-12)


def rewrite(image, rng):
    """The letter of a photo (uint8, dark ink) as another writer might
    write it: slanted, turned, narrower or wider, smaller or larger, with
    a thinner or thicker, lighter or darker pen, on other paper."""
    photo = np.asarray(image, dtype=np.float64)
    paper = np.median(photo)
    ink = np.clip((paper - photo) / max(paper - photo.min(), 1.0), 0, 1)
    angle = np.deg2rad(rng.uniform(-12, 12))
    turn = np.array([[np.cos(angle), -np.sin(angle)],
                     [np.sin(angle), np.cos(angle)]])
    shape = np.array([[1.0, 0.0], [rng.uniform(-0.35, 0.35), 1.0]]) @ \
        np.diag([1.0, rng.uniform(0.8, 1.2)]) * rng.uniform(0.8, 1.1)
    forward = turn @ shape          # (row, column) of the letter -> output
    back = np.linalg.inv(forward)
    centre = (np.array(ink.shape) - 1) / 2
    shift = rng.uniform(-6, 6, 2)
    ink = ndimage.affine_transform(ink, back, centre - back @ (centre + shift),
                                   order=1)
    mask = ink > 0.5
    edge = (mask & ~ndimage.binary_erosion(mask)).sum()
    width = 2 * mask.sum() / max(edge, 1)     # stroke width, px
    thinnest = -min(2, int((width - 2) // 2))  # keep 2 px of every stroke
    pen = int(rng.integers(thinnest, 3))  # px added to each side
    if pen:
        grow = ndimage.grey_dilation if pen > 0 else ndimage.grey_erosion
        ink = grow(ink, footprint=np.ones((2 * abs(pen) + 1,) * 2))
    rows, cols = np.mgrid[0:ink.shape[0], 0:ink.shape[1]] / ink.shape[0]
    level = rng.uniform(175, 235) + rng.uniform(-15, 15) * (cols - 0.5) \
        + rng.uniform(-15, 15) * (rows - 0.5)
    dark = rng.uniform(0.45, 1.0) * (level - rng.uniform(20, 70))
    photo = level - dark * ink + rng.normal(0, 3, ink.shape)
    return np.clip(photo, 0, 255).astype(np.uint8)


def augmented_checkpoint(embed_dim=50):
    """Where the augmented DigitNet of this width is cached, per profile."""
    return checkpoint_dir() / f"digitnet_{embed_dim}_augmented.pt"


def train_augmented(data, epochs, embed_dim=50, seed=0, device=None,
                    batch_size=128, **strength):
    """A DigitNet trained on augmented MNIST: (model, note).

    Each batch of ``data.x_train`` is varied afresh by ``augment`` (its
    keyword arguments, ``AUGMENT`` by default, may be passed here).
    """
    device = device or default_device()
    torch.manual_seed(seed)
    model = DigitNet(embed_dim).to(device)
    x = torch.from_numpy(data.x_train).reshape(-1, 1, 28, 28)
    y = torch.from_numpy(data.y_train)
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    generator = torch.Generator().manual_seed(seed)
    for _ in progress(range(epochs), desc="augmented DigitNet", leave=False):
        model.train()
        order = torch.randperm(len(x), generator=generator)
        for start in range(0, len(x), batch_size):
            batch = order[start:start + batch_size]
            xb = augment(x[batch], generator, **{**AUGMENT, **strength})
            train_step(model, optimizer, xb.to(device), y[batch].to(device))
    note = (f"{epochs} epochs on {len(y):,} augmented images, seed {seed}")
    return model.eval(), note


def load_or_train_augmented(data, epochs, embed_dim=50, seed=0,
                            device=None):
    """The augmented DigitNet: from its checkpoint, else trained on ``data``
    (its training images) and saved. Returns (model, message)."""
    device = device or default_device()
    path = augmented_checkpoint(embed_dim)
    where = (f"{path.relative_to(cache_dir())} in the workbook cache "
             f"({profile()} profile)")
    if not path.exists():
        model, note = train_augmented(data, epochs, embed_dim, seed, device)
        save_digit_net(model, path, note)
        return model, f"no checkpoint yet: trained, saved {where}: {note}"
    model, note = load_digit_net(path, device)
    return model, f"loaded {where}: {note}"
