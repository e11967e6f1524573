"""Saved code: lab 06's MNIST recipe for a photo.

Generated from ``labs/06_cnn.ipynb`` by
``tools/save_code.py``: edit the lab's cells tagged ``save-photo`` and run
``make saved``, never this file.
"""


from __future__ import annotations


import numpy as np
from PIL import Image
from scipy import ndimage


SAVED_FROM = "labs/06_cnn.ipynb"
__all__ = ["mnist_box"]


# labs/06_cnn.ipynb, section "8 Your own handwriting"
def mnist_box(ink):
    """Return ink (2-D, background 0) as a (28, 28) float32 MNIST input.

    Crops to the pixels > 0, resizes (anti-aliased, aspect ratio kept) so
    that the longer side is 20 px, pastes into a 28x28 canvas of zeros and
    shifts the centre of mass to row 14, column 14, as in MNIST.
    """
    ink = np.asarray(ink, dtype=np.float32)
    if ink.ndim != 2:
        raise ValueError(f"mnist_box needs a 2-D image (rows, columns), "
                         f"got an array of shape {ink.shape}.")
    if not (ink > 0).any():
        raise ValueError("mnist_box found no ink: no pixel is above 0. "
                         "Pass the ink (bright) on a background of 0.")
    rows, cols = np.nonzero(ink > 0)
    crop = ink[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    scale = 20 / max(crop.shape)
    height, width = (max(1, round(n * scale)) for n in crop.shape)
    small = Image.fromarray(np.ascontiguousarray(crop)).resize(
        (width, height), Image.LANCZOS)           # anti-aliased
    canvas = np.zeros((28, 28), dtype=np.float32)
    top, left = (28 - height) // 2, (28 - width) // 2
    canvas[top:top + height, left:left + width] = np.clip(
        np.asarray(small), 0, None)     # Lanczos rings below 0
    cy, cx = ndimage.center_of_mass(canvas)
    canvas = ndimage.shift(canvas, (14 - cy, 14 - cx), order=1)
    return canvas
