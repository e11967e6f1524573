"""The same seed gives the same printed numbers: lab 01's training result, run twice."""

import re
from pathlib import Path

import nbformat
from nbclient import NotebookClient

LAB = Path(__file__).parents[1] / "labs" / "01_softmax_derivation.ipynb"


def _accuracy_lines():
    notebook = nbformat.read(LAB, as_version=4)
    NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(LAB.parent)}},
    ).execute()
    text = "\n".join(
        out.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("output_type") == "stream"
    )
    return re.findall(r"^.*accurac.*\d\.\d{4}.*$", text, flags=re.M)


def test_lab01_prints_the_same_accuracies_twice():
    first, second = _accuracy_lines(), _accuracy_lines()
    assert len(first) >= 2, "lab 01 should print its train and test accuracy"
    assert first == second
