"""The test of mutation testing (``make mutants``, tools/mutants.py): each
exercise's own grader grades its reference as the lab's grade cell does (the
visible cases, the spec's clauses, every hidden case) and must give full points.

mutmut runs this file in a scratch copy of the workbook whose ``utils`` holds
the mutants, so ``reference(exercise)`` is the mutated code: a mutant is
killed iff its exercise's grade falls below full points (or the grading
crashes or times out). A test judges only the mutants of its own exercise's
reference: 3.3's grader also calls mlp_forward, but a mutant of mlp_forward
is 3.1's. Left out of ``make test`` by pyproject's norecursedirs.
"""

import functools
import importlib
import os
import sys
import types
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from exercise_contract import exercises, graded

from utils.exercises import reference, spec


def mutant_prefix(exercise):
    """How mutmut's names of the mutants of ``exercise``'s reference begin:
    ``utils.saved.lab03_mlp.x_mlp_forward__mutmut_``, or for a class (all its methods)
    ``utils.saved.lab04_regularise.xǁEarlyStoppingǁ``."""
    module, name = spec(exercise).reference.split(":")
    if isinstance(reference(exercise), type):
        return f"{module}.xǁ{name}ǁ"
    return f"{module}.x_{name}__mutmut_"


def rebind(exercise):
    """Give the mutmut trampoline that stands for ``exercise``'s reference
    function its module's globals, as the function has them unmutated (2.2's
    grader swaps ``layer_jacobians`` in ``answer.__globals__``). Calls still
    go through the trampoline to the active mutant."""
    module_name, name = spec(exercise).reference.split(":")
    module, function = importlib.import_module(module_name), reference(exercise)
    if (
        isinstance(function, types.FunctionType)
        and function.__globals__.get("__name__") == "mutmut.mutation.trampoline"
    ):
        copy = types.FunctionType(
            function.__code__, vars(module), name, function.__defaults__, function.__closure__
        )
        setattr(module, name, functools.update_wrapper(copy, function))


for _exercise in exercises():
    rebind(_exercise)


@pytest.mark.parametrize("exercise", exercises())
def test_grader_gives_full_points(exercise):
    active = os.environ.get("MUTANT_UNDER_TEST", "")
    if "__mutmut_" in active and not active.startswith(mutant_prefix(exercise)):
        return  # another exercise's mutant: not this grader's to judge
    check, out = graded(exercise, reference(exercise))
    assert check.score == spec(exercise).points, out
