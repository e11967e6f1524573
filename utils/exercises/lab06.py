"""Checks for the exercises of lab 06 (convolutional networks)."""
from __future__ import annotations

from torch import nn

from . import require, run_check


def check_6_1(conv_output_size) -> None:
    """Check Exercise 6.1: the side length of a convolution's output."""
    def body():
        cases = [((28, 5), 24), ((12, 5), 8), ((28, 3, 1, 1), 28), ((32, 3, 2, 1), 16), ((227, 11, 4, 0), 55),
                 ((7, 3, 2, 0), 3)]
        for args, expected in cases:
            got = conv_output_size(*args)
            require(got is not None, "conv_output_size returned None.")
            require(got == expected, f"conv_output_size{args} should be {expected}, got {got}; "
                    "use floor((n + 2 * padding - kernel) / stride) + 1.")
        return "all six sizes right, including AlexNet's 227 -> 55."
    run_check("6.1", body)


def check_6_2(conv_param_count) -> None:
    """Check Exercise 6.2: parameters of nn.Conv2d(c_in, c_out, kernel) with bias."""
    def body():
        for c_in, c_out, k in [(1, 10, 5), (10, 20, 5), (3, 64, 11), (16, 32, 3)]:
            expected = sum(p.numel() for p in nn.Conv2d(c_in, c_out, k).parameters())
            got = conv_param_count(c_in, c_out, k)
            require(got is not None, "conv_param_count returned None.")
            if got == c_out * c_in * k * k:
                raise AssertionError("you forgot the biases: one per output channel.")
            require(got == expected, f"Conv2d({c_in}, {c_out}, {k}) has {expected} parameters, you said {got}.")
        return "matches PyTorch, e.g. 260 and 5,020 for DigitNet."
    run_check("6.2", body)
