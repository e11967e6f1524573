"""Checks of exercises 6.1 (conv_output_size), 6.2 (conv_param_count) and
6.3 (DigitNet)."""

from __future__ import annotations

import numbers
import warnings

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from ...checks import rel_error
from .. import require

# --- 6.1, 6.2: sizes and parameter counts ---------------------------------


def _conv_cases(seed: int, cases: int) -> list[tuple[int, int, int, int]]:
    rng = np.random.default_rng(seed)
    found = [(28, 5, 1, 0), (32, 3, 2, 1)]
    while len(found) < cases:
        kernel = int(rng.integers(1, 8))
        stride = int(rng.integers(1, 5))
        padding = int(rng.integers(0, kernel))
        n = int(rng.integers(kernel, 80))
        found.append((n, kernel, stride, padding))
    return found


def check_conv_output_size(conv_output_size, seed: int = 0, cases: int = 8) -> str:
    """conv_output_size(n, kernel, stride, padding) -> side of the output."""
    for n, kernel, stride, padding in _conv_cases(seed, cases):
        conv = nn.Conv2d(1, 1, kernel, stride=stride, padding=padding)
        right = conv(torch.zeros(1, 1, n, n)).shape[-1]
        defaults = stride == 1 and padding == 0  # the spec's defaults
        got = (
            conv_output_size(n, kernel)
            if defaults
            else conv_output_size(n, kernel, stride, padding)
        )
        call = f"conv_output_size({n}, {kernel}, {stride}, {padding})"
        require(got is not None, f"{call} returned None.")
        require(
            isinstance(got, numbers.Integral),
            f"{call} returned {got!r}: a side length is a whole number (use // for the floor).",
        )
        if got != right:
            require(
                got != n - kernel + 1,
                f"{call} gave {got}, the size without stride and padding; nn.Conv2d gives {right}.",
            )
            require(
                got != (n - kernel) // stride + 1,
                f"{call} gave {got}: the padding adds 2 * padding to n "
                f"(both sides); nn.Conv2d gives {right}.",
            )
            require(
                got != round((n + 2 * padding - kernel) / stride) + 1,
                f"{call} gave {got}: round down, floor((n + 2p - k) / s)"
                f" + 1, not to the nearest; nn.Conv2d gives {right}.",
            )
            require(False, f"{call} gave {got}, nn.Conv2d gives {right}.")
    return f"matches nn.Conv2d on {cases} sizes, strides and paddings."


def check_conv_param_count(conv_param_count, seed: int = 0, cases: int = 6) -> str:
    """conv_param_count(c_in, c_out, kernel) -> weights + biases."""
    rng = np.random.default_rng(seed)
    found = [(1, 10, 5)]
    found += [
        (int(rng.integers(1, 40)), int(rng.integers(1, 40)), int(rng.integers(1, 12)))
        for _ in range(cases - 1)
    ]
    for c_in, c_out, kernel in found:
        conv = nn.Conv2d(c_in, c_out, kernel)
        right = sum(p.numel() for p in conv.parameters())
        got = conv_param_count(c_in, c_out, kernel)
        what = f"Conv2d({c_in}, {c_out}, {kernel})"
        require(got is not None, "conv_param_count returned None.")
        if got != right:
            require(
                got != c_out * c_in * kernel**2,
                f"{what}: you forgot the biases, one per output channel.",
            )
            require(
                got != c_out * (kernel**2 + 1),
                f"{what}: each filter has a {kernel}x{kernel} slice for "
                f"EACH of the {c_in} input channels.",
            )
            require(
                got != c_out * (c_in * kernel + 1),
                f"{what}: a filter is kernel x kernel, not kernel wide.",
            )
            require(False, f"{what} has {right:,} parameters, you said {got}.")
    return f"matches nn.Conv2d on {len(found)} layers."


# --- 6.3: DigitNet ---------------------------------------------------------


def _shapes(width: int) -> dict[str, tuple[int, ...]]:
    return {
        "conv1.weight": (10, 1, 5, 5),
        "conv1.bias": (10,),
        "conv2.weight": (20, 10, 5, 5),
        "conv2.bias": (20,),
        "fc1.weight": (width, 320),
        "fc1.bias": (width,),
        "fc2.weight": (10, width),
        "fc2.bias": (10,),
    }


def _digit_net_forward(state: dict, x: torch.Tensor):
    """DigitNet in evaluation mode, from its weights: (log-probs, hidden)."""
    h = F.relu(F.max_pool2d(F.conv2d(x, state["conv1.weight"], state["conv1.bias"]), 2))
    h = F.relu(F.max_pool2d(F.conv2d(h, state["conv2.weight"], state["conv2.bias"]), 2))
    h = F.relu(F.linear(h.flatten(1), state["fc1.weight"], state["fc1.bias"]))
    logits = F.linear(h, state["fc2.weight"], state["fc2.bias"])
    return F.log_softmax(logits, dim=1), h


def check_digit_net(DigitNet, seed: int = 0, width: int = 50, batch: int = 4) -> str:
    """DigitNet(embed_dim, dropout): layers, size, forward, embed, dropout."""
    torch.manual_seed(seed)
    default = DigitNet()
    require(
        (getattr(default, "embed_dim", None), getattr(default, "dropout", None)) == (50, 0.5),
        "DigitNet() should keep the spec's defaults as self.embed_dim = 50 and self.dropout = 0.5.",
    )
    model = DigitNet(embed_dim=width, dropout=0.5)
    require(isinstance(model, nn.Module), "DigitNet should be a class derived from nn.Module.")
    require(
        getattr(model, "embed_dim", None) == width and getattr(model, "dropout", None) == 0.5,
        "keep the constructor's arguments as self.embed_dim and "
        "self.dropout (the checkpoint of section 7 stores them).",
    )
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    expected = _shapes(width)
    wrong = [
        f"{k} {tuple(state[k].shape)} (should be {s})"
        for k, s in expected.items()
        if k in state and tuple(state[k].shape) != s
    ]
    require(not wrong, "wrong layer shapes: " + ", ".join(wrong) + ".")
    missing = sorted(set(expected) - set(state))
    extra = sorted(set(state) - set(expected))
    require(
        not missing and not extra,
        f"the layers must be named conv1, conv2, fc1, fc2 (lab 08 loads "
        f"the weights by these names); missing {missing}, "
        f"unexpected {extra}.",
    )
    count = sum(p.numel() for p in model.parameters())
    right = 260 + 5_020 + 321 * width + 10 * (width + 1)
    require(count == right, f"{count:,} parameters, should be {right:,}.")
    x = torch.rand(batch, 1, 28, 28, generator=torch.Generator().manual_seed(seed))
    model.eval()
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning is stderr: nbgrader's 0
        try:
            out = model(x)
        except UserWarning as err:
            raise AssertionError(
                f"forward warns: {err} Name the axis: F.log_softmax(..., dim=1)."
            ) from None
        again = model(x)
        hidden = model.embed(x)
    require(
        tuple(out.shape) == (batch, 10), f"forward should return (N, 10), got {tuple(out.shape)}."
    )
    require(
        tuple(hidden.shape) == (batch, width),
        f"embed should return (N, embed_dim) = ({batch}, {width}), got {tuple(hidden.shape)}.",
    )
    require(
        torch.equal(out, again),
        "in evaluation mode two calls give different outputs: dropout "
        "must be off in eval() (nn.Dropout2d, and F.dropout with "
        "training=self.training).",
    )
    right_out, right_hidden = _digit_net_forward(state, x)
    if rel_error(out.numpy(), right_out.numpy()) > 1e-4:
        sums = out.exp().sum(1)
        require(
            torch.allclose(sums, torch.ones(batch), atol=1e-4),
            "exp(forward(x)) should sum to 1 over the ten digits: end "
            "forward with F.log_softmax(..., dim=1).",
        )
        require(
            rel_error(hidden.numpy(), right_hidden.numpy()) <= 1e-4,
            "embed(x) differs from conv1 -> max-pool 2 -> ReLU -> conv2 "
            "-> (dropout) -> max-pool 2 -> ReLU -> flatten -> fc1 -> "
            "ReLU."
            + (
                " It has negative values: the ReLU after fc1 is missing."
                if (hidden < 0).any()
                else ""
            ),
        )
        require(
            False,
            "forward(x) should be log_softmax(fc2(embed(x))), "
            "with dropout on the hidden layer only while training.",
        )
    require(
        rel_error(hidden.numpy(), right_hidden.numpy()) <= 1e-4,
        "forward is right but embed(x) is not the hidden layer "
        "(the ReLU of fc1, before dropout and fc2).",
    )
    sure = DigitNet(embed_dim=width, dropout=0.5).eval()
    sure.load_state_dict(state)
    with torch.no_grad():
        sure.fc2.weight.mul_(1e4)  # a very confident network
        confident = sure(x)
    require(
        torch.isfinite(confident).all(),
        "a very confident network gave "
        "-inf log-probabilities: torch.log(F.softmax(...)) takes the log "
        "of 0; F.log_softmax(..., dim=1) does not.",
    )
    model.train()
    with torch.no_grad():
        noisy = [model(x) for _ in range(2)]
    require(
        not torch.equal(*noisy),
        "with dropout=0.5 two training-mode calls give the same output: "
        "apply dropout (Dropout2d after conv2, dropout on the hidden "
        "layer) while training.",
    )
    plain = DigitNet(embed_dim=width, dropout=0.0)
    plain.load_state_dict(state)
    plain.train()
    with torch.no_grad():
        require(
            torch.allclose(plain(x), right_out, atol=1e-5),
            "with dropout=0.0 the training-mode output should equal the "
            "evaluation one: use the dropout argument, not 0.5.",
        )
    return (
        f"{right:,} parameters in conv1, conv2, fc1, fc2; forward and "
        f"embed match a recomputation; dropout only while training."
    )


def _dropout_layers(DigitNet) -> str:
    """The spec's two dropouts: whole maps after conv2 (in embed), and the
    hidden layer in forward only (embed stays deterministic without it)."""
    torch.manual_seed(0)
    model = DigitNet(embed_dim=20, dropout=0.5).train()
    x = torch.rand(8, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    drop = getattr(model, "conv2_drop", None)
    require(
        isinstance(drop, nn.Module), "self.conv2_drop should be the module nn.Dropout2d(dropout)."
    )
    seen = []
    handle = drop.register_forward_hook(lambda m, i, o: seen.append((i[0], o)))
    with torch.no_grad():
        model(x)
    handle.remove()
    require(
        seen,
        "self.conv2_drop is never applied: embed runs conv2, then conv2_drop, then the max-pool.",
    )
    before, after = (t.flatten(2) for t in seen[0])
    dropped = (after == 0).all(-1)
    whole = dropped | ((after != 0) | (before == 0)).all(-1)
    require(
        whole.all() and dropped.any(),
        "conv2_drop zeroes single pixels of the maps: nn.Dropout2d drops whole maps.",
    )
    drop.p = 0.0
    with torch.no_grad():
        embeds, outs = [model.embed(x) for _ in range(2)], [model(x) for _ in range(2)]
    require(
        torch.equal(*embeds),
        "with conv2_drop off, embed is still random "
        "in training mode: the hidden layer's dropout belongs in "
        "forward, after embed (lab 08 reuses embed).",
    )
    require(
        not torch.equal(*outs),
        "the hidden layer gets no dropout: "
        "forward applies F.dropout(h, self.dropout, "
        "training=self.training) between embed and fc2.",
    )
    return "Dropout2d on conv2's maps, dropout on the hidden layer in forward"
