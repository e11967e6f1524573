"""The graders against answers their author did not write.

``tests/student_answers/labNN.py`` holds plausible student answers to every
exercise, written from the specs by someone who never saw the graders:
``<name>__wrong_<tag>`` (a mistake a student makes) and
``<name>__right_<tag>`` (a correct answer in an unusual style).  Each is
graded as its grade cell grades it: the visible cases, the spec's clauses,
every hidden case.  A wrong answer must lose points; a right one must keep
them all.  ``probing.py`` holds a second round, written by a tester who read
the graders and tried to fool them.
"""

import importlib

import pytest
from exercise_contract import graded

from utils.exercises import spec


def _answers(kind):
    modules = [f"lab{lab:02d}" for lab in range(1, 9)] + ["probing"]
    for name in modules:
        module = importlib.import_module(f"student_answers.{name}")
        for exercise, kinds in module.ANSWERS.items():
            for answer in kinds[kind]:
                yield pytest.param(exercise, answer, id=f"{exercise}-{answer.__name__}")


@pytest.mark.parametrize("exercise, answer", _answers("wrong"))
def test_a_wrong_answer_loses_points(exercise, answer):
    check, out = graded(exercise, answer)
    assert check.score < spec(exercise).points, out


@pytest.mark.parametrize("exercise, answer", _answers("right"))
def test_a_right_answer_keeps_every_point(exercise, answer):
    check, out = graded(exercise, answer)
    assert check.score == spec(exercise).points, out
