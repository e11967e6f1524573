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

``utils.synthetic_photos`` makes such photos (tests, lab 06);
``utils.handwriting.photo_steps`` draws the stages.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage
from scipy.spatial import ConvexHull, QhullError

from .images import NOISE_SIGMA, otsu_threshold

FIND_SIZE = 160  # px of the longer side at which the sheet is looked for
SHEET_SHARE = (0.12, 0.96)  # share of the frame a sheet covers (the rest: the desk)
FIT_MIN = 0.9  # intersection over union of the bright region and its quadrilateral
EDGE_MIN = 0.08  # the paper just inside its outline is this much brighter than just outside
TRIM = 0.03  # share of each side trimmed after the perspective correction
SHEET_MAX = 640  # px of the longer side of the corrected sheet
MIN_SIDE = 8  # px: the smallest side of a reduced photo or a corrected sheet
LOG_FLOOR = 0.02  # brightness clipped to this before its log (black has no log)
CLOSE_SHARE = 0.06  # the ink is closed over with a window this share of the longer side
SHADOW_ROUNDS = 3  # rounds of fitting the shadow (a plane in log brightness) and the sheet
SHEET_OF_BRIGHT = 0.8  # the sheet holds at least this share of the bright class
EDGE_RING = 0.02  # width of the rings just inside and outside the outline, share of the longer side
SIDE_MIN = 0.4  # no side of the sheet is shorter than this share of the longest
QUAD_ROUNDS = 10  # rounds of coordinate ascent for the four corners
FLAT_SIZE = 96  # px of the longer side at which the paper's brightness is estimated
LIGHT_PARTS = 8  # ... by a closing over this part of the sheet (wider than any stroke),
LIGHT_SMOOTH = 4  # ... smoothed by a Gaussian of a window / LIGHT_SMOOTH
PAPER_FLOOR = 0.05  # the paper's brightness is never taken as darker than this


def _resize(gray: np.ndarray, shape) -> np.ndarray:
    image = Image.fromarray(gray.astype(np.float32), mode="F").resize(
        (shape[1], shape[0]), Image.BILINEAR
    )
    return np.asarray(image, dtype=np.float64)


@dataclass(frozen=True)
class Sheet:
    """A sheet found in a photo: its corners (x, y in px of the photo) from top-left, clockwise."""

    corners: tuple  # ((x, y), ...) top-left, top-right, bottom-right, bottom-left
    share: float  # share of the frame the sheet covers
    tilt: float  # degrees the sheet is turned (its top edge from horizontal)
    skew: float  # perspective: 1 - shorter / longer of the opposite sides (0: seen from above)
    size: tuple  # (rows, columns) of the corrected sheet

    def __str__(self) -> str:
        corners = " ".join(f"({x:.0f}, {y:.0f})" for x, y in self.corners)
        return (
            f"sheet found ({self.share:.0%} of the frame; corners {corners}), turned "
            f"{self.tilt:+.1f} deg, perspective {self.skew:.0%}: corrected to an upright "
            f"{self.size[0]}x{self.size[1]} px sheet, lighting flattened"
        )


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
    idx = [
        int(np.argmin(np.abs((angles - a + np.pi) % (2 * np.pi) - np.pi)))
        for a in (-3 * np.pi / 4, -np.pi / 4, np.pi / 4, 3 * np.pi / 4)
    ]
    idx = sorted(set(idx)) + [i for i in range(n) if i not in idx][: 4 - len(set(idx))]
    idx = sorted(idx)
    for _ in range(QUAD_ROUNDS):
        before = list(idx)
        for k in range(4):
            low, high = idx[k - 1], idx[(k + 1) % 4]
            span = [(low + j) % n for j in range(1, (high - low) % n or n)]
            if span:
                idx[k] = max(span, key=lambda j: area(np.array(idx[:k] + [j] + idx[k + 1 :])))
        if idx == before:
            break
    return hull[idx]


def _order(quad: np.ndarray) -> np.ndarray:
    """The corners clockwise on screen, starting where the top edge is the most horizontal."""
    centre = quad.mean(axis=0)
    quad = quad[np.argsort(np.arctan2(quad[:, 1] - centre[1], quad[:, 0] - centre[0]))]
    edges = np.roll(quad, -1, axis=0) - quad
    start = int(np.argmax(edges[:, 0] / (np.hypot(*edges.T) + 1e-9)))  # points right the most
    return np.roll(quad, -start, axis=0)


def _polygon_mask(corners: np.ndarray, shape) -> np.ndarray:
    canvas = Image.new("1", (shape[1], shape[0]), 0)
    ImageDraw.Draw(canvas).polygon([tuple(p) for p in corners], fill=1)
    return np.asarray(canvas, dtype=bool)


def find_sheet(gray: np.ndarray) -> Sheet | None:
    """The sheet of paper in a 2-D gray photo (1 = white), or None when the photo is all paper."""
    factor = min(1.0, FIND_SIZE / max(gray.shape))
    shape = tuple(max(MIN_SIDE, round(n * factor)) for n in gray.shape)
    small = ndimage.gaussian_filter(_resize(gray, shape) if factor < 1 else gray, NOISE_SIGMA)
    log = np.log(np.clip(small, LOG_FLOOR, 1.0))
    rows, cols = np.mgrid[0 : shape[0], 0 : shape[1]] / max(shape)
    plane = np.stack([np.ones(shape), rows - rows.mean(), cols - cols.mean()], axis=-1)
    close = max(3, round(CLOSE_SHARE * max(shape)))
    flat = log
    for _ in range(
        SHADOW_ROUNDS
    ):  # a shadow across desk and sheet: a plane in log brightness, fitted
        bright = flat > np.log(otsu_threshold(np.exp(flat) / np.exp(flat).max())) + np.log(
            np.exp(flat).max()
        )
        bright = ndimage.binary_closing(np.pad(bright, close, mode="edge"), np.ones((close, close)))
        bright = ndimage.binary_fill_holes(bright[close:-close, close:-close])
        design = np.concatenate([plane, bright[..., None]], axis=-1)[::2, ::2].reshape(-1, 4)
        coefficients = np.linalg.lstsq(design, log[::2, ::2].ravel(), rcond=None)[0]
        flat = log - plane[..., 1:] @ coefficients[1:3]  # with the sheet's step kept
    small = np.exp(flat)
    labels, count = ndimage.label(bright)
    if count == 0:
        return None
    region = labels == 1 + int(np.argmax(ndimage.sum(bright, labels, range(1, count + 1))))
    share = float(region.mean())
    if (
        not SHEET_SHARE[0] <= share <= SHEET_SHARE[1]
        or region.sum() < SHEET_OF_BRIGHT * bright.sum()
    ):
        return None  # too small or large, or paper split by strokes (a tight crop)
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
    ring = max(2, round(EDGE_RING * max(shape)))
    inside = region & ~ndimage.binary_erosion(region, iterations=ring)
    outside = ndimage.binary_dilation(region, iterations=ring) & ~region
    if not outside.any() or np.median(small[inside]) - np.median(small[outside]) < EDGE_MIN:
        return None
    corners = (quad + 0.5) / np.array([shape[1] / gray.shape[1], shape[0] / gray.shape[0]]) - 0.5
    sides = np.hypot(*(np.roll(corners, -1, axis=0) - corners).T)  # top, right, bottom, left
    width, height = (sides[0] + sides[2]) / 2, (sides[1] + sides[3]) / 2
    scale = min(1.0, SHEET_MAX / max(width, height))
    top = corners[1] - corners[0]
    if min(sides) < SIDE_MIN * max(sides):  # a sliver or a triangle, not a sheet
        return None
    return Sheet(
        corners=tuple((float(x), float(y)) for x, y in corners),
        share=round(share, 3),
        tilt=round(float(np.degrees(np.arctan2(top[1], top[0]))), 1),
        skew=round(
            float(
                max(
                    1 - min(sides[0], sides[2]) / max(sides[0], sides[2]),
                    1 - min(sides[1], sides[3]) / max(sides[1], sides[3]),
                )
            ),
            3,
        ),
        size=(max(MIN_SIDE, round(height * scale)), max(MIN_SIDE, round(width * scale))),
    )


def homography(source: np.ndarray, target: np.ndarray) -> np.ndarray:
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
    coefficients = homography(rectangle, np.asarray(corners) + 0.5)
    out = Image.fromarray(image.astype(np.float32), mode="F").transform(
        (cols, rows), Image.PERSPECTIVE, tuple(coefficients), Image.BILINEAR
    )
    return np.asarray(out, dtype=np.float64)


def rectify(gray: np.ndarray, sheet: Sheet) -> np.ndarray:
    """The sheet cut out of ``gray``, upright, with ``TRIM`` of each side dropped."""
    out = warp(gray, sheet.corners, sheet.size)
    a, b = (max(1, round(TRIM * n)) for n in out.shape)
    return np.clip(out[a:-a, b:-b], 0.0, 1.0)


def flatten(sheet: np.ndarray) -> np.ndarray:
    """The sheet divided by its paper's brightness (a closing over an eighth of it): even light."""
    factor = min(1.0, FLAT_SIZE / max(sheet.shape))
    small = _resize(sheet, [max(MIN_SIDE, round(n * factor)) for n in sheet.shape])
    window = max(3, round(max(small.shape) / LIGHT_PARTS))
    paper = ndimage.gaussian_filter(
        ndimage.grey_closing(small, size=(window, window), mode="nearest"),
        window / LIGHT_SMOOTH,
        mode="nearest",
    )
    paper = _resize(paper, sheet.shape)
    return np.clip(sheet / np.maximum(paper, PAPER_FLOOR), 0.0, 1.0)


def prepare(gray: np.ndarray) -> tuple[np.ndarray, Sheet | None]:
    """(sheet upright and flattened, Sheet) for a photo of a sheet on a desk; else (gray, None)."""
    sheet = find_sheet(gray)
    if sheet is None:
        return gray, None
    return flatten(rectify(gray, sheet)), sheet
