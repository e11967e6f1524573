"""Saved code (d2l's #@save): utils/saved/lab03_mlp.py and utils/saved/lab06_nets.py are generated from the labs."""
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
        f"{module} is out of date with {save_code.MODULES[module][0]}: run make saved")


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
