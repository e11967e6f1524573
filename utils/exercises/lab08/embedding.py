"""Checks of exercises 8.1 (embed) and 8.2 (ssd_matrix)."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from ...checks import rel_error
from .. import require
from ..common import answer_array, rel_close
from ..offcpu import off_cpu

# --- 8.1 the embedding -------------------------------------------------------


class _Net(nn.Module):
    """A small digit network: conv, dropout, a hidden layer, 10 outputs."""

    def __init__(self, width: int):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 5)
        self.drop = nn.Dropout(0.5)
        self.hidden = nn.Linear(4 * 12 * 12, width)
        self.out = nn.Linear(width, 10)

    def embed(self, x):
        x = F.relu(F.max_pool2d(self.conv(x), 2))
        return F.relu(self.hidden(self.drop(x.flatten(1))))

    def forward(self, x):
        return F.log_softmax(self.out(self.embed(x)), dim=1)


def check_embed(embed, seed: int = 0, n: int = 5, width: int = 7) -> str:
    """embed(model, batch) -> (N, embed_dim) NumPy array, in eval mode."""
    torch.manual_seed(seed)
    net = _Net(width).eval()
    batch = np.random.default_rng(seed).random((n, 28, 28))  # float64
    with torch.no_grad():
        right = net.embed(torch.from_numpy(batch).float()[:, None]).numpy()
    net.train()  # as after training: dropout on
    given = batch.copy()
    try:
        got = embed(net, given)
    except RuntimeError as err:  # torch: "Input type (double) ..."
        require(
            "double" not in str(err).lower(),
            "the images came as "
            "float64 and reached the network as such; its weights are "
            "float32: convert the images (np.asarray(batch, "
            f"dtype=np.float32)). torch said: {err}",
        )
        raise
    got = answer_array(got, f"embed(model, batch of {n})", dtype=None)
    require(np.array_equal(given, batch), "embed changed the images passed in; convert a copy.")
    if width != 10:
        require(
            got.shape != (n, 10),
            "these are the network's 10 outputs "
            "(log-probabilities): the embedding is model.embed(x), the "
            "hidden layer before the last.",
        )
    require(
        got.shape == (n, width),
        f"for {n} images and a hidden layer of "
        f"{width} units expected shape ({n}, {width}), got {got.shape}.",
    )
    if not rel_close(got, right, 1e-5):
        net.train()
        again = answer_array(embed(net, batch.copy()), "embed(model, batch)", dtype=None)
        require(
            np.array_equal(again, got),
            "two calls gave different "
            "embeddings of the same images: dropout is on. Call "
            "model.eval() first.",
        )
        require(
            False,
            "the values differ from model.embed(x) with x the "
            "images as a float32 tensor (N, 1, 28, 28), in eval mode "
            f"(rel. error {rel_error(got, right):.1e}).",
        )
    return f"({n}, {width}) embeddings in eval mode, from float64 images."


class _Probe(nn.Module):
    """A model whose weights are on the meta device (a stand-in for a GPU):
    ``embed`` records the device of its input and whether gradients were on,
    and returns zeros that act as if on a GPU (a meta tensor has no values):
    ``.numpy()`` needs ``.cpu()`` first."""

    def __init__(self, width: int = 3):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(width, device="meta"))
        self.seen: list[tuple[torch.device, bool]] = []

    def embed(self, x):
        self.seen.append((x.device, torch.is_grad_enabled()))
        return off_cpu(len(x), self.weight.shape[0])


def _probed(embed) -> list:
    """Run ``embed`` on the probe; return what its ``embed`` saw."""
    probe = _Probe()
    got = embed(probe, np.random.default_rng(0).random((2, 28, 28)))
    require(len(probe.seen) >= 1, "model.embed was never called.")
    answer_array(got, "embed(model, batch)", dtype=None)
    return probe.seen


def _on_the_device(embed) -> str:
    """The spec's "run on the device the model's weights are on"."""
    devices = {str(device) for device, _ in _probed(embed)}
    require(
        devices == {"meta"},
        f"the model's weights are on the 'meta' "
        f"device (a stand-in for a GPU) but the images reached "
        f"model.embed on {sorted(devices)}: move them with "
        ".to(next(model.parameters()).device).",
    )
    return "the images go to the model's device"


def _gradients_off(embed) -> str:
    """The spec's "turn gradients off (torch.no_grad())"."""
    require(
        not any(grad for _, grad in _probed(embed)),
        "model.embed ran with gradients on: wrap it in "
        "`with torch.no_grad():` (.detach() afterwards still builds "
        "the graph, and costs its memory).",
    )
    return "model.embed runs under torch.no_grad()"


# --- 8.2 SSD distances -------------------------------------------------------


def check_ssd_matrix(ssd_matrix, seed: int = 0, n: int = 4, m: int = 3, dim: int = 6) -> str:
    """ssd_matrix(a, b) -> (n, m) sums of squared differences."""
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=(n, dim)), rng.normal(size=(m, dim)) + 0.5
    args = a.copy(), b.copy()
    got = answer_array(ssd_matrix(*args), f"ssd_matrix(a ({n}, {dim}), b ({m}, {dim}))")
    require(
        np.array_equal(args[0], a) and np.array_equal(args[1], b),
        "ssd_matrix changed its arguments; compute with new arrays.",
    )
    right = np.array([[np.sum((x - y) ** 2) for y in b] for x in a])
    if n != m:
        require(
            got.shape != (m, n),
            f"the shape is ({m}, {n}): row i of "
            "the result belongs to row i of a, column j to row j of b.",
        )
    require(
        got.shape == (n, m),
        f"expected shape ({n}, {m}), one row per "
        f"row of a and one column per row of b; got {got.shape}.",
    )
    if not rel_close(got, right, 1e-8):
        require(
            not rel_close(got, np.sqrt(right), 1e-8),
            "these are Euclidean distances: the SSD does not take the square root.",
        )
        require(
            not rel_close(got, right / dim, 1e-8),
            "this is the MEAN of the squared differences: the SSD is their sum.",
        )
        require(
            False,
            f"the values differ from sum((a_i - b_j) ** 2) (rel. "
            f"error {rel_error(got, right):.1e}).",
        )
    same = answer_array(ssd_matrix(a, a.copy()), "ssd_matrix(a, a)", dtype=None)
    require(
        np.abs(np.diag(same)).max() <= 1e-9 * (1 + (a**2).sum(1).max()),
        "a point's distance to itself should be 0 (up to round-off), got "
        f"{np.abs(np.diag(same)).max():.3g}: clip at 0, not above.",
    )
    # near-identical points far from the origin, in float32 (embeddings are);
    # at least 16 of them in 16 dimensions, so that round-off shows whatever
    # the case's size
    rows = max(n, 16)
    far = (100 + rng.normal(0, 1e-3, (rows, max(dim, 16)))).astype(np.float32)
    own = answer_array(ssd_matrix(far, far), "ssd_matrix(a, a)")
    require(
        own.shape == (rows, rows), f"ssd_matrix(a, a) should be ({rows}, {rows}), got {own.shape}."
    )
    require(
        np.isfinite(own).all(),
        "some distances are nan: the square root "
        "of a negative round-off? The SSD takes no root; clip at 0.",
    )
    require(
        (own >= 0).all(),
        f"some distances are negative ({own.min():.2g})"
        ": round-off in |a|^2 + |b|^2 - 2 a.b; clip at 0 "
        "(np.maximum(d, 0)).",
    )
    scale = float((far.astype(np.float64) ** 2).sum(1).max())
    require(
        np.abs(np.diag(own)).max() <= 1e-5 * scale,
        f"a point's distance to itself should be 0, got up to {np.abs(np.diag(own)).max():.3g}.",
    )
    return f"sums of squared differences, ({n}, {m}); never negative, 0 from a point to itself."
