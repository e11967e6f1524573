"""Checks of exercises 6.7 (conv2d) and 6.8 (max_pool2d) in NumPy."""

from __future__ import annotations

import numpy as np
import torch
from torch.nn import functional as F

from .. import loop_free, require

# --- 6.7, 6.8: a convolution and max-pooling in NumPy ----------------------


def _no_torch(function, *args) -> None:
    """Run function(*args) with torch's convolution and pooling disabled."""

    def refused(*_, **__):
        raise AssertionError(
            "write it in NumPy: torch's conv2d and max_pool2d are what the check compares with."
        )

    names = ("conv2d", "max_pool2d")
    saved = [(m, k, getattr(m, k)) for m in (F, torch) for k in names]
    try:
        for module, name, _ in saved:
            setattr(module, name, refused)
        return function(*args)
    finally:
        for module, name, value in saved:
            setattr(module, name, value)


def _conv_input(seed, n, channels, filters, height, width, kernel):
    rng = np.random.default_rng(seed)
    return (
        rng.standard_normal((n, channels, height, width)),
        rng.standard_normal((filters, channels, kernel, kernel)),
        rng.standard_normal(filters),
    )


def check_conv2d(
    conv2d,
    seed: int = 0,
    n: int = 2,
    channels: int = 3,
    filters: int = 4,
    height: int = 7,
    width: int = 9,
    kernel: int = 3,
    stride: int = 1,
    padding: int = 0,
) -> str:
    """conv2d(x, w, b, stride=1, padding=0) -> (N, F, H', W'), NumPy."""
    x, w, b = _conv_input(seed, n, channels, filters, height, width, kernel)
    right = F.conv2d(
        torch.from_numpy(x),
        torch.from_numpy(w),
        torch.from_numpy(b),
        stride=stride,
        padding=padding,
    ).numpy()
    given = x.copy()
    got = conv2d(x, w, b) if (stride, padding) == (1, 0) else conv2d(x, w, b, stride, padding)
    call = f"conv2d on x {x.shape}, w {w.shape}, stride {stride}, padding {padding}"
    require(
        np.array_equal(x, given),
        "conv2d changed the array x passed in: pad a copy (np.pad returns a new array).",
    )
    require(
        isinstance(got, np.ndarray), f"{call} returned {type(got).__name__}: return a NumPy array."
    )
    require(
        got.shape == right.shape,
        f"{call} returned shape {got.shape}, "
        f"F.conv2d gives {right.shape}: (N, F, H', W') with H' = "
        "conv_output_size(H, k, stride, padding), W' from W alike.",
    )
    if not np.allclose(got, right, atol=1e-8):
        flipped = F.conv2d(
            torch.from_numpy(x),
            torch.from_numpy(w[:, :, ::-1, ::-1].copy()),
            torch.from_numpy(b),
            stride=stride,
            padding=padding,
        ).numpy()
        require(
            not np.allclose(got, flipped, atol=1e-8),
            "you flipped the filter (the convolution of a signals "
            "course): nn.Conv2d computes the cross-correlation, the sum "
            "of window times filter, unflipped.",
        )
        require(
            not np.allclose(got, right - b[None, :, None, None], atol=1e-8),
            "the bias is missing: add b[f] to every value of map f.",
        )
        require(
            not np.allclose(got.sum(1), right.sum(1), atol=1e-8),
            "each map's values are right but in the wrong maps: output "
            "map f comes from filter w[f].",
        )
        require(
            False,
            f"{call}: values differ from F.conv2d by up to "
            f"{np.abs(got - right).max():.3g}. Output [i, f, r, c] is "
            "the sum over channels and the k x k window at row "
            "r * stride, column c * stride of the padded image, times "
            "w[f], plus b[f].",
        )
    return f"matches F.conv2d on x {x.shape}, w {w.shape}, stride {stride}, padding {padding}."


def check_max_pool2d(
    max_pool2d,
    seed: int = 0,
    n: int = 2,
    channels: int = 3,
    height: int = 8,
    width: int = 6,
    size: int = 2,
    stride: int | None = None,
) -> str:
    """max_pool2d(x, size=2, stride=None) -> (N, C, H', W'), NumPy."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, channels, height, width)) - 0.5
    right = F.max_pool2d(torch.from_numpy(x), size, stride).numpy()
    given = x.copy()
    if stride is None:
        got = max_pool2d(x) if size == 2 else max_pool2d(x, size)
    else:
        got = max_pool2d(x, size, stride)
    call = f"max_pool2d on x {x.shape}, size {size}, stride {stride}"
    require(np.array_equal(x, given), "max_pool2d changed the array x passed in.")
    require(
        isinstance(got, np.ndarray), f"{call} returned {type(got).__name__}: return a NumPy array."
    )
    require(
        got.shape == right.shape,
        f"{call} returned shape {got.shape}, "
        f"F.max_pool2d gives {right.shape}: the stride defaults to the "
        "size, and only windows that fit inside the image count "
        "(conv_output_size(H, size, stride)).",
    )
    if not np.allclose(got, right):
        require(
            not np.allclose(got, np.maximum(right, 0)),
            "negative maxima came out as 0: start from the window's "
            "values (np.max over it), not from 0.",
        )
        require(
            not (got < right - 1e-12).any() or (got > right).any(),
            "some outputs are below the window's maximum: the mean of "
            "the window is average pooling; take the maximum.",
        )
        require(
            False,
            f"{call}: values differ from F.max_pool2d by up to "
            f"{np.abs(got - right).max():.3g}. Output [i, c, r, q] is "
            "the largest value of x[i, c] in the size x size window at "
            "row r * stride, column q * stride.",
        )
    return f"matches F.max_pool2d on x {x.shape}, size {size}, stride {stride if stride else size}."


def _conv_numpy(conv2d) -> str:
    x, w, b = _conv_input(5, 2, 2, 3, 6, 6, 3)
    _no_torch(conv2d, x, w, b)
    return "no torch inside"


def _pool_numpy(max_pool2d) -> str:
    x = np.random.default_rng(5).standard_normal((2, 2, 6, 6))
    _no_torch(max_pool2d, x)
    return "no torch inside"


def _conv_batch(conv2d) -> str:
    rng = np.random.default_rng(3)
    w, b = rng.standard_normal((2, 1, 3, 3)), rng.standard_normal(2)
    return loop_free(lambda n: conv2d(rng.standard_normal((n, 1, 6, 6)), w, b), what="image")


def _pool_batch(max_pool2d) -> str:
    rng = np.random.default_rng(3)
    return loop_free(lambda n: max_pool2d(rng.standard_normal((n, 2, 6, 6))), what="image")
