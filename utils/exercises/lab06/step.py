"""Check of exercise 6.4 (train_step)."""

from __future__ import annotations

import numbers

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from .. import require
from ..common import answer_pair


def _small_model(seed: int) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Flatten(), nn.Linear(36, 12), nn.ReLU(), nn.Linear(12, 5), nn.LogSoftmax(dim=1)
    )


def check_train_step(train_step, seed: int = 0, batch: int = 16) -> str:
    """train_step(model, optimizer, xb, yb) -> (loss before step, correct)."""
    model, reference = _small_model(seed), _small_model(seed)
    generator = torch.Generator().manual_seed(seed)
    xb = torch.randn(batch, 1, 6, 6, generator=generator)
    yb = torch.randint(0, 5, (batch,), generator=generator)
    lr = 0.5
    # the right step, taken here
    log_probs = reference(xb)
    loss = F.nll_loss(log_probs, yb)
    params = list(reference.parameters())
    grads = torch.autograd.grad(loss, params)
    right_loss = loss.item()
    right_correct = int((log_probs.argmax(1) == yb).sum())
    before = [p.detach().clone() for p in params]
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    model.eval()  # no dropout in this model: the mode only has to stay
    result = train_step(model, optimizer, xb, yb)
    got_loss, got_correct = answer_pair(result, "(loss, number of correct predictions)", lists=True)
    require(
        not isinstance(got_loss, torch.Tensor),
        "return the loss as a Python number, loss.item(), not the "
        "tensor (a tensor keeps the whole graph alive).",
    )
    require(
        isinstance(got_loss, numbers.Real),
        f"the loss should be a number, got {type(got_loss).__name__}.",
    )
    require(
        not model.training,
        "train_step switched the model's mode; "
        "leave the mode alone (train_net_epoch sets it once per epoch).",
    )
    new = [p.detach().clone() for p in model.parameters()]
    right = [b - lr * g for b, g in zip(before, grads)]
    if not all(torch.allclose(n, r, atol=1e-6) for n, r in zip(new, right)):
        require(
            not all(torch.equal(n, b) for n, b in zip(new, before)),
            "the weights did not change: call optimizer.step() after loss.backward().",
        )
        summed = [b - lr * batch * g for b, g in zip(before, grads)]
        require(
            not all(torch.allclose(n, s, atol=1e-5) for n, s in zip(new, summed)),
            "the step is N times too large: use the MEAN loss over the "
            "batch (F.nll_loss's default), not the sum.",
        )
        require(
            False,
            "the weights after the step differ from one SGD step "
            "on F.nll_loss(model(xb), yb): zero_grad, forward, loss, "
            "backward, step.",
        )
    # a second step: the first one's gradients must not be added to it
    # (zero_grad before backward, or after the step: either convention)
    for p, value in zip(params, right):
        p.data.copy_(value)
    second = torch.autograd.grad(F.nll_loss(reference(xb), yb), params)
    model.train()
    train_step(model, optimizer, xb, yb)
    require(
        model.training,
        "train_step switched the model's mode; leave "
        "the mode alone (train_net_epoch sets it once per epoch).",
    )
    twice = [p.detach() for p in model.parameters()]
    right_twice = [r - lr * g for r, g in zip(right, second)]
    piled = [r - lr * (g + g1) for r, g, g1 in zip(right, second, grads)]
    if not all(torch.allclose(t, r, atol=1e-6) for t, r in zip(twice, right_twice)):
        require(
            not all(torch.allclose(t, s, atol=1e-6) for t, s in zip(twice, piled)),
            "the second step added the first step's gradients: call "
            "optimizer.zero_grad() each step (before loss.backward(), "
            "or after optimizer.step()).",
        )
        require(False, "two steps in a row differ from two SGD steps on F.nll_loss(model(xb), yb).")
    if not np.isclose(float(got_loss), right_loss, rtol=1e-5):
        require(
            not np.isclose(float(got_loss), right_loss * batch, rtol=1e-5),
            "the loss returned is the SUM over the batch: return the mean, F.nll_loss's default.",
        )
        require(
            False,
            f"the loss returned ({float(got_loss):.5f}) is not "
            f"the batch's mean loss before the step ({right_loss:.5f}).",
        )
    require(
        not isinstance(got_correct, torch.Tensor) and isinstance(got_correct, numbers.Integral),
        f"return the NUMBER of correct predictions as an int "
        f"(.sum().item()), not a share or a tensor; got {got_correct!r}.",
    )
    require(
        got_correct == right_correct,
        f"{got_correct} correct predictions returned, the batch had "
        f"{right_correct} (argmax of the output before the step).",
    )
    return (
        "zero_grad, mean NLL loss, backward, step: the weights (after "
        "one and two steps), the loss and the count match steps taken "
        "independently."
    )
