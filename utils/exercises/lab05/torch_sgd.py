"""Checks of exercises 5.7 (torch_sgd_step) and 5.8 (lr_schedule)."""

from __future__ import annotations

import numpy as np
import torch

from ...checks import rel_error
from .. import require
from ..common import rel_close
from ._shared import TOL, _float_pair, _gradient, _quadratic, _shapes, _unchanged


def _torch_sgd_path(p0, gradient, rates, gamma, nesterov):
    """Iterates of torch.optim.SGD on the function whose gradient is given."""
    p = torch.tensor(p0, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([p], lr=rates[0], momentum=gamma, nesterov=nesterov)
    path = [p0.copy()]
    for rate in rates:
        optimizer.param_groups[0]["lr"] = rate
        optimizer.zero_grad()
        p.grad = torch.from_numpy(gradient(p.detach().numpy().copy()))
        optimizer.step()
        path.append(p.detach().numpy().copy())
    return np.array(path)


def check_torch_sgd_step(torch_sgd_step, seed: int = 0, dim: int = 3, steps: int = 12) -> str:
    """torch_sgd_step(p, b, g, lr, gamma, nesterov) -> (new p, new b)."""
    rng = np.random.default_rng(seed)
    lr, gamma = rng.uniform(0.02, 0.05), rng.uniform(0.6, 0.95)
    for nesterov in [False, True]:
        p, b, g = (rng.normal(size=dim) for _ in range(3))
        args = [p.copy(), b.copy(), g.copy()]
        flag = (True,) if nesterov else ()  # the spec's default: False
        new_p, new_b = _float_pair(torch_sgd_step(*args, lr, gamma, *flag), "new p, new b")
        _unchanged("torch_sgd_step", "p, b, g", [p, b, g], args)
        _shapes(new_p, new_b, p, f"with nesterov={nesterov}")
        b_right = gamma * b + g
        step = g + gamma * b_right if nesterov else b_right
        if not rel_close(new_b, b_right, TOL):
            require(
                not rel_close(new_b, gamma * b + lr * g, TOL),
                "the buffer holds gradients, not steps: b = gamma * b + g "
                "(the learning rate multiplies b only in the update of "
                "p). That is this lab's form, not PyTorch's.",
            )
            require(
                False,
                f"the new buffer should be gamma * b + g, rel. "
                f"error {rel_error(new_b, b_right):.1e}.",
            )
        if not rel_close(new_p, p - lr * step, TOL):
            if nesterov:
                require(
                    not rel_close(new_p, p - lr * b_right, TOL),
                    "with nesterov=True the step is lr * (g + gamma * b) "
                    "with the NEW b; lr * b, or lr * (g + gamma * b) "
                    "with the old b (the same thing), is the plain step.",
                )
            else:
                require(
                    not rel_close(new_p, p - lr * g, TOL),
                    "p took a plain gradient step: PyTorch steps by the "
                    "buffer, p = p - lr * b (new b).",
                )
                require(
                    not rel_close(new_p, p - lr * b, TOL),
                    "p moved with the OLD buffer: first update b, then p = p - lr * b.",
                )
            require(
                False,
                f"the new p is off (rel. error "
                f"{rel_error(new_p, p - lr * step):.1e}): "
                + ("p - lr * (g + gamma * b)" if nesterov else "p - lr * b")
                + " with the new b.",
            )
    # a decaying learning rate: only PyTorch's own form follows torch
    gradient = _gradient(_quadratic(rng, dim))
    rates = lr * rng.uniform(0.7, 0.9) ** np.arange(steps)
    for nesterov in [False, True]:
        p0 = rng.normal(size=dim)
        expected = _torch_sgd_path(p0, gradient, rates, gamma, nesterov)
        p, b = p0.copy(), np.zeros(dim)
        path = [p]
        for rate in rates:
            p, b = _float_pair(
                torch_sgd_step(p, b, gradient(p), rate, gamma, nesterov), "new p, new b"
            )
            path.append(p)
        error = rel_error(np.array(path), expected)
        require(
            error <= 1e-8,
            f"with a decaying learning rate and nesterov={nesterov} your "
            f"iterates leave torch.optim.SGD's (rel. error {error:.1e}).",
        )
    return (
        f"one step right with and without Nesterov, and {steps} steps "
        "with a decaying rate match torch.optim.SGD."
    )


def _torch_rates(lr, factor, milestones, epochs) -> list[float]:
    """The rate of torch's MultiStepLR (ExponentialLR without milestones)
    at each epoch."""
    p = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([p], lr=lr)
    if milestones is None:
        scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, factor)
    else:
        scheduler = torch.optim.lr_scheduler.MultiStepLR(
            optimizer, milestones=list(milestones), gamma=factor
        )
    rates = []
    for _ in range(epochs):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return rates


def check_lr_schedule(lr_schedule, seed: int = 0, epochs: int = 30) -> str:
    """lr_schedule(lr, factor, milestones=None) -> function epoch -> rate."""
    rng = np.random.default_rng(seed)
    lr, factor = rng.uniform(0.01, 0.5), rng.uniform(0.1, 0.7)
    cuts = sorted(rng.choice(np.arange(1, epochs), 3, replace=False).tolist())
    cases = [None, cuts, cuts[::-1], [], cuts + cuts[1:2]]
    order = rng.permutation(epochs).tolist() + [0]  # any order, 0 twice
    for milestones in cases:
        rate_at = (
            lr_schedule(lr, factor)
            if milestones is None
            else lr_schedule(lr, factor, list(milestones))
        )
        require(callable(rate_at), f"return a function of the epoch, got {type(rate_at).__name__}.")
        asked = {epoch: rate_at(epoch) for epoch in order[:-1]}
        again = rate_at(0)
        rates = [asked[epoch] for epoch in range(epochs)]
        require(
            np.isclose(again, rates[0], rtol=1e-9),
            "asked for epoch 0 "
            f"a second time, after the other epochs, rate_at gives "
            f"{again:.4g}, not {rates[0]:.4g}: the rate of an epoch must "
            "not depend on which epochs were asked before (no state).",
        )
        right = _torch_rates(lr, factor, milestones, epochs)
        bad = [e for e in range(epochs) if not np.isclose(rates[e], right[e], rtol=1e-9)]
        if not bad:
            continue
        e = bad[0]
        if milestones is None:
            require(
                not np.isclose(rates[e], right[e] * factor),
                f"without milestones the rate of epoch {e} is cut once "
                "too often: epoch 0 runs at lr itself, epoch e at lr "
                "times factor ** e.",
            )
            require(
                False,
                f"without milestones the rate of epoch {e} is "
                f"{rates[e]:.4g}, torch's ExponentialLR gives "
                f"{right[e]:.4g}: multiply by factor after every epoch.",
            )
        require(
            milestones != [],
            "with an empty list of milestones the rate "
            "must stay lr: no milestone, no cut (None, not [], means "
            "the exponential schedule).",
        )
        require(
            milestones != cuts[::-1],
            "with milestones not in increasing "
            f"order ({milestones}) the rates are wrong, in order they are"
            " right: the number of milestones passed does not depend on "
            "their order.",
        )
        require(
            len(set(milestones)) == len(milestones),
            "with a milestone "
            f"listed twice "
            f"({milestones}) the rate must be cut twice there, as "
            "MultiStepLR does: count every entry of the list.",
        )
        require(
            not (e in cuts and np.isclose(rates[e], right[e] / factor)),
            f"at epoch {e}, a milestone, the rate should already be cut:"
            f" an epoch counts every milestone <= epoch ({rates[e]:.4g} "
            f"instead of {right[e]:.4g}).",
        )
        require(
            not np.isclose(rates[e], right[e] * factor),
            f"at epoch {e} the rate is cut one epoch too early: a "
            "milestone m applies from epoch m on (epochs count from 0).",
        )
        require(
            False,
            f"at epoch {e} the rate is {rates[e]:.4g}, "
            f"torch.optim.lr_scheduler.MultiStepLR gives {right[e]:.4g}"
            f" (lr {lr:.3g}, factor {factor:.3g}, milestones {cuts}).",
        )
    return (
        f"the rates match torch's ExponentialLR and MultiStepLR for "
        f"{epochs} epochs: milestones in any order, repeated or none, "
        "epochs asked in any order."
    )
