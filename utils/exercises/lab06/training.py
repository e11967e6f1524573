"""Checks of exercises 6.5 (train_net_epoch) and 6.6 (evaluate_net)."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from .. import require
from ..common import answer_pair

# --- 6.5, 6.6: an epoch of training, and the evaluation --------------------


class _Recorder(nn.Module):
    """A small network with dropout that records, for every call, the batch
    size, the mode and whether gradients were tracked."""

    def __init__(self, seed: int, side: int = 6, dropout: float = 0.5):
        super().__init__()
        torch.manual_seed(seed)
        self.body = nn.Sequential(
            nn.Flatten(),
            nn.Linear(side * side, 16),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(16, 5),
            nn.LogSoftmax(dim=1),
        )
        self.calls: list[tuple[int, bool, bool]] = []

    def forward(self, x):
        self.calls.append((len(x), self.training, torch.is_grad_enabled()))
        return self.body(x)


def _images(seed: int, n: int, side: int = 6):
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 1, side, side, generator=generator)
    return x, torch.randint(0, 5, (n,), generator=generator)


def _schedule(optimizer):
    """A learning rate that halves after every step: a missed step shows."""
    return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda k: 0.5**k)


def check_train_net_epoch(train_net_epoch, seed: int = 0, n: int = 50, batch_size: int = 16) -> str:
    """train_net_epoch(model, x, y, optimizer, batch_size, generator, device,
    scheduler=None) -> (mean loss per image, accuracy)."""
    x, y = _images(seed, n)
    model, mine = _Recorder(seed), _Recorder(seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.3)
    my_optimizer = torch.optim.SGD(mine.parameters(), lr=0.3)
    scheduler, my_scheduler = _schedule(optimizer), _schedule(my_optimizer)
    # the epoch, taken here: the same permutation, the same dropout draws
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    torch.manual_seed(seed + 1)
    mine.train()
    losses, counts, sizes = [], [], []
    for start in range(0, n, batch_size):
        batch = order[start : start + batch_size]
        my_optimizer.zero_grad()
        log_probs = mine(x[batch])
        loss = F.nll_loss(log_probs, y[batch])
        loss.backward()
        my_optimizer.step()
        my_scheduler.step()
        losses.append(loss.item())
        counts.append(int((log_probs.argmax(1) == y[batch]).sum()))
        sizes.append(len(batch))
    right_loss = float(np.dot(losses, sizes) / n)
    right_accuracy = sum(counts) / n
    model.eval()
    torch.manual_seed(seed + 1)
    result = train_net_epoch(
        model, x, y, optimizer, batch_size, torch.Generator().manual_seed(seed), "cpu", scheduler
    )
    got_loss, got_accuracy = (
        float(v) for v in answer_pair(result, "(mean loss, accuracy)", lists=True)
    )
    seen = [size for size, _, _ in model.calls]
    require(
        seen,
        "the model was never called: call train_step(model, optimizer, xb, yb) for every batch.",
    )
    require(
        all(training for _, training, _ in model.calls),
        "the model was called in evaluation mode: switch it to training "
        "mode with model.train() at the start of the epoch (dropout "
        "must be on while training).",
    )
    require(
        sum(seen) >= n,
        f"the epoch used {sum(seen)} of the {n} images: "
        f"keep the last, smaller batch (range(0, len(x), batch_size)).",
    )
    require(
        sum(seen) == n, f"the epoch used {sum(seen)} images for {n}: each image once per epoch."
    )
    require(
        seen == sizes,
        f"batches of {seen}, should be {sizes}: slices "
        "of batch_size images of the permutation, the last one smaller.",
    )
    lr = optimizer.param_groups[0]["lr"]
    require(
        np.isclose(lr, 0.3 * 0.5 ** len(sizes)),
        f"after {len(sizes)} batches the scheduler made "
        f"{round(np.log2(0.3 / lr)) if lr > 0 else '?'} steps: call "
        "scheduler.step() after every batch, when one is given.",
    )
    same = all(
        torch.allclose(p, q, atol=1e-6) for p, q in zip(model.parameters(), mine.parameters())
    )
    require(
        same,
        "the weights after the epoch differ from one SGD step per "
        "batch in the order torch.randperm(len(x), generator=generator) "
        "gives: draw the order once, from the generator passed in, and "
        "take the batches in it.",
    )
    if not np.isclose(got_loss, right_loss, rtol=1e-5):
        require(
            not np.isclose(got_loss, np.mean(losses), rtol=1e-5),
            f"the loss is the mean of the batch means ({got_loss:.5f}); "
            f"the last batch is smaller, so weight each batch's loss by "
            f"its size and divide by the number of images "
            f"({right_loss:.5f}).",
        )
        require(
            False,
            f"the mean loss should be {right_loss:.5f} (each "
            f"batch's loss times its size, summed, over {n}), got "
            f"{got_loss:.5f}.",
        )
    require(
        np.isclose(got_accuracy, right_accuracy),
        f"the accuracy should be {right_accuracy:.4f}, the share of "
        f"the {n} images predicted right during the epoch, got "
        f"{got_accuracy:.4f}.",
    )
    return (
        f"{len(sizes)} batches in the generator's order, one step and "
        "one scheduler step each; loss and accuracy per image."
    )


def check_evaluate_net(evaluate_net, seed: int = 0, n: int = 45, batch_size: int = 20) -> str:
    """evaluate_net(model, x, y, device, batch_size=1000) -> (loss, accuracy)."""
    x, y = _images(seed, n)
    model = _Recorder(seed)
    model.eval()
    with torch.no_grad():
        log_probs = model.body(x)
    model.train()
    right_loss = F.nll_loss(log_probs, y).item()
    right_accuracy = float((log_probs.argmax(1) == y).float().mean())
    result = (
        evaluate_net(model, x, y, "cpu", batch_size)
        if batch_size != 1000
        else evaluate_net(model, x, y, "cpu")
    )
    result = answer_pair(result, "(mean loss, accuracy)", lists=True)
    require(
        not any(isinstance(v, torch.Tensor) for v in result),
        "return Python numbers (.item()), not tensors.",
    )
    got_loss, got_accuracy = (float(v) for v in result)
    require(
        model.calls and not any(training for _, training, _ in model.calls),
        "the model ran in training mode (dropout on): switch it to "
        "evaluation mode with model.eval() first.",
    )
    seen = [size for size, _, _ in model.calls]
    sizes = [min(batch_size, n - s) for s in range(0, n, batch_size)]
    require(
        sum(seen) == n,
        f"the model saw {sum(seen)} images of {n}: every image once, the last batch smaller.",
    )
    require(
        seen == sizes,
        f"batches of {seen}, should be {sizes}: at most batch_size images per call, in order.",
    )
    if not np.isclose(got_loss, right_loss, rtol=1e-5):
        means = [
            F.nll_loss(log_probs[s : s + batch_size], y[s : s + batch_size]).item()
            for s in range(0, n, batch_size)
        ]
        require(
            not np.isclose(got_loss, np.mean(means), rtol=1e-5),
            "the loss is the mean of the batch means; the last batch "
            "is smaller: sum the loss over the images "
            "(reduction='sum') and divide by their number.",
        )
        require(
            not np.isclose(got_loss, right_loss * n, rtol=1e-5),
            "the loss is the sum over the images: divide by their number.",
        )
        require(False, f"the mean loss should be {right_loss:.5f}, got {got_loss:.5f}.")
    require(
        not np.isclose(got_accuracy, right_accuracy * n) or right_accuracy == 0,
        "the accuracy is a count: divide by the number of images.",
    )
    require(
        np.isclose(got_accuracy, right_accuracy),
        f"the accuracy should be {right_accuracy:.4f}, got {got_accuracy:.4f}.",
    )
    return f"loss and accuracy over {n} images in batches of {batch_size}."


def _no_grad(evaluate_net) -> str:
    x, y = _images(1, 30)
    model = _Recorder(1)
    evaluate_net(model, x, y, "cpu", 10)
    require(
        model.calls and not any(grad for _, _, grad in model.calls),
        "gradients were tracked: run the batches under torch.no_grad() "
        "(evaluation needs no backward pass, and the graph costs "
        "memory).",
    )
    return "the model ran under torch.no_grad()"


class _Stop(Exception):
    """Raised by a recorder once it has seen what a clause needs."""


def _moved(records) -> str:
    devices = {d for d, _ in records}
    require(
        devices == {"meta"},
        f"with device='meta' (a stand-in for a GPU)"
        f" the batches arrived on {sorted(devices)}: move each batch's "
        "images and labels with .to(device).",
    )
    require(
        all(layout for _, layout in records),
        "the images did not "
        "arrive in the channels_last layout: move them with .to(device, "
        "memory_format=torch.channels_last).",
    )
    return "batches moved to the device, images in channels_last"


def _epoch_device(train_net_epoch) -> str:
    """The spec's "move each batch to device" (meta stands in for a GPU)."""
    x, y = torch.randn(10, 3, 5, 5), torch.randint(0, 5, (10,))
    records = []

    def step(model, optimizer, xb, yb):
        records.append((xb.device.type, xb.is_contiguous(memory_format=torch.channels_last)))
        records.append((yb.device.type, True))
        return 0.0, 0

    names = train_net_epoch.__globals__
    saved = names.get("train_step")
    names["train_step"] = step
    try:
        train_net_epoch(nn.Linear(1, 1), x, y, None, 4, torch.Generator().manual_seed(0), "meta")
    finally:
        names["train_step"] = saved
    require(records, "train_step was never called.")
    return _moved(records)


def _evaluate_device(evaluate_net) -> str:
    """evaluate_net moves each batch to device (meta stands in for a GPU)."""
    x, y = torch.randn(10, 3, 5, 5), torch.randint(0, 5, (10,))
    records = []

    class Model(nn.Module):
        def forward(self, xb):
            records.append((xb.device.type, xb.is_contiguous(memory_format=torch.channels_last)))
            return torch.zeros(len(xb), 5, device=xb.device)

    def loss(log_probs, target, *args, **kwargs):
        records.append((target.device.type, True))
        raise _Stop

    saved = F.nll_loss
    F.nll_loss = loss
    try:
        evaluate_net(Model(), x, y, "meta", 4)
    except _Stop:
        pass
    except Exception:  # a loss other than F.nll_loss meets the meta tensor
        pass
    finally:
        F.nll_loss = saved
    require(records, "the model was never called.")
    return _moved(records)
