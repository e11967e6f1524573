"""Turn a photo or scan of one handwritten digit into an MNIST-style 28x28 input (labs 06, 08)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image
from scipy import ndimage

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp"}


def to_grayscale(image) -> np.ndarray:
    """Return ``image`` (path, PIL image or array) as a float array in [0, 1], 1 = white paper."""
    if isinstance(image, (str, Path)):
        image = Image.open(image)
    if isinstance(image, Image.Image):
        if image.mode in ("RGBA", "LA", "P"):
            image = image.convert("RGBA")
            background = Image.new("RGBA", image.size, (255, 255, 255, 255))
            image = Image.alpha_composite(background, image)
        return np.asarray(image.convert("L"), dtype=np.float64) / 255.0
    array = np.asarray(image, dtype=np.float64)
    if array.ndim == 3:
        array = array[..., :3].mean(axis=2)
    if array.ndim != 2:
        raise ValueError(f"expected a 2-D grayscale or 3-D colour image, got shape {array.shape}.")
    return array / 255.0 if array.max() > 1.0 else array


def to_mnist(image, threshold: float = 0.3) -> np.ndarray:
    """Return a (28, 28) float32 image in [0, 1], white ink on black, the way MNIST was made.

    Steps: grayscale; divide out uneven lighting (a grey-level closing estimates the
    paper); invert so ink is bright; crop to the ink; fit into 20x20 keeping the aspect
    ratio; paste into 28x28 with the centre of mass in the middle.
    """
    gray = to_grayscale(image)
    if min(gray.shape) < 8:
        raise ValueError(f"the image is too small ({gray.shape}); use a photo of at least 8x8 pixels.")
    size = max(3, min(gray.shape) // 8)
    paper = ndimage.uniform_filter(ndimage.grey_closing(gray, size=(size, size)), size)
    ink = np.clip(1.0 - gray / np.maximum(paper, 1e-3), 0.0, 1.0)
    if ink.max() < 0.15:
        raise ValueError("no ink found: the image looks blank. Write a dark digit on light paper.")
    ink /= ink.max()
    mask = ink > threshold
    ink[~mask] = 0.0
    rows, cols = np.nonzero(mask)
    crop = ink[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    scale = 20.0 / max(crop.shape)
    new_h, new_w = (max(1, round(n * scale)) for n in crop.shape)
    small = np.asarray(Image.fromarray(crop.astype(np.float32), mode="F").resize((new_w, new_h), Image.LANCZOS))
    small = np.clip(small, 0.0, None)
    canvas = np.zeros((28, 28), dtype=np.float64)
    top, left = (28 - new_h) // 2, (28 - new_w) // 2
    canvas[top:top + new_h, left:left + new_w] = small
    cy, cx = ndimage.center_of_mass(canvas)
    canvas = ndimage.shift(canvas, (14 - cy, 14 - cx), order=1, mode="constant")
    canvas = np.clip(canvas / max(canvas.max(), 1e-8), 0.0, 1.0)
    return canvas.astype(np.float32)


def load_digit_folder(path) -> tuple[np.ndarray, list[str]]:
    """Return (images (N, 28, 28), file names) for every image file in ``path``, via ``to_mnist``."""
    folder = Path(path).expanduser()
    if not folder.is_dir():
        raise FileNotFoundError(f"no folder {folder}: create it and put photos of single digits in it.")
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise FileNotFoundError(f"{folder} holds no images ({', '.join(sorted(IMAGE_SUFFIXES))}).")
    images = []
    for file in files:
        try:
            images.append(to_mnist(file))
        except (OSError, ValueError) as err:
            raise ValueError(f"{file.name}: {err}") from err
    return np.stack(images), [f.name for f in files]


def synthetic_photo(digit: np.ndarray, rng: np.random.Generator, size: int = 240) -> np.ndarray:
    """Return a fake phone photo (size x size, 0..255 uint8) of a 28x28 MNIST digit (lab 06, tests).

    Dark ink on light paper, blown up, rotated a few degrees, placed off-centre,
    under a lighting gradient with sensor noise.
    """
    scale = rng.uniform(0.45, 0.75) * size / 28
    big = ndimage.zoom(np.asarray(digit, dtype=np.float64), scale, order=1)
    big = ndimage.rotate(big, rng.uniform(-12, 12), reshape=True, order=1)
    ink = np.zeros((size, size))
    h, w = (min(n, size) for n in big.shape)
    top = int(rng.integers(0, size - h + 1))
    left = int(rng.integers(0, size - w + 1))
    ink[top:top + h, left:left + w] = np.clip(big[:h, :w], 0, 1)
    yy, xx = np.mgrid[0:size, 0:size] / size
    angle = rng.uniform(0, 2 * np.pi)
    lighting = 0.75 + 0.2 * (np.cos(angle) * xx + np.sin(angle) * yy)
    paper = lighting * rng.uniform(0.85, 1.0)
    photo = paper * (1 - 0.8 * ink) + rng.normal(0, 0.02, (size, size))
    return (np.clip(photo, 0, 1) * 255).astype(np.uint8)
