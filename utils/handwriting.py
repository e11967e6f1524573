"""A photo or scan of one handwritten character as an MNIST-style 28x28 input (labs 06, 08).

``to_mnist(image)`` takes a path, a PIL image of any mode or a NumPy array
(uint8 0-255 or float 0-1; 2-D, or rows x columns x 1, 2, 3 or 4 channels)
of any size from 8 px up, in these steps:

1. **Channels** (``image_channels``): luminance and, when it varies, alpha, as
   floats in [0, 1]. A PIL image is turned into its array first, so a PIL
   image and the same pixels as an array give the same input.
2. **Gray** (``to_grayscale``): ink drawn in the alpha channel (opaque pixels
   all of one shade, whatever the colour) becomes dark ink on white; a
   transparent margin around an opaque photo becomes paper.
   **Sheet** (``utils.paper.prepare``): a sheet of paper lying on a darker
   desk is found, cut out upright (perspective corrected) and its lighting
   flattened; a photo that is all paper goes on unchanged.
3. **Polarity** (``dark_ink``): with the lighting gradient taken out, the
   smaller of Otsu's two classes is the ink; for a thick stroke in a tight
   crop, where neither is clearly smaller, the background is the class that
   fills more of the image, its border and its corners. Dark ink is inverted.
4. **Ink** (``find_ink``): the paper is estimated by a grey-level closing over
   a window three stroke widths wide, so a thick marker stroke is not taken
   for paper (and does not come out hollow); the ink is how much darker than
   the paper a pixel is, scaled so that the stroke's core is 1. Specks, lines
   in the margin and dark bands along an edge (the table beside the sheet, a
   scanner's border) are dropped when other ink remains.
5. **Stroke** (``normalise_stroke``): at 4 x the final scale the strokes are
   redrawn (binarised and anti-aliased again by the final resize, as NIST's
   binary scans were for MNIST), thinner or thicker when their width is
   outside the quartiles of MNIST's, measured the same way (``stroke_width``).
6. **Box**: lab 06's ``utils.saved.lab06_photo.mnist_box`` crops, fits the longer side into
   20 px and centres by mass in 28x28. **Brightness** (``match_brightness``):
   scaled so that 32 % of the ink pixels are 1, as in MNIST; the mean pixel
   then lands near MNIST's 0.131.

``photo_steps(image)`` (``utils.paper``) draws the photo, the sheet found and the
input side by side. ``to_mnist(image, report=True)`` returns ``(image, InkReport)``; ``print`` of
the report gives one line such as "ink: light on dark, kept (already white on
black); 240x240 px, stroke 13.8 px -> 2.4 px at MNIST scale, kept ...".
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image
from scipy import ndimage

from .paper import (  # noqa: F401
    STYLES,
    Sheet,
    _otsu,
    phone_photo,
    photo_steps,
    prepare,
    synthetic_photo,
)
from .saved.lab06_photo import mnist_box

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp"}
MNIST_MEAN = 0.131     # mean pixel of the MNIST training images (0.133 on the test set)
MNIST_STROKE = 2.6     # median stroke width of MNIST's training digits, px at 28x28, measured as
MNIST_STROKE_QUARTILES = (2.23, 3.01)  # ``to_mnist`` measures; a width outside its quartiles is corrected
MNIST_SATURATED = 0.32  # fraction of MNIST's ink pixels (> 0.1) that are 1.0 (255)
THIN_MAX = 1 / 3       # strokes are thinned by at most a third (more breaks merged, blobby strokes)
BOX_WORK = 80          # px of the longer side of the ink's box while strokes are corrected
WORK_SIZE = (96, 320)  # the longer side is resampled into this range before the ink is found
LUMA = np.array([0.299, 0.587, 0.114])  # ITU-R 601 weights, as PIL's convert("L")
NO_INK = ("no ink found: the image looks blank (no stroke stands out from the background). "
          "Use a photo of one dark character on light paper, or light on dark.")


@dataclass(frozen=True)
class InkReport:
    """What ``to_mnist`` found in an image; ``str()`` gives one line for a lab to print."""

    ink: str              # "dark on light", "light on dark" or "in the alpha channel"
    inverted: bool        # the pixels were flipped to make white ink on black
    size: tuple           # (rows, columns) of the input
    stroke: float         # stroke width found, px of the input
    stroke_mnist: float   # the same width after scaling to MNIST's 20-px box, before correction
    correction: str       # "thinned", "thickened" or "kept"
    dropped: int          # ink regions dropped (specks, margin lines, dark edges)
    mean: float           # mean pixel of the 28x28 result (MNIST: 0.131)
    sheet: Sheet | None = None  # the sheet found on a desk (corners, tilt, correction), or None

    def __str__(self) -> str:
        flip = ("used as white ink on black" if self.ink.startswith("in the alpha") else
                "inverted to white on black" if self.inverted else "kept (already white on black)")
        low, high = MNIST_STROKE_QUARTILES
        return (f"ink: {self.ink}, {flip}; {self.size[0]}x{self.size[1]} px; stroke {self.stroke:.1f} px, "
                f"{self.stroke_mnist:.2f} px at MNIST scale ({self.correction}; MNIST {low}-{high}); "
                f"{self.dropped} region(s) dropped; mean pixel {self.mean:.3f} (MNIST {MNIST_MEAN}); "
                + (str(self.sheet) if self.sheet else "no sheet on a desk: all paper, as is"))


def image_channels(image) -> tuple[np.ndarray, np.ndarray | None]:
    """Return (luminance, alpha or None) of a path, PIL image or array, as float64 in [0, 1].

    Integer arrays are read as 0-255 (uint16 as 0-65535); float arrays as 0-1
    unless their maximum is above 1, then as 0-255. Alpha is None when the
    image has none or it is the same everywhere.
    """
    if isinstance(image, (str, Path)):
        with Image.open(Path(image).expanduser()) as opened:
            opened.load()
            image = opened.copy()
    if isinstance(image, Image.Image):
        if image.mode == "P":
            image = image.convert("RGBA" if "transparency" in image.info else "RGB")
        elif image.mode in ("1", "CMYK", "YCbCr", "LAB", "HSV"):
            image = image.convert("L" if image.mode == "1" else "RGB")
        elif image.mode in ("PA", "RGBa", "La"):
            image = image.convert("RGBA")
        image = np.asarray(image)
    array = np.asarray(image)
    if array.dtype == bool:
        array = array.astype(np.float64)
    elif array.dtype == np.uint16:
        array = array / 65535.0
    elif np.issubdtype(array.dtype, np.integer):
        array = array / 255.0
    elif np.issubdtype(array.dtype, np.floating):
        array = array.astype(np.float64)
        if not np.isfinite(array).all():
            raise ValueError("the image holds NaN or infinite values.")
        if array.max(initial=0.0) > 1.0:
            array = array / 255.0
    else:
        raise ValueError(f"cannot read an image from an array of dtype {array.dtype}.")
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    if array.ndim == 2:
        return np.clip(array, 0.0, 1.0), None
    if array.ndim != 3 or array.shape[2] not in (2, 3, 4):
        raise ValueError(f"expected a 2-D grayscale image or rows x columns x 1-4 channels, "
                         f"got shape {array.shape}.")
    array = np.clip(array, 0.0, 1.0)
    channels = array.shape[2]
    luminance = array[..., 0] if channels <= 2 else array[..., :3] @ LUMA
    alpha = array[..., -1] if channels in (2, 4) else None
    if alpha is not None and alpha.max() - alpha.min() < 1 / 255:
        alpha = None
    return luminance, alpha


def _alpha_holds_ink(luminance: np.ndarray, alpha: np.ndarray) -> bool:
    """True when the shape is drawn in the alpha channel: the opaque pixels are all about one shade.

    An opaque photo on a transparent canvas has paper and ink among its opaque
    pixels (a wide range of shades); strokes on a transparent background do not.
    """
    low, high = np.percentile(luminance[_opaque(alpha)], [5, 95])
    return high - low < 0.25


def _opaque(alpha: np.ndarray) -> np.ndarray:
    return alpha > 0.5 * alpha.max()


def _gray(luminance: np.ndarray, alpha: np.ndarray | None) -> np.ndarray:
    if alpha is None:
        return luminance
    if _alpha_holds_ink(luminance, alpha):
        return 1.0 - alpha
    paper = np.median(luminance[_opaque(alpha)])
    return alpha * luminance + (1.0 - alpha) * paper


def to_grayscale(image) -> np.ndarray:
    """Return ``image`` (path, PIL image or array) as a 2-D float array in [0, 1].

    Without transparency this is the luminance (1 = white). When alpha holds
    the ink the result is 1 - alpha: dark ink on white, whatever colour the
    transparent pixels have. When alpha only marks a transparent margin
    around an opaque photo, the margin takes the colour of the photo's paper.
    """
    return _gray(*image_channels(image))


def _border(array: np.ndarray, width: int) -> np.ndarray:
    """The pixels of a ring ``width`` wide along the edges."""
    inner = np.zeros(array.shape, dtype=bool)
    inner[width:-width, width:-width] = True
    return array[~inner]


def _fit_surface(gray: np.ndarray, trim) -> np.ndarray:
    """A quadratic surface fitted to ``gray`` by least squares, refitted 3 times without outliers.

    ``trim(values, residual, keep)`` returns the pixels kept for the next fit.
    The fit uses about 4,000 pixels on a regular grid.
    """
    step = max(1, round(np.sqrt(gray.size / 4000)))
    rows, cols = np.mgrid[0:gray.shape[0], 0:gray.shape[1]]
    y, x = rows / gray.shape[0] - 0.5, cols / gray.shape[1] - 0.5
    design = np.stack([np.ones_like(x), x, y, x * x, x * y, y * y], axis=-1)
    sample, values = design[::step, ::step].reshape(-1, 6), gray[::step, ::step].ravel()
    keep = trim(values, None, None)
    for _ in range(3):
        if keep.sum() < 12:                               # nothing left to trust: fit everything
            keep = np.ones(values.shape, dtype=bool)
        columns = 6 if keep.mean() >= 0.15 else 3         # too few pixels for a curve: a plane
        coefficients = np.linalg.lstsq(sample[keep, :columns], values[keep], rcond=None)[0]
        keep = trim(values, values - sample[:, :columns] @ coefficients, keep)
    return design[..., :columns] @ coefficients


def _detrend(gray: np.ndarray) -> np.ndarray:
    """``gray`` minus a quadratic surface fitted to it with outliers (either side) trimmed."""
    def trim(values, residual, keep):
        if residual is None:
            return np.ones(values.shape, dtype=bool)
        deviation = np.abs(residual - np.median(residual))
        return deviation < 2.5 * 1.4826 * np.median(deviation) + 1e-3

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
    flat = ndimage.gaussian_filter(_detrend(gray), 1.0)
    dark_share = (flat < _otsu(np.clip(flat, 0.0, 1.0))).mean()
    if dark_share < 0.25 or dark_share > 0.8:
        return dark_share < 0.25
    smooth = ndimage.gaussian_filter(gray, 1.0)
    dark = smooth < _otsu(smooth)
    ring = max(1, min(gray.shape) // 20)
    return dark.mean() + _border(dark, ring).mean() + _corners(dark) < 1.5


def _resample(gray: np.ndarray) -> tuple[np.ndarray, float]:
    """Resample so that the longer side is within WORK_SIZE; return (image, factor)."""
    longest = max(gray.shape)
    factor = min(1.0, WORK_SIZE[1] / longest) if longest > WORK_SIZE[0] else WORK_SIZE[0] / longest
    if factor == 1.0:
        return gray, 1.0
    height, width = (max(1, round(n * factor)) for n in gray.shape)
    resized = Image.fromarray(gray.astype(np.float32), mode="F").resize((width, height), Image.BILINEAR)
    return np.clip(np.asarray(resized, dtype=np.float64), 0.0, 1.0), factor


def stroke_width(mask: np.ndarray) -> float:
    """Mean stroke width of a binary mask in px: 2 x area / boundary pixels (a long bar: its width)."""
    area = mask.sum()
    boundary = (mask & ~ndimage.binary_erosion(mask)).sum()
    return 2.0 * area / max(boundary, 1)


def _coarse_ink(gray: np.ndarray) -> np.ndarray:
    """Boolean mask of dark ink: darker than a quadratic fit of the paper (the light Otsu class)."""
    smooth = ndimage.gaussian_filter(gray, 1.0)
    light_from = _otsu(smooth)
    spreads = []

    def trim(values, residual, keep):             # drop outliers from the light class, never add
        light = values >= light_from
        if residual is None:
            return light
        spreads.append(1.4826 * np.median(np.abs(residual[keep] - np.median(residual[keep]))) + 1e-3)
        return light & (np.abs(residual) < 3 * spreads[-1])

    paper = _fit_surface(smooth, trim)
    ratio = np.clip(smooth / np.maximum(paper, 1e-3), 0.0, 1.0)
    return ratio < min(_otsu(ratio), 1.0 - 3 * spreads[-1] / max(paper.mean(), 1e-3))


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
    margin = max(2, round(0.04 * min(height, width))) / min(height, width)
    edge = np.zeros(count, dtype=bool)
    for i in range(count):
        member = labels == i + 1
        along = np.array([member[0].mean(), member[-1].mean(), member[:, 0].mean(), member[:, -1].mean()])
        sides = along >= 0.6
        near = (depth[sides] < 0.25).any(axis=0) if sides.any() else np.zeros_like(member)
        in_margin = (depth.min(axis=0)[member] < margin).mean() >= 0.9
        edge[i] = in_margin or (sides.any() and near[member].mean() >= 0.9)
    keep = mass >= 0.03 * mass.max()
    if (keep & ~edge).any():
        keep &= ~edge
        keep &= mass >= 0.03 * mass[keep].max()
    return np.where(np.isin(labels, index[keep]), ink, 0.0), int(count - keep.sum())


def find_ink(gray: np.ndarray, threshold: float = 0.3) -> tuple[np.ndarray, dict]:
    """Return (ink map, facts) of a 2-D gray image: ink in [0, 1] on a background of exactly 0.

    The map is at a working resolution (longer side 96-320 px). Facts: the
    polarity, the stroke width in input px, the number of regions dropped.
    """
    work, factor = _resample(gray)
    if work.max() - work.min() < 0.05:
        raise ValueError(NO_INK)
    dark = bool(dark_ink(work))
    if not dark:
        work = 1.0 - work
    coarse = _drop_regions(_coarse_ink(work).astype(np.float64))[0] > 0
    if coarse.sum() < 4:
        raise ValueError(NO_INK)
    width = stroke_width(coarse)
    window = int(2 * round(1.5 * width) + 1)           # odd, about three stroke widths
    smooth = ndimage.gaussian_filter(work, 1.0)        # sensor noise only
    paper = ndimage.grey_closing(smooth, size=(window, window))
    raw = np.clip(1.0 - smooth / np.maximum(paper, 1e-3), 0.0, 1.0)
    level = np.percentile(raw[coarse], 90)
    if level < 0.15:
        raise ValueError(NO_INK)
    ink = np.clip(raw / level, 0.0, 1.0)
    strokes = ink >= threshold                          # the anti-aliased rim next to them stays
    ink[~ndimage.binary_dilation(strokes, iterations=2)] = 0.0
    ink, dropped = _drop_regions(ink)
    return ink, {"dark": dark, "stroke": stroke_width(ink >= 0.5) / factor, "dropped": dropped,
                 "factor": factor}


def normalise_stroke(ink: np.ndarray) -> tuple[np.ndarray, float, str]:
    """Return (ink, stroke width at MNIST scale before, "kept"/"thinned"/"thickened").

    The ink (background 0) is cropped and resampled so that its longer side
    is 80 px (4 x MNIST's 20-px box), and the strokes (ink >= 0.5) are
    redrawn from their distance to the edge, with a 1-px anti-aliased rim. A
    width outside MNIST's quartiles is brought to the nearer quartile by
    moving every edge in or out (thinning by at most ``THIN_MAX``).
    """
    rows, cols = np.nonzero(ink)
    crop = ink[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    scale = BOX_WORK / max(crop.shape)
    rows_out, cols_out = (max(1, round(n * scale)) for n in crop.shape)
    pad = BOX_WORK // 4
    box = np.pad(np.asarray(Image.fromarray(crop.astype(np.float32), mode="F").resize(
        (cols_out, rows_out), Image.BILINEAR), dtype=np.float64), pad)
    box = np.clip(box, 0.0, 1.0)
    width = stroke_width(box >= 0.5)
    measured = width * 20 / BOX_WORK
    target = float(np.clip(measured, *MNIST_STROKE_QUARTILES))
    # moving every edge by r changes the width by 2r and the box by 2r too:
    # (width - 2r) / (BOX_WORK - 2r) = target / 20
    radius = (width - target * BOX_WORK / 20) / (1 - target / 20) / 2
    radius = float(np.clip(radius, -(pad - 1), width * THIN_MAX / 2)) if target != measured else 0.0
    correction = "kept" if radius == 0 else "thinned" if radius > 0 else "thickened"
    mask = box >= 0.5
    signed = np.where(mask, ndimage.distance_transform_edt(mask) - 0.5,      # px from the edge,
                      0.5 - ndimage.distance_transform_edt(~mask))           # > 0 inside the stroke
    return np.clip(signed - radius + 0.5, 0.0, 1.0), measured, correction


def match_brightness(image: np.ndarray) -> np.ndarray:
    """Scale a 28x28 ink image so that, like MNIST's, 32 % of its ink pixels (> 0.1) are 1 (float32)."""
    ink = image[image > 0.1 * image.max()]
    level = np.percentile(ink, 100 * (1 - MNIST_SATURATED)) if ink.size else image.max()
    return np.clip(image / max(float(level), 1e-6), 0.0, 1.0).astype(np.float32)


def to_mnist(image, threshold: float = 0.3, report: bool = False):
    """Return a (28, 28) float32 image in [0, 1], white ink on black, the way MNIST was made.

    ``image``: a path, a PIL image (any mode) or an array (uint8 0-255 or float
    0-1; 2-D or rows x columns x 1-4 channels), 20 to thousands of px. With
    ``report=True`` return ``(image, InkReport)``; the report says the ink's
    polarity, the stroke width found and how it was corrected. See the module
    docstring for the steps; ``threshold`` is the fraction of the ink's level
    below which a pixel counts as paper.
    """
    luminance, alpha = image_channels(image)
    if min(luminance.shape) < 8:
        raise ValueError(f"the image is too small ({luminance.shape}); use a photo of at least 8x8 pixels.")
    in_alpha = alpha is not None and _alpha_holds_ink(luminance, alpha)
    gray, sheet = (_gray(luminance, alpha), None) if in_alpha else prepare(_gray(luminance, alpha))
    ink, facts = find_ink(gray, threshold)
    ink, width_mnist, correction = normalise_stroke(ink)
    out = match_brightness(mnist_box(ink))
    if not report:
        return out
    ink_name = "in the alpha channel" if in_alpha else ("dark on light" if facts["dark"] else "light on dark")
    return out, InkReport(ink=ink_name, inverted=facts["dark"] and not in_alpha, size=tuple(luminance.shape),
                          stroke=round(float(facts["stroke"]), 1), stroke_mnist=float(width_mnist),
                          correction=correction, dropped=facts["dropped"], mean=round(float(out.mean()), 4),
                          sheet=sheet)


def load_digit_folder(path, report: bool = False):
    """Return (images (N, 28, 28), file names) for every image file in ``path``, via ``to_mnist``.

    With ``report=True`` return (images, names, reports), one ``InkReport`` per file.
    """
    folder = Path(path).expanduser()
    if not folder.is_dir():
        raise FileNotFoundError(f"no folder {folder}: create it and put photos of single digits in it.")
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise FileNotFoundError(f"{folder} holds no images ({', '.join(sorted(IMAGE_SUFFIXES))}).")
    images, reports = [], []
    for file in files:
        try:
            image, found = to_mnist(file, report=True)
        except (OSError, ValueError) as err:
            raise ValueError(f"{file.name}: {err}") from err
        images.append(image)
        reports.append(found)
    names = [f.name for f in files]
    return (np.stack(images), names, reports) if report else (np.stack(images), names)
