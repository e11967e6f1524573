"""Fresh virtual environments for the install tests (wheel, first-cell install), offline.

A venv made with ``--system-site-packages`` sees the base interpreter's
packages, not those of the venv running the tests, so a ``.pth`` file adds the
running venv's site-packages after the new venv's own: the dependencies are
reused (nothing is downloaded) while the workbook itself must come from what
the test installs.  ``.pth`` lines that are paths do not run the running venv's
own ``.pth`` hooks, so its editable install of the workbook stays invisible.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def source_copy(dest: Path) -> Path:
    """Copy the checkout's files (tracked and new, not ignored) to ``dest``, like a fresh clone."""
    listed = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    return dest


def fresh_venv(path: Path) -> Path:
    """Create a venv at ``path`` that reuses the running venv's packages; return its python."""
    subprocess.run(
        [sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(path)],
        check=True,
        capture_output=True,
    )
    python = path / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    parents = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    Path(purelib, "_running_venv.pth").write_text("".join(f"{p}\n" for p in parents))
    return python


def clean_env(**extra) -> dict:
    """The environment for a child process: quick, offline, no repository on the path."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")
    }
    env.update(
        WORKBOOK_PROFILE="quick",
        WORKBOOK_OFFLINE="1",
        TQDM_DISABLE="1",
        PIP_NO_INPUT="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(extra)
    return env
