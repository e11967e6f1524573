"""Saved code: the digit network of lab 06 and its training loop.

Generated from ``labs/06_cnn.ipynb`` by
``tools/save_code.py``: edit the lab's cells tagged ``save`` and run
``make saved``, never this file.
"""


from __future__ import annotations


import math
import time
import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from ..config import progress


SAVED_FROM = "labs/06_cnn.ipynb"
__all__ = ["conv_output_size", "conv_param_count", "DigitNet", "train_step",
           "train_net_epoch", "evaluate_net", "distorted", "fit",
           "conv2d", "max_pool2d"]


# labs/06_cnn.ipynb, section "1 Two networks"
def conv_output_size(n, kernel, stride=1, padding=0):
    """Side of a convolution's (or pooling's) output for an n x n input."""
    return (n + 2 * padding - kernel) // stride + 1


# labs/06_cnn.ipynb, section "1 Two networks"
def conv_param_count(c_in, c_out, kernel):
    """Number of weights and biases of nn.Conv2d(c_in, c_out, kernel)."""
    return c_out * (c_in * kernel * kernel + 1)


# labs/06_cnn.ipynb, section "1 Two networks"
class DigitNet(nn.Module):
    """Two convolutions, two linear layers; ``embed``: the hidden layer."""

    def __init__(self, embed_dim=50, dropout=0.5):
        super().__init__()
        self.embed_dim, self.dropout = embed_dim, dropout
        self.conv1 = nn.Conv2d(1, 10, 5)                # (N, 10, 24, 24)
        self.conv2 = nn.Conv2d(10, 20, 5)               # (N, 20, 8, 8)
        self.conv2_drop = nn.Dropout2d(dropout)
        self.fc1 = nn.Linear(320, embed_dim)            # 20 * 4 * 4 inputs
        self.fc2 = nn.Linear(embed_dim, 10)

    def embed(self, x):
        """The hidden layer (N, embed_dim) for images x (N, 1, 28, 28)."""
        x = F.relu(F.max_pool2d(self.conv1(x), 2))       # (N, 10, 12, 12)
        x = F.relu(F.max_pool2d(self.conv2_drop(self.conv2(x)), 2))
        return F.relu(self.fc1(x.flatten(1)))            # (N, embed_dim)

    def forward(self, x):
        """Log-probabilities of the ten digits, (N, 10)."""
        h = F.dropout(self.embed(x), self.dropout, training=self.training)
        return F.log_softmax(self.fc2(h), dim=1)


# labs/06_cnn.ipynb, section "2 A training loop over tensors in memory"
def train_step(model, optimizer, xb, yb):
    """One optimizer step on a batch; returns (mean loss, number correct)."""
    optimizer.zero_grad()
    log_probs = model(xb)
    loss = F.nll_loss(log_probs, yb)
    loss.backward()
    optimizer.step()
    return loss.item(), (log_probs.argmax(1) == yb).sum().item()


# labs/06_cnn.ipynb, section "2 A training loop over tensors in memory"
def train_net_epoch(model, x, y, optimizer, batch_size, generator, device,
                    scheduler=None):
    """One epoch over tensors x (N, 1, 28, 28), y (N,): (loss, accuracy).

    A learning-rate `scheduler`, if given, steps after every batch.
    """
    model.train()
    order = torch.randperm(len(x), generator=generator)
    total_loss, correct = 0.0, 0
    for start in range(0, len(x), batch_size):
        batch = order[start:start + batch_size]
        xb = x[batch].to(device, memory_format=torch.channels_last)
        loss, right = train_step(model, optimizer, xb, y[batch].to(device))
        if scheduler is not None:
            scheduler.step()
        total_loss += loss * len(batch)
        correct += right
    return total_loss / len(x), correct / len(x)


# labs/06_cnn.ipynb, section "2 A training loop over tensors in memory"
def evaluate_net(model, x, y, device, batch_size=1000):
    """(mean loss, accuracy) of the model on tensors x, y, in eval mode."""
    model.eval()
    total_loss, correct = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(x), batch_size):
            xb = x[start:start + batch_size].to(
                device, memory_format=torch.channels_last)
            yb = y[start:start + batch_size].to(device)
            log_probs = model(xb)
            total_loss += F.nll_loss(log_probs, yb, reduction="sum").item()
            correct += (log_probs.argmax(1) == yb).sum().item()
    return total_loss / len(x), correct / len(x)


# labs/06_cnn.ipynb, section "2 A training loop over tensors in memory"
def distorted(images, generator, shift, degrees, scale):
    """Each image (N, 1, side, side) moved by up to `shift` px, turned by up
    to `degrees` and scaled by 1 +- `scale`, each drawn at random."""
    turn, zoom, move_x, move_y = (
        2 * torch.rand(4, len(images), generator=generator) - 1)
    angle = torch.deg2rad(degrees * turn)
    size = 1 + scale * zoom                 # > 1 enlarges the digit
    cos, sin = torch.cos(angle) / size, torch.sin(angle) / size
    move_x, move_y = (2 * shift / images.shape[-1]) * torch.stack(
        [move_x, move_y])                   # in units of half the side
    theta = torch.stack([torch.stack([cos, -sin, move_x], 1),
                         torch.stack([sin, cos, move_y], 1)], 1)  # (N, 2, 3)
    grid = F.affine_grid(theta, images.shape, align_corners=False)
    return F.grid_sample(images, grid, align_corners=False)


# labs/06_cnn.ipynb, section "2 A training loop over tensors in memory"
def fit(model, x, y, epochs, learning_rate, batch_size, seed, device,
        shift=0, degrees=0, scale=0, validation=None, decay=None, name=""):
    """Train with Adam on tensors x, y; return the history per epoch.

    The learning rate follows one cycle over all steps (up to learning_rate,
    then down to almost 0) or, given `decay`, starts at learning_rate and
    is multiplied by decay after every epoch. Every epoch's images are
    distorted anew (`distorted`) if shift, degrees or scale is not 0.
    `validation`, a pair (x, y), is evaluated after every epoch.
    """
    model = model.to(device).to(memory_format=torch.channels_last)
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
    per_step, per_epoch = None, None
    if decay is None:
        per_step = torch.optim.lr_scheduler.OneCycleLR(
            optimizer, learning_rate,
            total_steps=epochs * math.ceil(len(x) / batch_size))
    else:
        per_epoch = torch.optim.lr_scheduler.ExponentialLR(optimizer, decay)
    generator = torch.Generator().manual_seed(seed)
    history = {key: [] for key in ("train_loss", "train_accuracy",
                                   "val_loss", "val_accuracy", "seconds")}
    for _ in progress(range(epochs), desc=name, leave=False):
        start = time.perf_counter()
        x_epoch = (distorted(x, generator, shift, degrees, scale)
                   if shift or degrees or scale else x)
        loss, accuracy = train_net_epoch(model, x_epoch, y, optimizer,
                                         batch_size, generator, device,
                                         per_step)
        history["seconds"].append(time.perf_counter() - start)
        history["train_loss"].append(loss)
        history["train_accuracy"].append(accuracy)
        if per_epoch is not None:
            per_epoch.step()
        if validation is not None:
            val_loss, val_accuracy = evaluate_net(model, *validation, device)
            history["val_loss"].append(val_loss)
            history["val_accuracy"].append(val_accuracy)
    return history


# labs/06_cnn.ipynb, section "4 Inside the network: filters and feature maps"
def conv2d(x, w, b, stride=1, padding=0):
    """nn.Conv2d's output (N, F, H', W') for images x (N, C, H, W),
    filters w (F, C, k, k) and biases b (F,), in NumPy."""
    k = w.shape[-1]
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    rows = conv_output_size(x.shape[2], k, stride)
    cols = conv_output_size(x.shape[3], k, stride)
    out = np.empty((len(x), len(w), rows, cols))
    for r in range(rows):
        for c in range(cols):
            window = x[:, :, r * stride:r * stride + k,
                       c * stride:c * stride + k]          # (N, C, k, k)
            out[:, :, r, c] = np.tensordot(window, w,
                                           axes=([1, 2, 3], [1, 2, 3]))
    return out + b[:, None, None]


# labs/06_cnn.ipynb, section "4 Inside the network: filters and feature maps"
def max_pool2d(x, size=2, stride=None):
    """Max-pooling of maps x (N, C, H, W) over size x size windows moved by
    stride (default: size) pixels: (N, C, H', W'), in NumPy."""
    stride = stride or size
    rows = conv_output_size(x.shape[2], size, stride)
    cols = conv_output_size(x.shape[3], size, stride)
    out = np.empty(x.shape[:2] + (rows, cols))
    for r in range(rows):
        for c in range(cols):
            window = x[:, :, r * stride:r * stride + size,
                       c * stride:c * stride + size]
            out[:, :, r, c] = window.max(axis=(2, 3))
    return out
