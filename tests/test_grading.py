"""tools/grade.py with nbgrader: the student edition hides every solution,
and a broken reference loses its points."""

import csv
import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import grade as grade_tool  # noqa: E402

from utils.exercises import Check  # noqa: E402

SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """The student edition of every lab, made by nbgrader in a temp course."""
    course = tmp_path_factory.mktemp("course")
    old = grade_tool.COURSE
    grade_tool.COURSE = course
    try:
        yield grade_tool.release(grade_tool.lab_paths())
    finally:
        grade_tool.COURSE = old


def _secret_lines(path, pattern):
    text = "\n".join(c.source for c in nbformat.read(path, 4).cells)
    return {
        line.strip()
        for block in pattern.findall(text)
        for line in block.splitlines()
        if len(line.strip()) > 12 and not line.strip().startswith("#")
    }


@pytest.mark.parametrize("lab", [p.name[:2] for p in grade_tool.lab_paths()])
def test_student_edition_leaks_no_solution(released, lab):
    source = next(p for p in grade_tool.lab_paths() if p.name[:2] == lab)
    student = nbformat.read(released[lab], 4)
    text = "\n".join(c.source for c in student.cells)
    assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
    assert "Model answer" not in text and "Rubric (" not in text
    asked = grade_tool.questions(nbformat.read(source, 4))
    blanks = [c for c in student.cells if c.source == "YOUR ANSWER HERE"]
    assert len(blanks) == len(asked)
    own_lines = {line.strip() for line in text.splitlines()}
    for pattern in (SOLUTION, HIDDEN):
        leaked = _secret_lines(source, pattern) & own_lines
        # a line that also appears outside every solution (e.g. `return P`)
        # is not a leak; what must not appear is code found only there
        outside = {
            line.strip()
            for c in nbformat.read(source, 4).cells
            for line in SOLUTION.sub("", HIDDEN.sub("", c.source)).splitlines()
        }
        assert not leaked - outside, f"lab {lab} leaks {sorted(leaked)[:3]}"
    stubs = [c for c in student.cells if "raise NotImplementedError()" in c.source]
    assert len(stubs) == len(grade_tool.exercises(nbformat.read(source, 4)))
    for cell in stubs:
        compile(cell.source, f"lab {lab} stub", "exec")
        assert cell.outputs == []


def _solution_of(lab, name):
    path = next(p for p in grade_tool.lab_paths() if p.name[:2] == lab)
    return next(
        c.source
        for c in nbformat.read(path, 4).cells
        if "### BEGIN SOLUTION" in c.source and re.search(rf"^def {name}\(", c.source, re.M)
    )


def test_a_sign_flipped_in_mlp_backward_loses_its_points():
    import utils.saved.lab03_mlp as mlp

    source = _solution_of("03", "mlp_backward")
    assert "P - Y_onehot" in source
    namespace = dict(vars(mlp))
    from utils.exercises.lab03 import EXERCISES

    number = next(n for n, s in EXERCISES.items() if s.name == "mlp_backward")
    exec(source.replace("P - Y_onehot", "Y_onehot - P"), namespace)
    check = Check(number, namespace["mlp_backward"])
    check.run()
    assert check.score == 0 and check.keep() is mlp.mlp_backward
    exec(source, namespace)
    check = Check(number, namespace["mlp_backward"])
    check.run()
    assert check.score == check.spec.points


def test_metadata_is_fresh():
    assert grade_tool.mark(grade_tool.lab_paths(), check=True) == 0


def test_a_solution_without_a_grade_cell_is_an_error():
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION"
            ),
            nbformat.v4.new_code_cell("print(f())"),
        ]
    )
    with pytest.raises(ValueError, match="does not start with check = grade"):
        grade_tool.exercises(notebook)


def test_points_are_a_bare_number_for_nbgrader():
    from utils.exercises import Points

    score = Points(1.5, 3, "3.1")
    assert repr(score) == "1.5" and float(score) == 1.5
    assert "1.5 / 3 points" in score._repr_markdown_()


QUESTION_CELLS = [
    nbformat.v4.new_markdown_cell("### Question 1.A (3 points): why\n\nSay why, in two sentences."),
    nbformat.v4.new_markdown_cell(
        ":::{admonition} Model answer and rubric\n:class: dropdown\n\n"
        "**Model answer.** Because.\n\n**Rubric (3 points).**\n"
        "- 2 points: the cause\n- 1 point: the effect\n:::"
    ),
]


def test_a_written_question_is_a_manually_graded_answer():
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_markdown_cell("# 01 · X\n\n**Run time** 1 s.")]
        + [nbformat.from_dict(c) for c in QUESTION_CELLS]
    )
    assert grade_tool.questions(notebook) == [("1.A", 3, 2)]
    marked = grade_tool.marked(notebook, "01_x.ipynb")
    assert "written questions (3 points) take 15 min" in " ".join(marked.cells[0].source.split())
    meta = marked.cells[2].metadata
    assert meta.nbgrader["solution"] and meta.nbgrader["grade"]
    assert meta.nbgrader["points"] == 3
    for old, new, problem in [
        ("- 1 point: the effect", "- 2 points: the effect", "worth 4"),
        ("**Model answer.**", "**Answer.**", "no **Model answer"),
        (":class: dropdown", ":class: note", "does not open"),
    ]:
        broken = nbformat.from_dict(notebook)
        broken.cells[2].source = broken.cells[2].source.replace(old, new)
        with pytest.raises(ValueError, match=re.escape(problem)):
            grade_tool.questions(broken)


def test_the_student_writes_350_lines_and_25_in_every_lab():
    lines = {
        path.name[:2]: sum(grade_tool.student_lines(nbformat.read(path, 4)))
        for path in grade_tool.lab_paths()
    }
    assert sum(lines.values()) >= 350, lines
    assert min(lines.values()) >= 25, lines


def test_every_lab_asks_two_written_questions():
    for path in grade_tool.lab_paths():
        asked = grade_tool.questions(nbformat.read(path, 4))
        assert len(asked) >= 2, f"{path.name} asks {len(asked)} questions"


def test_feedback_lists_the_named_checks_and_hides_the_hidden_tests(tmp_path, monkeypatch):
    """nbgrader's feedback of lab 01 cut after exercise 1.2, both editions:
    every score with its named checks, no line of the hidden tests."""
    lab = next(p for p in grade_tool.lab_paths() if p.name.startswith("01"))
    notebook = nbformat.read(lab, 4)
    last = max(
        i for i, c in enumerate(notebook.cells) if c.source.startswith('check = grade("1.2"')
    )
    notebook.cells = notebook.cells[: last + 1] + [
        nbformat.from_dict(cell) for cell in QUESTION_CELLS
    ]
    notebook = grade_tool.marked(notebook, lab.name)
    labs = tmp_path / "labs"
    labs.mkdir()
    nbformat.write(notebook, labs / lab.name)
    monkeypatch.setattr(grade_tool, "LABS", labs)
    monkeypatch.setattr(grade_tool, "COURSE", tmp_path / "course")
    monkeypatch.setattr(grade_tool, "GRADES", tmp_path / "grades.csv")
    assert grade_tool.grade(["01"], "quick") == 0
    rows = list(csv.DictReader((tmp_path / "grades.csv").open()))
    assert [(r["edition"], r["questions"], r["manual_points"]) for r in rows] == [
        ("solution", "1", "3"),
        ("student", "1", "3"),
    ]
    assert rows[0]["score"] == rows[0]["max_score"] != "0"
    assert float(rows[1]["score"]) == 0
    student = nbformat.read(tmp_path / "course" / "release" / "lab01" / lab.name, 4)
    assert student.cells[-1].source == "YOUR ANSWER HERE"
    assert "Model answer" not in "".join(c.source for c in student.cells)
    for edition in ("solution", "student"):
        html = tmp_path / "course" / "feedback" / edition / "lab01" / f"{lab.stem}.html"
        assert grade_tool.feedback_problems(labs / lab.name, html, edition == "solution") == []
        text = html.read_text()
        assert "check.run(seed=" not in text and "HIDDEN TESTS" not in text
    solved = (
        tmp_path / "course" / "feedback" / "solution" / "lab01" / f"{lab.stem}.html"
    ).read_text()
    assert "passed: no loop over samples" in solved
