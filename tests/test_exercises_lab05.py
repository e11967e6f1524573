"""Lab 05's graded exercises: the references pass, stubs, crashes and wrong answers do not."""
import ast
from pathlib import Path

import nbformat
import numpy as np
import pytest

from utils.exercises import Check, grade, lab05, reference

LAB = Path(__file__).resolve().parents[1] / "labs" / "05_momentum.ipynb"


def hidden_cases(lab, exercise):
    """The keyword arguments of the check.run(...) calls in the lab's grade cell."""
    notebook = nbformat.read(lab, as_version=4)
    cell = next(c for c in notebook.cells
                if c.source.startswith(f'check = grade("{exercise}"'))
    calls = [node for node in ast.walk(ast.parse(cell.source))
             if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "run"]
    return [{k.arg: ast.literal_eval(k.value) for k in call.keywords} for call in calls]


def contract_tests(module, lab):
    """The three tests every graded exercise of a lab passes (labs 05, 06).

    The reference passes the visible cases and the lab's hidden ones; the
    nbgrader stub scores 0 and says "not done yet"; a crash scores 0 and
    shows the student's line.
    """
    exercises = list(module.EXERCISES)

    @pytest.mark.parametrize("exercise", exercises)
    def test_reference_passes_visible_and_hidden_cases(exercise, capsys):
        cases = hidden_cases(lab, exercise)
        assert cases, f"exercise {exercise} has no hidden tests in the lab"
        check = grade(exercise, reference(exercise))
        for case in cases:
            check.run(**case)
        out = capsys.readouterr().out
        assert all(check.passed) and len(check.passed) == 1 + len(cases), out
        assert check.score == module.EXERCISES[exercise].points
        assert "hidden cases" in out and "not right" not in out

    @pytest.mark.parametrize("exercise", exercises)
    def test_stub_scores_zero_and_says_not_done(exercise, capsys):
        def stub(*args, **kwargs):
            raise NotImplementedError()

        check = grade(exercise, stub)
        assert check.score == 0 and "not done yet" in capsys.readouterr().out
        assert check.keep() is reference(exercise)

    @pytest.mark.parametrize("exercise", exercises)
    def test_crash_scores_zero_and_shows_the_students_line(exercise, capsys):
        def crashing(*args, **kwargs):
            return len(args) / 0  # the student's bug

        check = grade(exercise, crashing)
        out = capsys.readouterr().out
        assert check.score == 0 and "your code raised ZeroDivisionError" in out
        assert "return len(args) / 0" in out

    return (test_reference_passes_visible_and_hidden_cases,
            test_stub_scores_zero_and_says_not_done,
            test_crash_scores_zero_and_shows_the_students_line)


(test_reference_passes_visible_and_hidden_cases,
 test_stub_scores_zero_and_says_not_done,
 test_crash_scores_zero_and_shows_the_students_line) = contract_tests(lab05, LAB)


def hint(exercise, answer, capsys):
    """The one-line verdict on a wrong answer (which must score 0)."""
    check = Check(exercise, answer)
    check.run()
    out = capsys.readouterr().out
    assert check.score == 0, out
    return out


def correct_heavy_ball(w, v, g, lr, gamma):
    v = gamma * v + lr * g
    return w - v, v


def test_5_1_wrong_answers_get_their_hint(capsys):
    assert "forgets the old one" in hint(
        "5.1", lambda w, v, g, lr, gm: (w - lr * g, lr * g), capsys)
    assert "OLD velocity" in hint(
        "5.1", lambda w, v, g, lr, gm: (w - v, gm * v + lr * g), capsys)
    assert "uphill" in hint(
        "5.1", lambda w, v, g, lr, gm: (w + gm * v + lr * g, gm * v + lr * g), capsys)
    assert "minus sign" in hint(
        "5.1", lambda w, v, g, lr, gm: (w - gm * v + lr * g, gm * v - lr * g), capsys)

    def in_place(w, v, g, lr, gamma):
        v *= gamma
        v += lr * g
        w -= v
        return w, v

    assert "changed the argument" in hint("5.1", in_place, capsys)
    assert "pair" in hint("5.1", lambda w, v, g, lr, gm: w - lr * g, capsys)
    assert "plain gradient step" in hint(
        "5.1", lambda w, v, g, lr, gm: (w - lr * g, gm * v + lr * g), capsys)


def test_5_2_wrong_answers_get_their_hint(capsys):
    def matrix(lr, gamma, lam):
        return np.array([[1 + gamma - lr * lam, -gamma], [1.0, 0.0]])

    assert "gradient descent's" in hint(
        "5.2", lambda lr, gm, lam: abs(1 - lr * lam), capsys)
    assert "ABSOLUTE" in hint(
        "5.2", lambda lr, gm, lam: np.linalg.eigvals(matrix(lr, gm, lam)).max(), capsys)
    assert "one number" in hint(
        "5.2", lambda lr, gm, lam: np.abs(np.linalg.eigvals(matrix(lr, gm, lam))), capsys)
    assert "the factor should be" in hint(
        "5.2", lambda lr, gm, lam: np.abs(np.linalg.eigvals(matrix(lr, -gm, lam))).max(),
        capsys)


def test_5_3_wrong_answers_get_their_hint(capsys):
    def at(point_of):
        def step(w, v, grad_fn, lr, gamma):
            v = gamma * v + lr * grad_fn(point_of(w, v, gamma))
            return w - v, v
        return step

    assert "evaluated at w" in hint("5.3", at(lambda w, v, gm: w), capsys)
    assert "not w + gamma * v" in hint("5.3", at(lambda w, v, gm: w + gm * v), capsys)

    def old_velocity(w, v, grad_fn, lr, gamma):
        return w - v, gamma * v + lr * grad_fn(w - gamma * v)

    assert "OLD velocity" in hint("5.3", old_velocity, capsys)

    def linear_shortcut(w, v, grad_fn, lr, gamma):  # right for a quadratic only
        g = grad_fn(w) - gamma * (grad_fn(w + v) - grad_fn(w))
        v = gamma * v + lr * g
        return w - v, v

    assert "not right yet" in hint("5.3", linear_shortcut, capsys)


def test_5_4_wrong_answers_get_their_hint(capsys):
    def lab_form(p, b, g, lr, gamma, nesterov=False):
        b = gamma * b + lr * g
        return p - b, b

    def nesterov_ignored(p, b, g, lr, gamma, nesterov=False):
        b = gamma * b + g
        return p - lr * b, b

    def nesterov_old_buffer(p, b, g, lr, gamma, nesterov=False):
        step = g + gamma * b if nesterov else gamma * b + g
        return p - lr * step, gamma * b + g

    def old_buffer(p, b, g, lr, gamma, nesterov=False):
        new_b = gamma * b + g
        return p - lr * (g + gamma * new_b if nesterov else b), new_b

    assert "holds gradients, not steps" in hint("5.4", lab_form, capsys)
    assert "with the NEW b" in hint("5.4", nesterov_ignored, capsys)
    assert "with the NEW b" in hint("5.4", nesterov_old_buffer, capsys)
    assert "OLD buffer" in hint("5.4", old_buffer, capsys)


def test_a_step_that_remembers_its_first_rate_fails_under_a_schedule(capsys):
    """The decaying-rate case catches state kept between calls."""
    first = {}

    def first_rate_only(p, b, g, lr, gamma, nesterov=False):
        lr = first.setdefault("lr", lr)
        b = gamma * b + g
        return p - lr * (g + gamma * b if nesterov else b), b

    out = hint("5.4", first_rate_only, capsys)
    assert "decaying learning rate" in out and "torch.optim.SGD" in out
