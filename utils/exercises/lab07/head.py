"""Check of exercise 7.6 (train_head)."""

from __future__ import annotations

import copy

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from .. import require
from ..common import answer_array, rel_close

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


def _train(
    head,
    x,
    y,
    epochs,
    seed,
    lr,
    batch_size,
    zero_grad=True,
    weighted=True,
    order="new each epoch",
    drop_last=False,
    optimizer=torch.optim.Adam,
    batches=None,
):
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
    return torch.cat([p.detach().flatten() for p in module.parameters()]).numpy()


def check_train_head(
    train_head,
    seed: int = 0,
    n: int = 70,
    dim: int = 6,
    n_classes: int = 3,
    epochs: int = 3,
    batch_size: int = 16,
    lr: float = 0.01,
) -> str:
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
    losses = train_head(recorder, x.clone(), y.clone(), epochs, seed, lr=lr, batch_size=batch_size)
    require(
        torch.equal(torch.get_rng_state(), state),
        "train_head reset "
        "PyTorch's global random state (torch.manual_seed): shuffle with "
        "a generator of its own, torch.Generator().manual_seed(seed).",
    )
    require(
        losses is not None,
        "train_head returned None: return the list of the mean training loss of each epoch.",
    )
    losses = answer_array(losses, "the list of epoch losses", strict=False)
    require(
        losses.shape == (epochs,),
        f"return one mean loss per epoch ({epochs} numbers), got shape {losses.shape}.",
    )
    batches = recorder.batches
    require(
        batches,
        "the head was never called with gradients on: train it (loss.backward() needs them).",
    )
    require(
        max(len(b) for b in batches) <= batch_size,
        f"the head got batches of {max(len(b) for b in batches)} "
        f"examples with batch_size = {batch_size}.",
    )
    seen = sum(len(b) for b in batches)
    require(
        seen >= epochs * n,
        f"the head saw {seen} examples in {epochs} epochs of {n}: the "
        "last, smaller batch of each epoch is missing.",
    )
    require(
        seen == epochs * n,
        f"the head saw {seen} examples in {epochs} "
        f"epochs of {n}: each epoch visits every example once.",
    )
    order = [i for b in batches for i in b]
    epoch_orders = [order[e * n : (e + 1) * n] for e in range(epochs)]
    require(
        all(sorted(o) == list(range(n)) for o in epoch_orders),
        "an epoch did not visit every example exactly once: split one "
        "permutation of the N examples into batches each epoch.",
    )
    require(
        epoch_orders[0] != list(range(n)),
        "the examples come in their stored order: shuffle them, "
        "one torch.randperm(N, generator=generator) per epoch.",
    )
    require(
        epochs < 2 or epoch_orders[1] != epoch_orders[0],
        "every epoch has the same order: make the generator once, "
        "before the loop, and draw a new permutation each epoch.",
    )
    again = _Recorder(copy.deepcopy(start), x[:, 0])
    train_head(again, x.clone(), y.clone(), epochs, seed, lr=lr, batch_size=batch_size)
    require(
        again.batches == batches,
        "a second run with the same seed "
        "visited the examples in another order: draw the permutations "
        "from torch.Generator().manual_seed(seed), made once.",
    )
    # any seeded shuffle will do (a DataLoader's draws differ from randperm's)
    right = _train(ours, x, y, epochs, seed, lr, batch_size, batches=batches)
    if not rel_close(_parameters(head), _parameters(ours), 1e-4):
        piled = copy.deepcopy(start)
        _train(piled, x, y, epochs, seed, lr, batch_size, zero_grad=False, batches=batches)
        require(
            not rel_close(_parameters(head), _parameters(piled), 1e-4),
            "the gradients pile up over the batches: call "
            "optimizer.zero_grad() before each loss.backward().",
        )
        require(
            False,
            "after training, the head's weights differ from "
            f"Adam(lr={lr}) steps on F.cross_entropy(head(batch), "
            "labels of the batch): check the optimizer, the loss and "
            "that each batch takes one step.",
        )
    if not rel_close(losses, right, 1e-5):
        batch_means = _train(
            copy.deepcopy(start),
            x,
            y,
            epochs,
            seed,
            lr,
            batch_size,
            weighted=False,
            batches=batches,
        )
        require(
            not rel_close(losses, batch_means, 1e-5),
            "each epoch's loss is the plain mean of the batch means, "
            "but the last batch is smaller: weight each batch's loss "
            "by its size (loss.item() * len(batch)), then divide by N.",
        )
        require(
            False,
            f"the epoch losses {np.round(losses, 4).tolist()} "
            f"should be {np.round(right, 4).tolist()}: the mean of "
            "the training loss over the epoch's examples.",
        )
    with torch.no_grad():
        accuracy = float((head(x).argmax(1) == y).float().mean())
    return (
        f"Adam on shuffled batches of {batch_size} including the last "
        f"one; {epochs} epoch losses right; training accuracy "
        f"{accuracy:.2f}."
    )


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
    require(
        rel_close(_parameters(heads[0]), _parameters(heads[1]), 1e-7),
        "trained without lr and batch_size, the head differs from one "
        "trained with lr=1e-3, batch_size=64: keep the spec's defaults.",
    )
    return "lr=1e-3 and batch_size=64 by default"


def _modes(train_head) -> str:
    """The spec's "training mode before the loop, evaluation mode after"."""
    head = _ModeProbe().eval()
    x = torch.randn(6, 2, generator=torch.Generator().manual_seed(0))
    train_head(head, x, torch.tensor([0, 1] * 3), 1, 0, batch_size=3)
    require(
        head.modes and all(head.modes),
        "the head was trained in "
        "evaluation mode: call head.train() before the loop (dropout and "
        "batch norm behave differently in the two modes).",
    )
    require(
        not head.training,
        "the head is still in training mode after train_head: call head.eval() at the end.",
    )
    return "trained in training mode, left in evaluation mode"
