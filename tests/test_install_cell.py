"""Colab and Binder: the labs' first cell installs the workbook; Binder's config does too;
launch paths exist.

The first-cell install runs in a fresh venv (it reuses the installed
dependencies; no index, no network) with ``WORKBOOK_INSTALL_URL`` pointing at a
copy of the checkout, and every ``utils`` module the labs import must then
import from that venv.  Run a second time, it must install nothing.
"""

from __future__ import annotations

import json
import re
import subprocess
import tomllib

import pytest
import yaml
from _fresh_venv import ROOT, clean_env, fresh_venv, source_copy

CELL = (ROOT / "binder" / "install_cell.py").read_text()
LABS = sorted((ROOT / "labs").glob("*.ipynb"))
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
CONFIG = yaml.safe_load((ROOT / "book" / "_config.yml").read_text())
TOC = yaml.safe_load((ROOT / "book" / "_toc.yml").read_text())


def _code_cells(path):
    return [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]


def lab_modules() -> list[str]:
    """Every ``utils`` module the labs import."""
    found = {"utils"}
    for path in LABS:
        for cell in _code_cells(path):
            source = "".join(cell["source"])
            for package, names in re.findall(
                r"^\s*from (utils(?:\.\w+)*) import (\([^)]*\)|[^\n]*)", source, re.M
            ):
                found.add(package)
                for name in names.strip("()").replace("\n", ",").split(","):
                    module = f"{package}.{name.split()[0]}" if name.split() else ""
                    relative = ROOT / module.replace(".", "/")
                    if module and (
                        relative.with_suffix(".py").is_file()
                        or (relative / "__init__.py").is_file()
                    ):
                        found.add(module)
            found.update(re.findall(r"^\s*import (utils(?:\.\w+)+)", source, re.M))
    return sorted(found)


def test_cell_pins_the_books_version_and_repository():
    assert f'WORKBOOK_VERSION = "{VERSION}"' in CELL, (
        "the cell installs the version of pyproject.toml"
    )
    assert f"git+{CONFIG['repository']['url']}@v" in CELL and '"WORKBOOK_INSTALL_URL"' in CELL
    assert max(len(line) for line in CELL.splitlines()) <= 79


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.stem)
def test_every_lab_starts_with_the_install_cell(path):
    first = _code_cells(path)[0]
    assert "".join(first["source"]).strip() == CELL.strip(), (
        f"{path.name}: the first code cell must be binder/install_cell.py, word for word"
    )
    assert "hide-input" in first.get("metadata", {}).get("tags", []), "tagged so the book folds it"


def test_install_cell_installs_the_workbook_in_a_fresh_environment(tmp_path):
    modules = lab_modules()
    assert {"utils.config", "utils.data", "utils.widgets", "utils.exercises"} <= set(modules), (
        modules
    )
    python = fresh_venv(tmp_path / "venv")
    checkout = source_copy(tmp_path / "checkout")
    probe = (
        CELL + "\nimport importlib, json\n"
        "print('WHERE ' + json.dumps("
        f"{{m: importlib.import_module(m).__file__ for m in {modules!r}}}))\n"
    )
    # pip's own variables keep it offline: no index, no dependencies, no isolated build env.
    env = clean_env(
        WORKBOOK_INSTALL_URL=str(checkout),
        PIP_NO_INDEX="1",
        PIP_NO_DEPS="1",
        PIP_NO_BUILD_ISOLATION="0",
    )
    work = tmp_path / "colab"
    work.mkdir()
    first = subprocess.run(
        [str(python), "-c", probe], cwd=work, env=env, capture_output=True, text=True, timeout=900
    )
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-3000:]
    assert f"Installing the workbook from {checkout}" in first.stdout
    where = json.loads(first.stdout.split("WHERE ", 1)[1].splitlines()[0])
    venv = str(tmp_path / "venv")
    outside = {m: f for m, f in where.items() if not f.startswith(venv)}
    assert not outside, f"imported from outside the fresh venv: {outside}"

    env["WORKBOOK_INSTALL_URL"] = str(tmp_path / "nowhere")  # a second run must not install
    second = subprocess.run(
        [str(python), "-c", probe], cwd=work, env=env, capture_output=True, text=True, timeout=300
    )
    assert second.returncode == 0 and "Installing" not in second.stdout, second.stderr[-2000:]


def test_binder_installs_the_workbook():
    post_build = ROOT / "binder" / "postBuild"
    assert post_build.stat().st_mode & 0o111, "postBuild must be executable"
    text = post_build.read_text()
    assert re.search(r"pip install [^\n]*(\\\n[^\n]*)*-c constraints\.txt \.\s*$", text, re.M), text
    runtime = (ROOT / "binder" / "runtime.txt").read_text().strip()
    needed = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert runtime.startswith("python-3.") and int(runtime.split(".")[1]) >= int(
        needed.split(".")[1]
    )
    assert (ROOT / "constraints.txt").is_file()


def _toc_files(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("file", "root"):
                yield value
            else:
                yield from _toc_files(value)
    elif isinstance(node, list):
        for item in node:
            yield from _toc_files(item)


def test_launch_buttons_point_at_existing_paths():
    buttons, repository = CONFIG["launch_buttons"], CONFIG["repository"]
    assert buttons["binderhub_url"].startswith("https://") and buttons["colab_url"].startswith(
        "https://"
    )
    assert (
        re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", repository["url"])
        and repository["branch"]
    )
    book_root = ROOT / repository.get("path_to_book", "")
    files = list(_toc_files(TOC))
    notebooks = [f for f in files if (book_root / f"{f}.ipynb").is_file()]
    assert sorted(notebooks) == sorted(f"labs/{p.stem}" for p in LABS), (
        "every lab gets launch buttons"
    )
    for name in files:
        assert any((book_root / f"{name}{suffix}").is_file() for suffix in (".ipynb", ".md")), name
