"""Saved code: cutting a backbone and its head, from lab 07.

Generated from ``labs/07_transfer_learning.ipynb`` by
``tools/save_code.py``: edit the lab's cells tagged ``save`` and run
``make saved``, never this file.
"""


from __future__ import annotations


import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from torch.nn import functional as F
from ..backbones import to_rgb


SAVED_FROM = "labs/07_transfer_learning.ipynb"
__all__ = ["top_k_classes", "cut_activations", "extract_features",
           "score_cuts", "shuffled_control", "train_head",
           "imagenet_normalise"]


# labs/07_transfer_learning.ipynb, section "1 Are the pretrained weights right?"
def top_k_classes(logits, k):
    """Indices of the k largest entries of a 1-D array, largest first."""
    return np.argsort(-np.asarray(logits))[:k]


# labs/07_transfer_learning.ipynb, section "3 Where to cut? Accuracy block by block"
def cut_activations(backbone, images, cuts):
    """{cut: output of block cut} for images (N, 3, H, W) in [0, 1]."""
    x = backbone.normalise(images)
    activations = {}
    for number, block in enumerate(backbone.blocks, start=1):
        if number > max(cuts):
            break
        x = block(x)
        if number in cuts:
            activations[number] = x
    return activations


# labs/07_transfer_learning.ipynb, section "3 Where to cut? Accuracy block by block"
@torch.no_grad()
def extract_features(backbone, images, cuts, size, grid, batch_size=64,
                     device="cpu"):
    """{cut: (N, C * grid * grid) array} of pooled activations of images."""
    backbone.eval()
    rows = {cut: [] for cut in cuts}
    for start in range(0, len(images), batch_size):
        batch = to_rgb(images[start:start + batch_size], size).to(device)
        for cut, activation in cut_activations(backbone, batch, cuts).items():
            pooled = F.adaptive_avg_pool2d(activation, grid).flatten(1)
            rows[cut].append(pooled.cpu().numpy())
    return {cut: np.concatenate(parts) for cut, parts in rows.items()}


# labs/07_transfer_learning.ipynb, section "3 Where to cut? Accuracy block by block"
def score_cuts(extract, fit_images, y_fit, val_images, y_val, cuts, C):
    """Probes fitted per cut on the fit split, scored; the best cut."""
    fit_features = extract(fit_images, cuts)
    val_features = extract(val_images, cuts)
    probes, fit_accuracy, val_accuracy = {}, {}, {}
    for cut in cuts:
        probe = make_pipeline(StandardScaler(),
                              LogisticRegression(C=C, max_iter=2_000))
        probe.fit(fit_features[cut], y_fit)
        probes[cut] = probe
        fit_accuracy[cut] = probe.score(fit_features[cut], y_fit)
        val_accuracy[cut] = probe.score(val_features[cut], y_val)
    best = min(cuts, key=lambda cut: (-val_accuracy[cut], cut))
    return probes, fit_accuracy, val_accuracy, best


# labs/07_transfer_learning.ipynb, section "3 Where to cut? Accuracy block by block"
def shuffled_control(make_probe, fit_features, y_fit, val_features, y_val,
                     seed):
    """A probe fitted to shuffled labels: fit and validation accuracy, and
    the highest validation accuracy that chance explains."""
    shuffled = np.random.default_rng(seed).permutation(y_fit)
    probe = make_probe(fit_features, shuffled)
    fit_accuracy = probe.score(fit_features, shuffled)
    val_accuracy = probe.score(val_features, y_val)
    chance = 1 / len(np.unique(y_fit))
    error = np.sqrt(chance * (1 - chance) / len(y_val))
    return fit_accuracy, val_accuracy, chance + 4 * error


# labs/07_transfer_learning.ipynb, section "4 Which classifier on top, and compared with what?"
def train_head(head, features, labels, epochs, seed, lr=1e-3, batch_size=64):
    """Train head with Adam on (features, labels); return epoch losses."""
    optimizer = torch.optim.Adam(head.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    losses = []
    head.train()
    for _ in range(epochs):
        order = torch.randperm(len(features), generator=generator)
        total = 0.0
        for batch in order.split(batch_size):
            optimizer.zero_grad()
            loss = F.cross_entropy(head(features[batch]), labels[batch])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        losses.append(total / len(features))
    head.eval()
    return losses


# labs/07_transfer_learning.ipynb, section "8 One more exercise: the input scaling"
def imagenet_normalise(images):
    """torchvision's ImageNet input scaling of images (N, 3, H, W)."""
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    return (images - mean) / std
