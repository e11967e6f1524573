"""Graded exercises of lab 07 (transfer learning): tests, points and references.

Every test builds its own inputs from a seed: random logits, small random
backbones (``utils.backbones.Backbone`` with a few convolution blocks, one
with batch norm), random images, random features with labels. The answers
are compared with computations written here, independently of the lab's
reference in ``utils.saved.lab07_transfer``.
"""
from __future__ import annotations

import contextlib
import copy
import inspect
import warnings

import numpy as np
import torch
from torch import nn
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from torch.nn import functional as F

from .. import backbones
from ..backbones import Backbone, to_rgb
from ..checks import close, rel_error
from . import Clause, Spec, require
from .offcpu import off_cpu

MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)


def _close(a, b, tol: float = 1e-5) -> bool:
    return close(a, b, tol)


def _array(value, what: str) -> np.ndarray:
    """``value`` as a float64 array; a clear message for None or a tensor with a graph."""
    require(value is not None, f"{what} is None: return the result.")
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    return np.asarray(value, dtype=np.float64)


# --- 7.1 top-k -------------------------------------------------------------

def test_top_k_classes(top_k_classes, seed: int | None = None,
                       n: int = 12) -> str:
    """top_k_classes(logits, k) -> indices of the k largest, largest first."""
    if seed is None:
        cases = [(np.array([0.1, 2.5, -1.0, 3.7, 2.4, 0.0]), k)
                 for k in (3, 1, 6)]
    else:
        rng = np.random.default_rng(seed)
        logits = rng.permutation(np.linspace(-4, 6, n)) + rng.normal(0, .01, n)
        cases = [(logits, k) for k in (1, int(rng.integers(2, n)), n)]
    for logits, k in cases:
        given = logits.copy()
        got = top_k_classes(given, k)
        require(np.array_equal(given, logits),
                "top_k_classes changed the logits passed in; sort a copy.")
        require(isinstance(got, np.ndarray), f"top_k_classes(logits, {k}) "
                f"returned a {type(got).__name__}: return a NumPy array of "
                "integers (np.argsort gives one; torch.topk is ruled out).")
        kind = got.dtype.kind
        got = _array(got, f"top_k_classes(logits, {k})")
        right = np.argsort(-logits)[:k]
        require(got.shape == (k,),
                f"for k = {k} return {k} indices, got shape {got.shape}.")
        if np.array_equal(got, right):
            require(kind in "iu", f"the right indices, as {kind!r} numbers: "
                    "return integers (they index the class names).")
            continue
        require(not np.allclose(got, logits[right]),
                "you returned the largest logits themselves; return their "
                "indices (np.argsort gives indices).")
        require(not np.array_equal(got, np.argsort(logits)[:k]),
                "these are the indices of the SMALLEST logits: sort in "
                "descending order (np.argsort(-logits) or [::-1]).")
        require(sorted(got.tolist()) != sorted(right.tolist()),
                f"the right {k} indices, in the wrong order: largest "
                "logit first.")
        require(False, f"for logits {np.round(logits, 2).tolist()} and "
                f"k = {k} expected {right.tolist()}, got {got.tolist()}.")
    return f"the k largest, largest first, for k = {[k for _, k in cases]}."


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
    if norm is not None:        # running statistics unlike a batch's own
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


def test_cut_activations(cut_activations, seed: int = 0, n_blocks: int = 5,
                         cuts=(2, 4), n: int = 3, side: int = 16) -> str:
    """cut_activations(backbone, images, cuts) -> {cut: activation}."""
    backbone = _backbone(seed, n_blocks)
    images = torch.rand(n, 3, side, side,
                        generator=torch.Generator().manual_seed(seed))
    outputs = _outputs(backbone, images)
    raw = _outputs(backbone, images, normalise=False)
    calls = _counting(backbone)
    asked = list(cuts)[::-1]            # in any order
    with torch.no_grad():
        got = cut_activations(backbone, images.clone(), asked)
    require(isinstance(got, dict), "return a dict {cut: activation}, got "
            f"{type(got).__name__}.")
    require(set(got) == set(cuts), f"for cuts {asked} the dict should have "
            f"exactly those keys, got {sorted(got)}.")
    deepest = max(cuts)
    for cut in sorted(cuts):
        activation = _array(got[cut], f"the activation at cut {cut}")
        right = outputs[cut - 1].numpy()
        if _close(activation, right):
            continue
        others = {k + 1: o.numpy() for k, o in enumerate(outputs)}
        for number, other in others.items():
            require(not _close(activation, other),
                    f"at cut {cut} you returned the output of block {number}"
                    f": cut k keeps blocks 1 .. k, numbered from 1 (block k "
                    f"is backbone.blocks[k - 1]).")
        require(not _close(activation, raw[cut - 1].numpy()),
                f"at cut {cut} the images were not normalised: apply "
                "backbone.normalise(images) before the first block.")
        require(False, f"at cut {cut} the activation differs from blocks "
                f"1 .. {cut} applied to backbone.normalise(images) (shape "
                f"{activation.shape}, expected {right.shape}).")
    late = [number for number, count in enumerate(calls, start=1)
            if number > deepest and count]
    require(not late, f"block {late[0] if late else 0} ran although the "
            f"deepest cut is {deepest}: a cut network stops after its last "
            "block (and saves that time).")
    repeated = [number for number, count in enumerate(calls, start=1)
                if count > 1]
    require(not repeated, f"block {repeated[0] if repeated else 0} ran "
            f"{max(calls)} times for one call: run the images through the "
            "blocks once and keep each cut's activation on the way.")
    return (f"the activations after blocks {sorted(cuts)} of {n_blocks}, "
            "one pass, nothing run past the deepest cut.")


# --- 7.3 features in batches ----------------------------------------------

def _features(backbone, images, cuts, size, grid):
    """Pooled, flattened activations of all images at once (our own)."""
    outputs = _outputs(backbone, to_rgb(images, size))
    return {cut: F.adaptive_avg_pool2d(outputs[cut - 1], grid)
            .flatten(1).numpy() for cut in cuts}


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


def test_extract_features(extract_features, seed: int = 0, n: int = 10,
                          batch_size: int = 4, cuts=(1, 3), size: int = 16,
                          grid: int = 2, colour: bool = False) -> str:
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
    backbone.blocks[0].register_forward_pre_hook(
        lambda module, inputs: seen.append(len(inputs[0])))
    backbone.train()                    # the answer must switch to eval
    with _counting_to_rgb(extract_features) as converted:
        got = extract_features(backbone, images.copy(), list(cuts), size,
                               grid, batch_size=batch_size)
    require(max(converted, default=0) <= batch_size,
            f"to_rgb got {max(converted, default=0)} images at once with "
            f"batch_size = {batch_size}: convert each batch, not the whole "
            "set (all of CIFAR-10 at 112 px would need 7.5 GB).")
    require(isinstance(got, dict), "return a dict {cut: features}, got "
            f"{type(got).__name__}.")
    require(set(got) == set(cuts), f"for cuts {list(cuts)} the dict should "
            f"have exactly those keys, got {sorted(got)}.")
    require(all(isinstance(v, np.ndarray) for v in got.values()),
            "return NumPy arrays (.cpu().numpy() of the pooled activations).")
    require(max(seen, default=0) <= batch_size,
            f"the backbone got {max(seen, default=0)} images at once with "
            f"batch_size = {batch_size}: feed it at most batch_size images "
            "at a time (all of CIFAR-10 at 112 px would need 7.5 GB).")
    moved = [k for k, v in backbone.state_dict().items()
             if not torch.equal(v, state[k])]
    require(not moved, "the batch norm's running statistics changed: the "
            "backbone ran in training mode; call backbone.eval() first.")
    for cut in cuts:
        features = _array(got[cut], f"the features at cut {cut}")
        expected = right[cut]
        if features.ndim == 2 and len(features) != n:
            require(len(features) != n - n % batch_size,
                    f"{len(features)} rows for {n} images: the last, smaller "
                    "batch is missing (range(0, N, batch_size) covers it).")
            require(False, f"{len(features)} rows for {n} images: one row "
                    "per image, in the order of the images.")
        require(features.shape == expected.shape,
                f"at cut {cut} expected shape {expected.shape} (N, C * grid "
                f"* grid), got {features.shape}. Pool each map to grid x "
                "grid (F.adaptive_avg_pool2d), then .flatten(1).")
        if _close(features, expected, 1e-4):
            continue
        outputs = _outputs(backbone.eval(), to_rgb(images, size))[cut - 1]
        channels_last = F.adaptive_avg_pool2d(outputs, grid)
        channels_last = channels_last.permute(0, 2, 3, 1).flatten(1).numpy()
        require(not _close(features, channels_last, 1e-4),
                "the features are flattened as (grid, grid, C): flatten the "
                "pooled (N, C, grid, grid) tensor with .flatten(1).")
        require(False, f"at cut {cut} the features differ from "
                "cut_activations on to_rgb(batch, size), pooled to grid x "
                f"grid and flattened (rel. error "
                f"{rel_error(features, expected):.1e}).")
    shapes = {cut: got[cut].shape for cut in cuts}
    return (f"{n} images in batches of at most {batch_size} -> {shapes}, "
            "in eval mode.")


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
        return self.record(x) if x.device.type != "cpu" or not self.probe[0].seen \
            else off_cpu(len(x), 2, 4, 4)


def _probed(extract_features) -> list:
    probe = _Probe()
    images = np.random.default_rng(0).random((5, 28, 28)).astype(np.float32)
    got = extract_features(probe, images, [1, 2], 8, 1, batch_size=2,
                           device="meta")
    require(isinstance(got, dict), "return a dict {cut: features}.")
    require(probe.seen, "the backbone never saw the images.")
    return probe.seen


def _default_batches(extract_features) -> str:
    """The spec's defaults: batch_size=64, device="cpu"."""
    probe = _Probe()
    images = np.zeros((70, 28, 28), dtype=np.float32)
    extract_features(probe, images, [1], 8, 1)
    devices = {device for device, _ in probe.seen}
    require(max(probe.sizes, default=0) == 64 and devices == {"cpu"},
            f"called without batch_size and device, the backbone got batches "
            f"of up to {max(probe.sizes, default=0)} images on {sorted(devices)}"
            ": keep the spec's defaults, batch_size=64 and device='cpu'.")
    return "batch_size=64 and device='cpu' by default"


def _on_the_device(extract_features) -> str:
    """The spec's "move it to device" (meta stands in for a GPU)."""
    first = _probed(extract_features)[0][0]
    require(first == "meta", f"with device='meta' (a stand-in for a GPU) the "
            f"batches reached the backbone on '{first}': move each batch "
            "with .to(device) before cut_activations.")
    return "the batches go to the device asked for"


def _gradients_off(extract_features) -> str:
    """The spec's frozen backbone: no graph is built."""
    require(not any(grad for _, grad in _probed(extract_features)),
            "the backbone ran with gradients on: decorate the function with "
            "@torch.no_grad() (.detach() afterwards still builds the graph, "
            "and keeps every activation in memory).")
    return "the backbone runs under torch.no_grad()"


# --- 7.6 training the head ---------------------------------------------------

class _Recorder(nn.Module):
    """Wrap a head; record which examples each training call sees."""

    def __init__(self, head: nn.Module, keys: torch.Tensor):
        super().__init__()
        self.head = head
        self.index = {float(k): i for i, k in enumerate(keys)}
        self.batches: list[list[int]] = []

    def forward(self, x):
        if torch.is_grad_enabled():
            self.batches.append([self.index.get(float(k), -1) for k in x[:, 0]])
        return self.head(x)


def _train(head, x, y, epochs, seed, lr, batch_size, zero_grad=True,
           weighted=True, order="new each epoch", drop_last=False,
           optimizer=torch.optim.Adam, batches=None):
    """Adam on shuffled minibatches, our own loop; returns the epoch losses.

    ``batches``: the example indices of every batch of every epoch, in order
    (the ones an answer used), instead of the spec's permutations.
    The keywords switch on one mistake at a time (no zero_grad, unweighted
    batch means, an order drawn "once" or the "stored" one, the last batch
    dropped, another optimizer): the hints name the one that matches.
    """
    given = iter(batches) if batches is not None else None
    optimizer = optimizer(head.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    permutation = torch.randperm(len(x), generator=generator)
    losses = []
    for epoch in range(epochs):
        if order == "stored":
            permutation = torch.arange(len(x))
        elif order == "new each epoch" and epoch:
            permutation = torch.randperm(len(x), generator=generator)
        split = permutation.split(batch_size)
        if drop_last and len(split[-1]) < batch_size:
            split = split[:-1]
        if given is not None:
            split, seen = [], 0
            while seen < len(x):
                split.append(torch.tensor(next(given)))
                seen += len(split[-1])
        sums, means = 0.0, []
        for batch in split:
            if zero_grad:
                optimizer.zero_grad()
            loss = F.cross_entropy(head(x[batch]), y[batch])
            loss.backward()
            optimizer.step()
            sums += loss.item() * len(batch)
            means.append(loss.item())
        losses.append(sums / len(x) if weighted else float(np.mean(means)))
    return losses


def _parameters(module: nn.Module) -> np.ndarray:
    return torch.cat([p.detach().flatten() for p in module.parameters()]
                     ).numpy()


def test_train_head(train_head, seed: int = 0, n: int = 70, dim: int = 6,
                    n_classes: int = 3, epochs: int = 3, batch_size: int = 16,
                    lr: float = 0.01) -> str:
    """train_head(head, features, labels, epochs, seed, lr, batch_size)."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, n_classes, n)
    centres = rng.normal(0, 2, (n_classes, dim))
    x = torch.from_numpy(centres[labels] + rng.normal(0, 1, (n, dim))).float()
    x[:, 0] = torch.from_numpy(rng.permutation(n) + rng.random(n)).float()
    y = torch.from_numpy(labels)
    torch.manual_seed(seed)
    head = nn.Sequential(nn.Linear(dim, 8), nn.ReLU(), nn.Linear(8, n_classes))
    ours, start = copy.deepcopy(head), copy.deepcopy(head)
    recorder = _Recorder(head, x[:, 0])
    state = torch.get_rng_state()
    losses = train_head(recorder, x.clone(), y.clone(), epochs, seed, lr=lr,
                        batch_size=batch_size)
    require(torch.equal(torch.get_rng_state(), state), "train_head reset "
            "PyTorch's global random state (torch.manual_seed): shuffle with "
            "a generator of its own, torch.Generator().manual_seed(seed).")
    require(losses is not None, "train_head returned None: return the list "
            "of the mean training loss of each epoch.")
    losses = _array(losses, "the list of epoch losses")
    require(losses.shape == (epochs,), f"return one mean loss per epoch "
            f"({epochs} numbers), got shape {losses.shape}.")
    batches = recorder.batches
    require(batches, "the head was never called with gradients on: train it "
            "(loss.backward() needs them).")
    require(max(len(b) for b in batches) <= batch_size,
            f"the head got batches of {max(len(b) for b in batches)} "
            f"examples with batch_size = {batch_size}.")
    seen = sum(len(b) for b in batches)
    require(seen >= epochs * n,
            f"the head saw {seen} examples in {epochs} epochs of {n}: the "
            "last, smaller batch of each epoch is missing.")
    require(seen == epochs * n, f"the head saw {seen} examples in {epochs} "
            f"epochs of {n}: each epoch visits every example once.")
    order = [i for b in batches for i in b]
    epoch_orders = [order[e * n:(e + 1) * n] for e in range(epochs)]
    require(all(sorted(o) == list(range(n)) for o in epoch_orders),
            "an epoch did not visit every example exactly once: split one "
            "permutation of the N examples into batches each epoch.")
    require(epoch_orders[0] != list(range(n)),
            "the examples come in their stored order: shuffle them, "
            "one torch.randperm(N, generator=generator) per epoch.")
    require(epochs < 2 or epoch_orders[1] != epoch_orders[0],
            "every epoch has the same order: make the generator once, "
            "before the loop, and draw a new permutation each epoch.")
    again = _Recorder(copy.deepcopy(start), x[:, 0])
    train_head(again, x.clone(), y.clone(), epochs, seed, lr=lr,
               batch_size=batch_size)
    require(again.batches == batches, "a second run with the same seed "
            "visited the examples in another order: draw the permutations "
            "from torch.Generator().manual_seed(seed), made once.")
    # any seeded shuffle will do (a DataLoader's draws differ from randperm's)
    right = _train(ours, x, y, epochs, seed, lr, batch_size, batches=batches)
    if not _close(_parameters(head), _parameters(ours), 1e-4):
        piled = copy.deepcopy(start)
        _train(piled, x, y, epochs, seed, lr, batch_size, zero_grad=False,
               batches=batches)
        require(not _close(_parameters(head), _parameters(piled), 1e-4),
                "the gradients pile up over the batches: call "
                "optimizer.zero_grad() before each loss.backward().")
        require(False, "after training, the head's weights differ from "
                f"Adam(lr={lr}) steps on F.cross_entropy(head(batch), "
                "labels of the batch): check the optimizer, the loss and "
                "that each batch takes one step.")
    if not _close(losses, right, 1e-5):
        batch_means = _train(copy.deepcopy(start), x, y, epochs, seed, lr,
                             batch_size, weighted=False, batches=batches)
        require(not _close(losses, batch_means, 1e-5),
                "each epoch's loss is the plain mean of the batch means, "
                "but the last batch is smaller: weight each batch's loss "
                "by its size (loss.item() * len(batch)), then divide by N.")
        require(False, f"the epoch losses {np.round(losses, 4).tolist()} "
                f"should be {np.round(right, 4).tolist()}: the mean of "
                "the training loss over the epoch's examples.")
    with torch.no_grad():
        accuracy = float((head(x).argmax(1) == y).float().mean())
    return (f"Adam on shuffled batches of {batch_size} including the last "
            f"one; {epochs} epoch losses right; training accuracy "
            f"{accuracy:.2f}.")


class _ModeProbe(nn.Module):
    """A linear head that records the mode it was trained in."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(2, 2)
        self.modes: list[bool] = []

    def forward(self, x):
        if torch.is_grad_enabled():
            self.modes.append(self.training)
        return self.linear(x)


def _default_settings(train_head) -> str:
    """The spec's defaults: lr=1e-3, batch_size=64 (70 examples: 2 batches)."""
    x = torch.randn(70, 2, generator=torch.Generator().manual_seed(1))
    y = (x[:, 0] > 0).long()
    heads = []
    for settings in ({}, {"lr": 1e-3, "batch_size": 64}):
        torch.manual_seed(0)
        heads.append(nn.Linear(2, 2))
        train_head(heads[-1], x, y, 2, 0, **settings)
    require(_close(_parameters(heads[0]), _parameters(heads[1]), 1e-7),
            "trained without lr and batch_size, the head differs from one "
            "trained with lr=1e-3, batch_size=64: keep the spec's defaults.")
    return "lr=1e-3 and batch_size=64 by default"


def _modes(train_head) -> str:
    """The spec's "training mode before the loop, evaluation mode after"."""
    head = _ModeProbe().eval()
    x = torch.randn(6, 2, generator=torch.Generator().manual_seed(0))
    train_head(head, x, torch.tensor([0, 1] * 3), 1, 0, batch_size=3)
    require(head.modes and all(head.modes), "the head was trained in "
            "evaluation mode: call head.train() before the loop (dropout and "
            "batch norm behave differently in the two modes).")
    require(not head.training, "the head is still in training mode after "
            "train_head: call head.eval() at the end.")
    return "trained in training mode, left in evaluation mode"


# --- 7.4 choosing the cut on validation --------------------------------------

def _cut_data(seed, n_fit, n_val, cuts, dim, n_classes, tie, wide):
    """Features of fit and validation images at each cut: class clusters of a
    separation drawn per cut, each feature with its own offset and scale
    (so that standardising matters); with ``wide`` the worst-separated cut
    gets as many more features of pure noise as there are fit images (its
    probe can memorise the fit split); with ``tie`` the last cut listed gets
    a copy of the best-separated cut's features."""
    rng = np.random.default_rng(seed)
    y_fit = rng.integers(0, n_classes, n_fit)
    y_val = rng.integers(0, n_classes, n_val)
    separations = rng.permutation(np.linspace(0.2, 0.8, len(cuts)))
    fit, val = {}, {}
    for cut, separation in zip(cuts, separations):
        centres = rng.normal(0, separation, (n_classes, dim))
        offset = rng.normal(0, 20, dim)
        scale = np.exp(rng.uniform(-3, 3, dim))
        fit[cut] = (centres[y_fit] + rng.normal(0, 1, (n_fit, dim))) * scale \
            + offset
        val[cut] = (centres[y_val] + rng.normal(0, 1, (n_val, dim))) * scale \
            + offset
    if wide:        # the weakest cut, widened by noise: memorises the fit split
        weak = list(cuts)[int(np.argmin(separations))]
        noise = rng.normal(0, 1, (n_fit + n_val, n_fit))
        fit[weak] = np.hstack([fit[weak], noise[:n_fit]])
        val[weak] = np.hstack([val[weak], noise[n_fit:]])
    if tie:
        best = list(cuts)[int(np.argmax(separations))]
        last = list(cuts)[-1] if best != list(cuts)[-1] else list(cuts)[0]
        fit[last], val[last] = fit[best].copy(), val[best].copy()
    return fit, val, y_fit, y_val


def _probe(features, labels, C):
    """Our own probe: standardised on ``features``, then logistic regression."""
    mean = features.mean(axis=0)
    std = features.std(axis=0)
    std[std == 0] = 1.0
    model = LogisticRegression(C=C, max_iter=10_000)
    model.fit((features - mean) / std, labels)
    return lambda x: model.predict((x - mean) / std)


class _Extract:
    """extract(images, cuts) for the grader's fit and validation "images":
    records which split and cuts each call asked for."""

    def __init__(self, splits):
        self.splits = splits            # name -> (images, {cut: features})
        self.calls: list[tuple[str, list]] = []

    def __call__(self, images, cuts):
        for name, (known, features) in self.splits.items():
            if images is known or (np.shape(images) == known.shape
                                   and np.array_equal(images, known)):
                self.calls.append((name, list(cuts)))
                return {cut: features[cut].copy() for cut in cuts}
        require(False, "extract got images that are neither the fit nor "
                "the validation images passed in: pass those, unchanged.")
        return None


def test_score_cuts(score_cuts, seed: int = 0, n_fit: int = 80,
                    n_val: int = 60, cuts=(1, 2, 3), dim: int = 6,
                    n_classes: int = 3, C: float = 0.05, tie: bool = False,
                    wide: bool = True) -> str:
    """score_cuts(extract, fit_images, y_fit, val_images, y_val, cuts, C)."""
    fit, val, y_fit, y_val = _cut_data(seed, n_fit, n_val, cuts, dim,
                                       n_classes, tie, wide)
    rng = np.random.default_rng(seed + 1)
    fit_images = rng.random((n_fit, 4, 4)).astype(np.float32)
    val_images = rng.random((n_val, 4, 4)).astype(np.float32)
    extract = _Extract({"fit": (fit_images, fit), "validation":
                        (val_images, val)})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        got = score_cuts(extract, fit_images.copy(), y_fit.copy(),
                         val_images.copy(), y_val.copy(), list(cuts), C)
    require(not any(issubclass(w.category, ConvergenceWarning)
                    for w in caught), "the logistic regression stopped "
            "before it converged: give it max_iter=2_000.")
    require(isinstance(got, tuple) and len(got) == 4, "return a tuple "
            "(probes, fit_accuracy, val_accuracy, best).")
    probes, fit_accuracy, val_accuracy, best = got
    splits = [name for name, _ in extract.calls]
    require(sorted(splits) == ["fit", "validation"],
            f"extract was called {len(splits)} times ({splits}): call it "
            "once for the fit images and once for the validation images, "
            "each time with all the cuts (one pass through the backbone "
            "gives every cut).")
    require(all(sorted(asked) == sorted(cuts) for _, asked in extract.calls),
            f"extract was asked for cuts {[a for _, a in extract.calls]}; "
            f"ask for all of {list(cuts)} in each call.")
    for what, table in (("probes", probes), ("fit_accuracy", fit_accuracy),
                        ("val_accuracy", val_accuracy)):
        require(isinstance(table, dict) and set(table) == set(cuts),
                f"{what} must be a dict with one entry per cut "
                f"{sorted(cuts)}, got "
                f"{sorted(table) if isinstance(table, dict) else table}.")
    for cut in cuts:
        right = _probe(fit[cut], y_fit, C)
        probe = probes[cut]
        require(hasattr(probe, "predict") and hasattr(probe, "score"),
                f"probes[{cut}] must be the fitted probe itself (one object "
                "with .predict and .score that takes raw features: "
                "make_pipeline(StandardScaler(), LogisticRegression(...))).")
        limits = [value for key, value in _params(probe).items()
                  if key.endswith("max_iter")]
        require(all(limit >= 2_000 for limit in limits), f"the logistic "
                f"regression may stop after max_iter = {min(limits or [0])} "
                "iterations, before it converges on thousands of features: "
                "give it max_iter=2_000.")
        predicted = np.asarray(probe.predict(val[cut]))
        expected = right(val[cut])
        if np.sum(predicted != expected) > 1:
            mistakes = (
                (_probe(val[cut], y_val, C), "the probe was fitted on "
                 "the validation split: fit it on the fit features and "
                 "labels only, validation is for scoring."),
                (_probe(np.concatenate([fit[cut], val[cut]]),
                        np.concatenate([y_fit, y_val]), C),
                 "the probe was fitted on fit and validation images "
                 "together: fit on the fit split only, or the "
                 "validation score is no longer a held-out one."),
                (_probe(fit[cut], y_fit, 1.0), "the probe ignores C: "
                 "pass LogisticRegression(C=C, ...)."),
                (_unscaled(fit[cut], y_fit, C), "the features were not "
                 "standardised: put a StandardScaler, fitted on the "
                 "fit features, before the logistic regression."))
            misses = [np.sum(predicted != wrong(val[cut]))
                      for wrong, _ in mistakes]
            require(min(misses) > 1, mistakes[int(np.argmin(misses))][1])
            require(False, f"at cut {cut} the probe's predictions on the "
                    f"validation features differ from a standardised "
                    f"logistic regression with C = {C} fitted on the fit "
                    f"split ({int(np.sum(predicted != expected))} of "
                    f"{n_val} differ).")
        accuracies = {"fit": float(np.mean(right(fit[cut]) == y_fit)),
                      "validation": float(np.mean(expected == y_val))}
        for name, table, n in (("validation", val_accuracy, n_val),
                               ("fit", fit_accuracy, n_fit)):
            value = float(np.asarray(table[cut]))
            if abs(value - accuracies[name]) <= 1.5 / n:
                continue
            other = "fit" if name == "validation" else "validation"
            require(abs(value - accuracies[other]) > 1e-9,
                    f"{name}_accuracy[{cut}] is the {other} accuracy: "
                    f"score the probe on the {name} features and labels.")
            require(False, f"{name}_accuracy[{cut}] = {value:.4f}, "
                    f"expected {accuracies[name]:.4f}: the fraction of the "
                    f"{name} images the probe classifies right.")
    scores = {cut: float(np.mean(_probe(fit[cut], y_fit, C)(val[cut])
                                 == y_val)) for cut in cuts}
    top = max(scores.values())
    right_best = min(cut for cut in cuts if scores[cut] == top)
    if best != right_best:
        require(best in cuts, f"best = {best} is not one of the cuts "
                f"{list(cuts)}: return the cut number itself.")
        fits = {cut: float(np.asarray(fit_accuracy[cut])) for cut in cuts}
        require(best != max(cuts, key=fits.get) or scores[best] == top,
                f"cut {best} has the highest FIT accuracy; choose the cut "
                "with the highest validation accuracy.")
        require(scores[best] != top, f"cuts "
                f"{[c for c in cuts if scores[c] == top]} tie for the best "
                f"validation accuracy: choose the shallowest, "
                f"{right_best} (fewer blocks to run), whatever the order "
                "of cuts.")
        require(False, f"best = {best} (validation {scores[best]:.3f}), "
                f"but cut {right_best} scores {top:.3f}: return the cut "
                "with the highest validation accuracy.")
    return (f"{len(cuts)} cuts: probes fitted on the fit split only, "
            f"validation accuracies {[round(scores[c], 3) for c in cuts]}, "
            f"cut {best} chosen" + (" (a tie, the shallowest)" if tie
                                    else "") + ".")


def _params(probe) -> dict:
    """A scikit-learn probe's parameters (a pipeline's with its steps')."""
    try:
        return dict(probe.get_params(deep=True))
    except (AttributeError, TypeError):
        return {}


def _unscaled(features, labels, C):
    model = LogisticRegression(C=C, max_iter=10_000).fit(features, labels)
    return model.predict


# --- 7.5 the shuffled-label control -----------------------------------------

class _MakeProbe:
    """make_probe(features, labels) for the grader: a standardised logistic
    regression that records the labels it was fitted to."""

    def __init__(self):
        self.labels: list[np.ndarray] = []

    def __call__(self, features, labels):
        self.labels.append(np.array(labels, copy=True))
        scaler = StandardScaler().fit(features)
        model = LogisticRegression(C=10.0, max_iter=5_000)
        return make_pipeline(scaler, model).fit(features, labels)


def test_shuffled_control(shuffled_control, seed: int = 0, n_fit: int = 40,
                          n_val: int = 50, dim: int = 60,
                          n_classes: int = 3) -> str:
    """shuffled_control(make_probe, fit_features, y_fit, val_features,
    y_val, seed) -> (fit_accuracy, val_accuracy, chance_bound)."""
    rng = np.random.default_rng(seed + 100)
    y_fit = np.arange(n_fit) % n_classes
    y_val = rng.integers(0, n_classes, n_val)
    centres = rng.normal(0, 1, (n_classes, dim))
    fit_features = centres[y_fit] + rng.normal(0, 1, (n_fit, dim))
    val_features = centres[y_val] + rng.normal(0, 1, (n_val, dim))
    make_probe = _MakeProbe()
    inputs = {"fit_features": fit_features, "y_fit": y_fit,
              "val_features": val_features, "y_val": y_val}
    given_inputs = {name: value.copy() for name, value in inputs.items()}
    got = shuffled_control(make_probe, *given_inputs.values(), seed)
    changed = [name for name, value in given_inputs.items()
               if not np.array_equal(value, inputs[name])]
    require(not changed, f"shuffled_control changed its input "
            f"{', '.join(changed)} in place (rng.shuffle, or an assignment "
            "into it): the caller still needs the true labels. Shuffle a "
            "new array, np.random.default_rng(seed).permutation(y_fit).")
    require(isinstance(got, tuple) and len(got) == 3, "return a tuple "
            "(fit_accuracy, val_accuracy, chance_bound).")
    require(len(make_probe.labels) == 1, f"make_probe was called "
            f"{len(make_probe.labels)} times: fit one probe, once.")
    given = make_probe.labels[0]
    require(given.shape == y_fit.shape and np.array_equal(
        np.bincount(given, minlength=n_classes),
        np.bincount(y_fit, minlength=n_classes)), "the probe was not "
        "fitted to a permutation of y_fit: shuffle the labels, keep the "
        "features in place (each class keeps its count).")
    require(not np.array_equal(given, y_fit), "the probe was fitted to the "
            "true labels: shuffle them first.")
    shuffled = np.random.default_rng(seed).permutation(y_fit)
    require(np.array_equal(given, shuffled), "the labels were shuffled, but "
            "not by np.random.default_rng(seed).permutation(y_fit): use that "
            "generator, made from seed, so that the control is reproducible.")
    probe = make_probe(fit_features, shuffled)
    fit_accuracy, val_accuracy, bound = (
        float(np.asarray(value)) for value in got)
    right = {"fit": probe.score(fit_features, shuffled),
             "val": probe.score(val_features, y_val)}
    require(abs(fit_accuracy - probe.score(fit_features, y_fit)) > 1e-9
            or abs(fit_accuracy - right["fit"]) < 1e-9,
            "fit_accuracy compares the predictions with the TRUE labels: "
            "the probe was fitted to the shuffled ones, score it on those "
            "(how much it memorised).")
    require(abs(fit_accuracy - right["fit"]) < 1e-9, f"fit_accuracy = "
            f"{fit_accuracy:.3f}, expected {right['fit']:.3f}: the probe's "
            "accuracy on the fit features and the shuffled labels.")
    wrong_val = np.mean(probe.predict(val_features) == shuffled[:n_val]) \
        if n_val <= n_fit else None
    require(wrong_val is None or abs(val_accuracy - right["val"]) < 1e-9
            or abs(val_accuracy - wrong_val) > 1e-9, "val_accuracy uses "
            "shuffled labels: score the validation images against their "
            "true labels y_val.")
    require(abs(val_accuracy - right["val"]) < 1e-9, f"val_accuracy = "
            f"{val_accuracy:.3f}, expected {right['val']:.3f}: the probe's "
            "accuracy on the validation features and their true labels.")
    chance = 1 / n_classes
    expected = chance + 4 * np.sqrt(chance * (1 - chance) / n_val)
    if not abs(bound - expected) <= 1e-9:         # NaN is wrong too
        for wrong, hint in (
                (0.1 + 4 * np.sqrt(0.09 / n_val), "chance is 1 / K for the "
                 "K classes in y_fit, not 0.1 whatever the data."),
                (chance + 4 * np.sqrt(chance * (1 - chance) / n_fit),
                 "the standard error is over the n validation images scored, "
                 "not the fit images."),
                (chance + 4 * chance * (1 - chance) / n_val, "the standard "
                 "error is the square root of p (1 - p) / n."),
                (chance + np.sqrt(chance * (1 - chance) / n_val), "the bound "
                 "is chance plus FOUR standard errors.")):
            require(not abs(bound - wrong) <= 1e-9, hint)
        require(False, f"chance_bound = {bound:.4f}, expected "
                f"{expected:.4f}: 1 / K plus four standard errors "
                "sqrt(p (1 - p) / n) of an accuracy over n validation "
                "images.")
    return (f"{n_fit} fit images, {dim} features: shuffled labels fitted "
            f"{fit_accuracy:.2f}, validation {val_accuracy:.2f}, bound "
            f"{bound:.3f} for {n_classes} classes.")


# --- 7.7 input scaling -------------------------------------------------------

def test_imagenet_normalise(imagenet_normalise, seed: int = 71,
                            shape=(2, 3, 4, 5)) -> str:
    """imagenet_normalise(images) -> (images - mean_c) / std_c."""
    images = torch.rand(*shape, generator=torch.Generator().manual_seed(seed))
    given = images.clone()
    out = imagenet_normalise(given)
    require(isinstance(out, torch.Tensor), f"imagenet_normalise returned a "
            f"{type(out).__name__}: return a tensor (the backbone takes "
            "one).")
    require(torch.equal(given, images), "imagenet_normalise changed the "
            "images passed in (sub_, div_ or -=): compute a new tensor.")
    require(out.dtype == images.dtype, f"float32 images came back as "
            f"{out.dtype}: make mean and std in the images' dtype (float32 "
            "is what the network's weights are).")
    out = torch.as_tensor(_array(out, "imagenet_normalise(images)"))
    require(tuple(out.shape) == tuple(shape),
            f"the shape must stay {tuple(shape)}, got {tuple(out.shape)}.")
    right = (images - MEAN) / STD
    if _close(out, right):
        return "per-channel (x - mean) / std, red first."
    require(not _close(out, (images * 255 - 127) / 128),
            "that is EfficientNet-Lite0's scaling; torchvision's networks "
            "use the ImageNet mean and std.")
    require(not _close(out, (images - MEAN.flip(1)) / STD.flip(1)),
            "the channels are in the wrong order: red first.")
    require(not _close(out, (images - MEAN) * STD),
            "the difference is multiplied by std: divide, (x - mean) / std.")
    require(_close(out, right), "values differ from (x - mean_c) / std_c "
            "per channel; reshape mean and std to (1, 3, 1, 1) so that "
            "they broadcast over N, H and W.")
    return "per-channel (x - mean) / std, red first."


EXERCISES = {
    "7.1": Spec("top_k_classes", points=1, test=test_top_k_classes,
                reference="utils.saved.lab07_transfer:top_k_classes"),
    "7.2": Spec("cut_activations", points=3, test=test_cut_activations,
                reference="utils.saved.lab07_transfer:cut_activations"),
    "7.3": Spec("extract_features", points=3, test=test_extract_features,
                reference="utils.saved.lab07_transfer:extract_features",
                clauses=(Clause("on the device asked for", _on_the_device),
                         Clause("gradients off", _gradients_off),
                         Clause("the spec's defaults", _default_batches))),
    "7.4": Spec("score_cuts", points=3, test=test_score_cuts,
                reference="utils.saved.lab07_transfer:score_cuts"),
    "7.5": Spec("shuffled_control", points=2, test=test_shuffled_control,
                reference="utils.saved.lab07_transfer:shuffled_control"),
    "7.6": Spec("train_head", points=3, test=test_train_head,
                reference="utils.saved.lab07_transfer:train_head",
                clauses=(Clause("training, then evaluation mode", _modes),
                         Clause("the spec's defaults", _default_settings))),
    "7.7": Spec("imagenet_normalise", points=1, test=test_imagenet_normalise,
                reference="utils.saved.lab07_transfer:imagenet_normalise"),
}
