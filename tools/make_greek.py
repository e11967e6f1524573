"""Write the workbook's own Greek letters, ``utils/data/greek/`` (a build tool, run once).

Real writers differ in the shape of a letter, not only in its size and
slant. Each letter has several stroke-shape variants, the common ways to
write it (gamma: plain V with a tail, looped, crossed; beta: closed or open
lower bowl, narrow or wide; two or three forms of alpha, delta, epsilon and
lambda). Every image takes one variant (each equally often), draws it as pen
strokes through jittered control points with a hand tremor, and varies what
a writer varies: slant, rotation, size, aspect (narrow or wide), position,
the pen's width (aimed at 1.5-3.0 px once the letter is scaled to MNIST's
20-px box, like MNIST's digits and real letters) and the pressure along the
stroke (thinner and lighter where the pen lifts, at the ends). The ink goes
on uneven grey paper with noise. The set is deterministic (seed 2026):

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
from utils.greek import GREEK_DIR

SIZE = 133  # pixels, like the course's images
SUPERSAMPLE = 4  # strokes are drawn at 4x and downsampled for smooth edges
PER_LETTER = 12  # images per letter in the shipped set
MNIST_BOX = 20  # px: MNIST fits a digit's longer side in 20 px
PEN_MNIST = (
    1.5,
    3.0,
)  # pen width, px at MNIST scale (MNIST's quartiles 2.2-3.0, real letters' 1.7-2.1)

# Variants of each letter: a list of strokes, each a list of control points in a unit
# square (x right, y down), the way one writer draws it.
VARIANTS = {
    "alpha": {
        "fish": [
            [
                (0.80, 0.30),
                (0.66, 0.55),
                (0.45, 0.72),
                (0.27, 0.66),
                (0.24, 0.46),
                (0.38, 0.32),
                (0.55, 0.40),
                (0.70, 0.62),
                (0.86, 0.75),
            ]
        ],
        "round bowl and stem": [
            [
                (0.66, 0.38),
                (0.50, 0.30),
                (0.32, 0.38),
                (0.26, 0.56),
                (0.36, 0.72),
                (0.52, 0.70),
                (0.64, 0.55),
                (0.68, 0.36),
            ],
            [(0.68, 0.30), (0.66, 0.55), (0.70, 0.70), (0.82, 0.74)],
        ],
        "crossed loop": [
            [
                (0.84, 0.34),
                (0.70, 0.48),
                (0.52, 0.66),
                (0.34, 0.72),
                (0.20, 0.60),
                (0.26, 0.40),
                (0.44, 0.38),
                (0.62, 0.58),
                (0.72, 0.76),
            ]
        ],
    },
    "beta": {
        "closed bowls": [
            [
                (0.30, 0.95),
                (0.31, 0.55),
                (0.33, 0.25),
                (0.45, 0.12),
                (0.60, 0.18),
                (0.58, 0.35),
                (0.42, 0.43),
                (0.63, 0.50),
                (0.69, 0.65),
                (0.55, 0.77),
                (0.35, 0.72),
            ]
        ],
        "open lower bowl": [
            [
                (0.32, 0.96),
                (0.33, 0.60),
                (0.35, 0.26),
                (0.46, 0.12),
                (0.60, 0.18),
                (0.58, 0.35),
                (0.44, 0.43),
                (0.64, 0.52),
                (0.68, 0.68),
                (0.56, 0.80),
                (0.44, 0.80),
            ]
        ],
        "narrow, stem apart": [
            [(0.40, 0.20), (0.40, 0.55), (0.38, 0.96)],
            [
                (0.40, 0.22),
                (0.50, 0.10),
                (0.60, 0.16),
                (0.58, 0.33),
                (0.46, 0.42),
                (0.62, 0.52),
                (0.64, 0.68),
                (0.52, 0.78),
                (0.40, 0.72),
            ],
        ],
        "wide, open": [
            [
                (0.28, 0.95),
                (0.28, 0.55),
                (0.31, 0.26),
                (0.46, 0.13),
                (0.66, 0.17),
                (0.66, 0.33),
                (0.46, 0.43),
                (0.70, 0.50),
                (0.76, 0.66),
                (0.60, 0.78),
                (0.44, 0.78),
            ]
        ],
    },
    "gamma": {
        "V with a tail": [
            [(0.20, 0.30), (0.33, 0.34), (0.44, 0.50), (0.50, 0.64)],
            [(0.80, 0.28), (0.62, 0.46), (0.50, 0.64), (0.48, 0.80), (0.47, 0.95)],
        ],
        "looped": [
            [
                (0.20, 0.33),
                (0.34, 0.28),
                (0.46, 0.48),
                (0.54, 0.74),
                (0.52, 0.92),
                (0.42, 0.94),
                (0.42, 0.80),
                (0.56, 0.56),
                (0.80, 0.27),
            ]
        ],
        "crossed": [
            [(0.22, 0.30), (0.36, 0.36), (0.47, 0.58), (0.53, 0.80), (0.56, 0.93)],
            [(0.80, 0.28), (0.64, 0.48), (0.54, 0.70), (0.48, 0.84), (0.44, 0.94)],
        ],
    },
    "delta": {
        "hooked top": [
            [
                (0.68, 0.17),
                (0.47, 0.13),
                (0.41, 0.27),
                (0.60, 0.42),
                (0.71, 0.60),
                (0.58, 0.79),
                (0.39, 0.76),
                (0.32, 0.58),
                (0.47, 0.45),
                (0.60, 0.42),
            ]
        ],
        "straight neck": [
            [
                (0.66, 0.12),
                (0.50, 0.12),
                (0.50, 0.30),
                (0.58, 0.44),
                (0.68, 0.62),
                (0.56, 0.80),
                (0.38, 0.76),
                (0.32, 0.58),
                (0.44, 0.46),
                (0.58, 0.44),
            ]
        ],
        "small top, wide bowl": [
            [
                (0.60, 0.24),
                (0.46, 0.22),
                (0.46, 0.34),
                (0.62, 0.46),
                (0.76, 0.62),
                (0.62, 0.80),
                (0.36, 0.78),
                (0.26, 0.62),
                (0.42, 0.48),
                (0.62, 0.46),
            ]
        ],
    },
    "epsilon": {
        "two arcs": [
            [
                (0.70, 0.31),
                (0.51, 0.26),
                (0.37, 0.37),
                (0.50, 0.50),
                (0.38, 0.53),
                (0.33, 0.67),
                (0.50, 0.78),
                (0.71, 0.71),
            ]
        ],
        "looped waist": [
            [
                (0.68, 0.30),
                (0.50, 0.25),
                (0.36, 0.36),
                (0.44, 0.48),
                (0.56, 0.48),
                (0.46, 0.52),
                (0.33, 0.64),
                (0.46, 0.78),
                (0.70, 0.72),
            ]
        ],
        "arc and bar": [
            [(0.70, 0.30), (0.48, 0.26), (0.32, 0.40), (0.30, 0.58), (0.44, 0.76), (0.70, 0.74)],
            [(0.34, 0.51), (0.62, 0.50)],
        ],
    },
    "lambda": {
        "two strokes": [
            [(0.28, 0.14), (0.42, 0.19), (0.56, 0.50), (0.74, 0.86)],
            [(0.51, 0.41), (0.27, 0.86)],
        ],
        "one stroke": [
            [
                (0.26, 0.86),
                (0.40, 0.56),
                (0.50, 0.36),
                (0.44, 0.16),
                (0.36, 0.16),
                (0.48, 0.36),
                (0.62, 0.64),
                (0.76, 0.86),
            ]
        ],
        "hooked foot": [
            [(0.30, 0.12), (0.44, 0.22), (0.58, 0.56), (0.68, 0.82), (0.80, 0.84)],
            [(0.53, 0.44), (0.36, 0.66), (0.26, 0.86)],
        ],
    },
}
LETTERS = tuple(VARIANTS)


def _catmull_rom(points: np.ndarray, samples: int = 16) -> np.ndarray:
    """Return a smooth curve through ``points`` (n, 2), ``samples`` points per segment."""
    padded = np.vstack([points[0], points, points[-1]])
    t = np.linspace(0, 1, samples, endpoint=False)[:, None]
    curve = []
    for p0, p1, p2, p3 in zip(padded[:-3], padded[1:-2], padded[2:-1], padded[3:]):
        curve.append(
            0.5
            * (
                2 * p1
                + (-p0 + p2) * t
                + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2
                + (-p0 + 3 * p1 - 3 * p2 + p3) * t**3
            )
        )
    curve.append(points[-1:])
    return np.vstack(curve)


def _pressure(n: int, rng: np.random.Generator) -> np.ndarray:
    """Pen pressure (n,) along a stroke: a slow swell, lighter where the pen lands and lifts."""
    along = np.linspace(0, 1, n)
    swell = 1 + rng.uniform(0.1, 0.3) * np.sin(
        2 * np.pi * rng.uniform(0.5, 1.5) * along + rng.uniform(0, 2 * np.pi)
    )
    land, lift = rng.uniform(0.03, 0.12, 2)
    ends = np.minimum(1, 0.55 + 0.45 * np.minimum(along / land, (1 - along) / lift))
    return swell * ends


def _strokes(letter: str, variant: str, rng: np.random.Generator) -> list[np.ndarray]:
    """The letter's strokes as curves in the unit square, transformed the way one writer writes."""
    angle = np.deg2rad(rng.uniform(-10, 10))
    slant = rng.uniform(-0.35, 0.2)  # x += slant * (y - 0.5): forward < 0
    aspect = np.exp(rng.uniform(-0.3, 0.25))  # narrow (< 1) or wide (> 1)
    scale = rng.uniform(0.72, 1.02)
    transform = (
        scale
        * np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
        @ np.array([[aspect, slant], [0.0, 1.0]])
    )
    offset = rng.uniform(-0.06, 0.06, 2)
    curves = []
    for stroke in VARIANTS[letter][variant]:
        points = np.array(stroke) + rng.normal(0, 0.02, (len(stroke), 2))
        curve = _catmull_rom(points)
        phase = rng.uniform(0, 2 * np.pi, 2)  # a slow tremor of the hand
        along = np.linspace(0, 2 * np.pi * rng.uniform(1, 3), len(curve))[:, None]
        curve = curve + 0.006 * np.sin(along + phase)
        curves.append((curve - 0.5) @ transform.T + 0.5 + offset)
    return curves


def draw_letter(
    letter: str, rng: np.random.Generator, size: int = SIZE, variant: str | None = None
) -> Image.Image:
    """Return one handwriting-like image of ``letter`` (grayscale PIL image, dark ink on paper).

    ``variant`` names one of the letter's forms (``VARIANTS[letter]``); None picks one at random.
    """
    if letter not in VARIANTS:
        raise ValueError(f"unknown letter {letter!r}; choose one of {', '.join(LETTERS)}.")
    forms = list(VARIANTS[letter])
    if variant is None:
        variant = forms[rng.integers(len(forms))]
    elif variant not in VARIANTS[letter]:
        raise ValueError(f"unknown {letter} variant {variant!r}; choose one of {', '.join(forms)}.")
    big = size * SUPERSAMPLE
    curves = _strokes(letter, variant, rng)
    every = np.vstack(curves)
    extent = (every.max(axis=0) - every.min(axis=0)).max() * big  # the letter's longer side
    narrow = (every.max(axis=0) - every.min(axis=0)).min() * big  # its shorter side
    pen = min(rng.uniform(*PEN_MNIST) / MNIST_BOX * extent, 0.25 * narrow)  # no blots
    ink = Image.new("L", (big, big), 0)
    draw = ImageDraw.Draw(ink)
    for curve in curves:
        pressure = _pressure(len(curve), rng)
        for (x0, y0), (x1, y1), p in zip(curve[:-1] * big, curve[1:] * big, pressure):
            width = max(1, int(round(pen * p)))
            shade = int(255 * min(1.0, 0.6 + 0.4 * p))
            draw.line([(x0, y0), (x1, y1)], fill=shade, width=width)
            draw.ellipse(
                [x0 - width / 2, y0 - width / 2, x0 + width / 2, y0 + width / 2], fill=shade
            )
    ink = ink.filter(ImageFilter.GaussianBlur(SUPERSAMPLE * 0.6)).resize(
        (size, size), Image.LANCZOS
    )
    coverage = np.asarray(ink, dtype=np.float64) / 255
    yy, xx = np.mgrid[0:size, 0:size] / size
    paper = (
        rng.uniform(185, 225)
        + rng.uniform(-18, 18) * (xx - 0.5)
        + rng.uniform(-18, 18) * (yy - 0.5)
    )
    ink_level = rng.uniform(30, 80)
    pixels = paper * (1 - coverage) + ink_level * coverage + rng.normal(0, 3, (size, size))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), mode="L")


def write_letter_set(
    folder: Path = GREEK_DIR, per_letter: int = PER_LETTER, seed: int = 2026
) -> None:
    """Write ``per_letter`` images of every letter to ``folder/<letter>/<letter>_NNN.png``.

    The variants of a letter take turns in a shuffled order, so each is drawn equally often.
    """
    rng = np.random.default_rng(seed)
    for letter in LETTERS:
        (folder / letter).mkdir(parents=True, exist_ok=True)
        forms = list(VARIANTS[letter])
        order = rng.permutation(np.resize(np.arange(len(forms)), per_letter))
        for i, form in enumerate(order, start=1):
            image = draw_letter(letter, rng, variant=forms[form])
            image.save(folder / letter / f"{letter}_{i:03d}.png", optimize=True)


def main(argv: list[str] | None = None) -> None:
    """Write the set to the folder given on the command line, else to GREEK_DIR."""
    argv = sys.argv[1:] if argv is None else argv
    target = Path(argv[0]) if argv else GREEK_DIR
    write_letter_set(target)
    print(f"wrote {PER_LETTER} images of each of {', '.join(LETTERS)} to {target}")


if __name__ == "__main__":
    main()
