"""Profiles, seeds, device and cache locations shared by every lab.

The profile is chosen by one environment variable, ``WORKBOOK_PROFILE``:
``full`` (the default, the assignment's real sizes) or ``quick`` (tests and
CI).  Both profiles run the same code; ``quick`` only shrinks sizes.
"""

from __future__ import annotations

import contextlib
import os
import random
import socket
import textwrap
from pathlib import Path
from urllib.parse import urlparse

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


def env_flag(name: str) -> bool:
    """Return True when environment variable ``name`` is 1, true or yes."""
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes")


def offline_forced() -> bool:
    """Return True when ``WORKBOOK_OFFLINE=1`` forbids any network attempt."""
    return env_flag("WORKBOOK_OFFLINE")


NETWORK_PROBE_S = 3.0  # seconds to wait for a host before calling it offline
DOWNLOAD_TIMEOUT_S = 30.0  # socket timeout while a download runs


def choose(name: str, value, on: str):
    """Print a choice and the data it was made on; return ``value``.

    ``on`` names that data ("validation", "training, leave-one-out" ...),
    never the test set.  When ``WORKBOOK_CHOICES`` names a file, the choice
    is appended to it as a JSON line: tests/test_choices.py runs the labs
    with their test labels permuted and checks every choice stays the same.
    """
    if "test" in on.lower():
        raise ValueError(
            f"{name} is chosen on {on!r}: choose on training or "
            "validation data and keep the test set for the end."
        )
    print(f"chosen on {on}: {name} = {value}")
    record = os.environ.get("WORKBOOK_CHOICES")
    if record:
        import json

        with open(record, "a", encoding="utf-8") as file:
            file.write(json.dumps({"name": name, "value": repr(value)}) + "\n")
    return value


def book_build() -> bool:
    """Return True while the book build executes the labs (WORKBOOK_BOOK=1).

    book/_ext/workbook_build.py sets it for the kernels of the book build, so
    work that only the static pages need (the explorers' grids of trainings,
    utils/explorer.py) runs there and not in a student's JupyterLab.
    """
    return env_flag("WORKBOOK_BOOK")


def network_available(url: str, timeout: float = NETWORK_PROBE_S) -> bool:
    """Return True unless offline is forced or ``url``'s host does not answer in time."""
    if offline_forced():
        return False
    parsed = urlparse(url)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        with socket.create_connection((parsed.hostname, port), timeout=timeout):
            return True
    except OSError:
        return False


@contextlib.contextmanager
def download_timeout(seconds: float = DOWNLOAD_TIMEOUT_S):
    """Within the block, a stalled download raises after ``seconds`` instead of hanging."""
    old = socket.getdefaulttimeout()
    socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        socket.setdefaulttimeout(old)


def cache_dir(*parts: str) -> Path:
    """Return (and create) a folder in the workbook cache (``WORKBOOK_DATA`` overrides)."""
    root = os.environ.get("WORKBOOK_DATA") or Path.home() / ".cache" / "dl-workbook"
    path = Path(root).expanduser().joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def checkpoint_dir() -> Path:
    """Return the checkpoint folder of the active profile (quick runs never overwrite full ones)."""
    return cache_dir("checkpoints", profile())


def progress(iterable, **kwargs):
    """Return ``iterable`` with a progress bar, or bare when ``TQDM_DISABLE=1`` (tests, book).

    tqdm's notebook bar ignores ``TQDM_DISABLE`` by itself, hence this helper.
    Before each item the thread policy (``utils.threads``) looks at the machine.
    """
    from tqdm.auto import tqdm

    from .threads import adapt

    class Bar(tqdm):
        def __iter__(self):
            for item in super().__iter__():
                adapt()  # a long run follows the CPUs other processes leave free
                yield item

    return Bar(iterable, disable=env_flag("TQDM_DISABLE"), **kwargs)


def seed_everything(seed: int = 0) -> None:
    """Seed Python, NumPy and torch (set-up cell of every lab)."""
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}.")
    import torch

    random.seed(int(seed))
    np.random.seed(int(seed))
    torch.manual_seed(int(seed))


def device():
    """Return the torch device to use: CUDA when present, else CPU."""
    import torch

    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def banner(data_source: str | None = None) -> str:
    """Return the banner a lab prints after its set-up cell (79 columns)."""
    text = f"profile: {profile()}"
    if data_source:
        text += f" | data: {data_source}"
    from .threads import describe

    text += f" | {describe()}"
    return textwrap.fill(text, 79, subsequent_indent="  ", break_on_hyphens=False)
