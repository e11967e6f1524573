"""Checks for the exercises of lab 07 (transfer learning)."""
from __future__ import annotations

import numpy as np
import torch

from . import require, run_check

MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)


def check_7_1(imagenet_normalise) -> None:
    """Check Exercise 7.1: per-channel ImageNet normalisation of (N, 3, H, W) tensors."""
    def body():
        images = torch.rand(2, 3, 4, 5, generator=torch.Generator().manual_seed(71))
        out = imagenet_normalise(images.clone())
        require(out is not None, "imagenet_normalise returned None.")
        out = torch.as_tensor(out)
        require(tuple(out.shape) == (2, 3, 4, 5), f"the shape must stay (2, 3, 4, 5), got {tuple(out.shape)}.")
        if torch.allclose(out, (images * 255 - 127) / 128, atol=1e-5):
            raise AssertionError("that is EfficientNet-Lite0's scaling; torchvision's networks use mean and std.")
        if torch.allclose(out, (images - MEAN.view(1, 1, 1, 3).permute(0, 3, 1, 2).flip(1)) / STD.flip(1), atol=1e-5):
            raise AssertionError("the channels are in the wrong order: red first.")
        require(torch.allclose(out, (images - MEAN) / STD, atol=1e-5),
                "values differ from (x - mean_c) / std_c per channel; reshape mean and std to (1, 3, 1, 1).")
        return "per-channel (x - mean) / std."
    run_check("7.1", body)


def check_7_2(top_k_classes) -> None:
    """Check Exercise 7.2: indices of the k largest logits, largest first."""
    def body():
        logits = np.array([0.1, 2.5, -1.0, 3.7, 2.4, 0.0])
        for k, expected in [(3, [3, 1, 4]), (1, [3]), (6, [3, 1, 4, 0, 5, 2])]:
            got = top_k_classes(logits.copy(), k)
            require(got is not None, "top_k_classes returned None.")
            got = np.asarray(got).tolist()
            if k == 3 and got == [2, 5, 0]:
                raise AssertionError("these are the smallest logits; sort in descending order.")
            require(got == expected, f"top_k_classes(logits, {k}) should be {expected}, got {got}.")
        return "largest first, any k."
    run_check("7.2", body)
