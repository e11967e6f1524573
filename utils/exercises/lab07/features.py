"""Checks of exercises 7.2 (cut_activations) and 7.3 (extract_features)."""

from __future__ import annotations

import contextlib
import copy
import inspect

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from ... import backbones
from ...backbones import Backbone, to_rgb
from ...checks import rel_error
from .. import require
from ..common import answer_array, rel_close
from ..offcpu import off_cpu
from ._shared import TOL

# --- 7.2 cutting a backbone ------------------------------------------------


def _backbone(seed: int, n_blocks: int) -> Backbone:
    """A small random Backbone: conv blocks, the second with batch norm."""
    torch.manual_seed(seed)
    blocks, width = [], 3
    for number in range(1, n_blocks + 1):
        out = 4 + 2 * number
        layers = [nn.Conv2d(width, out, 3, padding=1)]
        if number == 2:
            layers.append(nn.BatchNorm2d(out))
        layers += [nn.ReLU()] + ([nn.MaxPool2d(2)] if number % 2 else [])
        blocks.append(nn.Sequential(*layers))
        width = out
    backbone = Backbone(blocks, mean=(0.3, 0.5, 0.4), std=(0.2, 0.3, 0.25))
    norm = backbone.blocks[1][1] if n_blocks > 1 else None
    if norm is not None:  # running statistics unlike a batch's own
        norm.running_mean.uniform_(-0.5, 0.5)
        norm.running_var.uniform_(0.5, 2.0)
    return backbone.eval()


def _outputs(backbone: Backbone, images: torch.Tensor, normalise=True):
    """The output after every block, block 1 first (our own computation)."""
    x = backbone.normalise(images) if normalise else images
    outputs = []
    with torch.no_grad():
        for block in backbone.blocks:
            x = block(x)
            outputs.append(x)
    return outputs


def _counting(backbone: Backbone) -> list[int]:
    """Count the runs of each block, through block(x) or block.forward(x);
    returns the counts."""
    calls = [0] * len(backbone.blocks)
    for index, block in enumerate(backbone.blocks):

        def forward(x, index=index, run=block.forward):
            calls[index] += 1
            return run(x)

        block.forward = forward
    return calls


def check_cut_activations(
    cut_activations, seed: int = 0, n_blocks: int = 5, cuts=(2, 4), n: int = 3, side: int = 16
) -> str:
    """cut_activations(backbone, images, cuts) -> {cut: activation}."""
    backbone = _backbone(seed, n_blocks)
    images = torch.rand(n, 3, side, side, generator=torch.Generator().manual_seed(seed))
    outputs = _outputs(backbone, images)
    raw = _outputs(backbone, images, normalise=False)
    calls = _counting(backbone)
    asked = list(cuts)[::-1]  # in any order
    with torch.no_grad():
        got = cut_activations(backbone, images.clone(), asked)
    require(isinstance(got, dict), f"return a dict {{cut: activation}}, got {type(got).__name__}.")
    require(
        set(got) == set(cuts),
        f"for cuts {asked} the dict should have exactly those keys, got {sorted(got)}.",
    )
    deepest = max(cuts)
    for cut in sorted(cuts):
        activation = answer_array(got[cut], f"the activation at cut {cut}", strict=False)
        right = outputs[cut - 1].numpy()
        if rel_close(activation, right, TOL):
            continue
        others = {k + 1: o.numpy() for k, o in enumerate(outputs)}
        for number, other in others.items():
            require(
                not rel_close(activation, other, TOL),
                f"at cut {cut} you returned the output of block {number}"
                f": cut k keeps blocks 1 .. k, numbered from 1 (block k "
                f"is backbone.blocks[k - 1]).",
            )
        require(
            not rel_close(activation, raw[cut - 1].numpy(), TOL),
            f"at cut {cut} the images were not normalised: apply "
            "backbone.normalise(images) before the first block.",
        )
        require(
            False,
            f"at cut {cut} the activation differs from blocks "
            f"1 .. {cut} applied to backbone.normalise(images) (shape "
            f"{activation.shape}, expected {right.shape}).",
        )
    late = [number for number, count in enumerate(calls, start=1) if number > deepest and count]
    require(
        not late,
        f"block {late[0] if late else 0} ran although the "
        f"deepest cut is {deepest}: a cut network stops after its last "
        "block (and saves that time).",
    )
    repeated = [number for number, count in enumerate(calls, start=1) if count > 1]
    require(
        not repeated,
        f"block {repeated[0] if repeated else 0} ran "
        f"{max(calls)} times for one call: run the images through the "
        "blocks once and keep each cut's activation on the way.",
    )
    return (
        f"the activations after blocks {sorted(cuts)} of {n_blocks}, "
        "one pass, nothing run past the deepest cut."
    )


# --- 7.3 features in batches ----------------------------------------------


def _features(backbone, images, cuts, size, grid):
    """Pooled, flattened activations of all images at once (our own)."""
    outputs = _outputs(backbone, to_rgb(images, size))
    return {cut: F.adaptive_avg_pool2d(outputs[cut - 1], grid).flatten(1).numpy() for cut in cuts}


@contextlib.contextmanager
def _counting_to_rgb(answer):
    """Record how many images each call of ``to_rgb`` gets, however the
    answer reaches it: its own global name, or utils.backbones'."""
    sizes: list[int] = []

    def counting(images, size):
        sizes.append(len(images))
        return to_rgb(images, size)

    inner = inspect.unwrap(answer)  # under @torch.no_grad()
    homes = [getattr(inner, "__globals__", {}), vars(backbones)]
    swapped = [home for home in homes if home.get("to_rgb") is to_rgb]
    for home in swapped:
        home["to_rgb"] = counting
    try:
        yield sizes
    finally:
        for home in swapped:
            home["to_rgb"] = to_rgb


def check_extract_features(
    extract_features,
    seed: int = 0,
    n: int = 10,
    batch_size: int = 4,
    cuts=(1, 3),
    size: int = 16,
    grid: int = 2,
    colour: bool = False,
) -> str:
    """extract_features(backbone, images, cuts, size, grid, batch_size)."""
    rng = np.random.default_rng(seed)
    backbone = _backbone(seed, max(cuts) + 1)
    if colour:
        images = rng.integers(0, 256, (n, 20, 20, 3), dtype=np.uint8)
    else:
        images = rng.random((n, 28, 28)).astype(np.float32)
    right = _features(backbone, images, cuts, size, grid)
    state = copy.deepcopy(backbone.state_dict())
    seen = []
    backbone.blocks[0].register_forward_pre_hook(lambda module, inputs: seen.append(len(inputs[0])))
    backbone.train()  # the answer must switch to eval
    with _counting_to_rgb(extract_features) as converted:
        got = extract_features(
            backbone, images.copy(), list(cuts), size, grid, batch_size=batch_size
        )
    require(
        max(converted, default=0) <= batch_size,
        f"to_rgb got {max(converted, default=0)} images at once with "
        f"batch_size = {batch_size}: convert each batch, not the whole "
        "set (all of CIFAR-10 at 112 px would need 7.5 GB).",
    )
    require(isinstance(got, dict), f"return a dict {{cut: features}}, got {type(got).__name__}.")
    require(
        set(got) == set(cuts),
        f"for cuts {list(cuts)} the dict should have exactly those keys, got {sorted(got)}.",
    )
    require(
        all(isinstance(v, np.ndarray) for v in got.values()),
        "return NumPy arrays (.cpu().numpy() of the pooled activations).",
    )
    require(
        max(seen, default=0) <= batch_size,
        f"the backbone got {max(seen, default=0)} images at once with "
        f"batch_size = {batch_size}: feed it at most batch_size images "
        "at a time (all of CIFAR-10 at 112 px would need 7.5 GB).",
    )
    moved = [k for k, v in backbone.state_dict().items() if not torch.equal(v, state[k])]
    require(
        not moved,
        "the batch norm's running statistics changed: the "
        "backbone ran in training mode; call backbone.eval() first.",
    )
    for cut in cuts:
        features = answer_array(got[cut], f"the features at cut {cut}", strict=False)
        expected = right[cut]
        if features.ndim == 2 and len(features) != n:
            require(
                len(features) != n - n % batch_size,
                f"{len(features)} rows for {n} images: the last, smaller "
                "batch is missing (range(0, N, batch_size) covers it).",
            )
            require(
                False,
                f"{len(features)} rows for {n} images: one row "
                "per image, in the order of the images.",
            )
        require(
            features.shape == expected.shape,
            f"at cut {cut} expected shape {expected.shape} (N, C * grid "
            f"* grid), got {features.shape}. Pool each map to grid x "
            "grid (F.adaptive_avg_pool2d), then .flatten(1).",
        )
        if rel_close(features, expected, 1e-4):
            continue
        outputs = _outputs(backbone.eval(), to_rgb(images, size))[cut - 1]
        channels_last = F.adaptive_avg_pool2d(outputs, grid)
        channels_last = channels_last.permute(0, 2, 3, 1).flatten(1).numpy()
        require(
            not rel_close(features, channels_last, 1e-4),
            "the features are flattened as (grid, grid, C): flatten the "
            "pooled (N, C, grid, grid) tensor with .flatten(1).",
        )
        require(
            False,
            f"at cut {cut} the features differ from "
            "cut_activations on to_rgb(batch, size), pooled to grid x "
            f"grid and flattened (rel. error "
            f"{rel_error(features, expected):.1e}).",
        )
    shapes = {cut: got[cut].shape for cut in cuts}
    return f"{n} images in batches of at most {batch_size} -> {shapes}, in eval mode."


class _Probe(Backbone):
    """A backbone that records the device of the images it gets and whether
    gradients were on, and answers with zeros that act as if on a GPU
    (``.numpy()`` needs ``.cpu()``): run with ``device="meta"`` (a stand-in
    for a GPU), whose tensors hold no values."""

    def __init__(self):
        super().__init__([_Seen(self), _Seen(self)])
        self.seen: list[tuple[str, bool]] = []
        self.sizes: list[int] = []

    def normalise(self, images):
        return self.blocks[0].record(images)


class _Seen(nn.Module):
    def __init__(self, probe):
        super().__init__()
        self.probe = [probe]  # a list: not a submodule

    def record(self, x):
        self.probe[0].seen.append((str(x.device), torch.is_grad_enabled()))
        self.probe[0].sizes.append(len(x))
        return off_cpu(len(x), 2, 4, 4)

    def forward(self, x):
        return (
            self.record(x)
            if x.device.type != "cpu" or not self.probe[0].seen
            else off_cpu(len(x), 2, 4, 4)
        )


def _probed(extract_features) -> list:
    probe = _Probe()
    images = np.random.default_rng(0).random((5, 28, 28)).astype(np.float32)
    got = extract_features(probe, images, [1, 2], 8, 1, batch_size=2, device="meta")
    require(isinstance(got, dict), "return a dict {cut: features}.")
    require(probe.seen, "the backbone never saw the images.")
    return probe.seen


def _default_batches(extract_features) -> str:
    """The spec's defaults: batch_size=64, device="cpu"."""
    probe = _Probe()
    images = np.zeros((70, 28, 28), dtype=np.float32)
    extract_features(probe, images, [1], 8, 1)
    devices = {device for device, _ in probe.seen}
    require(
        max(probe.sizes, default=0) == 64 and devices == {"cpu"},
        f"called without batch_size and device, the backbone got batches "
        f"of up to {max(probe.sizes, default=0)} images on {sorted(devices)}"
        ": keep the spec's defaults, batch_size=64 and device='cpu'.",
    )
    return "batch_size=64 and device='cpu' by default"


def _on_the_device(extract_features) -> str:
    """The spec's "move it to device" (meta stands in for a GPU)."""
    first = _probed(extract_features)[0][0]
    require(
        first == "meta",
        f"with device='meta' (a stand-in for a GPU) the "
        f"batches reached the backbone on '{first}': move each batch "
        "with .to(device) before cut_activations.",
    )
    return "the batches go to the device asked for"


def _gradients_off(extract_features) -> str:
    """The spec's frozen backbone: no graph is built."""
    require(
        not any(grad for _, grad in _probed(extract_features)),
        "the backbone ran with gradients on: decorate the function with "
        "@torch.no_grad() (.detach() afterwards still builds the graph, "
        "and keeps every activation in memory).",
    )
    return "the backbone runs under torch.no_grad()"
