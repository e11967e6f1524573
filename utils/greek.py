"""Greek letters for lab 08: the shipped set's folder, a folder loader, the course's preprocessing.

The shipped set in ``utils/data/greek/`` is made by ``tools/make_greek.py``
(a build tool, not imported by the labs).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from .handwriting import IMAGE_SUFFIXES, dark_ink, to_grayscale

GREEK_DIR = Path(__file__).with_name("data") / "greek"
COURSE_SIZE = 133        # px, the side of the course's photos
COURSE_SCALE = 36 / 128  # the course's resize factor for those photos (133 px -> 37 px)


def load_letter_folder(path=GREEK_DIR, letters=None):
    """Return (images, labels, class names) from a folder laid out as ``<letter>/<image files>`` (lab 08).

    Images are uint8 grayscale arrays, dark ink on light paper (they may differ
    in size). Any image file PIL reads is accepted (PNG, JPEG, ...) in any mode:
    a drawing whose ink is in the alpha channel becomes dark ink on white, and
    light ink on a dark background is inverted (``utils.handwriting``). Labels
    index the sorted class names; ``letters`` keeps only those sub-folders.
    """
    root = Path(path).expanduser()
    if not root.is_dir():
        raise FileNotFoundError(f"no folder {root}: it should hold one sub-folder of images per letter.")

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
    scaled = gray.resize((max(28, round(width * factor)), max(28, round(height * factor))), Image.BILINEAR)
    left, top = (scaled.size[0] - 28) // 2, (scaled.size[1] - 28) // 2
    inverted = 1.0 - np.asarray(scaled.crop((left, top, left + 28, top + 28)), dtype=np.float32) / 255
    if stretch:
        paper = np.median(inverted)
        inverted = np.clip((inverted - paper) / max(inverted.max() - paper, 1e-6), 0.0, 1.0)
    return inverted
