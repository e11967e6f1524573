"""Every lab: stored without outputs, one title, asserts its lesson, exercises with checks."""

import ast
import importlib
import json
import re
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import grade as grade_tool  # noqa: E402

LABS = sorted((ROOT / "labs").glob("*.ipynb"))


def _cells(path):
    return json.loads(path.read_text())["cells"]


def _code(path):
    return ["".join(c["source"]) for c in _cells(path) if c["cell_type"] == "code"]


def test_toc_lists_exactly_the_labs():
    toc = yaml.safe_load((ROOT / "book" / "_toc.yml").read_text())
    files = [c["file"] for part in toc["parts"] for c in part["chapters"]]
    in_toc = sorted(f for f in files if f.startswith("labs/"))
    assert LABS and in_toc == [f"labs/{p.stem}" for p in LABS]


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.stem)
def test_stored_without_outputs(path):
    for cell in _cells(path):
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, (
                f"{path.name} has stored outputs"
            )


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.stem)
def test_one_numbered_title(path):
    markdown = "\n".join("".join(c["source"]) for c in _cells(path) if c["cell_type"] == "markdown")
    titles = re.findall(r"^# (.+)$", markdown, flags=re.M)
    assert len(titles) == 1 and titles[0].startswith(path.name[:2] + " · "), titles


def _lesson_code(path):
    """Code cells that are neither exercises nor their grade cells."""
    return [
        src
        for c, src in zip(_code_cells(path), _code(path))
        if "nbgrader" not in c.get("metadata", {})
    ]


def _code_cells(path):
    return [c for c in _cells(path) if c["cell_type"] == "code"]


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.stem)
def test_lab_asserts_its_lesson(path):
    lesson = "\n".join(_lesson_code(path))
    tree = ast.parse(
        "\n".join(line for line in lesson.splitlines() if not line.lstrip().startswith(("%", "!")))
    )
    asserts = [n for n in ast.walk(tree) if isinstance(n, ast.Assert)]
    assert len(asserts) >= 5, (
        f"{path.name}: {len(asserts)} assert statements in its lesson cells; "
        "a lab asserts what it teaches"
    )
    assert "NBVAL_" not in lesson, "use cell tags, not # NBVAL_ comments (they show in the book)"


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.stem)
def test_code_fits_the_column(path):
    long = [
        (i, line)
        for i, src in enumerate(_code(path))
        for line in src.splitlines()
        if len(line) > 79
    ]
    assert not long, f"{path.name}: lines over 79 characters: {long[:3]}"


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.stem)
def test_graded_exercises(path):
    """At least 3 graded exercises, all of the lab's table, metadata fresh."""
    lab = int(path.name[:2])
    table = importlib.import_module(f"utils.exercises.lab{lab:02d}").EXERCISES
    notebook = nbformat.read(path, as_version=4)
    found = [number for number, _, _ in grade_tool.exercises(notebook)]
    assert len(found) >= 3, f"{path.name}: {found}; a lab grades 3 or more"
    assert sorted(found) == sorted(table), (
        f"{path.name} grades {found}, its table lists {list(table)}"
    )
    assert grade_tool.marked(notebook, path.name) == notebook, (
        f"{path.name}: run python tools/grade.py mark"
    )
    for number, _answer, test in grade_tool.exercises(notebook):
        source = notebook.cells[test].source
        if table[number].points >= 2:
            assert "### BEGIN HIDDEN TESTS" in source, (
                f"{path.name}: core exercise {number} has no hidden tests"
            )
        assert source.rstrip().endswith("check.score"), (
            f"{path.name} {number}: the grade cell must end with check.score "
            "(nbgrader reads it as the cell's points)"
        )


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.stem)
def test_markdown_reads_the_same_in_jupyterlab(path):
    """Sphinx-only roles such as {cite} show raw in JupyterLab."""
    markdown = "\n".join("".join(c["source"]) for c in _cells(path) if c["cell_type"] == "markdown")
    assert not re.findall(r"\{cite(:\w+)?\}`", markdown), (
        f"{path.name}: link to book/bibliography.md instead of {{cite}}"
    )
