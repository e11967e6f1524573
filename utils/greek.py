"""Greek letters for lab 08: the shipped set's folder, a folder loader, the course's preprocessing,
and two kinds of made-up writer who redraw a letter.

The shipped set in ``utils/data/greek/`` is made by ``tools/make_greek.py``
(a build tool, not imported by the labs). ``rewrite`` redraws a letter
photo as another writer might (slant, turn, proportions, pen, paper: the
letters lab 08 chooses its method on), ``nib_rewrite`` as a writer of
another kind (centre line, perspective, bends, a flat calligraphy nib: the
letters it reports on).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image
from scipy import ndimage

from .images import IMAGE_SUFFIXES, to_grayscale
from .ink import dark_ink

GREEK_DIR = Path(__file__).with_name("data") / "greek"
COURSE_SIZE = 133  # px, the side of the course's photos
COURSE_SCALE = 36 / 128  # the course's resize factor for those photos (133 px -> 37 px)


def load_letter_folder(path=GREEK_DIR, letters=None):
    """Return (images, labels, class names) from a folder laid out as
    ``<letter>/<image files>`` (lab 08).

    Images are uint8 grayscale arrays, dark ink on light paper (they may differ
    in size). Any image file PIL reads is accepted (PNG, JPEG, ...) in any mode:
    a drawing whose ink is in the alpha channel becomes dark ink on white, and
    light ink on a dark background is inverted (``utils.handwriting``). Labels
    index the sorted class names; ``letters`` keeps only those sub-folders.
    """
    root = Path(path).expanduser()
    if not root.is_dir():
        raise FileNotFoundError(
            f"no folder {root}: it should hold one sub-folder of images per letter."
        )

    def files_of(folder: Path) -> list[Path]:
        return sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)

    class_dirs = sorted(d for d in root.iterdir() if d.is_dir() and files_of(d))
    if letters is not None:
        missing = set(letters) - {d.name for d in class_dirs}
        if missing:
            raise FileNotFoundError(f"{root} has no images for {sorted(missing)}.")
        class_dirs = [d for d in class_dirs if d.name in letters]
    if not class_dirs:
        raise FileNotFoundError(f"{root} has no sub-folders with images (expected <letter>/*.png).")
    images, labels = [], []
    for label, folder in enumerate(class_dirs):
        for file in files_of(folder):
            try:
                gray = to_grayscale(file)
            except OSError as err:
                raise ValueError(f"cannot read {file}: {err}. Replace or delete the file.") from err
            if not dark_ink(gray):
                gray = 1.0 - gray
            images.append(np.round(gray * 255).astype(np.uint8))
            labels.append(label)
    return images, np.array(labels), [d.name for d in class_dirs]


def course_preprocess(image, stretch: bool = False) -> np.ndarray:
    """Return the course's 28x28 input (float32 in [0, 1], white ink on black) for a letter image.

    The course's recipe for its 133-px photos: grayscale, scale by 36/128 (to
    37 px), cut the central 28x28, invert. Here the scale is relative to the
    image: the longer side becomes 37 px whatever its size, so a 512-px photo
    of a letter gives the same input as a 133-px one. ``image``: a path, PIL
    image or array of any mode (transparency as in ``to_grayscale``).
    ``stretch=True`` adds a step the course did not have: map the paper to 0
    and the darkest ink to 1, as in MNIST.
    """
    gray = Image.fromarray(np.round(to_grayscale(image) * 255).astype(np.uint8))
    width, height = gray.size
    factor = COURSE_SCALE * COURSE_SIZE / max(width, height)
    scaled = gray.resize(
        (max(28, round(width * factor)), max(28, round(height * factor))), Image.BILINEAR
    )
    left, top = (scaled.size[0] - 28) // 2, (scaled.size[1] - 28) // 2
    inverted = (
        1.0 - np.asarray(scaled.crop((left, top, left + 28, top + 28)), dtype=np.float32) / 255
    )
    if stretch:
        paper = np.median(inverted)
        inverted = np.clip((inverted - paper) / max(inverted.max() - paper, 1e-6), 0.0, 1.0)
    return inverted


def rewrite(image, rng):
    """The letter of a photo (uint8, dark ink) as another writer might
    write it: slanted, turned, narrower or wider, smaller or larger, with
    a thinner or thicker, lighter or darker pen, on other paper."""
    photo = np.asarray(image, dtype=np.float64)
    paper = np.median(photo)
    ink = np.clip((paper - photo) / max(paper - photo.min(), 1.0), 0, 1)
    angle = np.deg2rad(rng.uniform(-12, 12))
    turn = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    shape = (
        np.array([[1.0, 0.0], [rng.uniform(-0.35, 0.35), 1.0]])
        @ np.diag([1.0, rng.uniform(0.8, 1.2)])
        * rng.uniform(0.8, 1.1)
    )
    forward = turn @ shape  # (row, column) of the letter -> output
    back = np.linalg.inv(forward)
    centre = (np.array(ink.shape) - 1) / 2
    shift = rng.uniform(-6, 6, 2)
    ink = ndimage.affine_transform(ink, back, centre - back @ (centre + shift), order=1)
    mask = ink > 0.5
    edge = (mask & ~ndimage.binary_erosion(mask)).sum()
    width = 2 * mask.sum() / max(edge, 1)  # stroke width, px
    thinnest = -min(2, int((width - 2) // 2))  # keep 2 px of every stroke
    pen = int(rng.integers(thinnest, 3))  # px added to each side
    if pen:
        grow = ndimage.grey_dilation if pen > 0 else ndimage.grey_erosion
        ink = grow(ink, footprint=np.ones((2 * abs(pen) + 1,) * 2))
    rows, cols = np.mgrid[0 : ink.shape[0], 0 : ink.shape[1]] / ink.shape[0]
    level = (
        rng.uniform(175, 235)
        + rng.uniform(-15, 15) * (cols - 0.5)
        + rng.uniform(-15, 15) * (rows - 0.5)
    )
    dark = rng.uniform(0.45, 1.0) * (level - rng.uniform(20, 70))
    photo = level - dark * ink + rng.normal(0, 3, ink.shape)
    return np.clip(photo, 0, 255).astype(np.uint8)


def _thin(mask):
    """The 1-px centre lines of a boolean image (Zhang-Suen thinning)."""
    skeleton = np.pad(np.asarray(mask, dtype=bool), 1)
    offsets = (
        (-1, 0),
        (-1, 1),
        (0, 1),
        (1, 1),
        (1, 0),
        (1, -1),
        (0, -1),
        (-1, -1),
    )  # P2 ... P9, clockwise from north
    while True:
        changed = False
        for step in (0, 1):
            n = [np.roll(skeleton, (-r, -c), (0, 1)).astype(np.int8) for r, c in offsets]
            count = sum(n)
            ring = n + n[:1]
            turns = sum((a == 0) & (b == 1) for a, b in zip(ring, ring[1:]))
            if step == 0:
                side = (n[0] * n[2] * n[4] == 0) & (n[2] * n[4] * n[6] == 0)
            else:
                side = (n[0] * n[2] * n[6] == 0) & (n[0] * n[4] * n[6] == 0)
            remove = skeleton & (count >= 2) & (count <= 6) & (turns == 1) & side
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
    footprint[
        np.round(half - t * np.sin(angle)).astype(int),
        np.round(half + t * np.cos(angle)).astype(int),
    ] = True
    return ndimage.binary_dilation(footprint, np.ones((thickness,) * 2, dtype=bool))


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
    p = np.stack(
        [
            p[:, 0] * np.cos(twist) - p[:, 1] * np.sin(twist),
            p[:, 0] * np.sin(twist) + p[:, 1] * np.cos(twist),
        ],
        1,
    )
    p *= rng.uniform(0.6, 0.9) / max(np.abs(p).max(), 1e-6)
    fine_shape = tuple(oversample * np.array(ink.shape))
    points = np.round((p + 1) / 2 * (size - 1) * oversample).astype(int)
    points = np.clip(points, 0, np.array(fine_shape) - 1)
    line = np.zeros(fine_shape, dtype=bool)
    line[points[:, 0], points[:, 1]] = True
    line = ndimage.binary_dilation(line, np.ones((5, 5), dtype=bool))
    nib = _nib(rng.uniform(7, 13) * oversample, np.deg2rad(rng.uniform(20, 70)), oversample)
    strokes = (
        ndimage.binary_dilation(line, nib)
        .reshape(ink.shape[0], oversample, ink.shape[1], oversample)
        .mean((1, 3))
    )
    blots = ndimage.gaussian_filter(rng.normal(0, 1, ink.shape), 12)
    level = rng.uniform(170, 230) + 15 * blots / max(np.abs(blots).max(), 1e-6)
    dark = rng.uniform(0.5, 1.0) * (level - rng.uniform(15, 60))
    photo = level - dark * strokes + rng.normal(0, 4, ink.shape)
    return np.clip(photo, 0, 255).astype(np.uint8)
