"""Saved code (d2l's #@save): the modules of utils/saved are generated from the labs
(tools/save_code.py), each importing only from earlier labs."""

import importlib
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import save_code  # noqa: E402


@pytest.mark.parametrize("module", list(save_code.MODULES))
def test_generated_module_is_up_to_date(module):
    assert (ROOT / module).read_text() == save_code.generate(module), (
        f"{module} is out of date with {save_code.MODULES[module][0]}: run make saved"
    )


@pytest.mark.parametrize("module", list(save_code.MODULES))
def test_an_edited_saved_cell_makes_the_module_stale(module, tmp_path):
    lab = ROOT / save_code.MODULES[module][0]
    notebook = nbformat.read(lab, as_version=4)
    tag = save_code.MODULES[module][2]
    cell = next(c for c in notebook.cells if tag in c.metadata.get("tags", []))
    cell.source = cell.source.replace("\n", "\n    # edited in the lab\n", 1)
    edited = tmp_path / lab.name
    nbformat.write(notebook, edited)
    assert save_code.generate(module, edited) != (ROOT / module).read_text()


@pytest.mark.parametrize("module", list(save_code.MODULES))
def test_every_saved_name_is_importable(module):
    imported = importlib.import_module(module.removesuffix(".py").replace("/", "."))
    assert imported.__all__ and all(callable(getattr(imported, name)) for name in imported.__all__)


def test_untagged_lab_is_an_error(tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import numpy")])
    nbformat.write(notebook, tmp_path / "lab.ipynb")
    with pytest.raises(ValueError, match="no code cell tagged"):
        save_code.generate("utils/saved/lab03_mlp.py", tmp_path / "lab.ipynb")


def test_a_forward_import_is_an_error(tmp_path):
    cells = [
        nbformat.v4.new_code_cell("from utils.saved.lab04_regularise import sgd_step"),
        nbformat.v4.new_code_cell("def run(params, grads):\n    sgd_step(params, grads, 0.1)"),
    ]
    cells[1].metadata["tags"] = ["save"]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), tmp_path / "lab.ipynb")
    with pytest.raises(ValueError, match="saved code of lab 04, a later lab than 03"):
        save_code.generate("utils/saved/lab03_mlp.py", tmp_path / "lab.ipynb")
    assert "from .lab04_regularise import sgd_step" in save_code.generate(
        "utils/saved/lab05_momentum.py", tmp_path / "lab.ipynb"
    )
