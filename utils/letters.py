"""Features of letters that transfer across writers (lab 08, section 8).

``layer_features`` reads any layer of a DigitNet (the pooled second convolution,
"conv2", transfers to letters better than the 50-d "embed");
``l2_normalise`` turns the lab's SSD k-NN into cosine k-NN (for unit rows
SSD = 2 - 2 cos: the same neighbours), so that a faint or thin letter,
whose features are short, is not drawn to the letter with the shortest
features; ``rewrite`` redraws a letter photo as another writer might (the
letters the lab chooses its method on: the same family of changes as
``augment``), ``nib_rewrite`` as a writer of another kind (centre line,
perspective, bends, a flat calligraphy nib: the letters the lab reports
on); ``augment`` varies MNIST digits the way writers vary (slant, size,
wobble, pen width) to train a DigitNet on (``load_or_train_augmented``
caches it next to lab 06's); ``with_interval`` prints an accuracy beside
its binomial (Wilson) interval.
"""
from __future__ import annotations

import math

import numpy as np
import torch
from scipy import ndimage
from scipy.stats import binomtest
from torch.nn import functional as F

from .config import cache_dir, checkpoint_dir, device as default_device
from .config import profile, progress
from .saved.lab06_nets import DigitNet, load_digit_net, save_digit_net, train_step

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


def _thin(mask):
    """The 1-px centre lines of a boolean image (Zhang-Suen thinning)."""
    skeleton = np.pad(np.asarray(mask, dtype=bool), 1)
    offsets = ((-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1),
               (-1, -1))                # P2 ... P9, clockwise from north
    while True:
        changed = False
        for step in (0, 1):
            n = [np.roll(skeleton, (-r, -c), (0, 1)).astype(np.int8)
                 for r, c in offsets]
            count = sum(n)
            ring = n + n[:1]
            turns = sum((a == 0) & (b == 1) for a, b in zip(ring, ring[1:]))
            if step == 0:
                side = (n[0] * n[2] * n[4] == 0) & (n[2] * n[4] * n[6] == 0)
            else:
                side = (n[0] * n[2] * n[6] == 0) & (n[0] * n[4] * n[6] == 0)
            remove = skeleton & (count >= 2) & (count <= 6) & (turns == 1) \
                & side
            if remove.any():
                skeleton = skeleton & ~remove
                changed = True
        if not changed:
            return skeleton[1:-1, 1:-1]


def _nib(length, angle, thickness):
    """A flat pen nib: a line of ``length`` px at ``angle`` (radians),
    ``thickness`` px thick, as a boolean footprint."""
    half = int(np.ceil(length / 2)) + thickness
    t = np.linspace(-length / 2, length / 2, 4 * int(length) + 1)
    footprint = np.zeros((2 * half + 1,) * 2, dtype=bool)
    footprint[np.round(half - t * np.sin(angle)).astype(int),
              np.round(half + t * np.cos(angle)).astype(int)] = True
    return ndimage.binary_dilation(footprint,
                                   np.ones((thickness,) * 2, dtype=bool))


def nib_rewrite(image, rng, oversample=4):
    """The letter of a photo (uint8, dark ink) as a writer of another kind
    than ``rewrite``'s might write it: its centre line, on a page tilted in
    perspective, with a bent baseline, the waist of the letter moved and
    its middle twisted, inked with a flat nib at a slant (strokes thick or
    thin by their direction), on blotchy paper."""
    photo = np.asarray(image, dtype=np.float64)
    paper = np.median(photo)
    ink = np.clip((paper - photo) / max(paper - photo.min(), 1.0), 0, 1)
    size = np.array(ink.shape, dtype=np.float64)
    p = np.argwhere(_thin(ink > 0.5)) / (size - 1) * 2 - 1  # (row, col)
    p = p / (1 + p @ rng.uniform(-0.3, 0.3, 2))[:, None]  # perspective
    p[:, 0] += rng.uniform(-0.15, 0.15) * np.cos(np.pi * p[:, 1])  # bend
    p[:, 0] += rng.uniform(-0.25, 0.25) * (1 - p[:, 0] ** 2) / 2  # waist
    twist = rng.uniform(-0.6, 0.6) * np.clip(1 - np.hypot(*p.T), 0, 1)
    p = np.stack([p[:, 0] * np.cos(twist) - p[:, 1] * np.sin(twist),
                  p[:, 0] * np.sin(twist) + p[:, 1] * np.cos(twist)], 1)
    p *= rng.uniform(0.6, 0.9) / max(np.abs(p).max(), 1e-6)
    fine_shape = tuple(oversample * np.array(ink.shape))
    points = np.round((p + 1) / 2 * (size - 1) * oversample).astype(int)
    points = np.clip(points, 0, np.array(fine_shape) - 1)
    line = np.zeros(fine_shape, dtype=bool)
    line[points[:, 0], points[:, 1]] = True
    line = ndimage.binary_dilation(line, np.ones((5, 5), dtype=bool))
    nib = _nib(rng.uniform(7, 13) * oversample,
               np.deg2rad(rng.uniform(20, 70)), oversample)
    strokes = ndimage.binary_dilation(line, nib).reshape(
        ink.shape[0], oversample, ink.shape[1], oversample).mean((1, 3))
    blots = ndimage.gaussian_filter(rng.normal(0, 1, ink.shape), 12)
    level = rng.uniform(170, 230) + 15 * blots / max(np.abs(blots).max(),
                                                     1e-6)
    dark = rng.uniform(0.5, 1.0) * (level - rng.uniform(15, 60))
    photo = level - dark * strokes + rng.normal(0, 4, ink.shape)
    return np.clip(photo, 0, 255).astype(np.uint8)


def wilson_interval(right, n, confidence=0.95):
    """(low, high): the Wilson interval of ``right`` successes out of n."""
    ci = binomtest(int(right), int(n)).proportion_ci(confidence,
                                                     method="wilson")
    return float(ci.low), float(ci.high)


def with_interval(accuracy, n, confidence=0.95):
    """An accuracy measured on n items and its Wilson interval, as text:
    "0.917 [0.65, 0.99]" (95 % by default)."""
    low, high = wilson_interval(round(accuracy * n), n, confidence)
    return f"{accuracy:.3f} [{low:.2f}, {high:.2f}]"


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
