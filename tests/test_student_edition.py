"""utils.student_edition: solutions become stubs, nothing else changes."""
import json

import pytest

from utils.student_edition import make_student_notebook, strip_solutions


def test_strip_solutions_keeps_indentation_and_surroundings():
    source = "def f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION\n\nprint(1)\n"
    out = strip_solutions(source)
    assert out == 'def f(x):\n    raise NotImplementedError("Exercise: your answer here")\n\nprint(1)\n'
    compile(out, "cell", "exec")


def test_unclosed_solution_is_an_error():
    with pytest.raises(ValueError, match="no matching"):
        strip_solutions("### BEGIN SOLUTION\nx = 1\n")


def test_student_notebook_replaces_only_solution_cells(tmp_path):
    nb = {"cells": [
        {"cell_type": "code", "source": ["x = 1\n"], "outputs": [], "execution_count": None, "metadata": {}},
        {"cell_type": "code", "source": ["### BEGIN SOLUTION\n", "y = 2\n", "### END SOLUTION\n"],
         "outputs": [], "execution_count": None, "metadata": {}},
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    src = tmp_path / "lab.ipynb"
    src.write_text(json.dumps(nb))
    assert make_student_notebook(src, tmp_path / "out" / "lab.ipynb") == 1
    cells = json.loads((tmp_path / "out" / "lab.ipynb").read_text())["cells"]
    assert cells[0]["source"] == ["x = 1\n"] and "NotImplementedError" in "".join(cells[1]["source"])
