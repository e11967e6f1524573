"""One home per thing, one meaning per name (issue 23): the layout of utils.

- Saved code depends only on earlier labs: no module of utils/saved reaches,
  directly or through the hand-written modules it imports, the saved code of
  a later lab.
- No public name is defined in two modules of utils.
- A hand-written module does one job, in at most 400 lines.
"""

import ast
import collections
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
UTILS = ROOT / "utils"
SAVED = re.compile(r"utils\.saved\.lab(\d\d)_\w+")
MAX_LINES = 400


def _name(path):
    """utils/saved/lab03_mlp.py -> utils.saved.lab03_mlp; a package's __init__ -> the package."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_name(path): path for path in sorted(UTILS.rglob("*.py"))}
# the graders: a package per lab (its EXERCISES and the modules of its checks),
# whose check_* names repeat lab by lab
GRADERS = {name for name in MODULES if re.fullmatch(r"utils\.exercises\.lab\d\d(\.\w+)?", name)}


def _lab(module):
    """The lab number of a saved-code module, or None for plumbing."""
    match = SAVED.fullmatch(module)
    return int(match.group(1)) if match else None


def _imports(module):
    """The modules of utils that ``module`` imports, anywhere in its code."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            sources = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            sources = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for source in sources:
            while source and source not in MODULES:  # a name inside a module
                source = source.rpartition(".")[0]
            found.update(_with_packages(source) if source else ())
    return found - {module}


def _with_packages(module):
    """A module and the packages that importing it runs first."""
    parts = module.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts) + 1)} & set(MODULES)


def _reached(module):
    """{module reached: the chain of imports that reaches it} from ``module``."""
    chains, todo = {module: [module]}, [module]
    while todo:
        current = todo.pop()
        for other in sorted(_imports(current)):
            if other not in chains:
                chains[other] = chains[current] + [other]
                todo.append(other)
    return chains


def test_the_layout_is_what_the_tests_read():
    saved = [name for name in MODULES if _lab(name) is not None]
    assert len(saved) >= 9 and len(GRADERS) >= 8
    assert "utils.saved.lab01_softmax" in _imports("utils.saved.lab02_jacobians")
    assert len(_public_definitions()) > 100, "the modules of utils were not read"


@pytest.mark.parametrize("module", [name for name in MODULES if _lab(name) is not None])
def test_saved_code_imports_no_later_lab(module):
    later = {
        other: chain
        for other, chain in _reached(module).items()
        if _lab(other) is not None and _lab(other) > _lab(module)
    }
    assert not later, (
        f"{module} (lab {_lab(module):02d}) reaches the saved code of a later lab: "
        + "; ".join(" -> ".join(chain) for chain in later.values())
        + ". Saved code imports only from earlier labs and from plumbing that does too."
    )


def _fake_utils(tmp_path, monkeypatch, files):
    """Point the tests at a package utils made of ``files`` ({path: text})."""
    for name, text in {"utils/__init__.py": "", "utils/saved/__init__.py": "", **files}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    monkeypatch.setattr(
        sys.modules[__name__],
        "MODULES",
        {_name(path): path for path in (tmp_path / "utils").rglob("*.py")},
    )


def test_a_forward_import_is_seen_through_plumbing(tmp_path, monkeypatch):
    """The check can fail: lab 01 -> a hand-written module -> lab 03."""
    _fake_utils(
        tmp_path,
        monkeypatch,
        {
            "utils/saved/lab01_softmax.py": "from ..helper import thing\n",
            "utils/helper.py": "def thing():\n    from .saved import lab03_mlp\n",
            "utils/saved/lab03_mlp.py": "import numpy\n",
        },
    )
    with pytest.raises(
        AssertionError, match="utils.saved.lab01_softmax -> utils.helper -> utils.saved.lab03_mlp"
    ):
        test_saved_code_imports_no_later_lab("utils.saved.lab01_softmax")


def _public_definitions():
    """{name: [modules defining it]} of the top-level def and class of utils, graders aside."""
    defined = collections.defaultdict(list)
    for module, path in MODULES.items():
        if module in GRADERS:
            continue
        for node in ast.parse(path.read_text()).body:
            if isinstance(
                node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
            ) and not node.name.startswith("_"):
                defined[node.name].append(module)
    return defined


# A name defined in two modules, each with the reason it must be. Keep it short.
KNOWN = {}


def test_one_meaning_per_name():
    defined = _public_definitions()
    twice = {
        name: modules for name, modules in defined.items() if len(modules) > 1 and name not in KNOWN
    }
    assert not twice, (
        "public names defined in more than one module of utils (one home per "
        f"thing: import it, or give a different behaviour its own name): {twice}"
    )
    assert all(len(defined[name]) > 1 for name in KNOWN), "KNOWN lists a name defined once"


def test_a_name_defined_twice_is_seen(tmp_path, monkeypatch):
    """The check can fail: two modules define one public name."""
    _fake_utils(
        tmp_path,
        monkeypatch,
        {
            "utils/plots.py": "def count(y):\n    pass\n\n\ndef _private():\n    pass\n",
            "utils/saved/lab08_embedding.py": (
                "def _private():\n    pass\n\n\nclass count:\n    pass\n"
            ),
        },
    )
    with pytest.raises(AssertionError, match="'count': \\['utils.plots', 'utils.saved.lab08"):
        test_one_meaning_per_name()


@pytest.mark.parametrize(
    "module",
    [name for name in MODULES if _lab(name) is None and not name.startswith("utils.saved")],
)
def test_hand_written_module_is_short(module):
    lines = len(MODULES[module].read_text().splitlines())
    assert lines <= MAX_LINES, (
        f"{MODULES[module].relative_to(ROOT)} has {lines} lines (at most {MAX_LINES}): a module "
        "does one job; split it by job."
    )
