"""Generate the saved-code modules from the lab cells tagged ``save`` (d2l's ``#@save``).

A lab teaches a function; later labs import it.  The function lives in the
lab, in a code cell tagged ``save``; this tool copies every top-level
``def`` and ``class`` of those cells, word for word, into a module of
``utils``, with the lab's imports of the names they use.

    python tools/save_code.py          # write the modules (make saved)
    python tools/save_code.py --check  # exit 1 when a module is out of date
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
import textwrap
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
# module -> (lab it is generated from, what it holds, the tag of its cells)
MODULES = {
    "utils/saved/lab01_softmax.py": (
        "labs/01_softmax_derivation.ipynb",
        "softmax regression of lab 01",
        "save",
    ),
    "utils/saved/lab02_jacobians.py": (
        "labs/02_jacobians.ipynb",
        "the Jacobians and chain rule of lab 02",
        "save",
    ),
    "utils/saved/lab03_mlp.py": (
        "labs/03_numpy_mlp.ipynb",
        "the NumPy two-layer perceptron of lab 03",
        "save",
    ),
    "utils/saved/lab04_regularise.py": (
        "labs/04_overfitting.ipynb",
        "weight decay and early stopping of lab 04",
        "save",
    ),
    "utils/saved/lab05_momentum.py": (
        "labs/05_momentum.ipynb",
        "the momentum updates of lab 05",
        "save",
    ),
    "utils/saved/lab06_nets.py": (
        "labs/06_cnn.ipynb",
        "the digit network of lab 06 and its training loop",
        "save",
    ),
    "utils/saved/lab06_photo.py": (
        "labs/06_cnn.ipynb",
        "lab 06's MNIST recipe for a photo",
        "save-photo",
    ),
    "utils/saved/lab07_transfer.py": (
        "labs/07_transfer_learning.ipynb",
        "cutting a backbone and its head, from lab 07",
        "save",
    ),
    "utils/saved/lab08_embedding.py": (
        "labs/08_greek_embedding.ipynb",
        "the embedding and k-NN of lab 08",
        "save",
    ),
}
# nbgrader's solution markers: the saved code is the solution, without them
MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


def _section(markdown: str, current: str) -> str:
    for line in markdown.splitlines():
        if line.startswith("## "):
            return line[3:].strip()
    return current


def _definitions(source: str) -> list[tuple[str, str]]:
    """Return (name, source) of each top-level def/class of a cell, decorators included."""
    tree = ast.parse(source)
    lines = source.splitlines()
    found = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            found.append((node.name, "\n".join(lines[start - 1 : node.end_lineno])))
    return found


def _used_names(sources: list[str]) -> set[str]:
    names = set()
    for source in sources:
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Name):
                names.add(node.id)
    return names


def _imports(sources: list[str], used: set[str]) -> list[str]:
    """Return the cells' top-level imports of names the saved code uses, package-relative."""
    kept = []
    nodes = [node for source in sources for node in ast.parse(source).body]
    for node in nodes:
        if isinstance(node, ast.Import):
            aliases = [a for a in node.names if (a.asname or a.name.split(".")[0]) in used]
            kept += [f"import {a.name}" + (f" as {a.asname}" if a.asname else "") for a in aliases]
        elif isinstance(node, ast.ImportFrom):
            aliases = [a for a in node.names if (a.asname or a.name) in used]
            if aliases:
                module = node.module
                if module.startswith("utils.saved."):
                    module = "." + module[len("utils.saved.") :]
                elif module.startswith("utils."):
                    module = ".." + module[len("utils.") :]
                names = ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in aliases)
                kept.append(f"from {module} import {names}")
    return list(dict.fromkeys(kept))


def _saved_labs(line: str) -> list[int]:
    """Return the labs whose saved code an import line of a saved module names."""
    node = ast.parse(line).body[0]
    if isinstance(node, ast.ImportFrom):
        names = [("." * node.level) + (node.module or "")]
        names += [f"{names[0]}.{alias.name}" for alias in node.names]
    else:
        names = [alias.name for alias in node.names]
    found = [re.search(r"(?:^\.|saved\.)lab(\d\d)_", name) for name in names]
    return [int(match.group(1)) for match in found if match]


def _refuse_later_labs(module: str, imports: list[str]) -> None:
    """Raise ValueError when the saved code imports a later lab's saved code."""
    lab = int(Path(MODULES[module][0]).name[:2])
    for line in imports:
        later = [n for n in _saved_labs(line) if n > lab]
        if later:
            raise ValueError(
                f"{MODULES[module][0]}: its saved cells use `{line}`, the "
                f"saved code of lab {later[0]:02d}, a later lab than "
                f"{lab:02d}. Saved code imports only from earlier labs and "
                "from utils' plumbing: move the function to the earlier "
                "lab, or give the later one its own name."
            )


def generate(module: str, lab_path: Path | None = None) -> str:
    """Return the text of a saved-code module, generated from its lab."""
    lab, what, tag = MODULES[module]
    notebook = nbformat.read(lab_path or ROOT / lab, as_version=4)
    code = [
        c.source
        for c in notebook.cells
        if c.cell_type == "code" and not c.source.lstrip().startswith("%")
    ]
    section, blocks = "", []
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            section = _section(cell.source, section)
        elif tag in cell.metadata.get("tags", []):
            unmarked = "\n".join(
                line for line in cell.source.splitlines() if line.strip() not in MARKERS
            )
            for name, source in _definitions(unmarked):
                blocks.append((name, section, source))
    if not blocks:
        raise ValueError(f"{lab} has no code cell tagged {tag!r}.")
    imports = _imports(code, _used_names([b[2] for b in blocks]))
    _refuse_later_labs(module, imports)
    names = textwrap.fill(
        ", ".join(f'"{name}"' for name, _, _ in blocks), 68, subsequent_indent=" " * 11
    )
    parts = [
        f'"""Saved code: {what}.\n\nGenerated from ``{lab}`` by\n'
        f"``tools/save_code.py``: edit the lab's cells tagged ``{tag}`` and run\n"
        '``make saved``, never this file.\n"""',
        "from __future__ import annotations",
        "\n".join(imports),
        f'SAVED_FROM = "{lab}"\n__all__ = [{names}]',
    ]
    for _name, section_name, source in blocks:
        parts.append(f'# {lab}, section "{section_name}"\n{source}')
    return "\n\n\n".join(part for part in parts if part) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write (or with --check, compare) every saved-code module."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare")
    parser.add_argument("modules", nargs="*", help="these only (default: all)")
    args = parser.parse_args(argv)
    unknown = set(args.modules) - set(MODULES)
    if unknown:
        parser.error(f"unknown module(s) {sorted(unknown)}; known: {list(MODULES)}")
    stale = []
    for module in args.modules or MODULES:
        text, path = generate(module), ROOT / module
        if args.check:
            if not path.exists() or path.read_text() != text:
                stale.append(module)
        else:
            path.write_text(text)
    for module in stale:
        print(f"{module} is out of date with {MODULES[module][0]}: run make saved")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
