"""The sheet of paper in a phone photo, found before the ink (labs 06, 08; ``utils.handwriting``).

A phone photo of handwriting is usually a sheet lying on a desk: the desk is
darker than the paper, the sheet is turned or seen at an angle, and a shadow
falls across it. ``prepare(gray)`` handles that before the ink is looked for:

1. **Sheet** (``find_sheet``): at 160 px, the bright Otsu class with the ink
   closed over and holes filled; its largest region is the sheet when it
   covers 12-96 % of the frame and 80 % of the bright class, fits a
   quadrilateral (intersection over union >= 0.9; four corners maximising the
   area inside its convex hull; no side under 0.4 of the longest) and its
   outline is an edge (the paper just inside is at least 0.08 brighter than
   just outside), not a lighting gradient. Otherwise the photo is all paper
   (a tight crop, a drawing pad, a transparent PNG) and goes on unchanged.
2. **Perspective** (``rectify``): the quadrilateral is mapped onto a
   rectangle (a homography; the side lengths give its size) and 3 % is
   trimmed along the edges, so the desk is gone and the sheet is upright.
3. **Lighting** (``flatten``): the paper's brightness, a grey-level closing
   over an eighth of the sheet (wider than any stroke), smoothed, is divided
   out: shadows and uneven light become even paper of 1.

``phone_photo`` makes such photos from a 28x28 character (tests, lab 06);
``synthetic_photo`` the lab's earlier ones. ``photo_steps(image)`` returns a
figure of the three stages (photo with the outline found, flattened sheet,
28x28 input) and its description, for ``utils.plots.show``.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage
from scipy.spatial import ConvexHull, QhullError

FIND_SIZE = 160      # px of the longer side at which the sheet is looked for
SHEET_SHARE = (0.12, 0.96)  # share of the frame a sheet covers (the rest: the desk)
FIT_MIN = 0.9        # intersection over union of the bright region and its quadrilateral
EDGE_MIN = 0.08      # the paper just inside its outline is this much brighter than just outside
TRIM = 0.03          # share of each side trimmed after the perspective correction
SHEET_MAX = 640      # px of the longer side of the corrected sheet
STYLES = ("plain", "inverted", "alpha", "marker")
DESKS = {"dark wood": (0.36, 0.24, 0.14), "grey": (0.5, 0.5, 0.5),
         "light grey": (0.74, 0.74, 0.74), "coloured": (0.2, 0.4, 0.7)}
PHONE_CONDITIONS = {   # name: phone_photo's keywords; the tests and lab 06 use these
    "tight crop": {"desk": "tight"}, "margin": {"desk": None, "letter": 0.3},
    **{f"{name} desk": {"desk": name} for name in DESKS},
    "tilted 25 deg": {"desk": "grey", "tilt": 25}, "at an angle": {"desk": "dark wood", "view": 0.3, "tilt": -6},
    "shadow": {"desk": "grey", "shadow": 0.55}, "JPEG q 40": {"desk": "light grey", "tilt": -10, "jpeg": 40},
    "all at once": {"desk": "dark wood", "tilt": 15, "view": 0.25, "shadow": 0.45, "jpeg": 50}}


def _otsu(values: np.ndarray) -> float:
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


def _resize(gray: np.ndarray, shape) -> np.ndarray:
    image = Image.fromarray(gray.astype(np.float32), mode="F").resize((shape[1], shape[0]), Image.BILINEAR)
    return np.asarray(image, dtype=np.float64)


@dataclass(frozen=True)
class Sheet:
    """A sheet found in a photo: its corners (x, y in px of the photo) from top-left, clockwise."""

    corners: tuple        # ((x, y), ...) top-left, top-right, bottom-right, bottom-left
    share: float          # share of the frame the sheet covers
    tilt: float           # degrees the sheet is turned (its top edge from horizontal)
    skew: float           # perspective: 1 - shorter / longer of the opposite sides (0: seen from above)
    size: tuple           # (rows, columns) of the corrected sheet

    def __str__(self) -> str:
        corners = " ".join(f"({x:.0f}, {y:.0f})" for x, y in self.corners)
        return (f"sheet found ({self.share:.0%} of the frame; corners {corners}), turned "
                f"{self.tilt:+.1f} deg, perspective {self.skew:.0%}: corrected to an upright "
                f"{self.size[0]}x{self.size[1]} px sheet, lighting flattened")


def _quad(points: np.ndarray) -> np.ndarray:
    """Four of the convex hull's vertices enclosing the largest area (coordinate ascent)."""
    hull = points[ConvexHull(points).vertices]
    n = len(hull)
    if n <= 4:
        return hull

    def area(idx):
        x, y = hull[idx, 0], hull[idx, 1]
        return 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))

    centre = hull.mean(axis=0)
    angles = np.arctan2(*(hull - centre).T[::-1])
    idx = [int(np.argmin(np.abs((angles - a + np.pi) % (2 * np.pi) - np.pi)))
           for a in (-3 * np.pi / 4, -np.pi / 4, np.pi / 4, 3 * np.pi / 4)]
    idx = sorted(set(idx)) + [i for i in range(n) if i not in idx][:4 - len(set(idx))]
    idx = sorted(idx)
    for _ in range(10):
        before = list(idx)
        for k in range(4):
            low, high = idx[k - 1], idx[(k + 1) % 4]
            span = [(low + j) % n for j in range(1, (high - low) % n or n)]
            if span:
                idx[k] = max(span, key=lambda j: area(np.array(idx[:k] + [j] + idx[k + 1:])))
        if idx == before:
            break
    return hull[idx]


def _order(quad: np.ndarray) -> np.ndarray:
    """The corners clockwise on screen, starting where the top edge is the most horizontal."""
    centre = quad.mean(axis=0)
    quad = quad[np.argsort(np.arctan2(quad[:, 1] - centre[1], quad[:, 0] - centre[0]))]
    edges = np.roll(quad, -1, axis=0) - quad
    start = int(np.argmax(edges[:, 0] / (np.hypot(*edges.T) + 1e-9)))   # points right the most
    return np.roll(quad, -start, axis=0)


def _polygon_mask(corners: np.ndarray, shape) -> np.ndarray:
    canvas = Image.new("1", (shape[1], shape[0]), 0)
    ImageDraw.Draw(canvas).polygon([tuple(p) for p in corners], fill=1)
    return np.asarray(canvas, dtype=bool)


def find_sheet(gray: np.ndarray) -> Sheet | None:
    """The sheet of paper in a 2-D gray photo (1 = white), or None when the photo is all paper."""
    factor = min(1.0, FIND_SIZE / max(gray.shape))
    shape = tuple(max(8, round(n * factor)) for n in gray.shape)
    small = ndimage.gaussian_filter(_resize(gray, shape) if factor < 1 else gray, 1.0)
    log = np.log(np.clip(small, 0.02, 1.0))
    rows, cols = np.mgrid[0:shape[0], 0:shape[1]] / max(shape)
    plane = np.stack([np.ones(shape), rows - rows.mean(), cols - cols.mean()], axis=-1)
    close = max(3, round(0.06 * max(shape)))
    flat = log
    for _ in range(3):         # a shadow across desk and sheet: a plane in log brightness, fitted
        bright = flat > np.log(_otsu(np.exp(flat) / np.exp(flat).max())) + np.log(np.exp(flat).max())
        bright = ndimage.binary_closing(np.pad(bright, close, mode="edge"), np.ones((close, close)))
        bright = ndimage.binary_fill_holes(bright[close:-close, close:-close])
        design = np.concatenate([plane, bright[..., None]], axis=-1)[::2, ::2].reshape(-1, 4)
        coefficients = np.linalg.lstsq(design, log[::2, ::2].ravel(), rcond=None)[0]
        flat = log - plane[..., 1:] @ coefficients[1:3]          # with the sheet's step kept
    small = np.exp(flat)
    labels, count = ndimage.label(bright)
    if count == 0:
        return None
    region = labels == 1 + int(np.argmax(ndimage.sum(bright, labels, range(1, count + 1))))
    share = float(region.mean())
    if not SHEET_SHARE[0] <= share <= SHEET_SHARE[1] or region.sum() < 0.8 * bright.sum():
        return None                  # too small or large, or paper split by strokes (a tight crop)
    rows, cols = np.nonzero(region)
    try:
        quad = _order(_quad(np.column_stack([cols, rows]).astype(np.float64)))
    except QhullError:
        return None
    if len(quad) != 4:
        return None
    polygon = _polygon_mask(quad, shape)
    if (region & polygon).sum() / max((region | polygon).sum(), 1) < FIT_MIN:
        return None
    ring = max(2, round(0.02 * max(shape)))
    inside = region & ~ndimage.binary_erosion(region, iterations=ring)
    outside = ndimage.binary_dilation(region, iterations=ring) & ~region
    if not outside.any() or np.median(small[inside]) - np.median(small[outside]) < EDGE_MIN:
        return None
    corners = (quad + 0.5) / np.array([shape[1] / gray.shape[1], shape[0] / gray.shape[0]]) - 0.5
    sides = np.hypot(*(np.roll(corners, -1, axis=0) - corners).T)    # top, right, bottom, left
    width, height = (sides[0] + sides[2]) / 2, (sides[1] + sides[3]) / 2
    scale = min(1.0, SHEET_MAX / max(width, height))
    top = corners[1] - corners[0]
    if min(sides) < 0.4 * max(sides):                 # a sliver or a triangle, not a sheet
        return None
    return Sheet(corners=tuple((float(x), float(y)) for x, y in corners), share=round(share, 3),
                 tilt=round(float(np.degrees(np.arctan2(top[1], top[0]))), 1),
                 skew=round(float(max(1 - min(sides[0], sides[2]) / max(sides[0], sides[2]),
                                      1 - min(sides[1], sides[3]) / max(sides[1], sides[3]))), 3),
                 size=(max(8, round(height * scale)), max(8, round(width * scale))))


def _homography(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The 8 coefficients mapping ``source`` points (x, y) to ``target`` points projectively."""
    rows = []
    for (x, y), (u, v) in zip(source, target):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y, u])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y, v])
    system = np.array(rows, dtype=np.float64)
    return np.linalg.solve(system[:, :8], system[:, 8])


def warp(image: np.ndarray, corners, size) -> np.ndarray:
    """Map the quadrilateral ``corners`` (x, y; clockwise from top-left) of ``image`` (2-D floats)
    onto an upright rectangle of ``size`` (rows, columns)."""
    rows, cols = size
    rectangle = np.array([[0, 0], [cols, 0], [cols, rows], [0, rows]], dtype=np.float64)
    coefficients = _homography(rectangle, np.asarray(corners) + 0.5)
    out = Image.fromarray(image.astype(np.float32), mode="F").transform(
        (cols, rows), Image.PERSPECTIVE, tuple(coefficients), Image.BILINEAR)
    return np.asarray(out, dtype=np.float64)


def rectify(gray: np.ndarray, sheet: Sheet) -> np.ndarray:
    """The sheet cut out of ``gray``, upright, with ``TRIM`` of each side dropped."""
    out = warp(gray, sheet.corners, sheet.size)
    a, b = (max(1, round(TRIM * n)) for n in out.shape)
    return np.clip(out[a:-a, b:-b], 0.0, 1.0)


def flatten(sheet: np.ndarray) -> np.ndarray:
    """The sheet divided by its paper's brightness (a closing over an eighth of it): even light."""
    factor = min(1.0, 96 / max(sheet.shape))
    small = _resize(sheet, [max(8, round(n * factor)) for n in sheet.shape])
    window = max(3, round(max(small.shape) / 8))
    paper = ndimage.gaussian_filter(ndimage.grey_closing(small, size=(window, window), mode="nearest"),
                                    window / 4, mode="nearest")
    paper = _resize(paper, sheet.shape)
    return np.clip(sheet / np.maximum(paper, 0.05), 0.0, 1.0)


def prepare(gray: np.ndarray) -> tuple[np.ndarray, Sheet | None]:
    """(sheet upright and flattened, Sheet) for a photo of a sheet on a desk; else (gray, None)."""
    sheet = find_sheet(gray)
    if sheet is None:
        return gray, None
    return flatten(rectify(gray, sheet)), sheet


def _jpeg(photo: np.ndarray, quality: int) -> np.ndarray:
    buffer = io.BytesIO()
    Image.fromarray(photo).save(buffer, format="JPEG", quality=quality)
    return np.asarray(Image.open(buffer).convert(Image.fromarray(photo).mode))


def phone_photo(glyph: np.ndarray, rng: np.random.Generator, desk: str | None = "grey",
                tilt: float = 0.0, view: float = 0.0, shadow: float = 0.0, jpeg: int | None = None,
                letter: float = 0.5, sheet: float = 0.45, size: int = 320) -> np.ndarray:
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
    sheet_h = round(sheet_w * 1.3) if desk not in (None, "tight") else rows
    big = ndimage.zoom(glyph, letter * min(sheet_w, sheet_h) / max(glyph.shape), order=1)
    big = ndimage.rotate(big, rng.uniform(-5, 5), reshape=True, order=1)
    page = np.zeros((sheet_h, sheet_w))
    top = (sheet_h - big.shape[0]) // 2 + int(rng.integers(-sheet_h // 12, sheet_h // 12 + 1))
    left = (sheet_w - big.shape[1]) // 2 + int(rng.integers(-sheet_w // 12, sheet_w // 12 + 1))
    top, left = (int(np.clip(t, 0, n - m)) for t, n, m in zip((top, left), page.shape, big.shape))
    page[top:top + big.shape[0], left:left + big.shape[1]] = np.clip(big, 0, 1)
    paper = rng.uniform(0.88, 0.97) * (1 - 0.85 * page)
    if desk in (None, "tight"):
        if desk == "tight":              # cropped to the ink, with a margin of 4 % of its box
            r, c = np.nonzero(page > 0.1)
            pad = round(0.04 * max(np.ptp(r), np.ptp(c)))
            paper = paper[max(0, r.min() - pad):r.max() + pad + 1, max(0, c.min() - pad):c.max() + pad + 1]
            rows, cols = paper.shape
        photo = np.repeat(paper[..., None], 3, axis=2)
    else:
        colour = np.array(DESKS[desk])
        grain = 1 + 0.06 * np.sin(np.arange(rows)[:, None] / rng.uniform(3, 8) + rng.uniform(0, 6))
        photo = colour * grain[..., None] * np.ones((rows, cols, 1))
        h = sheet_h * (1 - 0.35 * view)                  # seen at an angle: foreshortened
        half_bottom, half_top = sheet_w / 2, sheet_w / 2 * (1 - view)
        quad = np.array([[-half_top, -h / 2], [half_top, -h / 2], [half_bottom, h / 2], [-half_bottom, h / 2]])
        turn = np.radians(tilt)
        quad = quad @ np.array([[np.cos(turn), np.sin(turn)], [-np.sin(turn), np.cos(turn)]])
        quad += [cols / 2 + rng.uniform(-0.05, 0.05) * cols, rows / 2 + rng.uniform(-0.05, 0.05) * rows]
        rectangle = np.array([[0, 0], [sheet_w, 0], [sheet_w, sheet_h], [0, sheet_h]], dtype=np.float64)
        coefficients = tuple(_homography(quad, rectangle))    # photo px -> sheet px, as PIL wants

        def project(plane):
            return np.asarray(Image.fromarray(plane.astype(np.float32), mode="F").transform(
                (cols, rows), Image.PERSPECTIVE, coefficients, Image.BILINEAR), dtype=np.float64)

        inside = project(np.ones(paper.shape))
        photo = photo * (1 - inside[..., None]) + project(paper)[..., None]
    angle = rng.uniform(0, 2 * np.pi)
    yy, xx = np.mgrid[0:rows, 0:cols] / max(rows, cols)
    along = np.cos(angle) * (xx - 0.5) + np.sin(angle) * (yy - 0.5)
    light = 1 - shadow * np.clip(along + 0.5, 0, 1)
    photo = photo * light[..., None] + rng.normal(0, 0.015, (rows, cols, 1))
    photo = (np.clip(photo, 0, 1) * 255).round().astype(np.uint8)
    return _jpeg(photo, jpeg) if jpeg else photo


def synthetic_photo(digit: np.ndarray, rng: np.random.Generator, size: int = 240,
                    style: str = "plain") -> np.ndarray:
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
        thick = ndimage.grey_dilation(digit, footprint=np.hypot(*np.mgrid[-2:3, -2:3]) <= 1.6)
        thick = ndimage.rotate(thick, rng.uniform(-12, 12), reshape=True, order=1)
        rows, cols = np.nonzero(thick > 0.2)
        thick = thick[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
        margin = rng.uniform(0.0, 0.02)
        big = np.clip(ndimage.zoom(thick, (1 - 2 * margin) * size / max(thick.shape), order=1), 0, 1)
        pad = round(margin * size)
        ink = np.pad(big, pad)
    else:
        scale = rng.uniform(0.45, 0.75) * size / 28
        big = ndimage.zoom(digit, scale, order=1)
        big = ndimage.rotate(big, rng.uniform(-12, 12), reshape=True, order=1)
        ink = np.zeros((size, size))
        h, w = (min(n, size) for n in big.shape)
        top = int(rng.integers(0, size - h + 1))
        left = int(rng.integers(0, size - w + 1))
        ink[top:top + h, left:left + w] = np.clip(big[:h, :w], 0, 1)
    if style == "alpha":
        rgba = np.zeros(ink.shape + (4,), dtype=np.uint8)
        rgba[..., 3] = np.round(ink * 255).astype(np.uint8)
        return rgba
    yy, xx = np.mgrid[0:ink.shape[0], 0:ink.shape[1]] / size
    angle = rng.uniform(0, 2 * np.pi)
    lighting = 0.75 + 0.2 * (np.cos(angle) * xx + np.sin(angle) * yy)
    paper = lighting * rng.uniform(0.85, 1.0)
    darkness = 0.9 if style == "marker" else 0.8
    photo = paper * (1 - darkness * ink) + rng.normal(0, 0.02, ink.shape)
    photo = (np.clip(photo, 0, 1) * 255).astype(np.uint8)
    return 255 - photo if style == "inverted" else photo


def photo_steps(image, title: str = ""):
    """(figure, description) of how ``to_mnist`` reads a photo: the photo with the sheet's
    outline, the sheet found (upright, flattened) and the 28x28 input; for ``show(*...)``."""
    import matplotlib.pyplot as plt

    from .handwriting import _gray, image_channels, to_mnist

    luminance, alpha = image_channels(image)
    gray = _gray(luminance, alpha)
    out, found = to_mnist(image, report=True)
    sheet = found.sheet
    flat = prepare(gray)[0] if sheet is not None else gray
    fig, axes = plt.subplots(1, 3, figsize=(8.4, 3.0))
    shown = np.asarray(image) if not isinstance(image, (str, bytes)) and np.ndim(image) == 3 else gray
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
    where = (f"a sheet was found covering {sheet.share:.0%} of the frame, turned {sheet.tilt:+.1f} "
             f"degrees with {sheet.skew:.0%} perspective, and corrected to an upright "
             f"{sheet.size[0]}x{sheet.size[1]} px sheet" if sheet else
             "no sheet on a desk was found, so the whole photo is taken as paper")
    alt = (f"{title + ': ' if title else ''}A {found.size[0]}x{found.size[1]} px photo, the sheet "
           f"found and the 28x28 input the network reads, side by side: {where}; the ink is "
           f"{found.ink}, {'inverted' if found.inverted else 'not inverted'}, its stroke "
           f"{found.stroke_mnist:.1f} px at MNIST scale ({found.correction}), mean pixel {found.mean:.3f}.")
    return fig, alt
