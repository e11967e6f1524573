"""Graded exercises: check a student's answer, score it, choose what the lab runs next.

Each lab has a package here (``lab01`` ... ``lab08``) with an ``EXERCISES``
table: exercise number -> ``Spec`` (points, check, reference).  A lab's grade
cell (an nbgrader autograded cell) reads::

    check = grade("3.1", "mlp_forward")  # the cases the notebook shows
    ### BEGIN HIDDEN TESTS
    check.run(seed=20, batch=13)         # cases only the grader runs
    ### END HIDDEN TESTS
    mlp_forward = check.keep()           # yours if it passed, else the reference
    check.score

A spec's ``check`` (``check_<name>`` in the lab's package; not a pytest test)
is ``check(answer, **case) -> str``: it raises AssertionError (through
``require``) with a hint that says what is wrong, or returns what passed.
Helpers the checks share are in ``common``; ``delegation`` catches an answer
that calls what it replaces.
A spec's ``clauses`` are named checks of what the specification says beyond
the values (no Python loop over the samples, integer labels, the device of
the inputs, extreme inputs); ``grade`` runs them after the shown cases.
The points are split evenly over the named checks: the cases shown, each
hidden case, each clause; hidden cases and clauses count once the cases
shown pass.  An answer that calls the reference or a helper
the exercise replaces (``Spec.replaces``) scores 0 and is told so.
Nothing here raises: an unfinished or crashing answer costs that exercise's
points and the lab goes on with the reference implementation from ``utils``.
The cell's last value, ``check.score``, is the number nbgrader reads as the
cell's partial credit; its Markdown lists the named checks.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
import textwrap
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .delegation import Delegated, forbidden

HERE = Path(__file__).resolve().parent
UTILS = HERE.parent


def require(condition: bool, message: str) -> None:
    """Raise AssertionError with ``message`` when ``condition`` is false."""
    if not condition:
        raise AssertionError(message)


@dataclass(frozen=True)
class Clause:
    """A named check of one clause of a spec: ``check(answer) -> str`` or raise."""

    name: str  # shown in the score, e.g. "no loop over samples"
    check: Callable[[Any], str]


@dataclass(frozen=True)
class Spec:
    """What an exercise is worth, how it is checked, and the reference it falls back on."""

    name: str  # what the student defines, e.g. "mlp_forward"
    points: float
    check: Callable[..., str]
    reference: str  # "module:attribute", e.g. "utils.saved.lab03_mlp:mlp_forward"
    clauses: tuple[Clause, ...] = ()
    # helpers not to call: "module:attribute", or a bare name for a function
    # the lab's notebook defines (looked up in the notebook's globals)
    replaces: tuple[str, ...] = ()


class Points(float):
    """A score: a bare number for nbgrader (text/plain), a list of the named
    checks for people (text/markdown, shown in the lab and in the feedback)."""

    max_points: float
    exercise: str
    checks: list[tuple[str, bool, float]]  # (name, passed, points it is worth)
    delegated: str

    def __new__(
        cls, value: float, max_points: float, exercise: str, checks=(), delegated: str = ""
    ):
        score = super().__new__(cls, value)
        score.max_points, score.exercise = max_points, exercise
        score.checks, score.delegated = list(checks), delegated
        return score

    def __repr__(self) -> str:
        return repr(float(self))

    def _repr_markdown_(self) -> str:
        lines = [f"**Exercise {self.exercise}: {float(self):g} / {self.max_points:g} points**", ""]
        if self.delegated:
            lines += [
                f"0 points: your answer calls {self.delegated}, which "
                "the exercise asks you to write yourself.",
                "",
            ]
        for name, ok, worth in self.checks:
            got = worth if ok and not self.delegated else 0
            lines.append(f"- {'passed' if ok else 'not passed'}: {name} ({got:.3g} of {worth:.3g})")
        return "\n".join(lines)


def _own_code(filename: str) -> bool:
    """Whether ``filename`` holds the student's code: not Python's, not an
    installed library's, not this package's."""
    libraries = (sys.prefix, sys.base_prefix, sys.exec_prefix, str(UTILS))
    return not filename.startswith(libraries) and not filename.startswith("<frozen")


def lines_run(action: Callable[[], Any]) -> int:
    """Call ``action``; return how many lines of the student's own code ran.

    A loop over the samples runs more lines for more samples; vectorised code
    runs the same lines whatever the batch size.
    """
    count = 0

    def local(frame, event, arg):
        nonlocal count
        count += event == "line"
        return local

    def calls(frame, event, arg):
        return local if _own_code(frame.f_code.co_filename) else None

    previous = sys.gettrace()
    sys.settrace(calls)
    try:
        action()
    finally:
        sys.settrace(previous)
    return count


def loop_free(
    call: Callable[[int], Any], what: str = "sample", sizes: tuple[int, int] = (2, 64)
) -> str:
    """Raise AssertionError when ``call(n)`` runs more of the student's lines
    for the larger of ``sizes`` (a Python loop over the ``what``s)."""
    small, large = (lines_run(lambda n=n: call(n)) for n in sizes)
    require(
        large - small < (sizes[1] - sizes[0]) // 2,
        f"the code loops over the {what}s in Python: {small} of your lines "
        f"ran for {sizes[0]} {what}s, {large} for {sizes[1]}. Work on the "
        "whole batch at once with array operations (the spec asks for "
        "no Python loop over the " + what + "s).",
    )
    return f"{small} lines for {sizes[0]} {what}s and for {sizes[1]}"


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
    print(
        textwrap.fill(
            text, 79, subsequent_indent="  ", break_on_hyphens=False, break_long_words=False
        )
    )


def _where(err: BaseException) -> str:
    """Return the student's lines in ``err``'s traceback.

    The graders' frames and installed libraries' frames (torch, numpy) are
    left out when the student's own code is among the rest.
    """
    frames = [
        f
        for f in traceback.extract_tb(err.__traceback__)
        if not Path(f.filename).resolve().is_relative_to(HERE)
    ]
    libraries = (sys.prefix, sys.base_prefix)
    own = [f for f in frames if not f.filename.startswith(libraries)]
    lines = [
        f"    {f.name}, line {f.lineno}: {(f.line or '').strip()}" for f in (own or frames)[-3:]
    ]
    return "\n".join(lines)


class Check:
    """The grading of one exercise: the named checks run so far and how they went."""

    def __init__(self, exercise: str, answer: Any, namespace: dict | None = None):
        self.exercise, self.answer = exercise, answer
        self.namespace = namespace or {}  # the notebook's globals
        self.spec = spec(exercise)
        self.checks: list[tuple[str, bool]] = []
        self.delegated = ""

    @property
    def passed(self) -> list[bool]:
        """Whether each named check passed, in the order they ran."""
        return [ok for _, ok in self.checks]

    def _attempt(self, name: str, head: str, check: Callable[[], str]) -> bool:
        """Run ``check`` as the named check ``name``; say how it went."""
        # nbgrader scores a cell with any stderr output 0: warnings go to stdout.
        if isinstance(self.answer, Undefined):
            todo = (
                ""
                if self.checks
                else (
                    f" {self.answer.name} is not defined: run the cell that "
                    "defines it; if that cell shows an error (a SyntaxError, "
                    "say), fix it and run both cells again."
                )
            )
            _say(f"{head} not done yet.{todo}")
            ok = False
        else:
            ok = self._judge(head, check)
        self.checks.append((name, ok))
        return ok

    def _judge(self, head: str, check: Callable[[], str]) -> bool:
        with contextlib.redirect_stderr(sys.stdout):
            try:
                with forbidden(self.spec, self.answer, self.namespace):
                    message = check()
            except Delegated as err:
                self.delegated = str(err)
                _say(
                    f"{head} your answer calls {err}, which this "
                    "exercise asks you to write yourself: 0 points until "
                    "it does its own work."
                )
                return False
            except NotImplementedError:
                todo = (
                    ""
                    if self.checks
                    else (
                        " Replace `raise NotImplementedError()` in "
                        f"{self.spec.name} with your code and run both cells again."
                    )
                )
                _say(f"{head} not done yet.{todo}")
                return False
            except AssertionError as err:
                _say(f"{head} not right yet. {err}")
                return False
            except Exception as err:  # the student's code crashed: say where
                _say(f"{head} your code raised {type(err).__name__}: {err}")
                print(_where(err))
                return False
        _say(f"{head} passed. {message}")
        return True

    def _shown_passed(self) -> bool:
        return bool(self.checks) and self.checks[0] == ("cases shown here", True)

    def run(self, **case) -> bool:
        """Run the exercise's check on one case (``case`` = its keyword arguments).

        A hidden case counts once the cases shown pass: an answer wrong on
        the shown inputs earns nothing from a case that cannot tell.
        """
        if not case:
            return self._attempt(
                "cases shown here",
                f"Exercise {self.exercise} (cases shown here):",
                lambda: self.spec.check(self.answer),
            )
        hidden = sum(name.startswith("hidden case") for name, _ in self.checks)
        name = f"hidden case {hidden + 1}"
        if self.checks and not self._shown_passed():
            if hidden == 0 and not isinstance(self.answer, Undefined):
                _say(
                    f"Exercise {self.exercise} (hidden cases): run once the cases shown here pass."
                )
            self.checks.append((name, False))
            return False
        return self._attempt(
            name,
            f"Exercise {self.exercise} (hidden cases):",
            lambda: self.spec.check(self.answer, **case),
        )

    def run_clauses(self) -> bool:
        """Run each clause of the spec as a named check; whether all passed.

        Clauses earn points only for an answer that passes the cases shown:
        until then they count as not passed (a loop-free ``return 0`` earns
        nothing).
        """
        if not self.spec.clauses:
            return True
        if not self._shown_passed():
            names = ", ".join(clause.name for clause in self.spec.clauses)
            if not isinstance(self.answer, Undefined):
                _say(f"Exercise {self.exercise} ({names}): checked once the cases shown here pass.")
            self.checks += [(clause.name, False) for clause in self.spec.clauses]
            return False
        results = [
            self._attempt(
                clause.name,
                f"Exercise {self.exercise} ({clause.name}):",
                lambda clause=clause: clause.check(self.answer),
            )
            for clause in self.spec.clauses
        ]
        return all(results)

    def keep(self) -> Any:
        """Return the answer if every check passed, else the reference from ``utils``."""
        if self.passed and all(self.passed) and not self.delegated:
            _say(f"The rest of the lab uses your {self.spec.name}.")
            return self.answer
        module = self.spec.reference.split(":")[0]
        _say(
            f"Until it passes, the rest of the lab uses the reference "
            f"{self.spec.name} from {module}."
        )
        return reference(self.exercise)

    @property
    def score(self) -> Points:
        """Points earned: an even share of the points per named check passed;
        0 when the answer calls what it was asked to write."""
        worth = self.spec.points / len(self.checks) if self.checks else 0.0
        share = sum(self.passed) / len(self.checks) if self.checks else 0.0
        value = 0.0 if self.delegated else round(self.spec.points * share, 2)
        return Points(
            value,
            self.spec.points,
            self.exercise,
            [(name, ok, worth) for name, ok in self.checks],
            self.delegated,
        )


class Undefined:
    """An answer whose cell never defined it (it raised, or was not run)."""

    def __init__(self, name: str):
        self.name = name


def grade(exercise: str, answer: Any) -> Check:
    """Run the cases of ``exercise`` the notebook shows, then the clauses of
    its spec, on ``answer``; return the Check.

    ``answer`` is the student's function or class, or its name: a name is
    looked up in the caller's (the notebook's) globals, so a cell that
    failed to define it costs only that exercise.
    """
    namespace = sys._getframe(1).f_globals
    if isinstance(answer, str):
        answer = namespace.get(answer, Undefined(answer))
    check = Check(exercise, answer, namespace)
    check.run()
    check.run_clauses()
    return check
