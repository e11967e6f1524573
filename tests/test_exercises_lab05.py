"""Lab 05's graded exercises: typical wrong answers score 0 with a hint that
says what is wrong (what every exercise keeps is in
test_exercises_contract.py)."""
import numpy as np

from exercise_contract import assert_caught


def test_5_1_wrong_answers_get_their_hint():
    def forgets(w, v, g, lr, gamma):
        return w - lr * g, lr * g

    def old_velocity(w, v, g, lr, gamma):
        return w - v, gamma * v + lr * g

    def uphill(w, v, g, lr, gamma):
        v = gamma * v + lr * g
        return w + v, v

    def minus_gradient(w, v, g, lr, gamma):
        v = gamma * v - lr * g
        return w - v, v

    def in_place(w, v, g, lr, gamma):
        v *= gamma
        v += lr * g
        w -= v
        return w, v

    def no_velocity(w, v, g, lr, gamma):
        return w - lr * g, gamma * v + lr * g

    assert_caught("5.1", forgets, "forgets the old one")
    assert_caught("5.1", old_velocity, "OLD velocity")
    assert_caught("5.1", uphill, "uphill")
    assert_caught("5.1", minus_gradient, "minus sign")
    assert_caught("5.1", in_place, "changed the argument")
    assert_caught("5.1", lambda w, v, g, lr, gamma: w - lr * g, "pair")
    assert_caught("5.1", no_velocity, "plain gradient step")


def test_5_2_wrong_answers_get_their_hint():
    def eigenvalues(lr, gamma, lam):
        matrix = np.array([[1 + gamma - lr * lam, -gamma], [1.0, 0.0]])
        return np.linalg.eigvals(matrix)

    assert_caught("5.2", lambda lr, gamma, lam: abs(1 - lr * lam),
                  "gradient descent's")
    assert_caught("5.2", lambda *args: eigenvalues(*args).max(), "ABSOLUTE")
    assert_caught("5.2", lambda *args: np.abs(eigenvalues(*args)),
                  "one number")
    assert_caught("5.2", lambda lr, gamma, lam: np.abs(
        eigenvalues(lr, -gamma, lam)).max(), "the factor should be")


def test_5_3_wrong_answers_get_their_hint():
    def at(point_of):
        def step(w, v, grad_fn, lr, gamma):
            v = gamma * v + lr * grad_fn(point_of(w, v, gamma))
            return w - v, v
        return step

    assert_caught("5.3", at(lambda w, v, gm: w), "evaluated at w")
    assert_caught("5.3", at(lambda w, v, gm: w + gm * v), "not w + gamma * v")

    def old_velocity(w, v, grad_fn, lr, gamma):
        return w - v, gamma * v + lr * grad_fn(w - gamma * v)

    assert_caught("5.3", old_velocity, "OLD velocity")

    def linear_shortcut(w, v, grad_fn, lr, gamma):  # right for a quadratic only
        g = grad_fn(w) - gamma * (grad_fn(w + v) - grad_fn(w))
        v = gamma * v + lr * g
        return w - v, v

    assert_caught("5.3", linear_shortcut, "not right yet")


def test_5_4_wrong_answers_get_their_hint():
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

    assert_caught("5.4", lab_form, "holds gradients, not steps")
    assert_caught("5.4", nesterov_ignored, "with the NEW b")
    assert_caught("5.4", nesterov_old_buffer, "with the NEW b")
    assert_caught("5.4", old_buffer, "OLD buffer")


def test_a_step_that_remembers_its_first_rate_fails_under_a_schedule():
    """The decaying-rate case catches state kept between calls."""
    first = {}

    def first_rate_only(p, b, g, lr, gamma, nesterov=False):
        lr = first.setdefault("lr", lr)
        b = gamma * b + g
        return p - lr * (g + gamma * b if nesterov else b), b

    out = assert_caught("5.4", first_rate_only, "decaying learning rate")
    assert "torch.optim.SGD" in out
