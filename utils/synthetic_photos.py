"""Made-up photos of a character, to test ``utils.handwriting.to_mnist`` on (tests, lab 06).

``phone_photo`` draws a 28x28 character on a sheet lying on a desk, turned,
seen at an angle, under a shadow, saved as JPEG (``PHONE_CONDITIONS`` names
the conditions the tests and lab 06 use); ``synthetic_photo`` makes the
lab's earlier ones: a blown-up digit under a lighting gradient, inverted,
in an alpha channel or as a thick marker stroke, cropped tightly.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image
from scipy import ndimage

from .paper import homography

STYLES = ("plain", "inverted", "alpha", "marker")
DESKS = {
    "dark wood": (0.36, 0.24, 0.14),
    "grey": (0.5, 0.5, 0.5),
    "light grey": (0.74, 0.74, 0.74),
    "coloured": (0.2, 0.4, 0.7),
}
PHONE_CONDITIONS = {  # name: phone_photo's keywords; the tests and lab 06 use these
    "tight crop": {"desk": "tight"},
    "margin": {"desk": None, "letter": 0.3},
    **{f"{name} desk": {"desk": name} for name in DESKS},
    "tilted 25 deg": {"desk": "grey", "tilt": 25},
    "at an angle": {"desk": "dark wood", "view": 0.3, "tilt": -6},
    "shadow": {"desk": "grey", "shadow": 0.55},
    "JPEG q 40": {"desk": "light grey", "tilt": -10, "jpeg": 40},
    "all at once": {"desk": "dark wood", "tilt": 15, "view": 0.25, "shadow": 0.45, "jpeg": 50},
}
# phone_photo:
SHEET_ASPECT = 1.3  # the sheet's height over its width
GLYPH_TURN = 5  # degrees: the character is turned at random by up to this
OFFSET_PARTS = 12  # ... and moved off-centre by up to this part of the sheet
PAPER_SHADE = (0.88, 0.97)  # range of the paper's brightness
INK_DARKNESS = 0.85  # the ink's core is this much darker than the paper
TIGHT_MARGIN = 0.04  # margin of a tight crop, share of the ink's box
GRAIN = 0.06  # the desk's grain: stripes of this contrast,
GRAIN_PERIOD = (3, 8)  # ... a period (px / 2 pi) drawn from this range
FORESHORTEN = 0.35  # seen at an angle: the sheet's height shrinks by this times ``view``
PLACE_JITTER = 0.05  # the sheet's centre is moved by up to this share of the frame
PHONE_NOISE = 0.015  # standard deviation of the sensor noise
# synthetic_photo:
MARKER_RADIUS = 1.6  # px (at 28x28) of the disc a marker stroke is thickened with
TURN = 12  # degrees: the digit is turned at random by up to this
INK_CROP = 0.2  # a marker photo is cropped to the ink above this
MARKER_MARGIN = 0.02  # ... with a margin of up to this share of the size
DIGIT_SCALE = (0.45, 0.75)  # the digit's box, share of the photo's size
LIGHT_BASE, LIGHT_SLOPE = 0.75, 0.2  # the lighting gradient: base + slope x position
PAPER_RANGE = (0.85, 1.0)  # range of the paper's brightness
DARKNESS = 0.8  # the ink's core is this much darker than the paper,
MARKER_DARKNESS = 0.9  # ... a marker's this much
NOISE = 0.02  # standard deviation of the sensor noise


def _jpeg(photo: np.ndarray, quality: int) -> np.ndarray:
    buffer = io.BytesIO()
    Image.fromarray(photo).save(buffer, format="JPEG", quality=quality)
    return np.asarray(Image.open(buffer).convert(Image.fromarray(photo).mode))


def phone_photo(
    glyph: np.ndarray,
    rng: np.random.Generator,
    desk: str | None = "grey",
    tilt: float = 0.0,
    view: float = 0.0,
    shadow: float = 0.0,
    jpeg: int | None = None,
    letter: float = 0.5,
    sheet: float = 0.45,
    size: int = 320,
) -> np.ndarray:
    """A phone-like photo (RGB uint8, ``size`` px wide, 4:3) of a character on a sheet on a desk.

    ``glyph``: white ink on black (a 28x28 MNIST digit, or a letter), drawn
    dark on white paper, its longer side ``letter`` of the sheet's width.
    ``desk``: a name in ``DESKS`` (with a grain of stripes), None for a
    photo of the paper only (``letter`` sets the margin) or "tight" for one
    cropped to the ink. ``sheet``: the
    sheet's width as a share of the frame's; ``tilt``: degrees it is turned;
    ``view``: how much shorter its far (top) edge looks, 0 from straight
    above; ``shadow``: how much darker one side of the frame is (0-1), in a
    random direction; ``jpeg``: the JPEG quality it is saved at.
    """
    glyph = np.asarray(glyph, dtype=np.float64)
    glyph = np.clip(glyph / 255.0 if glyph.max() > 1.0 else glyph, 0, 1)
    rows, cols = size * 3 // 4, size
    sheet_w = round(sheet * cols) if desk not in (None, "tight") else cols
    sheet_h = round(sheet_w * SHEET_ASPECT) if desk not in (None, "tight") else rows
    big = ndimage.zoom(glyph, letter * min(sheet_w, sheet_h) / max(glyph.shape), order=1)
    big = ndimage.rotate(big, rng.uniform(-GLYPH_TURN, GLYPH_TURN), reshape=True, order=1)
    page = np.zeros((sheet_h, sheet_w))
    top = (sheet_h - big.shape[0]) // 2 + int(
        rng.integers(-sheet_h // OFFSET_PARTS, sheet_h // OFFSET_PARTS + 1)
    )
    left = (sheet_w - big.shape[1]) // 2 + int(
        rng.integers(-sheet_w // OFFSET_PARTS, sheet_w // OFFSET_PARTS + 1)
    )
    top, left = (int(np.clip(t, 0, n - m)) for t, n, m in zip((top, left), page.shape, big.shape))
    page[top : top + big.shape[0], left : left + big.shape[1]] = np.clip(big, 0, 1)
    paper = rng.uniform(*PAPER_SHADE) * (1 - INK_DARKNESS * page)
    if desk in (None, "tight"):
        if desk == "tight":  # cropped to the ink, with a margin of TIGHT_MARGIN of its box
            r, c = np.nonzero(page > 0.1)
            pad = round(TIGHT_MARGIN * max(np.ptp(r), np.ptp(c)))
            paper = paper[
                max(0, r.min() - pad) : r.max() + pad + 1, max(0, c.min() - pad) : c.max() + pad + 1
            ]
            rows, cols = paper.shape
        photo = np.repeat(paper[..., None], 3, axis=2)
    else:
        colour = np.array(DESKS[desk])
        grain = 1 + GRAIN * np.sin(
            np.arange(rows)[:, None] / rng.uniform(*GRAIN_PERIOD) + rng.uniform(0, 6)
        )
        photo = colour * grain[..., None] * np.ones((rows, cols, 1))
        h = sheet_h * (1 - FORESHORTEN * view)  # seen at an angle: foreshortened
        half_bottom, half_top = sheet_w / 2, sheet_w / 2 * (1 - view)
        quad = np.array(
            [[-half_top, -h / 2], [half_top, -h / 2], [half_bottom, h / 2], [-half_bottom, h / 2]]
        )
        turn = np.radians(tilt)
        quad = quad @ np.array([[np.cos(turn), np.sin(turn)], [-np.sin(turn), np.cos(turn)]])
        quad += [
            cols / 2 + rng.uniform(-PLACE_JITTER, PLACE_JITTER) * cols,
            rows / 2 + rng.uniform(-PLACE_JITTER, PLACE_JITTER) * rows,
        ]
        rectangle = np.array(
            [[0, 0], [sheet_w, 0], [sheet_w, sheet_h], [0, sheet_h]], dtype=np.float64
        )
        coefficients = tuple(homography(quad, rectangle))  # photo px -> sheet px, as PIL wants

        def project(plane):
            return np.asarray(
                Image.fromarray(plane.astype(np.float32), mode="F").transform(
                    (cols, rows), Image.PERSPECTIVE, coefficients, Image.BILINEAR
                ),
                dtype=np.float64,
            )

        inside = project(np.ones(paper.shape))
        photo = photo * (1 - inside[..., None]) + project(paper)[..., None]
    angle = rng.uniform(0, 2 * np.pi)
    yy, xx = np.mgrid[0:rows, 0:cols] / max(rows, cols)
    along = np.cos(angle) * (xx - 0.5) + np.sin(angle) * (yy - 0.5)
    light = 1 - shadow * np.clip(along + 0.5, 0, 1)
    photo = photo * light[..., None] + rng.normal(0, PHONE_NOISE, (rows, cols, 1))
    photo = (np.clip(photo, 0, 1) * 255).round().astype(np.uint8)
    return _jpeg(photo, jpeg) if jpeg else photo


def synthetic_photo(
    digit: np.ndarray, rng: np.random.Generator, size: int = 240, style: str = "plain"
) -> np.ndarray:
    """Return a fake phone photo (size x size, 0..255 uint8) of a 28x28 MNIST digit (lab 06, tests).

    ``style="plain"``: dark ink on light paper, blown up, rotated a few
    degrees, placed off-centre, under a lighting gradient with sensor noise.
    ``"inverted"``: the same photo, light ink on dark (chalk on a board).
    ``"alpha"``: a size x size x 4 array, black pixels, the ink only in the
    alpha channel (a drawing exported with a transparent background).
    ``"marker"``: a thick felt-tip stroke, darker, the photo cropped tightly
    to the ink (longer side ``size``, a margin of 0-2 %).
    """
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}; choose one of {', '.join(STYLES)}.")
    digit = np.asarray(digit, dtype=np.float64)
    digit = digit / 255.0 if digit.max() > 1.0 else digit
    if style == "marker":
        thick = ndimage.grey_dilation(
            digit, footprint=np.hypot(*np.mgrid[-2:3, -2:3]) <= MARKER_RADIUS
        )
        thick = ndimage.rotate(thick, rng.uniform(-TURN, TURN), reshape=True, order=1)
        rows, cols = np.nonzero(thick > INK_CROP)
        thick = thick[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
        margin = rng.uniform(0.0, MARKER_MARGIN)
        big = np.clip(
            ndimage.zoom(thick, (1 - 2 * margin) * size / max(thick.shape), order=1), 0, 1
        )
        pad = round(margin * size)
        ink = np.pad(big, pad)
    else:
        scale = rng.uniform(*DIGIT_SCALE) * size / 28
        big = ndimage.zoom(digit, scale, order=1)
        big = ndimage.rotate(big, rng.uniform(-TURN, TURN), reshape=True, order=1)
        ink = np.zeros((size, size))
        h, w = (min(n, size) for n in big.shape)
        top = int(rng.integers(0, size - h + 1))
        left = int(rng.integers(0, size - w + 1))
        ink[top : top + h, left : left + w] = np.clip(big[:h, :w], 0, 1)
    if style == "alpha":
        rgba = np.zeros(ink.shape + (4,), dtype=np.uint8)
        rgba[..., 3] = np.round(ink * 255).astype(np.uint8)
        return rgba
    yy, xx = np.mgrid[0 : ink.shape[0], 0 : ink.shape[1]] / size
    angle = rng.uniform(0, 2 * np.pi)
    lighting = LIGHT_BASE + LIGHT_SLOPE * (np.cos(angle) * xx + np.sin(angle) * yy)
    paper = lighting * rng.uniform(*PAPER_RANGE)
    darkness = MARKER_DARKNESS if style == "marker" else DARKNESS
    photo = paper * (1 - darkness * ink) + rng.normal(0, NOISE, ink.shape)
    photo = (np.clip(photo, 0, 1) * 255).astype(np.uint8)
    return 255 - photo if style == "inverted" else photo
