"""An explorer's grid: every combination of a few settings, trained, as JSON.

``run_grid(train, grid)`` trains every combination and returns plain,
JSON-able results: the curves per epoch and the final numbers of each run
(``utils.explorer`` shows them; ``utils.explorer_html`` draws them).
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Mapping, Sequence

from .config import profile, progress
from .training_checks import TrainingDiverged, check_training


def jsonable(value):
    """``value`` as JSON: numpy as Python numbers, NaN and inf as None."""
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if hasattr(value, "tolist"):  # numpy arrays and scalars, torch tensors
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else None
    raise TypeError(
        f"{value!r} ({type(value).__name__}) is not a number, "
        "a string or a list of them: it cannot go into a page."
    )


def combinations(grid: Mapping[str, Sequence]) -> list[tuple[tuple, dict]]:
    """Every combination of ``grid``: (indices, {name: value}) pairs.

    The first parameter varies slowest, the last fastest.
    """
    if not grid:
        raise ValueError("grid must name at least one parameter.")
    for name, values in grid.items():
        if isinstance(values, (str, bytes)) or not len(values):
            raise ValueError(f"grid[{name!r}] must be a non-empty list of values, got {values!r}.")
    names = list(grid)
    ranges = [range(len(grid[name])) for name in names]
    return [
        (indices, {name: grid[name][i] for name, i in zip(names, indices)})
        for indices in itertools.product(*ranges)
    ]


def grid_key(indices: Sequence[int]) -> str:
    """The key of one combination: the slider positions joined by '-'."""
    return "-".join(str(int(i)) for i in indices)


def _train_one(train, params, epochs, n_classes):
    """Run ``train(params)``; return (history, status, message, epochs run)."""
    history: dict[str, list] = {}
    try:
        outcome = train(params)
        if callable(outcome):  # the TrainingPanel contract: one epoch per call
            if epochs is None:
                raise ValueError(
                    "train returned an epoch step: give the number of epochs (epochs= or fixed)."
                )
            for _ in range(int(epochs)):
                for name, value in outcome().items():
                    history.setdefault(name, []).append(float(value))
                if "train_loss" in history:
                    check_training(history, params.get("learning_rate"), n_classes)
        else:
            history = {name: list(values) for name, values in outcome.items()}
    except TrainingDiverged as err:
        lengths = [len(values) for values in history.values()]
        return history, err.status, str(err), max(lengths, default=0)
    lengths = [len(values) for values in history.values()]
    return history, "ok", "", max(lengths, default=0)


def run_grid(
    train: Callable[[dict], object],
    grid: Mapping[str, Sequence],
    *,
    fixed: Mapping | None = None,
    epochs: int | None = None,
    n_classes: int = 10,
    desc: str = "explorer grid",
) -> dict:
    """Train every combination of ``grid``; return plain, JSON-able results.

    ``train(params)`` gets ``{**fixed, **combination}`` and returns either
    the history (a dict of per-epoch lists, e.g. ``train_loss``,
    ``val_accuracy``) or, like a lab's ``start_run`` for ``TrainingPanel``,
    a function that trains one epoch and returns that epoch's metrics; it is
    then called ``epochs`` times (default ``fixed["epochs"]``) and a run
    whose loss blows up is stopped as the panel stops it.

    Returns ``{"params": grid, "fixed": ..., "runs": [...], "seconds": ...,
    "profile": ...}``; each run has ``key`` (its slider positions),
    ``params``, ``status`` ("ok", "diverged", "not learning"), ``message``,
    ``epochs_run``, ``history``, ``final`` (the last value of every curve)
    and ``seconds``.  NaN and infinite values become None (gaps in a curve).
    """
    fixed = dict(fixed or {})
    if epochs is None:
        epochs = fixed.get("epochs")
    runs, start = [], time.perf_counter()
    for indices, combination in progress(combinations(grid), desc=desc):
        params = {**fixed, **combination}
        began = time.perf_counter()
        history, status, message, done = _train_one(train, params, epochs, n_classes)
        history = jsonable(history)
        runs.append(
            {
                "key": grid_key(indices),
                "params": jsonable(combination),
                "status": status,
                "message": message,
                "epochs_run": done,
                "history": history,
                "final": {name: values[-1] if values else None for name, values in history.items()},
                "seconds": round(time.perf_counter() - began, 3),
            }
        )
    return {
        "params": jsonable({name: list(v) for name, v in grid.items()}),
        "fixed": jsonable(fixed),
        "runs": runs,
        "seconds": round(time.perf_counter() - start, 3),
        "profile": profile(),
    }
