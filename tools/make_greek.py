"""Write the workbook's own Greek letters, ``utils/data/greek/`` (a build tool, run once).

Each letter is a few pen strokes through control points, jittered, slanted,
scaled and rotated at random, drawn with a pen whose width varies along the
stroke, on uneven grey paper with noise. The set is deterministic (seed 2026):

    python tools/make_greek.py            # rewrites utils/data/greek/, identical files
    python tools/make_greek.py /tmp/more  # the same set somewhere else

Lab 08 only reads the images (``utils.greek.load_letter_folder``); nothing in
``utils`` imports this file.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from utils.greek import GREEK_DIR  # noqa: E402

SIZE = 133          # pixels, like the course's images
SUPERSAMPLE = 4     # strokes are drawn at 4x and downsampled for smooth edges
PER_LETTER = 12     # images per letter in the shipped set

# Control points of each letter's strokes in a unit square (x right, y down).
STROKES = {
    "alpha": [[(0.80, 0.30), (0.66, 0.55), (0.45, 0.72), (0.27, 0.66), (0.24, 0.46), (0.38, 0.32),
               (0.55, 0.40), (0.70, 0.62), (0.86, 0.75)]],
    "beta": [[(0.30, 0.95), (0.31, 0.55), (0.33, 0.25), (0.45, 0.12), (0.60, 0.18), (0.58, 0.35),
              (0.42, 0.43), (0.63, 0.50), (0.69, 0.65), (0.55, 0.77), (0.35, 0.72)]],
    "gamma": [[(0.20, 0.33), (0.34, 0.28), (0.47, 0.50), (0.51, 0.78), (0.47, 0.92), (0.43, 0.82),
               (0.55, 0.55), (0.80, 0.27)]],
    "delta": [[(0.68, 0.17), (0.47, 0.13), (0.41, 0.27), (0.60, 0.42), (0.71, 0.60), (0.58, 0.79),
               (0.39, 0.76), (0.32, 0.58), (0.47, 0.45), (0.60, 0.42)]],
    "epsilon": [[(0.70, 0.31), (0.51, 0.26), (0.37, 0.37), (0.50, 0.50), (0.38, 0.53), (0.33, 0.67),
                 (0.50, 0.78), (0.71, 0.71)]],
    "lambda": [[(0.28, 0.14), (0.42, 0.19), (0.56, 0.50), (0.74, 0.86)], [(0.51, 0.41), (0.27, 0.86)]],
}
LETTERS = tuple(STROKES)


def _catmull_rom(points: np.ndarray, samples: int = 16) -> np.ndarray:
    """Return a smooth curve through ``points`` (n, 2), ``samples`` points per segment."""
    padded = np.vstack([points[0], points, points[-1]])
    t = np.linspace(0, 1, samples, endpoint=False)[:, None]
    curve = []
    for p0, p1, p2, p3 in zip(padded[:-3], padded[1:-2], padded[2:-1], padded[3:]):
        curve.append(0.5 * (2 * p1 + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t ** 2
                            + (-p0 + 3 * p1 - 3 * p2 + p3) * t ** 3))
    curve.append(points[-1:])
    return np.vstack(curve)


def draw_letter(letter: str, rng: np.random.Generator, size: int = SIZE) -> Image.Image:
    """Return one handwriting-like image of ``letter`` (grayscale PIL image, dark ink on paper)."""
    if letter not in STROKES:
        raise ValueError(f"unknown letter {letter!r}; choose one of {', '.join(LETTERS)}.")
    big = size * SUPERSAMPLE
    angle = np.deg2rad(rng.uniform(-10, 10))
    slant = rng.uniform(-0.3, 0.15)
    scale = rng.uniform(0.8, 1.05)
    transform = scale * np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]]) @ \
        np.array([[1.0, slant], [0.0, 1.0]])
    offset = rng.uniform(-0.05, 0.05, 2)
    pen = rng.uniform(2.2, 5.5) * SUPERSAMPLE
    ink = Image.new("L", (big, big), 0)
    draw = ImageDraw.Draw(ink)
    for stroke in STROKES[letter]:
        points = np.array(stroke) + rng.normal(0, 0.018, (len(stroke), 2))
        curve = (_catmull_rom(points) - 0.5) @ transform.T + 0.5 + offset
        pressure = 1 + 0.35 * np.sin(np.linspace(0, np.pi * rng.uniform(1, 3), len(curve)) + rng.uniform(0, 6))
        for (x0, y0), (x1, y1), p in zip(curve[:-1] * big, curve[1:] * big, pressure):
            width = max(1, int(pen * p))
            draw.line([(x0, y0), (x1, y1)], fill=255, width=width)
            draw.ellipse([x0 - width / 2, y0 - width / 2, x0 + width / 2, y0 + width / 2], fill=255)
    ink = ink.filter(ImageFilter.GaussianBlur(SUPERSAMPLE * 0.6)).resize((size, size), Image.LANCZOS)
    coverage = np.asarray(ink, dtype=np.float64) / 255
    yy, xx = np.mgrid[0:size, 0:size] / size
    paper = rng.uniform(185, 225) + rng.uniform(-18, 18) * (xx - 0.5) + rng.uniform(-18, 18) * (yy - 0.5)
    ink_level = rng.uniform(35, 80)
    pixels = paper * (1 - coverage) + ink_level * coverage + rng.normal(0, 3, (size, size))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), mode="L")


def write_letter_set(folder: Path = GREEK_DIR, per_letter: int = PER_LETTER, seed: int = 2026) -> None:
    """Write ``per_letter`` images of every letter to ``folder/<letter>/<letter>_NNN.png``."""
    rng = np.random.default_rng(seed)
    for letter in LETTERS:
        (folder / letter).mkdir(parents=True, exist_ok=True)
        for i in range(1, per_letter + 1):
            draw_letter(letter, rng).save(folder / letter / f"{letter}_{i:03d}.png", optimize=True)


def main(argv: list[str] | None = None) -> None:
    """Write the set to the folder given on the command line, else to GREEK_DIR."""
    argv = sys.argv[1:] if argv is None else argv
    target = Path(argv[0]) if argv else GREEK_DIR
    write_letter_set(target)
    print(f"wrote {PER_LETTER} images of each of {', '.join(LETTERS)} to {target}")


if __name__ == "__main__":
    main()
