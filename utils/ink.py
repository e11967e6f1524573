"""The ink in a gray image of one character: its polarity, strokes and width
(``utils.handwriting``).

``dark_ink(gray)``: with the lighting gradient taken out, the smaller of
Otsu's two classes is the ink; for a thick stroke in a tight crop, where
neither is clearly smaller, the background is the class that fills more of
the image, its border and its corners. ``find_ink(gray)``: the paper is
estimated by a grey-level closing over a window three stroke widths wide, so
a thick marker stroke is not taken for paper (and does not come out hollow);
the ink is how much darker than the paper a pixel is, scaled so that the
stroke's core is 1. Specks, lines in the margin and dark bands along an edge
(the table beside the sheet, a scanner's border) are dropped when other ink
remains.
"""

from __future__ import annotations

import numpy as np
from PIL import Image
from scipy import ndimage

from .images import NOISE_SIGMA, otsu_threshold

WORK_SIZE = (96, 320)  # the longer side is resampled into this range before the ink is found
NO_INK = (
    "no ink found: the image looks blank (no stroke stands out from the background). "
    "Use a photo of one dark character on light paper, or light on dark."
)
INK_THRESHOLD = 0.3  # a pixel below this fraction of the ink's level counts as paper (``to_mnist``)
STROKE_LEVEL = 0.5  # ink at or above this is inside a stroke (for its width)
MAD_TO_SD = 1.4826  # median absolute deviation to standard deviation (normal noise)
# Fitting the paper's lighting, a quadratic surface:
FIT_PIXELS = 4000  # pixels of the regular grid the fit uses
FIT_ROUNDS = 3  # refits without the outliers
FIT_MIN_PIXELS = 12  # fewer pixels kept than this: fit them all (two per coefficient)
CURVE_MIN_SHARE = 0.15  # under this share of the pixels kept, a plane instead of a curve
DETREND_SIGMAS = 2.5  # ``_detrend``: a residual this many SDs from the median is an outlier
PAPER_SIGMAS = 3  # ``_coarse_ink``: the paper's spread; ink is this many SDs darker
# Which class is the ink (``dark_ink``):
INK_SHARE = 0.25  # a dark class under this share of the image is the ink,
DARK_PAPER_SHARE = 0.8  # ... one over this share is the background (light ink)
BORDER_PARTS = 20  # the border ring is this part of the shorter side
# Regions dropped (``_drop_regions``):
SPECK = 0.03  # a region with less ink than this share of the largest one's
BAND_ALONG = 0.6  # a band runs along at least this share of a side,
BAND_DEPTH = 0.25  # ... within this share of the image from it,
EDGE_SHARE = 0.9  # ... with this share of its pixels (of a margin line too)
MARGIN = 0.04  # a margin line lies within this share of the shorter side from an edge
# The ink found (``find_ink``):
CONTRAST_MIN = 0.05  # a smaller range of gray values is a blank image
COARSE_MIN_PIXELS = 4  # fewer pixels of coarse ink: a blank image
WINDOW_STROKES = 1.5  # the paper's closing window: twice this many stroke widths, plus one px
INK_PERCENTILE = 90  # the ink's level: this percentile of the coarse ink's darkness
INK_LEVEL_MIN = 0.15  # a fainter level is no ink
RIM_PX = 2  # px of the anti-aliased rim kept around the strokes


def _border(array: np.ndarray, width: int) -> np.ndarray:
    """The pixels of a ring ``width`` wide along the edges."""
    inner = np.zeros(array.shape, dtype=bool)
    inner[width:-width, width:-width] = True
    return array[~inner]


def _fit_surface(gray: np.ndarray, trim) -> np.ndarray:
    """A quadratic surface fitted to ``gray`` by least squares, refitted ``FIT_ROUNDS`` times
    without outliers.

    ``trim(values, residual, keep)`` returns the pixels kept for the next fit.
    The fit uses about ``FIT_PIXELS`` pixels on a regular grid.
    """
    step = max(1, round(np.sqrt(gray.size / FIT_PIXELS)))
    rows, cols = np.mgrid[0 : gray.shape[0], 0 : gray.shape[1]]
    y, x = rows / gray.shape[0] - 0.5, cols / gray.shape[1] - 0.5
    design = np.stack([np.ones_like(x), x, y, x * x, x * y, y * y], axis=-1)
    sample, values = design[::step, ::step].reshape(-1, 6), gray[::step, ::step].ravel()
    keep = trim(values, None, None)
    for _ in range(FIT_ROUNDS):
        if keep.sum() < FIT_MIN_PIXELS:  # nothing left to trust: fit everything
            keep = np.ones(values.shape, dtype=bool)
        columns = 6 if keep.mean() >= CURVE_MIN_SHARE else 3  # too few pixels for a curve: a plane
        coefficients = np.linalg.lstsq(sample[keep, :columns], values[keep], rcond=None)[0]
        keep = trim(values, values - sample[:, :columns] @ coefficients, keep)
    return design[..., :columns] @ coefficients


def _detrend(gray: np.ndarray) -> np.ndarray:
    """``gray`` minus a quadratic surface fitted to it with outliers (either side) trimmed."""

    def trim(values, residual, keep):
        if residual is None:
            return np.ones(values.shape, dtype=bool)
        deviation = np.abs(residual - np.median(residual))
        return deviation < DETREND_SIGMAS * MAD_TO_SD * np.median(deviation) + 1e-3

    fit = _fit_surface(gray, trim)
    return gray - fit + fit.mean()


def _corners(mask: np.ndarray, fraction: float = 0.1) -> float:
    """Mean of ``mask`` over the four corner patches (``fraction`` of each side)."""
    a, b = (max(1, round(fraction * n)) for n in mask.shape)
    patches = (mask[:a, :b], mask[:a, -b:], mask[-a:, :b], mask[-a:, -b:])
    return float(np.mean([patch.mean() for patch in patches]))


def dark_ink(gray: np.ndarray) -> bool:
    """True when the ink is darker than the background (paper), False for light ink on dark.

    Otsu's threshold splits the pixels in two classes. With the lighting
    gradient taken out, a class covering under 25 % of the image is the ink.
    When neither class is that clearly the smaller (a thick stroke in a tight
    crop), the background is the class that fills more of the image, of its
    border and of its corners together (dark ink wins ties: it needs half of
    the three to call the dark class background).
    """
    if gray.max() - gray.min() < 1e-6:
        return True
    flat = ndimage.gaussian_filter(_detrend(gray), NOISE_SIGMA)
    dark_share = (flat < otsu_threshold(np.clip(flat, 0.0, 1.0))).mean()
    if dark_share < INK_SHARE or dark_share > DARK_PAPER_SHARE:
        return dark_share < INK_SHARE
    smooth = ndimage.gaussian_filter(gray, NOISE_SIGMA)
    dark = smooth < otsu_threshold(smooth)
    ring = max(1, min(gray.shape) // BORDER_PARTS)
    return dark.mean() + _border(dark, ring).mean() + _corners(dark) < 1.5


def _resample(gray: np.ndarray) -> tuple[np.ndarray, float]:
    """Resample so that the longer side is within WORK_SIZE; return (image, factor)."""
    longest = max(gray.shape)
    factor = min(1.0, WORK_SIZE[1] / longest) if longest > WORK_SIZE[0] else WORK_SIZE[0] / longest
    if factor == 1.0:
        return gray, 1.0
    height, width = (max(1, round(n * factor)) for n in gray.shape)
    resized = Image.fromarray(gray.astype(np.float32), mode="F").resize(
        (width, height), Image.BILINEAR
    )
    return np.clip(np.asarray(resized, dtype=np.float64), 0.0, 1.0), factor


def stroke_width(mask: np.ndarray) -> float:
    """Mean stroke width of a binary mask in px: 2 x area / boundary pixels (a long bar:
    its width)."""
    area = mask.sum()
    boundary = (mask & ~ndimage.binary_erosion(mask)).sum()
    return 2.0 * area / max(boundary, 1)


def _coarse_ink(gray: np.ndarray) -> np.ndarray:
    """Boolean mask of dark ink: darker than a quadratic fit of the paper (the light Otsu class)."""
    smooth = ndimage.gaussian_filter(gray, NOISE_SIGMA)
    light_from = otsu_threshold(smooth)
    spreads = []

    def trim(values, residual, keep):  # drop outliers from the light class, never add
        light = values >= light_from
        if residual is None:
            return light
        spreads.append(
            MAD_TO_SD * np.median(np.abs(residual[keep] - np.median(residual[keep]))) + 1e-3
        )
        return light & (np.abs(residual) < PAPER_SIGMAS * spreads[-1])

    paper = _fit_surface(smooth, trim)
    ratio = np.clip(smooth / np.maximum(paper, 1e-3), 0.0, 1.0)
    return ratio < min(
        otsu_threshold(ratio), 1.0 - PAPER_SIGMAS * spreads[-1] / max(paper.mean(), 1e-3)
    )


def _drop_regions(ink: np.ndarray) -> tuple[np.ndarray, int]:
    """Remove specks, lines in the margin and dark bands along the edges; return (ink, count).

    A speck holds under 3 % of the ink of the largest region. A band runs
    along at least 60 % of a side and lies (90 % of it) within a quarter of
    the image from the sides it runs along: the table beside a sheet, a
    scanner's border, both joined in a corner. A margin line lies within the
    outer 4 %. Bands and lines are dropped only when other ink remains: in a
    tight crop the character itself touches the edges.
    """
    labels, count = ndimage.label(ink > 0, structure=np.ones((3, 3)))
    if count == 0:
        return ink, 0
    index = np.arange(1, count + 1)
    mass = ndimage.sum(ink, labels, index)
    height, width = ink.shape
    rows, cols = np.mgrid[0:height, 0:width]
    depth = np.stack([rows / height, 1 - (rows + 1) / height, cols / width, 1 - (cols + 1) / width])
    margin = max(2, round(MARGIN * min(height, width))) / min(height, width)
    edge = np.zeros(count, dtype=bool)
    for i in range(count):
        member = labels == i + 1
        along = np.array(
            [member[0].mean(), member[-1].mean(), member[:, 0].mean(), member[:, -1].mean()]
        )
        sides = along >= BAND_ALONG
        near = (depth[sides] < BAND_DEPTH).any(axis=0) if sides.any() else np.zeros_like(member)
        in_margin = (depth.min(axis=0)[member] < margin).mean() >= EDGE_SHARE
        edge[i] = in_margin or (sides.any() and near[member].mean() >= EDGE_SHARE)
    keep = mass >= SPECK * mass.max()
    if (keep & ~edge).any():
        keep &= ~edge
        keep &= mass >= SPECK * mass[keep].max()
    return np.where(np.isin(labels, index[keep]), ink, 0.0), int(count - keep.sum())


def find_ink(gray: np.ndarray, threshold: float = INK_THRESHOLD) -> tuple[np.ndarray, dict]:
    """Return (ink map, facts) of a 2-D gray image: ink in [0, 1] on a background of exactly 0.

    The map is at a working resolution (longer side 96-320 px). Facts: the
    polarity, the stroke width in input px, the number of regions dropped.
    """
    work, factor = _resample(gray)
    if work.max() - work.min() < CONTRAST_MIN:
        raise ValueError(NO_INK)
    dark = bool(dark_ink(work))
    if not dark:
        work = 1.0 - work
    coarse = _drop_regions(_coarse_ink(work).astype(np.float64))[0] > 0
    if coarse.sum() < COARSE_MIN_PIXELS:
        raise ValueError(NO_INK)
    width = stroke_width(coarse)
    window = int(2 * round(WINDOW_STROKES * width) + 1)  # odd, about three stroke widths
    smooth = ndimage.gaussian_filter(work, NOISE_SIGMA)  # sensor noise only
    paper = ndimage.grey_closing(smooth, size=(window, window))
    raw = np.clip(1.0 - smooth / np.maximum(paper, 1e-3), 0.0, 1.0)
    level = np.percentile(raw[coarse], INK_PERCENTILE)
    if level < INK_LEVEL_MIN:
        raise ValueError(NO_INK)
    ink = np.clip(raw / level, 0.0, 1.0)
    strokes = ink >= threshold  # the anti-aliased rim next to them stays
    ink[~ndimage.binary_dilation(strokes, iterations=RIM_PX)] = 0.0
    ink, dropped = _drop_regions(ink)
    return ink, {
        "dark": dark,
        "stroke": stroke_width(ink >= STROKE_LEVEL) / factor,
        "dropped": dropped,
        "factor": factor,
    }
