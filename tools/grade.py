"""The student edition and its grading, with nbgrader.

    python tools/grade.py mark [LAB ...]   # nbgrader metadata from the EXERCISES tables
    python tools/grade.py mark --check     # exit 1 when a lab's metadata is stale
    python tools/grade.py student          # student/ : solutions replaced by stubs
    python tools/grade.py grade [NN ...]   # autograde both editions -> _build/grades.csv

An exercise is a solution cell (``### BEGIN SOLUTION`` ... ``### END
SOLUTION``) followed by its grade cell (``check = grade("3.1", ...)``).
``mark`` writes the nbgrader metadata of both cells (points from
``utils.exercises``), the ``hide-input`` tag and the book's "Show solution"
prompt.  ``student`` and ``grade`` run nbgrader in a course folder under
``_build/nbgrader``: ``generate_assignment`` makes the student edition,
``autograde`` executes and scores the solution edition (the labs as they
are) and the unfinished student edition, in the quick profile by default;
``generate_feedback`` writes the HTML each student gets back, which lists
every exercise's named checks and hides the hidden tests.
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import fcntl
import os
import re
import shutil
import subprocess
import sys
import time
from html import unescape
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
LABS = ROOT / "labs"
COURSE = ROOT / "_build" / "nbgrader"
GRADES = ROOT / "_build" / "grades.csv"
GRADE_CALL = re.compile(r'^check = grade\("(\d+\.\d+)", "(\w+)"\)', re.M)
BEGIN = "### BEGIN SOLUTION"
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)
SHOW = {"code_prompt_show": "Show solution", "code_prompt_hide": "Hide solution"}
CONFIG = """\
c = get_config()
c.CourseDirectory.root = {root!r}
c.CourseDirectory.course_id = "dl-workbook"
c.Execute.timeout = 3600
c.ClearSolutions.code_stub = {{"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}}
# the feedback a student gets shows the named checks, not the hidden tests
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import ClearHiddenTests, GetGrades
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests,
                                    CSSHTMLHeaderPreprocessor]
"""

sys.path.insert(0, str(ROOT))
from utils.exercises import spec  # noqa: E402


def lab_paths(numbers: list[str] | None = None) -> list[Path]:
    """Return the lab notebooks, all or those numbered ``numbers`` ("03")."""
    paths = sorted(LABS.glob("[0-9][0-9]_*.ipynb"))
    if numbers:
        wanted = {f"{int(n):02d}" for n in numbers}
        paths = [p for p in paths if p.name[:2] in wanted]
        missing = wanted - {p.name[:2] for p in paths}
        if missing:
            raise SystemExit(f"no lab numbered {sorted(missing)} in {LABS}")
    return paths


def exercises(notebook) -> list[tuple[str, int, int]]:
    """Return (exercise, solution cell index, grade cell index) in order."""
    found, cells = [], notebook.cells
    for i, cell in enumerate(cells):
        if cell.cell_type != "code" or BEGIN not in cell.source:
            continue
        after = cells[i + 1] if i + 1 < len(cells) else None
        match = after is not None and GRADE_CALL.search(after.source)
        if not match:
            raise ValueError(f"cell {i} holds a solution but the next cell "
                             "does not start with check = grade(\"N.M\", \"name\")")
        found.append((match.group(1), i, i + 1))
    return found


def marked(notebook, lab: str) -> nbformat.NotebookNode:
    """Return ``notebook`` with the nbgrader metadata of its exercises written."""
    notebook = nbformat.from_dict(notebook)
    for cell in notebook.cells:
        cell.metadata.pop("nbgrader", None)
    listed = exercises(notebook)
    numbers = [number for number, _, _ in listed]
    if len(set(numbers)) != len(numbers):
        raise ValueError(f"{lab}: an exercise is graded twice: {numbers}")
    for number, answer, test in listed:
        if not number.startswith(f"{int(lab[:2])}."):
            raise ValueError(f"{lab}: exercise {number} belongs to another lab")
        grade_id = "ex" + number.replace(".", "_")
        solution = notebook.cells[answer]
        solution.metadata.nbgrader = {
            "grade": False, "grade_id": grade_id + "_answer", "locked": False,
            "schema_version": 3, "solution": True, "task": False}
        tags = solution.metadata.setdefault("tags", [])
        if "hide-input" not in tags:
            tags.append("hide-input")
        solution.metadata.mystnb = dict(SHOW)
        notebook.cells[test].metadata.nbgrader = {
            "grade": True, "grade_id": grade_id, "locked": True,
            "points": spec(number).points, "schema_version": 3,
            "solution": False, "task": False}
    return notebook


def mark(paths: list[Path], check: bool) -> int:
    """Write (or with ``check``, compare) the metadata of each lab."""
    stale = 0
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        new = marked(notebook, path.name)
        if new == notebook:
            continue
        if check:
            print(f"{path.name}: nbgrader metadata is stale; run "
                  "python tools/grade.py mark")
            stale += 1
        else:
            nbformat.write(new, path)
            print(f"{path.name}: metadata written")
    return 1 if stale else 0


def nbgrader(*args: str, env: dict | None = None) -> None:
    """Run one nbgrader command in the course folder; raise on failure."""
    bin_dir = str(Path(sys.executable).parent)  # nbgrader runs alembic from PATH
    env = dict(env or os.environ)
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    command = [str(Path(bin_dir) / "nbgrader"), *args]
    result = subprocess.run(command, cwd=COURSE, env=env, text=True,
                            capture_output=True)
    if result.returncode:
        raise SystemExit(f"{' '.join(command[1:])} failed:\n"
                         f"{result.stdout}{result.stderr}")


def prepare(paths: list[Path]) -> None:
    """Fill the course folder's source/ with the labs (one assignment each)."""
    COURSE.mkdir(parents=True, exist_ok=True)
    (COURSE / "nbgrader_config.py").write_text(CONFIG.format(root=str(COURSE)))
    for path in paths:
        source = COURSE / "source" / f"lab{path.name[:2]}"
        shutil.rmtree(source, ignore_errors=True)
        source.mkdir(parents=True)
        notebook = nbformat.read(path, as_version=4)
        if marked(notebook, path.name) != notebook:
            raise SystemExit(f"{path.name}: run python tools/grade.py mark first")
        shutil.copy(path, source / path.name)


def release(paths: list[Path]) -> dict[str, Path]:
    """Generate the student edition of each lab; return lab -> notebook."""
    prepare(paths)
    out = {}
    for path in paths:
        assignment = f"lab{path.name[:2]}"
        nbgrader("generate_assignment", assignment, "--force")
        out[path.name[:2]] = COURSE / "release" / assignment / path.name
    return out


def student(out_dir: Path) -> None:
    """Write the student edition of every lab to ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for lab, notebook in release(lab_paths()).items():
        shutil.copy(notebook, out_dir / notebook.name)
        n = len(exercises(nbformat.read(LABS / notebook.name, as_version=4)))
        print(f"{out_dir.name}/{notebook.name}: {n} exercises to do")


def unfinished_cells(notebook_path: Path) -> list[str]:
    """Return what stopped a graded notebook short: errors, cells not run."""
    notebook = nbformat.read(notebook_path, as_version=4)
    problems = []
    for i, cell in enumerate(notebook.cells):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        if cell.execution_count is None:
            problems.append(f"cell {i} was not executed")
        for output in cell.outputs:
            if output.output_type == "error":
                problems.append(f"cell {i}: {output.ename}: {output.evalue}")
    return problems


def feedback_problems(lab: Path, html: Path, solved: bool) -> list[str]:
    """What is wrong with a student's feedback: hidden test code shown, an
    exercise without its score, or (solved) no list of named checks."""
    if not html.exists():
        return [f"no feedback at {html}"]
    text = unescape(re.sub(r"<[^>]+>", "", html.read_text()))
    cells = [cell.source for cell in nbformat.read(lab, as_version=4).cells]
    problems = [f"the feedback shows hidden test code {line.strip()!r}"
                for source in cells for block in HIDDEN.findall(source)
                for line in block.splitlines()
                if line.strip() and line.strip() in text]
    problems += [f"the feedback has no score for exercise {number}"
                 for source in cells for number, _ in GRADE_CALL.findall(source)
                 if f"Exercise {number}: " not in text]
    if solved and "passed: cases shown here" not in text:
        problems.append("the feedback does not list the named checks")
    return problems


def grade(numbers: list[str], profile: str) -> int:
    """Autograde both editions of each lab; write and print the grades."""
    paths = lab_paths(numbers)
    released = release(paths)
    env = dict(os.environ, WORKBOOK_PROFILE=profile, TQDM_DISABLE="1",
               MPLBACKEND="Agg")
    rows, failures = [], []
    from nbgrader.api import Gradebook
    for path in paths:
        lab, assignment = path.name[:2], f"lab{path.name[:2]}"
        editions = {"solution": path, "student": released[lab]}
        for edition, notebook in editions.items():
            folder = COURSE / "submitted" / edition / assignment
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            shutil.copy(notebook, folder / path.name)
        start = time.perf_counter()
        nbgrader("autograde", assignment, "--force", env=env)
        nbgrader("generate_feedback", assignment, "--force", env=env)
        seconds = time.perf_counter() - start
        n = len(exercises(nbformat.read(path, as_version=4)))
        with Gradebook(f"sqlite:///{COURSE / 'gradebook.db'}") as book:
            for edition in editions:
                graded = book.find_submission_notebook(
                    path.stem, assignment, edition)
                score, top = graded.score, graded.max_score
                rows.append([lab, edition, n, score, top])
                done = COURSE / "autograded" / edition / assignment / path.name
                problems = unfinished_cells(done) + feedback_problems(
                    path, COURSE / "feedback" / edition / assignment
                    / f"{path.stem}.html", solved=edition == "solution")
                expected = top if edition == "solution" else 0
                if score != expected or problems:
                    failures.append(f"lab {lab} {edition}: {score:g}/{top:g} "
                                    f"(expected {expected:g}) "
                                    + "; ".join(problems))
        print(f"lab {lab}: graded both editions in {seconds:.0f} s",
              flush=True)
    GRADES.parent.mkdir(parents=True, exist_ok=True)
    with GRADES.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["lab", "edition", "exercises", "score", "max_score"])
        writer.writerows(rows)
    print(f"\n{'lab':>3}  {'edition':<8}  {'exercises':>9}  "
          f"{'score':>5}  {'max':>5}")
    for lab, edition, n, score, top in rows:
        print(f"{lab:>3}  {edition:<8}  {n:>9}  {score:>5g}  {top:>5g}")
    print(f"written to {GRADES}")
    for failure in failures:
        print(f"FAILED {failure}", file=sys.stderr)
    return 1 if failures else 0


@contextlib.contextmanager
def course_lock():
    """Hold the course folder: one nbgrader run at a time shares its gradebook."""
    COURSE.mkdir(parents=True, exist_ok=True)
    with open(COURSE / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run one subcommand."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_mark = sub.add_parser("mark", help="write nbgrader metadata")
    p_mark.add_argument("labs", nargs="*", type=Path)
    p_mark.add_argument("--check", action="store_true")
    p_student = sub.add_parser("student", help="generate the student edition")
    p_student.add_argument("--out", type=Path, default=ROOT / "student")
    p_grade = sub.add_parser("grade", help="autograde both editions")
    p_grade.add_argument("labs", nargs="*", help="lab numbers (default: all)")
    p_grade.add_argument("--profile", default="quick",
                         choices=["quick", "full"])
    args = parser.parse_args(argv)
    if args.command == "mark":
        return mark(args.labs or lab_paths(), args.check)
    with course_lock():
        if args.command == "student":
            student(args.out)
            return 0
        return grade(args.labs, args.profile)


if __name__ == "__main__":
    sys.exit(main())
