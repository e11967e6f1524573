"""d2l-style saved code: what a lab teaches and later labs import must match the lab's text."""
import importlib
import inspect
import json
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
SAVED_MODULES = ["utils.mlp", "utils.nets"]


def _saved_names():
    for name in SAVED_MODULES:
        if not (ROOT / (name.replace(".", "/") + ".py")).exists():
            continue
        module = importlib.import_module(name)
        for item in module.__all__:
            yield pytest.param(module, item, id=f"{name}.{item}")


@pytest.mark.parametrize("module, name", list(_saved_names()))
def test_saved_code_matches_the_lab(module, name):
    notebook = json.loads((ROOT / module.SAVED_FROM).read_text())
    cells = ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]
    source = textwrap.dedent(inspect.getsource(getattr(module, name))).strip()
    assert any(source in cell for cell in cells), (
        f"{module.__name__}.{name} differs from its cell in {module.SAVED_FROM}: "
        "edit both together (the lab teaches it, later labs import it)."
    )
