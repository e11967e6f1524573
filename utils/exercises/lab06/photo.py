"""Check of exercise 6.9 (mnist_box)."""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from .. import require

# --- 6.9: the MNIST box ----------------------------------------------------


def _rectangle(shape, box, value, offset):
    ink = np.zeros(shape)
    ink[offset[0] : offset[0] + box[0], offset[1] : offset[1] + box[1]] = value
    return ink


def _strokes(rng: np.random.Generator, side: int) -> np.ndarray:
    """A made-up character: a thick random polyline, anti-aliased, on 0."""
    yy, xx = np.mgrid[:side, :side].astype(float)
    ink = np.zeros((side, side))
    points = rng.uniform(0.15 * side, 0.85 * side, size=(4, 2))
    half_width = 0.05 * side
    for a, b in zip(points[:-1], points[1:]):
        along = b - a
        t = np.clip(((yy - a[0]) * along[0] + (xx - a[1]) * along[1]) / (along @ along), 0, 1)
        distance = np.hypot(yy - a[0] - t * along[0], xx - a[1] - t * along[1])
        ink = np.maximum(ink, np.clip(half_width + 0.5 - distance, 0, 1))
    return ink


def _extent(image: np.ndarray, level: float) -> tuple[int, int]:
    rows, cols = np.nonzero(image >= level)
    require(
        len(rows) > 0,
        f"no pixel of the result reaches {level:.2f}, "
        "half the ink's value: keep the ink's values, do not normalise.",
    )
    return int(np.ptp(rows)) + 1, int(np.ptp(cols)) + 1


def _box_output(mnist_box, ink: np.ndarray) -> np.ndarray:
    given = ink.copy()
    out = mnist_box(given)
    require(np.array_equal(given, ink), "mnist_box changed the array passed in: work on a copy.")
    require(isinstance(out, np.ndarray), f"return a NumPy array, got {type(out).__name__}.")
    require(out.shape == (28, 28), f"return a (28, 28) image, got shape {out.shape}.")
    require(out.dtype == np.float32, f"return float32 (what the network takes), got {out.dtype}.")
    require(np.isfinite(out).all(), "the result holds NaN or inf.")
    require(
        out.min() >= -1e-6,
        f"the result has negative pixels "
        f"({out.min():.3f}): clip the resize filter's ringing at 0, and "
        "shift with ndimage.shift(..., order=1) (the default cubic "
        "spline rings below 0 again) or clip after the shift.",
    )
    return out


def _raises_value_error(mnist_box, bad: np.ndarray, what: str, says: str) -> None:
    """``mnist_box(bad)`` raises ValueError whose message names ``says``
    (the checks are written for the student: kept as given)."""
    try:
        mnist_box(bad)
    except ValueError as err:
        require(
            says in str(err).lower(),
            f"for {what} raise ValueError with "
            f"a message that says what is wrong (the check written for "
            f"you mentions {says!r}); got {str(err)!r}.",
        )
        return
    except Exception as err:
        raise AssertionError(
            f"for {what} raise ValueError with a clear message, not {type(err).__name__} ({err})."
        ) from None
    raise AssertionError(
        f"for {what} mnist_box returned instead of raising ValueError with a clear message."
    )


def check_mnist_box(mnist_box, seed: int = 0) -> str:
    """mnist_box(ink): crop, fit the longer side to 20 px, centre by mass."""
    rng = np.random.default_rng(seed)
    # a made-up character, at two places in a larger image
    character = _strokes(rng, int(rng.integers(60, 140)))
    side = character.shape[0]
    placed = []
    shift = (int(rng.integers(5, 60)), int(rng.integers(5, 60)))
    for corner in [(0, 0), shift]:
        canvas = np.zeros((side + 60, side + 60))
        canvas[corner[0] : corner[0] + side, corner[1] : corner[1] + side] = character
        placed.append(_box_output(mnist_box, canvas))
    require(
        np.allclose(placed[0], placed[1], atol=1e-5),
        "the result depends on where the ink is in the input: crop to "
        "the bounding box of the pixels > 0 first.",
    )
    # a tall filled rectangle, shrunk: 20 px high, width in proportion
    height = int(rng.integers(50, 121))
    width = int(height * rng.uniform(0.3, 0.6))
    value = rng.uniform(0.5, 1.0)
    frame = (height + 40, width + 50)
    tall = _rectangle(
        frame, (height, width), value, (int(rng.integers(0, 40)), int(rng.integers(0, 50)))
    )
    out = _box_output(mnist_box, tall)
    right_cols = 20 * width / height
    rows, cols = _extent(out, value / 2)
    require(
        rows < 26,
        "the longer side fills the canvas: fit it into 20 px and leave MNIST's 4-px margin.",
    )
    require(
        abs(rows - 20) <= 1,
        f"a {height}x{width} block came out {rows} px high: resize it so "
        "that the LONGER side is 20 px.",
    )
    require(
        not (abs(cols - 20) <= 1 and right_cols < 18),
        f"a {height}x{width} block came out {rows}x{cols}: keep the "
        f"aspect ratio (about {right_cols:.1f} px wide).",
    )
    require(
        abs(cols - right_cols) <= 1.5,
        f"a {height}x{width} block came out {rows}x{cols}; with the "
        f"aspect ratio kept it is 20x{right_cols:.1f}.",
    )
    mass, right_mass = float(out.sum()), value * 20 * right_cols
    require(
        abs(mass - right_mass) <= 0.1 * right_mass,
        f"the ink of the result sums to {mass:.1f}; a block of value "
        f"{value:.2f} and 20x{right_cols:.1f} px holds about "
        f"{right_mass:.1f}: keep the ink's values, resize, do not "
        "normalise.",
    )
    centre = np.array(ndimage.center_of_mass(placed[0]))
    require(
        np.abs(centre - 14).max() <= 0.05,
        f"the centre of mass of the result is at row {centre[0]:.2f}, "
        f"column {centre[1]:.2f}: shift the image so that it is at "
        "(14, 14), MNIST's centre, by a fraction of a pixel if need be "
        "(ndimage.shift; np.roll moves whole pixels). Centring the "
        "bounding box is not the same.",
    )
    # a square whose side times 20 / side is not 20 in floating point
    side = int(rng.choice([77, 154]))
    square = _rectangle((side + 20, side + 30), (side, side), value, (7, 11))
    mass = float(_box_output(mnist_box, square).sum())
    require(
        abs(mass - value * 400) <= 0.02 * value * 400,
        f"a {side}x{side} block should become 20x20 px of ink {value:.2f} "
        f"(sum {value * 400:.1f}), got a sum of {mass:.1f}: 20 / {side} * "
        f"{side} is {20 / side * side!r} in floating point, so round the "
        "sizes (round(...)), do not truncate them (int(...)).",
    )
    # a symmetric frame of 1-px lines: every edge of the crop counts
    frame = np.zeros((60, 50))
    frame[8, 6:40] = frame[51, 6:40] = frame[8:52, 6] = frame[8:52, 39] = 1.0
    out = _box_output(mnist_box, frame)
    mirror = out[1:, 1:][::-1, ::-1]
    require(
        np.abs(out[1:, 1:] - mirror).max() <= 0.01 * out.max(),
        "a symmetric frame of 1-px lines came out lopsided: the crop "
        "must keep the last row and column of ink (rows.max() + 1 as "
        "the end of the slice), and the centre of mass go to (14, 14).",
    )
    # any float type of ink: float16 (PIL cannot resize it) and float64
    half = _box_output(mnist_box, frame.astype(np.float16))
    require(
        np.allclose(half, out, atol=1e-3),
        "float16 ink gave another "
        "image than float32 ink: convert the ink to float32 first "
        "(np.asarray(ink, dtype=np.float32)).",
    )
    # a long stroke 1 px thin: its short side rounds to 0 unless kept >= 1
    line = np.zeros((20, 140))
    line[9, 10:130] = 1.0
    out = _box_output(mnist_box, line)
    require(
        abs(out.sum() - 20) <= 1,
        f"a 1-px-thin stroke 120 px long "
        f"should become 20 x 1 px of ink (a sum of 20), got "
        f"{out.sum():.1f}: each side of the resized crop is round(...) "
        "but at least 1 px, max(1, round(...)).",
    )
    # a small wide block, enlarged
    small = _rectangle((30, 30), (int(rng.integers(3, 6)), int(rng.integers(7, 10))), 1.0, (5, 9))
    out = _box_output(mnist_box, small)
    rows, cols = _extent(out, 0.5)
    require(
        abs(cols - 20) <= 1,
        f"a small {np.ptp(np.nonzero(small)[1]) + 1}-px-wide block came "
        f"out {cols} px wide: enlarge small ink too, to 20 px.",
    )
    # fine stripes: anti-aliased resizing averages them to a flat grey
    stripes = np.zeros((200, 160))
    stripes[:, ::2] = 1.0
    out = _box_output(mnist_box, stripes)
    core = out[ndimage.binary_erosion(out > 0.2, iterations=3)]
    require(
        core.size > 20 and abs(core.mean() - 0.5) < 0.1 and core.std() < 0.1,
        "fine stripes of 1 and 0, shrunk, should average to an even grey "
        "near 0.5; yours come out as other stripes or as 0 or 1 "
        "(aliasing): resize "
        "with an anti-aliasing filter (PIL's Image.LANCZOS or "
        "Image.BILINEAR), not nearest-neighbour or ndimage.zoom.",
    )
    _raises_value_error(mnist_box, np.zeros((40, 30)), "an image with no ink", "no ink")
    _raises_value_error(mnist_box, np.ones(30), "a 1-D array", "2-d")
    _raises_value_error(mnist_box, np.ones((20, 20, 3)), "a colour image", "2-d")
    return (
        "crop, longer side 20 px with the aspect ratio kept, "
        "anti-aliased, centre of mass at (14, 14), thin strokes kept; "
        "ValueError on bad input."
    )
