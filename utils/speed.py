"""How fast a network runs: images per second (lab 07's input sizes)."""

from __future__ import annotations

import time

import torch

from .config import device as default_device


@torch.no_grad()
def images_per_second(model, size, n_images=128, batch_size=64, device=None):
    """Images per second through ``model`` at ``size`` px (random inputs)."""
    device = device or default_device()
    model = model.to(device).to(memory_format=torch.channels_last).eval()
    batch = torch.rand(batch_size, 3, size, size, device=device)
    batch = batch.contiguous(memory_format=torch.channels_last)
    model(batch[:8])  # warm-up
    repeats = max(1, n_images // batch_size)
    start = time.perf_counter()
    for _ in range(repeats):
        model(batch)
    return repeats * batch_size / (time.perf_counter() - start)
