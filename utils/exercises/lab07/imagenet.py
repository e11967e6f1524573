"""Checks of exercises 7.1 (top_k_classes) and 7.7 (imagenet_normalise)."""

from __future__ import annotations

import numpy as np
import torch

from .. import require
from ..common import answer_array, rel_close
from ._shared import TOL

MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)


STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)


# --- 7.1 top-k -------------------------------------------------------------


def check_top_k_classes(top_k_classes, seed: int | None = None, n: int = 12) -> str:
    """top_k_classes(logits, k) -> indices of the k largest, largest first."""
    if seed is None:
        cases = [(np.array([0.1, 2.5, -1.0, 3.7, 2.4, 0.0]), k) for k in (3, 1, 6)]
    else:
        rng = np.random.default_rng(seed)
        logits = rng.permutation(np.linspace(-4, 6, n)) + rng.normal(0, 0.01, n)
        cases = [(logits, k) for k in (1, int(rng.integers(2, n)), n)]
    for logits, k in cases:
        given = logits.copy()
        got = top_k_classes(given, k)
        require(
            np.array_equal(given, logits),
            "top_k_classes changed the logits passed in; sort a copy.",
        )
        require(
            isinstance(got, np.ndarray),
            f"top_k_classes(logits, {k}) "
            f"returned a {type(got).__name__}: return a NumPy array of "
            "integers (np.argsort gives one; torch.topk is ruled out).",
        )
        kind = got.dtype.kind
        got = answer_array(got, f"top_k_classes(logits, {k})", strict=False)
        right = np.argsort(-logits)[:k]
        require(got.shape == (k,), f"for k = {k} return {k} indices, got shape {got.shape}.")
        if np.array_equal(got, right):
            require(
                kind in "iu",
                f"the right indices, as {kind!r} numbers: "
                "return integers (they index the class names).",
            )
            continue
        require(
            not np.allclose(got, logits[right]),
            "you returned the largest logits themselves; return their "
            "indices (np.argsort gives indices).",
        )
        require(
            not np.array_equal(got, np.argsort(logits)[:k]),
            "these are the indices of the SMALLEST logits: sort in "
            "descending order (np.argsort(-logits) or [::-1]).",
        )
        require(
            sorted(got.tolist()) != sorted(right.tolist()),
            f"the right {k} indices, in the wrong order: largest logit first.",
        )
        require(
            False,
            f"for logits {np.round(logits, 2).tolist()} and "
            f"k = {k} expected {right.tolist()}, got {got.tolist()}.",
        )
    return f"the k largest, largest first, for k = {[k for _, k in cases]}."


# --- 7.7 input scaling -------------------------------------------------------


def check_imagenet_normalise(imagenet_normalise, seed: int = 71, shape=(2, 3, 4, 5)) -> str:
    """imagenet_normalise(images) -> (images - mean_c) / std_c."""
    images = torch.rand(*shape, generator=torch.Generator().manual_seed(seed))
    given = images.clone()
    out = imagenet_normalise(given)
    require(
        isinstance(out, torch.Tensor),
        f"imagenet_normalise returned a "
        f"{type(out).__name__}: return a tensor (the backbone takes "
        "one).",
    )
    require(
        torch.equal(given, images),
        "imagenet_normalise changed the images passed in (sub_, div_ or -=): compute a new tensor.",
    )
    require(
        out.dtype == images.dtype,
        f"float32 images came back as "
        f"{out.dtype}: make mean and std in the images' dtype (float32 "
        "is what the network's weights are).",
    )
    out = torch.as_tensor(answer_array(out, "imagenet_normalise(images)", strict=False))
    require(
        tuple(out.shape) == tuple(shape),
        f"the shape must stay {tuple(shape)}, got {tuple(out.shape)}.",
    )
    right = (images - MEAN) / STD
    if rel_close(out, right, TOL):
        return "per-channel (x - mean) / std, red first."
    require(
        not rel_close(out, (images * 255 - 127) / 128, TOL),
        "that is EfficientNet-Lite0's scaling; torchvision's networks "
        "use the ImageNet mean and std.",
    )
    require(
        not rel_close(out, (images - MEAN.flip(1)) / STD.flip(1), TOL),
        "the channels are in the wrong order: red first.",
    )
    require(
        not rel_close(out, (images - MEAN) * STD, TOL),
        "the difference is multiplied by std: divide, (x - mean) / std.",
    )
    require(
        rel_close(out, right, TOL),
        "values differ from (x - mean_c) / std_c "
        "per channel; reshape mean and std to (1, 3, 1, 1) so that "
        "they broadcast over N, H and W.",
    )
    return "per-channel (x - mean) / std, red first."
