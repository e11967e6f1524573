"""make mutants: mutation testing of every graded reference, with the exercise's
own grader as the test.

mutmut (3.x) mutates the reference of each exercise (``Spec.reference``: a
function, or every method of a class) and runs tests/mutation/test_graders.py
on each mutant: the mutant is killed iff the exercise's grader, run as the
grade cell runs it (shown cases, clauses, every hidden case), gives less than
full points, crashes or hangs (timeout: 10x the unmutated tests' time, plus
10 s). mutmut generates mutants for every function of the reference's module,
but only those of the graded references are run and counted, one at a time
(``--max-children 1``, BLAS and PyTorch on one thread).

It all happens in a scratch copy, _build/mutants/ (utils/, the labs, the
grader test, conftest.py, pyproject.toml with the [tool.mutmut] section
below), laid anew on every run. mutmut leaves decorated functions alone, so
in the copy a graded function's decorators move below it (``f = deco(f)``).

A survivor is explained when tools/mutants_equivalent.toml lists it as an
equivalent mutant (exercise + its mutated line(s), as printed here, with a
reason); the exit status is 1 when an unexplained survivor is left.
_build/mutants/report.json has every mutant, its status, diff and time.

    python tools/mutants.py [--exercise 3.2 ...] [--write]
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from collections import Counter
from dataclasses import dataclass
from datetime import date
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRATCH = ROOT / "_build" / "mutants"
EQUIVALENT = ROOT / "tools" / "mutants_equivalent.toml"
DOCS = [ROOT / "README.md", ROOT / "book" / "instructors.md"]
START, END = "<!-- mutants:start -->", "<!-- mutants:end -->"
KILLED = {"killed", "timeout", "segfault"}  # a crash or a hang is a fail
CONFIG = """
[tool.mutmut]  # written by tools/mutants.py into its scratch copy
source_paths = ["utils"]
only_mutate = {files}
pytest_add_cli_args_test_selection = ["tests/mutation"]
also_copy = ["labs", "conftest.py"]
timeout_multiplier = 10.0
timeout_constant = 1.0
use_git_change_detection = false
"""
ONE_THREAD = dict.fromkeys(("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"), "1")

sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "mutation")]
from test_graders import exercises, mutant_prefix  # noqa: E402

from utils.exercises import spec  # noqa: E402


@dataclass
class Mutant:
    """One mutant of one exercise's reference, as mutmut left it."""

    exercise: str
    name: str
    status: str
    seconds: float
    diff: str = ""
    line: str = ""  # the mutated line(s), normalised: the stable id
    reason: str = ""  # why it is equivalent (from EQUIVALENT)


def undecorate(path: Path, names: set[str]) -> None:
    """Move the decorators of the top-level functions ``names`` in ``path``
    below them (``f = deco(f)``, the same function): mutmut skips decorated ones."""
    source = path.read_text()
    lines = source.splitlines(keepends=True)
    for node in reversed(ast.parse(source).body):  # bottom up: line numbers hold
        if isinstance(node, ast.FunctionDef) and node.name in names and node.decorator_list:
            after = "".join(
                f"{node.name} = {ast.get_source_segment(source, d)}({node.name})\n"
                for d in reversed(node.decorator_list)
            )
            lines[node.end_lineno : node.end_lineno] = [after]
            del lines[node.decorator_list[0].lineno - 1 : node.lineno - 1]
    path.write_text("".join(lines))


def lay_out(chosen: list[str]) -> None:
    """Lay the scratch copy anew for the references of the ``chosen`` exercises."""
    shutil.rmtree(SCRATCH, ignore_errors=True)
    skip = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints")
    shutil.copytree(ROOT / "utils", SCRATCH / "utils", ignore=skip)
    shutil.copytree(ROOT / "tests" / "mutation", SCRATCH / "tests" / "mutation", ignore=skip)
    shutil.copy2(ROOT / "tests" / "exercise_contract.py", SCRATCH / "tests")
    (SCRATCH / "labs").mkdir()
    for notebook in ROOT.glob("labs/*.ipynb"):
        shutil.copy2(notebook, SCRATCH / "labs")
    shutil.copy2(ROOT / "conftest.py", SCRATCH)
    names: dict[str, set[str]] = {}
    for exercise in chosen:
        module, name = spec(exercise).reference.split(":")
        names.setdefault(module.replace(".", "/") + ".py", set()).add(name)
    for file, functions in names.items():
        undecorate(SCRATCH / file, functions)
    (SCRATCH / "pyproject.toml").write_text(
        (ROOT / "pyproject.toml").read_text() + CONFIG.format(files=json.dumps(sorted(names)))
    )


def run_mutmut(chosen: list[str]) -> None:
    """``mutmut run`` on the mutants of the chosen references, one at a time."""
    mutmut = Path(sys.executable).with_name("mutmut")
    globs = [mutant_prefix(exercise) + "*" for exercise in chosen]
    log = SCRATCH / "mutmut.log"
    print(f"mutmut run on {len(chosen)} references (log: {log.relative_to(ROOT)})", flush=True)
    with open(log, "w") as out:
        done = subprocess.run(
            [str(mutmut), "run", "--max-children", "1", *globs],
            cwd=SCRATCH,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **ONE_THREAD},
        )
    if done.returncode:
        print(log.read_text()[-3000:])
        sys.exit(f"mutmut run failed (exit {done.returncode}); see {log}")


def mutated_line(diff: str) -> str:
    """The mutated line(s) of a unified diff, whitespace normalised, on one line:
    ``-old => +new`` (several lines joined by `` | ``)."""

    def side(sign):
        return " | ".join(
            " ".join(line[1:].split())
            for line in diff.splitlines()
            if line[:1] == sign and line[:3] != sign * 3
        )

    return f"-{side('-')} => +{side('+')}"


def collect(chosen: list[str]) -> list[Mutant]:
    """Every mutant of the chosen references: status, time, diff, equivalence."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant
    from mutmut.stats import status_by_exit_code

    mutants = []
    with contextlib.chdir(SCRATCH):
        for exercise in chosen:
            module = spec(exercise).reference.split(":")[0]
            path = module.replace(".", "/") + ".py"
            meta = json.loads(Path("mutants", path + ".meta").read_text())
            prefix = mutant_prefix(exercise)
            names = sorted(
                (k for k in meta["exit_code_by_key"] if k.startswith(prefix)),
                key=lambda k: [int(t) if t.isdigit() else t for t in re.split(r"(\d+)$", k)],
            )
            for name in names:
                mutant = Mutant(
                    exercise,
                    name,
                    status_by_exit_code[meta["exit_code_by_key"][name]],
                    meta["durations_by_key"].get(name, 0.0),
                )
                mutant.diff = get_diff_for_mutant(name, path=path)
                mutant.line = mutated_line(mutant.diff)
                mutants.append(mutant)
    seen = Counter()  # the same mutated line twice in one function: #2, #3 ...
    for mutant in mutants:
        seen[mutant.exercise, mutant.line] += 1
        if seen[mutant.exercise, mutant.line] > 1:
            mutant.line += f" #{seen[mutant.exercise, mutant.line]}"
    return mutants


def explain(mutants: list[Mutant], chosen: list[str]) -> None:
    """Mark the survivors that EQUIVALENT lists; warn about stale entries."""
    entries = tomllib.loads(EQUIVALENT.read_text()).get("equivalent", [])
    survivors = {(m.exercise, m.line): m for m in mutants if m.status == "survived"}
    for entry in entries:
        key = (entry["exercise"], " ".join(entry["diff"].split()))
        if key in survivors:
            survivors[key].reason = entry["reason"]
        elif entry["exercise"] in chosen:
            print(f"stale entry in {EQUIVALENT.name} (no such survivor): {key}")


def table(mutants: list[Mutant], chosen: list[str], seconds: float) -> str:
    """The Markdown table: one row per exercise, then the total wall time."""
    rows = [
        "| exercise | reference | mutants | killed | equivalent | survived | s |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    total = Counter()
    for exercise in chosen:
        own = [m for m in mutants if m.exercise == exercise]
        row = Counter(
            mutants=len(own),
            s=sum(m.seconds for m in own),
            killed=sum(m.status in KILLED for m in own),
            equivalent=sum(bool(m.reason) for m in own),
        )
        row["survived"] = row["mutants"] - row["killed"] - row["equivalent"]
        total.update(row)
        rows.append(
            f"| {exercise} | `{spec(exercise).reference}` | {row['mutants']}"
            f" | {row['killed']} | {row['equivalent']} | {row['survived']}"
            f" | {row['s']:.0f} |"
        )
    rows.append(
        f"| all | {len(chosen)} references | {total['mutants']} | "
        f"{total['killed']} | {total['equivalent']} | {total['survived']} "
        f"| {total['s']:.0f} |"
    )
    return "\n".join(rows) + (
        f"\n\n`make mutants`, mutmut {version('mutmut')}, one process: "
        f"{seconds / 60:.1f} min wall time in all\n({date.today():%Y-%m-%d}; "
        "s: the seconds of each exercise's mutants alone).\n"
    )


def write(text: str) -> None:
    """Put ``text`` between the mutants markers of README.md and the instructors' page."""
    for doc in DOCS:
        old = doc.read_text()
        if START not in old or END not in old:
            sys.exit(f"{doc.relative_to(ROOT)} has no {START} ... {END} markers")
        head, rest = old.split(START, 1)
        doc.write_text(f"{head}{START}\n{text}{END}{rest.split(END, 1)[1]}")
        print(f"wrote the table into {doc.relative_to(ROOT)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--exercise", action="append", help="only this exercise (e.g. 3.2); repeatable"
    )
    parser.add_argument(
        "--write",
        action="store_true",
        help="rewrite the table in README.md and book/instructors.md",
    )
    args = parser.parse_args()
    everything = exercises()
    if unknown := set(args.exercise or ()) - set(everything):
        parser.error(f"no exercise {', '.join(sorted(unknown))}")
    chosen = [e for e in everything if not args.exercise or e in args.exercise]
    if args.write and args.exercise:
        parser.error("--write needs every exercise (no --exercise)")
    start = time.perf_counter()
    lay_out(chosen)
    run_mutmut(chosen)
    mutants = collect(chosen)
    explain(mutants, chosen)
    seconds = time.perf_counter() - start
    text = table(mutants, chosen, seconds)
    print(text)
    (SCRATCH / "report.json").write_text(
        json.dumps({"seconds": seconds, "mutants": [vars(m) for m in mutants]}, indent=1)
    )
    left = [m for m in mutants if m.status not in KILLED and not m.reason]
    for m in left:
        print(f"{m.exercise} {m.status}: {m.line}    ({m.name})")
    if args.write:
        write(text)
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main())
