"""Profiles, seeds, device and cache locations shared by every lab.

The profile is chosen by one environment variable, ``WORKBOOK_PROFILE``:
``full`` (the default, the assignment's real sizes) or ``quick`` (tests and
CI).  Both profiles run the same code; ``quick`` only shrinks sizes.
"""
from __future__ import annotations

import os
import random
from pathlib import Path

import numpy as np

PROFILES = ("quick", "full")


def profile() -> str:
    """Return the active profile name, ``"quick"`` or ``"full"`` (used by every lab)."""
    name = os.environ.get("WORKBOOK_PROFILE", "full").strip().lower() or "full"
    if name not in PROFILES:
        raise ValueError(
            f"WORKBOOK_PROFILE={name!r} is not a profile; use one of {PROFILES} "
            "(for example `export WORKBOOK_PROFILE=quick`)."
        )
    return name


def by_profile(*, quick, full):
    """Return ``quick`` or ``full`` for the active profile (every lab's parameter cell)."""
    return quick if profile() == "quick" else full


def offline_forced() -> bool:
    """Return True when ``WORKBOOK_OFFLINE=1`` forbids any network attempt."""
    return os.environ.get("WORKBOOK_OFFLINE", "0").strip().lower() in ("1", "true", "yes")


def cache_dir(*parts: str) -> Path:
    """Return (and create) a folder in the workbook cache (``WORKBOOK_DATA`` overrides)."""
    root = os.environ.get("WORKBOOK_DATA") or Path.home() / ".cache" / "dl-workbook"
    path = Path(root).expanduser().joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def seed_everything(seed: int = 0) -> None:
    """Seed Python, NumPy and torch (set-up cell of every lab)."""
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}.")
    import torch

    random.seed(int(seed))
    np.random.seed(int(seed))
    torch.manual_seed(int(seed))


def device():
    """Return the torch device to use: CUDA when present, else CPU (labs 02, 06-08)."""
    import torch

    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def banner(data_source: str | None = None) -> str:
    """Return the one-line banner a lab prints after its set-up cell."""
    text = f"profile: {profile()}"
    if data_source:
        text += f" | data: {data_source}"
    return text
