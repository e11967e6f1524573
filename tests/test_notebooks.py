"""Every lab: stored without outputs, one title, asserts its lesson, exercises with checks."""
import json
import re
from pathlib import Path

import pytest
import yaml

from utils.student_edition import strip_solutions

ROOT = Path(__file__).parents[1]
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
            assert cell["outputs"] == [] and cell["execution_count"] is None, f"{path.name} has stored outputs"


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.stem)
def test_one_numbered_title(path):
    markdown = "\n".join("".join(c["source"]) for c in _cells(path) if c["cell_type"] == "markdown")
    titles = re.findall(r"^# (.+)$", markdown, flags=re.M)
    assert len(titles) == 1 and titles[0].startswith(path.name[:2] + " · "), titles


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.stem)
def test_lab_asserts_its_lesson(path):
    source = "\n".join(_code(path))
    assert len(re.findall(r"^\s*assert\b|\bcheck\w*\(", source, flags=re.M)) >= 3
    assert "NBVAL_" not in source, "use cell tags, not # NBVAL_ comments (they show in the book)"


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.stem)
def test_exercises_have_solutions_and_checks(path):
    code = _code(path)
    solutions = [i for i, src in enumerate(code) if "### BEGIN SOLUTION" in src]
    assert len(solutions) >= 2, f"{path.name}: at least two exercises with '### BEGIN SOLUTION'"
    for i in solutions:
        assert i + 1 < len(code) and "ex.check_" in code[i + 1], f"{path.name}: the cell after a solution must run its check"
        compile(strip_solutions(code[i]), f"{path.name} student edition", "exec")
