"""The built wheel holds every subpackage and data file, and a lab runs from it outside the
checkout.

The wheel is built from a copy of the checkout (as a fresh clone would be),
installed with ``--no-deps`` into a fresh venv that reuses the installed
dependencies (offline), and lab 01 is executed in the quick profile from a
temporary folder with that venv's python as the kernel.  The lab's first
import must resolve to the venv's copy of ``utils``, never the checkout's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from _fresh_venv import ROOT, clean_env, fresh_venv, source_copy

LAB = Path(os.environ.get("WORKBOOK_WHEEL_LAB", ROOT / "labs" / "01_softmax_derivation.ipynb"))

RUNNER = r"""
import json, sys, nbformat
from nbclient import NotebookClient
path, where = sys.argv[1], sys.argv[2]
nb = nbformat.read(path, as_version=4)
nb.cells.append(nbformat.v4.new_code_cell(
    "import json as _j, sys as _s, utils as _u, utils.data as _d, utils.exercises as _e\n"
    "print('WHERE ' + _j.dumps({'python': _s.executable, 'utils': _u.__file__, "
    "'data': _d.__file__, 'exercises': _e.__file__}))"))
NotebookClient(
    nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": where}}
).execute()
nbformat.write(nb, path)
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    src = source_copy(tmp_path_factory.mktemp("src"))
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--quiet",
            "-w",
            str(dist),
            str(src),
        ],
        check=True,
        env=clean_env(),
        timeout=600,
    )
    (built,) = dist.glob("dl_workbook-*.whl")
    return built


def test_wheel_holds_every_subpackage_and_data_file(wheel):
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "utils"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    wanted = {name for name in listed if (ROOT / name).is_file()}
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"utils/exercises/__init__.py", "utils/data/mnist/train-images-idx3-ubyte.gz"} <= wanted
    missing = sorted(wanted - names)
    assert not missing, f"the wheel lacks {len(missing)} files of utils/, e.g. {missing[:5]}"
    assert not [n for n in names if n.startswith(("labs/", "tests/", "book/"))], (
        "only the package ships"
    )


def test_lab_runs_from_the_installed_wheel(wheel, tmp_path):
    python = fresh_venv(tmp_path / "venv")
    subprocess.run(
        [str(python), "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", str(wheel)],
        check=True,
        env=clean_env(),
        timeout=600,
    )
    work = tmp_path / "student"
    work.mkdir()
    notebook = work / LAB.name
    notebook.write_bytes(LAB.read_bytes())
    result = subprocess.run(
        [str(python), "-c", RUNNER, str(notebook), str(work)],
        cwd=work,
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=1800,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    text = "".join(
        "".join(o.get("text", ""))
        for c in json.loads(notebook.read_text())["cells"]
        for o in c.get("outputs", [])
    )
    where = json.loads(text.split("WHERE ", 1)[1].splitlines()[0])
    venv = str(tmp_path / "venv")
    assert where["python"].startswith(venv), where
    for module in ("utils", "data", "exercises"):
        assert where[module].startswith(venv) and "site-packages" in where[module], where
        assert not where[module].startswith(str(ROOT)), f"{module} came from the checkout: {where}"
