"""The table every lab ends with (the reports' numbers beside this run's) and the run's cost."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence

import numpy as np
from IPython.display import Markdown

_STARTED = time.perf_counter()  # the set-up cell of a lab imports this module


def mean_sd(values: Sequence[float], percent: bool = True, digits: int = 2) -> str:
    """Return ``"97.53 ± 0.08 % (3 seeds)"`` for several runs, ``"97.53 %"`` for one."""
    values = np.asarray(values, dtype=np.float64).ravel()
    if values.size == 0 or not np.all(np.isfinite(values)):
        raise ValueError(f"mean_sd needs finite values, got {values.tolist()}.")
    scale, unit = (100.0, " %") if percent else (1.0, "")
    mean = f"{scale * values.mean():.{digits}f}"
    if values.size == 1:
        return f"{mean}{unit}"
    sd = scale * values.std(ddof=1)
    return f"{mean} ± {sd:.{digits}f}{unit} ({values.size} seeds)"


def peak_memory_mib() -> float | None:
    """Return this process's peak resident memory in MiB, or None where it cannot be read."""
    try:
        import resource
    except ImportError:  # Windows
        import psutil

        return psutil.Process().memory_info().peak_wset / 2**20
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def run_cost() -> str:
    """Return the seconds since the lab's set-up cell and the peak memory so far."""
    memory = peak_memory_mib()
    text = f"run time {time.perf_counter() - _STARTED:,.0f} s since the set-up cell"
    return text + (f", peak memory {memory:,.0f} MiB" if memory is not None else "")


def summary_table(rows: Sequence[tuple[str, str, str]], data_source: str = "") -> Markdown:
    """Return the Markdown table | quantity | reference report | this run | with the run's cost."""
    for row in rows:
        if len(row) != 3:
            raise ValueError(f"each row needs (quantity, reference, this run), got {row!r}.")
    lines = ["| | reference report | this run |", "| --- | --- | --- |"]
    lines += [f"| {what} | {reference} | {ours} |" for what, reference, ours in rows]
    from .config import profile

    footer = f"Profile: {profile()}; {run_cost()}."
    if data_source:
        footer = f"Data: {data_source}. " + footer
    return Markdown("\n".join(lines) + "\n\n" + footer)
