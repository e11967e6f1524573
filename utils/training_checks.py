"""The training settings' allowed ranges and the checks that stop a failed run (panels, explorers).

``validate_hparams`` refuses a setting outside ``LIMITS`` (never clamps it);
``check_finite`` and ``check_training`` raise ``TrainingDiverged`` when a
run's loss blows up (NaN or infinite, above 10x the first epoch's, or above
10x a uniform guess's ln C) and ``NotLearning`` when its accuracy stays at
chance while the loss stands still.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

# name: (minimum, maximum, description shown on the slider)
LIMITS = {
    "learning_rate": (1e-5, 10.0, "learning rate"),
    "batch_size": (1, 4096, "batch size"),
    "hidden_width": (1, 1024, "hidden width"),
    "epochs": (1, 200, "epochs"),
    "n_train": (10, 50_000, "training images"),
    "dropout": (0.0, 0.9, "dropout"),
    "momentum": (0.0, 0.999, "momentum γ"),
}
INTEGER_PARAMS = {"batch_size", "hidden_width", "epochs", "n_train"}

BLOWUP_FACTOR = 10.0  # a loss above 10x the first epoch's (or a uniform guess's) has diverged
CHANCE_FACTOR = 1.5  # accuracy below 1.5x chance (0.15 for 10 classes) counts as chance
CHANCE_FROM_EPOCH = 3  # "after the first epochs": judged from the third epoch on
STALL = 0.01  # ... when the loss fell by less than 1 % since the first epoch


class TrainingDiverged(RuntimeError):
    """The training loss blew up (NaN, infinite, or far above where it started)."""

    status = "diverged"


class NotLearning(TrainingDiverged):
    """Accuracy stayed at chance and the loss stood still after the first epochs."""

    status = "not learning"


def _fmt(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def validate_hparams(params: Mapping[str, float], n_train: int | None = None) -> dict:
    """Return ``params`` checked against ``LIMITS``; raise ValueError giving the allowed range.

    ``n_train`` is the number of training images available: it caps the
    ``n_train`` setting, and the batch size is capped by the training set
    (the ``n_train`` setting when there is one).  Nothing is clamped or
    rounded: a value outside its range is refused.
    """
    checked = {}
    for name in sorted(
        params, key=lambda n: n != "n_train"
    ):  # the set size first: it bounds the batch
        value = params[name]
        if name not in LIMITS:
            checked[name] = value
            continue
        low, high, label = LIMITS[name]
        set_size = checked.get("n_train", n_train)
        why = ""
        if name == "n_train" and n_train is not None and n_train < high:
            high, why = n_train, f": {n_train} training images are loaded"
        if name == "batch_size" and set_size is not None and set_size < high:
            high, why = (
                set_size,
                f": a batch cannot be larger than the training set ({set_size} images)",
            )
        if name in INTEGER_PARAMS:
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not math.isfinite(value)
                or not float(value).is_integer()
            ):
                raise ValueError(
                    f"{label} must be a whole number between {low:g} and {high:g}, got {value!r}."
                )
            value = int(value)
        elif (
            not isinstance(value, (int, float))
            or isinstance(value, bool)
            or not math.isfinite(value)
        ):
            raise ValueError(
                f"{label} must be a finite number between {low:g} and {high:g}, got {value!r}."
            )
        if not low <= value <= high:
            if value < low:
                why = (
                    ": gradient descent needs a positive step"
                    if name == "learning_rate" and value <= 0
                    else ""
                )
            raise ValueError(
                f"{label} must be between {low:g} and {high:g}, got {_fmt(value)}{why}."
            )
        checked[name] = value
    return {name: checked[name] for name in params}


def check_finite(loss: float, epoch: int, learning_rate: float | None = None) -> None:
    """Raise TrainingDiverged if ``loss`` is NaN or infinite, suggesting a smaller learning rate."""
    if not math.isfinite(loss):
        raise TrainingDiverged(
            f"Training diverged at epoch {epoch}: the loss is {loss}.{_lower(learning_rate)}"
        )


def _lower(learning_rate) -> str:
    return (
        f" Lower the learning rate (it was {learning_rate:g}); try {learning_rate / 10:g}."
        if learning_rate
        else ""
    )


def check_training(
    history: Mapping[str, list], learning_rate: float | None = None, n_classes: int = 10
) -> None:
    """Raise TrainingDiverged or NotLearning when the epochs in ``history`` show a failed run.

    Diverged: the last training loss is NaN or infinite, above ``BLOWUP_FACTOR``
    times the first epoch's, or above ``BLOWUP_FACTOR`` times ln(n_classes), the
    cross-entropy of a uniform guess.  Not learning: from epoch
    ``CHANCE_FROM_EPOCH`` on, the accuracy (validation, else training) is below
    ``CHANCE_FACTOR / n_classes`` and the loss fell by less than ``STALL`` since
    the first epoch.
    """
    losses = history["train_loss"]
    epoch, loss = len(losses), losses[-1]
    check_finite(loss, epoch, learning_rate)
    uniform = math.log(n_classes)
    if loss > BLOWUP_FACTOR * uniform:
        raise TrainingDiverged(
            f"Training diverged at epoch {epoch}: the loss {loss:.3g} is more than "
            f"{BLOWUP_FACTOR:g}x that of a uniform guess (ln {n_classes} = {uniform:.2f})."
            f"{_lower(learning_rate)}"
        )
    if epoch >= 2 and loss > BLOWUP_FACTOR * losses[0]:
        raise TrainingDiverged(
            f"Training diverged at epoch {epoch}: the loss {loss:.3g} is more than "
            f"{BLOWUP_FACTOR:g}x the first epoch's ({losses[0]:.3g}).{_lower(learning_rate)}"
        )
    accuracy = history.get("val_accuracy") or history.get("train_accuracy")
    chance = 1.0 / n_classes
    if (
        accuracy
        and epoch >= CHANCE_FROM_EPOCH
        and accuracy[-1] < CHANCE_FACTOR * chance
        and loss > (1.0 - STALL) * losses[0]
    ):
        raise NotLearning(
            f"Not learning: after {epoch} epochs the accuracy {accuracy[-1]:.3f} is at chance "
            f"({chance:.2f} for {n_classes} classes) and the loss has not fallen "
            f"({losses[0]:.3g} -> {loss:.3g}). A learning rate that is too large stalls like "
            "this; so does one that is too small."
        )
