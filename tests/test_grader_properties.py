"""Property-based tests of the graders (hypothesis): on any valid case, drawn
over seeds and sizes, a right answer passes, and the typical mistakes fail
that case on their own, however small it is (no hidden case too small to
tell right from wrong)."""

import importlib

import pytest
from exercise_contract import a_right_answer, hidden_cases
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from utils.exercises import Check

seeds = st.integers(0, 2**31 - 1)
CASES = {  # exercise -> the keyword arguments of its test, drawn
    "1.1": st.fixed_dictionaries(
        {
            "seed": seeds,
            "n": st.integers(1, 20),
            "k": st.integers(2, 12),
            "scale": st.floats(0.1, 100),
        }
    ),
    "1.2": st.fixed_dictionaries({"seed": seeds, "n": st.integers(1, 10), "k": st.integers(2, 8)}),
    "1.3": st.fixed_dictionaries(
        {
            "seed": seeds,
            "n": st.integers(1, 40),
            "k": st.integers(2, 10),
            "scale": st.floats(0.1, 100),
        }
    ),
    "1.4": st.fixed_dictionaries(
        {"seed": seeds, "n": st.integers(2, 20), "d": st.integers(1, 12), "k": st.integers(2, 6)}
    ),
    "1.5": st.fixed_dictionaries(
        {
            "seed": seeds,
            "shape": st.tuples(st.integers(3, 6), st.integers(1, 6)),
            "h": st.floats(1e-3, 3e-2),
            "n_checks": st.integers(4, 18),
        }
    ),
    "2.3": st.fixed_dictionaries(
        {"seed": seeds, "depth": st.integers(2, 5), "width": st.integers(2, 5)}
    ),
    "3.1": st.fixed_dictionaries(
        {
            "seed": seeds,
            "n": st.integers(1, 10),
            "n_in": st.integers(1, 10),
            "hidden": st.integers(1, 8),
            "n_out": st.integers(2, 6),
        }
    ),
    "3.2": st.fixed_dictionaries(
        {
            "seed": seeds,
            "n": st.integers(2, 10),
            "n_in": st.integers(1, 6),
            "hidden": st.integers(1, 6),
            "n_out": st.integers(2, 5),
        }
    ),
    "5.1": st.fixed_dictionaries(
        {"seed": seeds, "dim": st.integers(1, 6), "steps": st.integers(1, 15)}
    ),
    "8.2": st.fixed_dictionaries(
        {"seed": seeds, "n": st.integers(1, 10), "m": st.integers(1, 10), "dim": st.integers(2, 8)}
    ),
    "8.3": st.integers(2, 5).flatmap(
        lambda classes: st.fixed_dictionaries(
            {
                "seed": seeds,
                "n_queries": st.integers(1, 30),
                "n_train": st.integers(classes, 25),
                "n_classes": st.just(classes),
                "ks": st.just((1,)) | st.tuples(st.integers(1, classes)),
            }
        )
    ),
}
# a batch of one cannot tell a sum from a mean, nor a chain of one layer or
# of width one W from W^T: the cases drawn, and the labs' hidden cases,
# avoid those
TELLS = {
    "1.4": lambda c: c["n"] >= 2,
    "2.3": lambda c: c["width"] >= 2 and c["depth"] >= 2,
    "3.2": lambda c: c["n"] >= 2,
    "8.2": lambda c: c["dim"] >= 2,
}
SETTINGS = settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _passes(exercise, answer, case):
    check = Check(exercise, answer)
    check.checks.append(("cases shown here", True))  # this case on its own
    return check.run(**case), check


@pytest.mark.parametrize("exercise", CASES)
def test_a_right_answer_passes_every_valid_case(exercise, capsys):
    answer = a_right_answer(exercise)

    @SETTINGS
    @given(CASES[exercise])
    def right(case):
        ok, _ = _passes(exercise, answer, case)
        assert ok, (case, capsys.readouterr().out)

    right()


def _mistakes(exercise):
    """The corpus's wrong answers that the grader's own test function
    refuses on its visible case (the mistakes every case must catch)."""
    lab = importlib.import_module(f"student_answers.lab{int(exercise.split('.')[0]):02d}")
    wrong = []
    for answer in lab.ANSWERS[exercise]["wrong"]:
        check = Check(exercise, answer)
        if not check.run():
            wrong.append(answer)
    return wrong


@pytest.mark.parametrize("exercise", ["1.1", "1.3", "1.4", "2.3", "3.1", "3.2", "8.2", "8.3"])
def test_every_valid_case_catches_the_typical_mistakes(exercise, capsys):
    mistakes = _mistakes(exercise)
    assert mistakes

    @SETTINGS
    @given(CASES[exercise])
    def caught(case):
        for answer in mistakes:
            ok, _ = _passes(exercise, answer, case)
            assert not ok, (answer.__name__, case)

    caught()
    capsys.readouterr()


@pytest.mark.parametrize("exercise", TELLS)
def test_the_labs_hidden_cases_can_tell_right_from_wrong(exercise):
    assert all(TELLS[exercise](case) for case in hidden_cases(exercise))
