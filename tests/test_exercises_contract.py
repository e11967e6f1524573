"""The contract every graded exercise of every lab keeps: the reference passes
the visible cases and every hidden case of the lab's grade cell; the nbgrader
stub and a crash score 0, say why, and leave the lab the reference; a right
answer is what the lab goes on with. A new exercise in a lab's ``EXERCISES``
table is covered here without a line of test code; its wrong answers go in
``tests/test_exercises_labNN.py``."""

import contextlib
import io

import pytest
from exercise_contract import (
    CRASH,
    a_right_answer,
    crashing,
    exercises,
    hidden_cases,
    kept,
    said,
    stub,
)

from utils.exercises import Check, grade, reference, spec

EXERCISES = exercises()


def test_every_lab_has_graded_exercises():
    assert {exercise.split(".")[0] for exercise in EXERCISES} == {str(lab) for lab in range(1, 9)}


@pytest.mark.parametrize("exercise", EXERCISES)
def test_reference_passes_the_visible_and_every_hidden_case(exercise):
    cases = hidden_cases(exercise)
    assert cases, f"exercise {exercise}: its grade cell has no hidden case"
    check = Check(exercise, reference(exercise))
    out = said(check, {}, *cases)
    assert all(check.passed) and len(check.passed) == 1 + len(cases), out
    assert check.score == spec(exercise).points, out
    assert out.count("hidden cases): passed.") == len(cases), out


def _falls_back_to_the_reference(check):
    answer, out = kept(check)
    module = spec(check.exercise).reference.split(":")[0]
    assert answer is reference(check.exercise)
    assert f"uses the reference {check.spec.name} from {module}" in out


@pytest.mark.parametrize("exercise", EXERCISES)
def test_stub_scores_zero_and_is_not_done_yet(exercise):
    check = Check(exercise, stub(exercise))
    out = said(check, {})
    assert check.score == 0 and "not done yet" in out, out
    assert f"`raise NotImplementedError()` in {spec(exercise).name}" in out
    _falls_back_to_the_reference(check)


@pytest.mark.parametrize("exercise", EXERCISES)
def test_crash_scores_zero_and_shows_the_students_line(exercise):
    check = Check(exercise, crashing)
    out = said(check, {})
    assert check.score == 0 and all(part in out for part in CRASH), out
    _falls_back_to_the_reference(check)


@pytest.mark.parametrize("exercise", EXERCISES)
def test_a_right_answer_is_what_the_lab_goes_on_with(exercise):
    answer = a_right_answer(exercise)
    check = Check(exercise, answer)
    out = said(check, {})
    assert check.score == spec(exercise).points, out
    kept_answer, out = kept(check)
    assert kept_answer is answer and answer is not reference(exercise)
    assert f"uses your {spec(exercise).name}" in out


@pytest.mark.parametrize("exercise", exercises())
def test_an_answer_whose_cell_failed_costs_only_its_points(exercise):
    """The grade cell names the answer; if its cell never defined it (a
    SyntaxError, say), the check says so and the lab goes on."""
    name = spec(exercise).name
    namespace = {"grade": grade}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(f'check = grade("{exercise}", "{name}")\n{name} = check.keep()', namespace)
    said = " ".join(out.getvalue().split())
    assert namespace["check"].score == 0
    assert f"{name} is not defined" in said and "SyntaxError" in said
    assert namespace[name] is reference(exercise)
