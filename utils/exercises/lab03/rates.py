"""Checks of exercise 3.5 (learning_rates)."""

from __future__ import annotations

import numpy as np

from .. import require


def _rates_expected(initial_rate, decay, epochs):
    """The rate of each epoch, multiplied by decay once per epoch."""
    rates, rate = [], float(initial_rate)
    for _ in range(epochs):
        rates.append(rate)
        rate *= decay
    return np.array(rates)


def check_learning_rates(answer, initial_rate=2.0, decay=0.97, epochs=30) -> str:
    """learning_rates(initial_rate, decay, epochs) against a running
    product."""
    expected = _rates_expected(initial_rate, decay, epochs)
    got = answer(initial_rate, decay, epochs)
    require(
        isinstance(got, np.ndarray), f"return a NumPy array of rates, not a {type(got).__name__}."
    )
    require(got.ndim == 1, f"return one rate per epoch, a 1-D array; got shape {got.shape}.")
    require(
        len(got) == epochs or len(got) != epochs + 1,
        f"{epochs} epochs need {epochs} rates, got {epochs + 1}: epochs 0 to epochs - 1.",
    )
    require(len(got) == epochs, f"one rate per epoch: expected {epochs} rates, got {len(got)}.")
    require(
        np.issubdtype(got.dtype, np.floating),
        f"rates are real numbers: return floats, not {got.dtype}.",
    )
    if not np.allclose(got, expected, rtol=1e-12, atol=0):
        slips = [
            (
                expected * decay,
                "the first epoch already uses the decayed "
                "rate: epoch 0 trains with the initial rate, the first "
                "multiplication comes after it",
            ),
            (
                initial_rate * (1 - decay) ** np.arange(epochs),
                f"each epoch multiplies the rate by {1 - decay:g} = 1 - decay: decay IS the factor",
            ),
            (
                initial_rate * np.exp(-decay * np.arange(epochs)),
                "exp(-decay t) is another schedule: multiply by decay itself after every epoch",
            ),
            (
                initial_rate / (1 + decay * np.arange(epochs)),
                "that is 1/t decay: multiply by decay after every epoch",
            ),
            (
                initial_rate - (1 - decay) * initial_rate * np.arange(epochs),
                "the rate falls by a fixed amount each epoch: it falls by a fixed FACTOR, decay",
            ),
        ]
        hints = [hint for value, hint in slips if np.allclose(got, value, rtol=1e-9, atol=0)]
        require(
            False,
            f"the rates {np.round(got[:4], 5).tolist()}... "
            f"should be {np.round(expected[:4], 5).tolist()}..."
            + (
                f": {hints[0]}."
                if hints
                else ": the first epoch uses initial_rate, and the rate is "
                "multiplied by decay after every epoch."
            ),
        )
    return f"{epochs} rates from {initial_rate:g}, x{decay:g} per epoch, right."


def _refuses_settings(answer) -> str:
    """The spec's refusals: a clear ValueError that names the setting."""
    cases = [
        ((0.0, 0.97, 10), "initial_rate"),
        ((-1.0, 0.97, 10), "initial_rate"),
        ((float("nan"), 0.97, 10), "initial_rate"),
        ((float("inf"), 0.97, 10), "initial_rate"),
        ((1.0, 0.0, 10), "decay"),
        ((1.0, -0.5, 10), "decay"),
        ((1.0, 1.05, 10), "decay"),
        ((1.0, float("nan"), 10), "decay"),
        ((1.0, 0.97, 0), "epochs"),
        ((1.0, 0.97, -3), "epochs"),
        ((1.0, 0.97, 2.5), "epochs"),
    ]
    names = ("initial_rate", "decay", "epochs")
    for args, name in cases:
        try:
            answer(*args)
        except ValueError as err:
            require(
                name in str(err),
                f"learning_rates{args} raised "
                f"ValueError({str(err)!r}): name the setting that is "
                f"wrong, {name!r}, in the message.",
            )
            continue
        except Exception as err:
            require(
                False,
                f"learning_rates{args} raised "
                f"{type(err).__name__}: raise ValueError naming "
                f"{name!r}.",
            )
        require(
            False,
            f"learning_rates{args} did not raise ValueError: "
            f"refuse {name} = {args[names.index(name)]} before "
            "computing anything.",
        )
    for args in [(1e-3, 1.0, 1), (5.0, 0.5, 3), (1.0, 1.0, 4.0)]:
        try:
            got = answer(*args)
        except ValueError as err:
            require(
                False,
                f"learning_rates{args} raised ValueError("
                f"{str(err)!r}), but these settings are allowed "
                "(decay 1 is a constant rate; epochs may be a whole "
                "float).",
            )
        require(
            np.allclose(got, _rates_expected(*args[:2], int(args[2]))),
            f"learning_rates{args} gave {np.asarray(got).tolist()}.",
        )
    return "bad settings refused with their name, good ones accepted"
