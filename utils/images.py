"""Any image as a 2-D gray array in [0, 1], 1 = white (``utils.handwriting``, ``utils.greek``,
``utils.drawpad``).

``image_channels(image)`` reads a path, a PIL image of any mode or a NumPy
array (uint8 0-255 or float 0-1; 2-D, or rows x columns x 1, 2, 3 or 4
channels) as luminance and, when it varies, alpha. ``to_grayscale`` turns
them into one gray image: ink drawn in the alpha channel (opaque pixels all
of one shade, whatever the colour) becomes dark ink on white; a transparent
margin around an opaque photo becomes paper. ``otsu_threshold`` splits gray
values in two classes (the sheet, the ink).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp"}
LUMA = np.array([0.299, 0.587, 0.114])  # ITU-R 601 weights, as PIL's convert("L")
OPAQUE = 0.5  # alpha above this share of its maximum: an opaque pixel
ALPHA_INK_PERCENTILES = (
    5,
    95,
)  # the spread of the opaque pixels' shades, between these percentiles,
ALPHA_INK_SPREAD = 0.25  # ... under this: they are strokes drawn in the alpha channel
NOISE_SIGMA = 1.0  # px of the Gaussian that takes out sensor noise (ink, sheet)


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
        raise ValueError(
            f"expected a 2-D grayscale image or rows x columns x 1-4 channels, "
            f"got shape {array.shape}."
        )
    array = np.clip(array, 0.0, 1.0)
    channels = array.shape[2]
    luminance = array[..., 0] if channels <= 2 else array[..., :3] @ LUMA
    alpha = array[..., -1] if channels in (2, 4) else None
    if alpha is not None and alpha.max() - alpha.min() < 1 / 255:
        alpha = None
    return luminance, alpha


def alpha_holds_ink(luminance: np.ndarray, alpha: np.ndarray) -> bool:
    """True when the shape is drawn in the alpha channel: the opaque pixels are all about one shade.

    An opaque photo on a transparent canvas has paper and ink among its opaque
    pixels (a wide range of shades); strokes on a transparent background do not.
    """
    low, high = np.percentile(luminance[_opaque(alpha)], ALPHA_INK_PERCENTILES)
    return high - low < ALPHA_INK_SPREAD


def _opaque(alpha: np.ndarray) -> np.ndarray:
    return alpha > OPAQUE * alpha.max()


def channels_to_gray(luminance: np.ndarray, alpha: np.ndarray | None) -> np.ndarray:
    """The gray image of ``image_channels``' (luminance, alpha): see ``to_grayscale``."""
    if alpha is None:
        return luminance
    if alpha_holds_ink(luminance, alpha):
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
    return channels_to_gray(*image_channels(image))


def otsu_threshold(values: np.ndarray) -> float:
    """Otsu's threshold of values in [0, 1] (256 bins)."""
    if values.max() - values.min() < 1e-6:
        return float(values.max())
    counts, edges = np.histogram(values, bins=256, range=(0.0, 1.0))
    centres = (edges[:-1] + edges[1:]) / 2
    weight = np.cumsum(counts)
    mass = np.cumsum(counts * centres)
    total, total_mass = weight[-1], mass[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (total_mass * weight / total - mass) ** 2 / (weight * (total - weight))
    return float(centres[np.nanargmax(np.where(np.isfinite(between), between, np.nan))])
