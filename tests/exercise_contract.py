"""What every graded exercise is checked with: its hidden cases, its
reference, the nbgrader stub, a crashing answer and a wrong one.

``tests/test_exercises_contract.py`` runs the contract every exercise of every
lab keeps; ``tests/test_exercises_labNN.py`` use ``assert_caught`` for the
lab's own wrong answers.
"""

import ast
import contextlib
import functools
import importlib
import inspect
import io
import pkgutil
import re
import textwrap
from pathlib import Path

import nbformat

import utils.exercises
from utils.exercises import Check, reference

LABS = Path(__file__).resolve().parents[1] / "labs"


def exercises():
    """Every exercise number ("1.1" ...) of every lab's ``EXERCISES`` table."""
    labs = sorted(
        module.name
        for module in pkgutil.iter_modules(utils.exercises.__path__)
        if module.name.startswith("lab")
    )
    return [
        exercise
        for lab in labs
        for exercise in importlib.import_module(f"utils.exercises.{lab}").EXERCISES
    ]


@functools.cache
def _grade_cells(lab):
    """Lab ``lab``'s grade cells: exercise number -> source."""
    (notebook,) = LABS.glob(f"{int(lab):02d}_*.ipynb")
    cells = nbformat.read(notebook, as_version=4).cells
    return {
        match[1]: cell.source
        for cell in cells
        if (match := re.match(r'check = grade\("([\d.]+)"', cell.source))
    }


def hidden_cases(exercise):
    """The keyword arguments of the ``check.run`` calls between the hidden-test
    markers of ``exercise``'s grade cell in its lab."""
    cell = _grade_cells(exercise.split(".")[0])[exercise]
    hidden = cell.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN")[0]
    return [
        {k.arg: ast.literal_eval(k.value) for k in call.keywords}
        for call in ast.walk(ast.parse(hidden))
        if isinstance(call, ast.Call) and getattr(call.func, "attr", "") == "run"
    ]


def _quietly(action):
    """Call ``action``; return its result and what it printed, spaces
    normalised (the grader wraps its lines at 79 characters)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = action()
    return result, " ".join(out.getvalue().split())


def said(check, *cases):
    """Run ``check`` on each of ``cases`` quietly; return what it printed."""
    return _quietly(lambda: [check.run(**case) for case in cases])[1]


def graded(exercise, answer):
    """``answer`` graded as its grade cell does: the visible cases, the
    spec's clauses, each hidden case. Return the Check and what it said."""
    check = Check(exercise, answer)
    out = _quietly(
        lambda: (
            check.run(),
            check.run_clauses(),
            [check.run(**case) for case in hidden_cases(exercise)],
        )
    )[1]
    return check, out


def results(exercise, answer):
    """Whether ``answer`` passed each named check (visible, clauses, hidden)."""
    return graded(exercise, answer)[0].passed


def passes(exercise, answer):
    """Whether ``answer`` passes the visible and every hidden case."""
    return all(results(exercise, answer))


def assert_caught(exercise, answer, hint, **case):
    """Grade a wrong ``answer`` on the visible cases (or on ``case``): it
    scores 0, "not right yet", and ``hint`` is in what the grader said
    (spaces normalised). Return what it said."""
    check = Check(exercise, answer)
    out = said(check, case)
    assert check.score == 0 and "not right yet" in out, out
    assert " ".join(hint.split()) in out, out
    return out


def _raises(*args, **kwargs):
    # YOUR CODE HERE
    raise NotImplementedError()


def stub(exercise):
    """What nbgrader leaves of the student's cell: a function that raises
    NotImplementedError, or for a class, the class with its methods so."""
    answer = reference(exercise)
    if not inspect.isclass(answer):
        return _raises
    methods = {name: _raises for name, value in vars(answer).items() if inspect.isfunction(value)}
    return type(answer.__name__, (answer,), methods)


def crashing(*args, **kwargs):
    """A student's answer whose code crashes."""
    return len(args) / 0  # the student's bug


CRASH = ("your code raised ZeroDivisionError", "return len(args) / 0")


def own(function):
    """``function``'s source compiled anew, as a student's cell would be: the
    same behaviour, sharing no code with it (the graders forbid calling the
    reference; a test's wrong answers build on their own copy)."""
    namespace = dict(vars(inspect.getmodule(function)))
    source = textwrap.dedent(inspect.getsource(function))
    exec(compile(source, f"<a student's {function.__name__}>", "exec"), namespace)
    return namespace[function.__name__]


def a_right_answer(exercise):
    """The reference, compiled anew: right, but not the reference itself."""
    return own(reference(exercise))


def assert_clause_caught(exercise, answer, clause, hint):
    """Grade ``answer`` on the cases shown and the clauses of its spec: the
    cases pass, ``clause`` fails with ``hint`` in what the grader said."""
    check = Check(exercise, answer)
    out = _quietly(lambda: (check.run(), check.run_clauses()))[1]
    assert check.checks[0] == ("cases shown here", True), out
    assert (clause, False) in check.checks, out
    assert f"({clause}): not right yet" in out, out
    assert " ".join(hint.split()) in out, out
    return out


def kept(check):
    """``check.keep()`` and what it printed."""
    return _quietly(check.keep)
