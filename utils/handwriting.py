"""A photo or scan of one handwritten character as an MNIST-style 28x28 input (labs 06, 08).

``to_mnist(image)`` takes a path, a PIL image of any mode or a NumPy array
(uint8 0-255 or float 0-1; 2-D, or rows x columns x 1, 2, 3 or 4 channels)
of any size from 8 px up, in these steps:

1. **Channels** (``utils.images.image_channels``): luminance and, when it varies, alpha, as
   floats in [0, 1]. A PIL image is turned into its array first, so a PIL
   image and the same pixels as an array give the same input.
2. **Gray** (``utils.images.to_grayscale``): ink drawn in the alpha channel (opaque pixels
   all of one shade, whatever the colour) becomes dark ink on white; a
   transparent margin around an opaque photo becomes paper.
   **Sheet** (``utils.paper.prepare``): a sheet of paper lying on a darker
   desk is found, cut out upright (perspective corrected) and its lighting
   flattened; a photo that is all paper goes on unchanged.
3. **Polarity** (``utils.ink.dark_ink``): with the lighting gradient taken out, the
   smaller of Otsu's two classes is the ink; for a thick stroke in a tight
   crop, where neither is clearly smaller, the background is the class that
   fills more of the image, its border and its corners. Dark ink is inverted.
4. **Ink** (``utils.ink.find_ink``): the paper is estimated by a grey-level closing over
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

``photo_steps(image)`` draws the photo, the sheet found and the
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

from .images import IMAGE_SUFFIXES, alpha_holds_ink, channels_to_gray, image_channels, to_grayscale
from .ink import INK_THRESHOLD, STROKE_LEVEL, find_ink, stroke_width
from .paper import Sheet, prepare
from .saved.lab06_photo import mnist_box

MNIST_MEAN = 0.131  # mean pixel of the MNIST training images (0.133 on the test set)
MNIST_STROKE = 2.6  # median stroke width of MNIST's training digits, px at 28x28, measured as
MNIST_STROKE_QUARTILES = (
    2.23,
    3.01,
)  # ``to_mnist`` measures; a width outside its quartiles is corrected
MNIST_SATURATED = 0.32  # fraction of MNIST's ink pixels (> 0.1) that are 1.0 (255)
THIN_MAX = 1 / 3  # strokes are thinned by at most a third (more breaks merged, blobby strokes)
BOX_WORK = 80  # px of the longer side of the ink's box while strokes are corrected
MNIST_BOX = 20  # px of the box MNIST fits a digit's longer side into
MNIST_INK = 0.1  # MNIST's ink pixels: above this share of the brightest
MIN_SIDE = 8  # px: the shortest side of a photo ``to_mnist`` reads


@dataclass(frozen=True)
class InkReport:
    """What ``to_mnist`` found in an image; ``str()`` gives one line for a lab to print."""

    ink: str  # "dark on light", "light on dark" or "in the alpha channel"
    inverted: bool  # the pixels were flipped to make white ink on black
    size: tuple  # (rows, columns) of the input
    stroke: float  # stroke width found, px of the input
    stroke_mnist: float  # the same width after scaling to MNIST's 20-px box, before correction
    correction: str  # "thinned", "thickened" or "kept"
    dropped: int  # ink regions dropped (specks, margin lines, dark edges)
    mean: float  # mean pixel of the 28x28 result (MNIST: 0.131)
    sheet: Sheet | None = None  # the sheet found on a desk (corners, tilt, correction), or None

    def __str__(self) -> str:
        flip = (
            "used as white ink on black"
            if self.ink.startswith("in the alpha")
            else "inverted to white on black"
            if self.inverted
            else "kept (already white on black)"
        )
        low, high = MNIST_STROKE_QUARTILES
        return (
            f"ink: {self.ink}, {flip}; {self.size[0]}x{self.size[1]} px; "
            f"stroke {self.stroke:.1f} px, "
            f"{self.stroke_mnist:.2f} px at MNIST scale ({self.correction}; MNIST {low}-{high}); "
            f"{self.dropped} region(s) dropped; mean pixel {self.mean:.3f} (MNIST {MNIST_MEAN}); "
            + (str(self.sheet) if self.sheet else "no sheet on a desk: all paper, as is")
        )


def normalise_stroke(ink: np.ndarray) -> tuple[np.ndarray, float, str]:
    """Return (ink, stroke width at MNIST scale before, "kept"/"thinned"/"thickened").

    The ink (background 0) is cropped and resampled so that its longer side
    is ``BOX_WORK`` px (4 x MNIST's 20-px box), and the strokes (ink >= ``STROKE_LEVEL``) are
    redrawn from their distance to the edge, with a 1-px anti-aliased rim. A
    width outside MNIST's quartiles is brought to the nearer quartile by
    moving every edge in or out (thinning by at most ``THIN_MAX``).
    """
    rows, cols = np.nonzero(ink)
    crop = ink[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    scale = BOX_WORK / max(crop.shape)
    rows_out, cols_out = (max(1, round(n * scale)) for n in crop.shape)
    pad = BOX_WORK // 4
    box = np.pad(
        np.asarray(
            Image.fromarray(crop.astype(np.float32), mode="F").resize(
                (cols_out, rows_out), Image.BILINEAR
            ),
            dtype=np.float64,
        ),
        pad,
    )
    box = np.clip(box, 0.0, 1.0)
    width = stroke_width(box >= STROKE_LEVEL)
    measured = width * MNIST_BOX / BOX_WORK
    target = float(np.clip(measured, *MNIST_STROKE_QUARTILES))
    # moving every edge by r changes the width by 2r and the box by 2r too:
    # (width - 2r) / (BOX_WORK - 2r) = target / MNIST_BOX
    radius = (width - target * BOX_WORK / MNIST_BOX) / (1 - target / MNIST_BOX) / 2
    radius = float(np.clip(radius, -(pad - 1), width * THIN_MAX / 2)) if target != measured else 0.0
    correction = "kept" if radius == 0 else "thinned" if radius > 0 else "thickened"
    mask = box >= STROKE_LEVEL
    signed = np.where(
        mask,
        ndimage.distance_transform_edt(mask) - 0.5,  # px from the edge,
        0.5 - ndimage.distance_transform_edt(~mask),
    )  # > 0 inside the stroke
    return np.clip(signed - radius + 0.5, 0.0, 1.0), measured, correction


def match_brightness(image: np.ndarray) -> np.ndarray:
    """Scale a 28x28 ink image so that, like MNIST's, 32 % of its ink pixels (> 0.1) are 1
    (float32)."""
    ink = image[image > MNIST_INK * image.max()]
    level = np.percentile(ink, 100 * (1 - MNIST_SATURATED)) if ink.size else image.max()
    return np.clip(image / max(float(level), 1e-6), 0.0, 1.0).astype(np.float32)


def to_mnist(image, threshold: float = INK_THRESHOLD, report: bool = False):
    """Return a (28, 28) float32 image in [0, 1], white ink on black, the way MNIST was made.

    ``image``: a path, a PIL image (any mode) or an array (uint8 0-255 or float
    0-1; 2-D or rows x columns x 1-4 channels), 20 to thousands of px. With
    ``report=True`` return ``(image, InkReport)``; the report says the ink's
    polarity, the stroke width found and how it was corrected. See the module
    docstring for the steps; ``threshold`` is the fraction of the ink's level
    below which a pixel counts as paper.
    """
    luminance, alpha = image_channels(image)
    if min(luminance.shape) < MIN_SIDE:
        raise ValueError(
            f"the image is too small ({luminance.shape}); use a photo of at least 8x8 pixels."
        )
    in_alpha = alpha is not None and alpha_holds_ink(luminance, alpha)
    gray = channels_to_gray(luminance, alpha)
    gray, sheet = (gray, None) if in_alpha else prepare(gray)
    ink, facts = find_ink(gray, threshold)
    ink, width_mnist, correction = normalise_stroke(ink)
    out = match_brightness(mnist_box(ink))
    if not report:
        return out
    ink_name = (
        "in the alpha channel"
        if in_alpha
        else ("dark on light" if facts["dark"] else "light on dark")
    )
    return out, InkReport(
        ink=ink_name,
        inverted=facts["dark"] and not in_alpha,
        size=tuple(luminance.shape),
        stroke=round(float(facts["stroke"]), 1),
        stroke_mnist=float(width_mnist),
        correction=correction,
        dropped=facts["dropped"],
        mean=round(float(out.mean()), 4),
        sheet=sheet,
    )


def load_digit_folder(path, report: bool = False):
    """Return (images (N, 28, 28), file names) for every image file in ``path``, via ``to_mnist``.

    With ``report=True`` return (images, names, reports), one ``InkReport`` per file.
    """
    folder = Path(path).expanduser()
    if not folder.is_dir():
        raise FileNotFoundError(
            f"no folder {folder}: create it and put photos of single digits in it."
        )
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


def photo_steps(image, title: str = ""):
    """(figure, description) of how ``to_mnist`` reads a photo: the photo with the sheet's
    outline, the sheet found (upright, flattened) and the 28x28 input; for ``show(*...)``."""
    import matplotlib.pyplot as plt

    gray = to_grayscale(image)
    out, found = to_mnist(image, report=True)
    sheet = found.sheet
    flat = prepare(gray)[0] if sheet is not None else gray
    fig, axes = plt.subplots(1, 3, figsize=(8.4, 3.0))
    shown = (
        np.asarray(image) if not isinstance(image, (str, bytes)) and np.ndim(image) == 3 else gray
    )
    if isinstance(image, Image.Image) or np.ndim(shown) != 3 or np.shape(shown)[2] not in (3, 4):
        shown = gray
    axes[0].imshow(shown, cmap="gray", vmin=0, vmax=1 if shown is gray else None)
    if sheet is not None:
        corners = np.array(sheet.corners + sheet.corners[:1])
        axes[0].plot(corners[:, 0], corners[:, 1], color="tab:red", lw=2)
    axes[0].set_title("photo" + (", sheet outlined" if sheet else ", all paper"), fontsize=9)
    axes[1].imshow(flat, cmap="gray", vmin=0, vmax=1)
    axes[1].set_title("sheet, upright and flattened" if sheet else "paper (as is)", fontsize=9)
    axes[2].imshow(out, cmap="gray", vmin=0, vmax=1)
    axes[2].set_title("28x28 input", fontsize=9)
    for ax in axes:
        ax.axis("off")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    where = (
        f"a sheet was found covering {sheet.share:.0%} of the frame, turned {sheet.tilt:+.1f} "
        f"degrees with {sheet.skew:.0%} perspective, and corrected to an upright "
        f"{sheet.size[0]}x{sheet.size[1]} px sheet"
        if sheet
        else "no sheet on a desk was found, so the whole photo is taken as paper"
    )
    alt = (
        f"{title + ': ' if title else ''}A {found.size[0]}x{found.size[1]} px photo, the sheet "
        f"found and the 28x28 input the network reads, side by side: {where}; the ink is "
        f"{found.ink}, {'inverted' if found.inverted else 'not inverted'}, its stroke "
        f"{found.stroke_mnist:.1f} px at MNIST scale ({found.correction}), "
        f"mean pixel {found.mean:.3f}."
    )
    return fig, alt
