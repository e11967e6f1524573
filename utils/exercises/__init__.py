"""Graded exercises: test a student's answer, score it, choose what the lab runs next.

Each lab has a module here (``lab01`` ... ``lab08``) with an ``EXERCISES``
table: exercise number -> ``Spec`` (points, test, reference).  A lab's grade
cell (an nbgrader autograded cell) reads::

    check = grade("3.1", "mlp_forward")  # the cases the notebook shows
    ### BEGIN HIDDEN TESTS
    check.run(seed=20, batch=13)         # cases only the grader runs
    ### END HIDDEN TESTS
    mlp_forward = check.keep()           # yours if it passed, else the reference
    check.score

A test is ``test(answer, **case) -> str``: it raises AssertionError (through
``require``) with a hint that says what is wrong, or returns what passed.
Nothing here raises: an unfinished or crashing answer costs that exercise's
points and the lab goes on with the reference implementation from ``utils``.
The cell's last value, ``check.score``, is the number nbgrader reads as the
cell's partial credit.
"""
from __future__ import annotations

import contextlib
import importlib
import sys
import textwrap
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent


def require(condition: bool, message: str) -> None:
    """Raise AssertionError with ``message`` when ``condition`` is false."""
    if not condition:
        raise AssertionError(message)


@dataclass(frozen=True)
class Spec:
    """What an exercise is worth, how it is tested, and the reference it falls back on."""

    name: str                # what the student defines, e.g. "mlp_forward"
    points: float
    test: Callable[..., str]
    reference: str           # "module:attribute", e.g. "utils.mlp:mlp_forward"


class Points(float):
    """A score: a bare number for nbgrader (text/plain), a sentence for people."""

    max_points: float
    exercise: str

    def __new__(cls, value: float, max_points: float, exercise: str):
        score = super().__new__(cls, value)
        score.max_points, score.exercise = max_points, exercise
        return score

    def __repr__(self) -> str:
        return repr(float(self))

    def _repr_markdown_(self) -> str:
        return (f"**Exercise {self.exercise}: {float(self):g} / "
                f"{self.max_points:g} points**")


def spec(exercise: str) -> Spec:
    """Return the ``Spec`` of ``exercise`` ("3.1") from its lab's module."""
    lab = exercise.split(".")[0]
    if not lab.isdigit():
        raise ValueError(f"exercise numbers look like '3.1', got {exercise!r}.")
    module = importlib.import_module(f"{__name__}.lab{int(lab):02d}")
    try:
        return module.EXERCISES[exercise]
    except KeyError:
        known = ", ".join(module.EXERCISES)
        raise ValueError(f"lab {lab} has no exercise {exercise}; it has {known}.") from None


def reference(exercise: str) -> Any:
    """Return the reference implementation of ``exercise`` from ``utils``."""
    module, attribute = spec(exercise).reference.split(":")
    return getattr(importlib.import_module(module), attribute)


def _say(text: str) -> None:
    """Print ``text`` wrapped to the book's column (79 characters)."""
    print(textwrap.fill(text, 79, subsequent_indent="  ",
                        break_on_hyphens=False, break_long_words=False))


def _where(err: BaseException) -> str:
    """Return the student's lines in ``err``'s traceback.

    The graders' frames and installed libraries' frames (torch, numpy) are
    left out when the student's own code is among the rest.
    """
    frames = [f for f in traceback.extract_tb(err.__traceback__)
              if not Path(f.filename).resolve().is_relative_to(HERE)]
    libraries = (sys.prefix, sys.base_prefix)
    own = [f for f in frames if not f.filename.startswith(libraries)]
    lines = [f"    {f.name}, line {f.lineno}: {(f.line or '').strip()}"
             for f in (own or frames)[-3:]]
    return "\n".join(lines)


class Check:
    """The grading of one exercise: the cases run so far and how they went."""

    def __init__(self, exercise: str, answer: Any):
        self.exercise, self.answer = exercise, answer
        self.spec = spec(exercise)
        self.passed: list[bool] = []

    def run(self, **case) -> bool:
        """Run the exercise's test on one case (``case`` = the test's arguments)."""
        label = "hidden cases" if case else "cases shown here"
        head = f"Exercise {self.exercise} ({label}):"
        # nbgrader scores a cell with any stderr output 0: warnings go to stdout.
        if isinstance(self.answer, Undefined):
            todo = "" if self.passed else (
                f" {self.answer.name} is not defined: run the cell that "
                "defines it; if that cell shows an error (a SyntaxError, "
                "say), fix it and run both cells again.")
            _say(f"{head} not done yet.{todo}")
            self.passed.append(False)
            return False
        with contextlib.redirect_stderr(sys.stdout):
            try:
                message = self.spec.test(self.answer, **case)
            except NotImplementedError:
                todo = "" if self.passed else (
                    " Replace `raise NotImplementedError()` in "
                    f"{self.spec.name} with your code and run both cells again.")
                _say(f"{head} not done yet.{todo}")
                ok = False
            except AssertionError as err:
                _say(f"{head} not right yet. {err}")
                ok = False
            except Exception as err:  # the student's code crashed: say where
                _say(f"{head} your code raised {type(err).__name__}: {err}")
                print(_where(err))
                ok = False
            else:
                _say(f"{head} passed. {message}")
                ok = True
        self.passed.append(ok)
        return ok

    def keep(self) -> Any:
        """Return the answer if every case passed, else the reference from ``utils``."""
        if self.passed and all(self.passed):
            _say(f"The rest of the lab uses your {self.spec.name}.")
            return self.answer
        module = self.spec.reference.split(":")[0]
        _say(f"Until it passes, the rest of the lab uses the reference "
             f"{self.spec.name} from {module}.")
        return reference(self.exercise)

    @property
    def score(self) -> Points:
        """Points earned: the exercise's points times the share of cases passed."""
        share = sum(self.passed) / len(self.passed) if self.passed else 0.0
        return Points(round(self.spec.points * share, 2), self.spec.points,
                      self.exercise)


class Undefined:
    """An answer whose cell never defined it (it raised, or was not run)."""

    def __init__(self, name: str):
        self.name = name


def grade(exercise: str, answer: Any) -> Check:
    """Run the cases of ``exercise`` the notebook shows on ``answer``; return the Check.

    ``answer`` is the student's function or class, or its name: a name is
    looked up in the caller's (the notebook's) globals, so a cell that
    failed to define it costs only that exercise.
    """
    if isinstance(answer, str):
        answer = sys._getframe(1).f_globals.get(answer, Undefined(answer))
    check = Check(exercise, answer)
    check.run()
    return check
