"""Time every lab as a student runs it: a Jupyter kernel, progress bars on.

Each pass executes the labs in order in fresh kernels (nbclient, as
JupyterLab's kernel runs them, not the book build: no explorer grids) with
a fresh workbook cache shared by the pass, as a student who works through
the course has; the second pass does the same beside a process that keeps
one core busy (as a browser, the JupyterLab server or a neighbour does).

    python tools/lab_times.py                  # full profile, alone and busy
    python tools/lab_times.py --write          # ... and record the result
    python tools/lab_times.py --keep _build/times  # ... keeping the outputs
    WORKBOOK_PROFILE=quick python tools/lab_times.py --labs 03_numpy_mlp

``--write`` stores the figures in tools/lab_times.json and rewrites the
"Run time" paragraph of each lab's opening from them;
tests/test_lab_times.py checks that every opening states what was recorded.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import tempfile
import time
from pathlib import Path

import nbformat
from contention import busy_cores
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "tools" / "lab_times.json"
PARAGRAPH = re.compile(r"\*\*Run time[^\n]*(?:\n(?!\n)[^\n]*)*")  # up to a blank line


CELL_TIMEOUT_S = 900  # no cell of a lab takes this long; a stuck client does
ATTEMPTS = 3


def run_lab(path: Path, env: dict, keep: Path | None = None) -> float:
    """Execute one lab in a fresh kernel; return its wall-clock seconds.

    With ``keep``, the executed notebook (outputs and all) is written there.

    Now and then a kernel goes idle without its client hearing of it (seen
    with nbclient here); such a run times out and is repeated.
    """
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)  # the kernel inherits this environment
    try:
        for attempt in range(1, ATTEMPTS + 1):
            notebook = nbformat.read(path, as_version=4)
            client = NotebookClient(
                notebook,
                timeout=CELL_TIMEOUT_S,
                kernel_name="python3",
                resources={"metadata": {"path": str(path.parent)}},
            )
            start = time.perf_counter()
            try:
                client.execute()
                seconds = time.perf_counter() - start
                if keep:
                    nbformat.write(notebook, keep)
                return seconds
            except TimeoutError as err:
                print(f"{path.stem}: attempt {attempt} timed out ({err}); again", flush=True)
        raise SystemExit(f"{path.stem}: {ATTEMPTS} attempts timed out")
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run_pass(
    labs: list[Path], busy: int, profile: str, keep: Path | None = None
) -> dict[str, float]:
    """Time the labs in order with ``busy`` spinning processes beside them."""
    env = {
        **os.environ,
        "WORKBOOK_PROFILE": profile,
        "WORKBOOK_DATA": tempfile.mkdtemp(prefix="workbook-times-"),
    }
    for name in ("TQDM_DISABLE", "WORKBOOK_BOOK"):
        env.pop(name, None)  # progress bars on, a student's kernel
    times = {}
    with busy_cores(busy):
        for path in labs:
            kept = keep / f"{path.stem}-{busy}busy.ipynb" if keep else None
            times[path.stem] = run_lab(path, env, kept)
            print(f"{path.stem}: {times[path.stem]:.0f} s ({busy} busy cores)", flush=True)
    return times


def minutes(seconds: float) -> str:
    """Return a duration as a student reads it: '40 s', '2.5 min'."""
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.1f} min"


def statement(record: dict) -> str:
    """Return the "Run time" paragraph of a lab's opening for its record."""
    return (
        f"**Run time**, full profile, measured in a Jupyter kernel with progress\n"
        f"bars on, on two CPU cores: {minutes(record['alone'])} alone, "
        f"{minutes(record['busy'])} beside another\n"
        "process that keeps one core busy (`tools/lab_times.py`). The summary table's\n"
        "footer prints what your run took."
    )


def write(times: dict[str, dict]) -> None:
    """Store the record and rewrite each lab's paragraph from it."""
    RECORD.write_text(json.dumps(times, indent=1, sort_keys=True) + "\n")
    for stem, record in times.items():
        path = ROOT / "labs" / f"{stem}.ipynb"
        notebook = json.loads(path.read_text())
        opening = notebook["cells"][0]
        text = "".join(opening["source"])
        if not PARAGRAPH.search(text):
            raise SystemExit(f"{path.name}: its opening has no **Run time** paragraph")
        text = PARAGRAPH.sub(lambda _, record=record: statement(record), text, count=1)
        opening["source"] = text.splitlines(keepends=True)
        path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n")


def main(argv=None) -> None:
    """Time the labs; print a Markdown table; with --write, record it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labs", nargs="*", help="lab names (default: all eight)")
    parser.add_argument("--write", action="store_true", help="record in tools/lab_times.json")
    parser.add_argument(
        "--keep", type=Path, help="folder for the executed notebooks (their outputs)"
    )
    args = parser.parse_args(argv)
    profile = os.environ.get("WORKBOOK_PROFILE", "full")
    labs = sorted((ROOT / "labs").glob("[0-9][0-9]_*.ipynb"))
    if args.labs:
        labs = [path for path in labs if path.stem in args.labs]
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    alone = run_pass(labs, 0, profile, args.keep)
    busy = run_pass(labs, 1, profile, args.keep)
    print(f"\n| lab ({profile} profile) | alone (s) | beside one busy core (s) | ratio |")
    print("| --- | ---: | ---: | ---: |")
    for stem in alone:
        print(
            f"| {stem} | {alone[stem]:.0f} | {busy[stem]:.0f} | {busy[stem] / alone[stem]:.2f}x |"
        )
    if args.write:
        if profile != "full" or args.labs:
            raise SystemExit("--write records the full profile of all eight labs only")
        write({stem: {"alone": round(alone[stem]), "busy": round(busy[stem])} for stem in alone})


if __name__ == "__main__":
    main()
