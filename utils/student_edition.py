"""Make the student edition of the labs: each reference solution replaced by a stub.

Usage: ``python -m utils.student_edition labs/ student/`` (``make student``).
The lines between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` of a code
cell become ``raise NotImplementedError("Exercise: your answer here")``,
indented like the solution; everything else is kept.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

BEGIN = re.compile(r"^(\s*)### BEGIN SOLUTION\s*$")
END = re.compile(r"^\s*### END SOLUTION\s*$")


def strip_solutions(source: str) -> str:
    """Return ``source`` with every solution span replaced by a NotImplementedError stub."""
    out, indent = [], None
    for line in source.splitlines(keepends=True):
        begin = BEGIN.match(line)
        if begin and indent is None:
            indent = begin.group(1)
            out.append(f'{indent}raise NotImplementedError("Exercise: your answer here")\n')
        elif indent is not None and END.match(line):
            indent = None
        elif indent is None:
            out.append(line)
    if indent is not None:
        raise ValueError("a '### BEGIN SOLUTION' has no matching '### END SOLUTION'.")
    return "".join(out)


def make_student_notebook(src: Path, dst: Path) -> int:
    """Write the student edition of notebook ``src`` to ``dst``; return how many cells changed."""
    notebook = json.loads(Path(src).read_text())
    changed = 0
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        stripped = strip_solutions(source)
        if stripped != source:
            cell["source"] = stripped.splitlines(keepends=True)
            cell["outputs"], cell["execution_count"] = [], None
            changed += 1
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n")
    return changed


def main(argv: list[str]) -> None:
    """Convert every notebook in ``argv[0]`` into ``argv[1]``."""
    if len(argv) != 2:
        raise SystemExit("usage: python -m utils.student_edition LABS_DIR OUT_DIR")
    src_dir, out_dir = Path(argv[0]), Path(argv[1])
    for src in sorted(src_dir.glob("*.ipynb")):
        changed = make_student_notebook(src, out_dir / src.name)
        print(f"{src.name}: {changed} solution cell(s) replaced by stubs")


if __name__ == "__main__":
    main(sys.argv[1:])
