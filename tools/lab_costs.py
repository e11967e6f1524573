"""Print each executed lab's run time and peak memory, and the course total.

Reads the notebooks the book build executed (``_build/jupyter_execute/labs``)
and the cost line that every lab's summary table ends with
(``utils.summary.run_cost``).  Exits non-zero when a lab has no such line, so
a build that skipped a lab cannot pass for a whole course.

    python tools/lab_costs.py [_build/jupyter_execute/labs]
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

COST = re.compile(r"run time ([\d,]+) s since the set-up cell, peak memory ([\d,]+) MiB")


def lab_cost(path: Path) -> tuple[int, int]:
    """Return (seconds, peak MiB) printed by an executed lab, or raise ValueError."""
    notebook = nbformat.read(path, as_version=4)
    for cell in reversed(notebook.cells):
        for output in cell.get("outputs", []):
            text = output.get("text") or output.get("data", {}).get("text/markdown", "")
            match = COST.search(text if isinstance(text, str) else "".join(text))
            if match:
                return tuple(int(group.replace(",", "")) for group in match.groups())
    raise ValueError(f"{path} has no cost line: was it executed to the end?")


def main(folder: str = "_build/jupyter_execute/labs") -> int:
    """Print the table; return the exit status."""
    paths = sorted(Path(folder).glob("[0-9][0-9]_*.ipynb"))
    if not paths:
        print(f"no executed labs in {folder}")
        return 1
    print("| lab | run time (s) | peak memory (MiB) |\n| --- | ---: | ---: |")
    total, status = 0, 0
    for path in paths:
        try:
            seconds, memory = lab_cost(path)
        except ValueError as err:
            print(f"| {path.stem} | missing | missing |  <- {err}")
            status = 1
            continue
        total += seconds
        print(f"| {path.stem} | {seconds:,} | {memory:,} |")
    print(f"| all {len(paths)} labs | {total:,} ({total / 60:.1f} min) | |")
    return status


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
