"""The student edition and its grading, with nbgrader.

    python tools/grade.py mark [LAB ...]   # nbgrader metadata from the EXERCISES tables
    python tools/grade.py mark --check     # exit 1 when a lab's metadata is stale
    python tools/grade.py student          # student/ : solutions replaced by stubs
    python tools/grade.py grade [NN ...]   # autograde both editions -> _build/grades.csv

An exercise is a solution cell (``### BEGIN SOLUTION`` ... ``### END
SOLUTION``) followed by its grade cell (``check = grade("3.1", ...)``).
``mark`` writes the nbgrader metadata of both cells (points from
``utils.exercises``), the ``hide-input`` tag and the book's "Show solution"
prompt.  A written question is a markdown cell headed ``### Question 3.A
(2 points): ...`` followed by its answer cell: the model answer and the
rubric in a folded admonition, which ``mark`` makes an nbgrader manually
graded answer (the student edition holds "YOUR ANSWER HERE" instead).
``student`` and ``grade`` run nbgrader in a course folder under
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
import textwrap
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
QUESTION = re.compile(r"^### Question (\d+\.[A-Z]) \((\d+) points?\): \S")
ANSWER_OPEN = ":::{admonition} Model answer and rubric\n:class: dropdown\n"
RUBRIC = re.compile(r"^\*\*Rubric \((\d+) points?\)\.\*\*$", re.M)
RUBRIC_ITEM = re.compile(r"^- (\d+) points?: \S", re.M)
TABLE_START, TABLE_END = "<!-- course:start -->", "<!-- course:end -->"
TABLE_PAGES = [ROOT / "README.md", ROOT / "book" / "instructors.md"]
WORKING = re.compile(r"\*\*Working time\*\*[^\n]*(?:\n(?!\n)[^\n]*)*")
SOLUTION_REGION = re.compile(r"### BEGIN SOLUTION\n.*?### END SOLUTION", re.S)
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
            raise ValueError(
                f"cell {i} holds a solution but the next cell "
                'does not start with check = grade("N.M", "name")'
            )
        found.append((match.group(1), i, i + 1))
    return found


def questions(notebook) -> list[tuple[str, int, int]]:
    """Return (question, points, answer cell index) of the written questions.

    Raise ValueError when a question has no well-formed answer cell: the
    model answer and a rubric whose items add up to the question's points.
    """
    found, cells = [], notebook.cells
    for i, cell in enumerate(cells):
        match = cell.cell_type == "markdown" and QUESTION.match(cell.source)
        if not match:
            continue
        label, points = match.group(1), int(match.group(2))
        answer = cells[i + 1] if i + 1 < len(cells) else None
        problem = None
        if answer is None or answer.cell_type != "markdown":
            problem = "is not followed by a markdown answer cell"
        elif not answer.source.startswith(ANSWER_OPEN):
            problem = f"has an answer cell that does not open {ANSWER_OPEN!r}"
        elif "**Model answer.**" not in answer.source:
            problem = "has no **Model answer.**"
        elif not answer.source.rstrip().endswith(":::"):
            problem = "has an answer cell that does not close with :::"
        else:
            rubric = RUBRIC.search(answer.source)
            items = [int(n) for n in RUBRIC_ITEM.findall(answer.source)]
            if not rubric or int(rubric.group(1)) != points:
                problem = f"has no **Rubric ({points} points).**"
            elif sum(items) != points:
                problem = f"has rubric items worth {sum(items)}, not {points}"
        if problem:
            raise ValueError(f"Question {label} (cell {i}) {problem}")
        found.append((label, points, i + 1))
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
            "grade": False,
            "grade_id": grade_id + "_answer",
            "locked": False,
            "schema_version": 3,
            "solution": True,
            "task": False,
        }
        tags = solution.metadata.setdefault("tags", [])
        if "hide-input" not in tags:
            tags.append("hide-input")
        solution.metadata.mystnb = dict(SHOW)
        notebook.cells[test].metadata.nbgrader = {
            "grade": True,
            "grade_id": grade_id,
            "locked": True,
            "points": spec(number).points,
            "schema_version": 3,
            "solution": False,
            "task": False,
        }
    asked = questions(notebook)
    letters = "".join(label[-1] for label, _, _ in asked)
    if letters != "ABCDEFGH"[: len(letters)]:
        raise ValueError(f"{lab}: questions are lettered {letters!r}, not A, B, C... in order")
    for label, points, answer in asked:
        if not label.startswith(f"{int(lab[:2])}."):
            raise ValueError(f"{lab}: question {label} belongs to another lab")
        notebook.cells[answer].metadata.nbgrader = {
            "grade": True,
            "grade_id": "q" + label.replace(".", "_"),
            "locked": False,
            "points": points,
            "schema_version": 3,
            "solution": True,
            "task": False,
        }
    with_working_time(notebook)
    return notebook


def student_lines(notebook) -> list[int]:
    """Return the non-blank lines of each solution, in order."""
    counts = []
    for cell in notebook.cells:
        if cell.cell_type != "code" or BEGIN not in cell.source:
            continue
        inside, n = False, 0
        for line in cell.source.splitlines():
            if BEGIN in line or "### END SOLUTION" in line:
                inside = BEGIN in line
            elif inside and line.strip():
                n += 1
        counts.append(n)
    return counts


def course_table(paths: list[Path]) -> str:
    """The per-lab table of what the student writes and answers."""
    rows = [
        "| lab | exercises (points) | lines written (longest) | "
        "written questions (points) | automatic points | manual points |",
        "| --- | --- | ---: | --- | ---: | ---: |",
    ]
    totals = [0, 0, 0, 0, 0]
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        specs = [spec(number) for number, _, _ in exercises(notebook)]
        lines = student_lines(notebook)
        asked = questions(notebook)
        titles = [
            notebook.cells[i - 1].source.splitlines()[0].split(": ", 1)[1] for _, _, i in asked
        ]
        auto = sum(s.points for s in specs)
        manual = sum(p for _, p, _ in asked)
        rows.append(
            f"| {path.name[:2]} | "
            + ", ".join(f"`{s.name}` ({s.points:g})" for s in specs)
            + f" | {sum(lines)} ({max(lines, default=0)}) | "
            + ", ".join(f"{label} {title} ({p})" for (label, p, _), title in zip(asked, titles))
            + f" | {auto:g} | {manual} |"
        )
        for i, value in enumerate((len(specs), sum(lines), len(asked), auto, manual)):
            totals[i] += value
    n, lines, asked, auto, manual = totals
    rows.append(f"| all | {n} exercises | {lines} | {asked} questions | {auto:g} | {manual} |")
    return "\n".join(rows)


def working_time(notebook) -> str:
    """The opening's **Working time** paragraph: an estimate from the lab's
    prose, given code, student lines and question points at stated rates."""
    words = code = 0
    answers = {i for _, _, i in questions(notebook)}
    for i, cell in enumerate(notebook.cells):
        tags = cell.metadata.get("tags", [])
        if cell.cell_type == "markdown" and i not in answers:
            words += len(WORKING.sub("", cell.source).split())
        elif cell.cell_type == "code" and "hide-input" not in tags:
            given = HIDDEN.sub("", SOLUTION_REGION.sub("", cell.source))
            code += sum(1 for line in given.splitlines() if line.strip())
    lines = sum(student_lines(notebook))
    points = sum(p for _, p, _ in questions(notebook))
    parts = [words / 120, code / 20, 3 * lines, 5 * points]
    return (
        f"**Working time**, estimated for a student, not measured: about "
        f"{_hours(sum(parts))}. Reading takes {_hours(parts[0])} for the "
        f"text (at 120 words a minute) and {_hours(parts[1])} for the "
        f"given code (20 lines a minute); the {lines} lines of the "
        f"exercises take {_hours(parts[2])} (3 minutes a line, testing "
        f"included); the written questions ({points} points) take "
        f"{_hours(parts[3])} (5 minutes a point)."
    )


def _hours(minutes: float) -> str:
    """Say a duration in minutes as people do: "40 min", "2 h 15 min"."""
    minutes = 5 * round(minutes / 5) or 5
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def with_working_time(notebook) -> None:
    """Write the **Working time** paragraph into the opening, in place:
    before its **Run time** paragraph."""
    opening = next(c for c in notebook.cells if c.cell_type == "markdown")
    paragraph = working_time(notebook)
    found = WORKING.search(opening.source)
    if found and " ".join(found.group(0).split()) == paragraph:
        return
    wrapped = textwrap.fill(paragraph, 79)
    if found:
        opening.source = opening.source.replace(found.group(0), wrapped)
    elif "**Run time**" in opening.source:
        opening.source = opening.source.replace("**Run time**", wrapped + "\n\n**Run time**")
    else:
        raise ValueError("the opening has no **Run time** paragraph")


def with_table(text: str, table: str) -> str:
    """Return ``text`` with the course table between its markers."""
    start, end = text.index(TABLE_START), text.index(TABLE_END)
    return text[: start + len(TABLE_START)] + "\n" + table + "\n" + text[end:]


def mark(paths: list[Path], check: bool) -> int:
    """Write (or with ``check``, compare) the metadata of each lab and the
    course table in the README and the instructors' page."""
    stale = 0
    if set(paths) == set(lab_paths()):
        table = course_table(paths)
        for page in TABLE_PAGES:
            text = page.read_text()
            new = with_table(text, table)
            if new == text:
                continue
            if check:
                print(
                    f"{page.relative_to(ROOT)}: the course table is "
                    "stale; run python tools/grade.py mark"
                )
                stale += 1
            else:
                page.write_text(new)
                print(f"{page.relative_to(ROOT)}: course table written")
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        new = marked(notebook, path.name)
        if new == notebook:
            continue
        if check:
            print(f"{path.name}: nbgrader metadata is stale; run python tools/grade.py mark")
            stale += 1
        else:
            nbformat.write(new, path)
            print(f"{path.name}: metadata written")
    return 1 if stale else 0


# After a cell that shows widgets (a training panel), the notebook client now and
# then misses the kernel's reply until its cell timeout runs out, then goes on
# (jupyter/nbclient#312; seen in CI after lab 01's and lab 03's panels). So the
# cell timeout is kept short where cells are (a quick cell takes under 30 s),
# and a run that still never ends is killed and run again once.
CELL_TIMEOUT_S = {"quick": 180, "full": 3600}
NBGRADER_TIMEOUT_S = {"quick": 900, "full": 3600}
NBGRADER_TRIES = 2


def nbgrader(*args: str, env: dict | None = None) -> None:
    """Run one nbgrader command in the course folder; raise on failure."""
    bin_dir = str(Path(sys.executable).parent)  # nbgrader runs alembic from PATH
    env = dict(env or os.environ)
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    command = [str(Path(bin_dir) / "nbgrader"), *args]
    profile = env.get("WORKBOOK_PROFILE", "").strip().lower()
    timeout = NBGRADER_TIMEOUT_S.get(profile, NBGRADER_TIMEOUT_S["full"])
    for attempt in range(1, NBGRADER_TRIES + 1):
        try:
            result = subprocess.run(
                command,
                cwd=COURSE,
                env=env,
                text=True,
                capture_output=True,
                timeout=timeout,
            )
            break
        except subprocess.TimeoutExpired:
            print(
                f"nbgrader {' '.join(args)}: no end after {timeout} s "
                f"(try {attempt} of {NBGRADER_TRIES}); killed",
                flush=True,
            )
    else:
        raise SystemExit(f"{' '.join(command[1:])} never finished: see the messages above")
    if result.returncode:
        raise SystemExit(f"{' '.join(command[1:])} failed:\n{result.stdout}{result.stderr}")


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
    from nbgrader.api import Gradebook, MissingEntry

    for path in paths:
        assignment = f"lab{path.name[:2]}"
        # a scratch course: forget earlier runs, whose cells may differ
        if (COURSE / "gradebook.db").exists():
            with (
                Gradebook(f"sqlite:///{COURSE / 'gradebook.db'}") as book,
                contextlib.suppress(MissingEntry),
            ):
                book.remove_assignment(assignment)
        nbgrader("generate_assignment", assignment, "--force")
        out[path.name[:2]] = COURSE / "release" / assignment / path.name
    return out


def student(out_dir: Path) -> None:
    """Write the student edition of every lab to ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for notebook in release(lab_paths()).values():
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
    problems = [
        f"the feedback shows hidden test code {line.strip()!r}"
        for source in cells
        for block in HIDDEN.findall(source)
        for line in block.splitlines()
        if line.strip() and line.strip() in text
    ]
    problems += [
        f"the feedback has no score for exercise {number}"
        for source in cells
        for number, _ in GRADE_CALL.findall(source)
        if f"Exercise {number}: " not in text
    ]
    if solved and "passed: cases shown here" not in text:
        problems.append("the feedback does not list the named checks")
    return problems


def grade(numbers: list[str], profile: str) -> int:
    """Autograde both editions of each lab; write and print the grades."""
    paths = lab_paths(numbers)
    released = release(paths)
    env = dict(os.environ, WORKBOOK_PROFILE=profile, TQDM_DISABLE="1", MPLBACKEND="Agg")
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
        nbgrader(
            "autograde",
            assignment,
            "--force",
            f"--Execute.timeout={CELL_TIMEOUT_S[profile]}",
            env=env,
        )
        nbgrader("generate_feedback", assignment, "--force", env=env)
        seconds = time.perf_counter() - start
        n = len(exercises(nbformat.read(path, as_version=4)))
        with Gradebook(f"sqlite:///{COURSE / 'gradebook.db'}") as book:
            for edition in editions:
                graded = book.find_submission_notebook(path.stem, assignment, edition)
                auto = [g for g in graded.grades if g.cell_type == "code"]
                manual = [g for g in graded.grades if g.cell_type == "markdown"]
                score = sum(g.score for g in auto)
                top = sum(g.max_score for g in auto)
                rows.append(
                    [
                        lab,
                        edition,
                        n,
                        score,
                        top,
                        len(manual),
                        int(sum(g.max_score for g in manual)),
                    ]
                )
                done = COURSE / "autograded" / edition / assignment / path.name
                problems = unfinished_cells(done) + feedback_problems(
                    path,
                    COURSE / "feedback" / edition / assignment / f"{path.stem}.html",
                    solved=edition == "solution",
                )
                expected = top if edition == "solution" else 0
                if score != expected or problems:
                    failures.append(
                        f"lab {lab} {edition}: {score:g}/{top:g} "
                        f"(expected {expected:g}) " + "; ".join(problems)
                    )
        print(f"lab {lab}: graded both editions in {seconds:.0f} s", flush=True)
    GRADES.parent.mkdir(parents=True, exist_ok=True)
    with GRADES.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(
            ["lab", "edition", "exercises", "score", "max_score", "questions", "manual_points"]
        )
        writer.writerows(rows)
    print(
        f"\n{'lab':>3}  {'edition':<8}  {'exercises':>9}  "
        f"{'score':>5}  {'max':>5}  {'questions':>9}  {'to grade':>8}"
    )
    for lab, edition, n, score, top, asked, manual in rows:
        print(f"{lab:>3}  {edition:<8}  {n:>9}  {score:>5g}  {top:>5g}  {asked:>9}  {manual:>8g}")
    print(
        "score and max_score are the automatic points; the written "
        "answers' manual_points wait for nbgrader's formgrader"
    )
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
    p_grade.add_argument("--profile", default="quick", choices=["quick", "full"])
    args = parser.parse_args(argv)
    if args.command == "mark":
        paths = [path.resolve() for path in args.labs] or lab_paths()
        return mark(paths, args.check)
    with course_lock():
        if args.command == "student":
            student(args.out)
            return 0
        return grade(args.labs, args.profile)


if __name__ == "__main__":
    sys.exit(main())
