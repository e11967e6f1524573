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

    assert_caught("5.2", lambda lr, gamma, lam: abs(1 - lr * lam), "gradient descent's")
    assert_caught("5.2", lambda *args: eigenvalues(*args).max(), "ABSOLUTE")
    assert_caught("5.2", lambda *args: np.abs(eigenvalues(*args)), "one number")
    assert_caught(
        "5.2",
        lambda lr, gamma, lam: np.abs(eigenvalues(lr, -gamma, lam)).max(),
        "the factor should be",
    )


def test_5_5_wrong_answers_get_their_hint():
    def at(point_of):
        def step(w, v, grad_fn, lr, gamma):
            v = gamma * v + lr * grad_fn(point_of(w, v, gamma))
            return w - v, v

        return step

    assert_caught("5.5", at(lambda w, v, gm: w), "evaluated at w")
    assert_caught("5.5", at(lambda w, v, gm: w + gm * v), "not w + gamma * v")

    def old_velocity(w, v, grad_fn, lr, gamma):
        return w - v, gamma * v + lr * grad_fn(w - gamma * v)

    assert_caught("5.5", old_velocity, "OLD velocity")

    def linear_shortcut(w, v, grad_fn, lr, gamma):  # right for a quadratic only
        g = grad_fn(w) - gamma * (grad_fn(w + v) - grad_fn(w))
        v = gamma * v + lr * g
        return w - v, v

    assert_caught("5.5", linear_shortcut, "not right yet")


def test_5_7_wrong_answers_get_their_hint():
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

    assert_caught("5.7", lab_form, "holds gradients, not steps")
    assert_caught("5.7", nesterov_ignored, "with the NEW b")
    assert_caught("5.7", nesterov_old_buffer, "with the NEW b")
    assert_caught("5.7", old_buffer, "OLD buffer")


def test_a_step_that_remembers_its_first_rate_fails_under_a_schedule():
    """The decaying-rate case catches state kept between calls."""
    first = {}

    def first_rate_only(p, b, g, lr, gamma, nesterov=False):
        lr = first.setdefault("lr", lr)
        b = gamma * b + g
        return p - lr * (g + gamma * b if nesterov else b), b

    out = assert_caught("5.7", first_rate_only, "decaying learning rate")
    assert "torch.optim.SGD" in out


def test_5_3_wrong_answers_get_their_hint():
    def polyak(mu_of, l_of, square=True, gd=False):
        def answer(hessian):
            if not np.allclose(hessian, hessian.T):
                raise ValueError("not symmetric")
            mu, big_l = mu_of(hessian), l_of(hessian)
            if mu <= 0:
                raise ValueError("no minimum")
            if gd:
                return 2 / (mu + big_l), 0.0
            root = (np.sqrt(big_l) - np.sqrt(mu)) / (np.sqrt(big_l) + np.sqrt(mu))
            return (4 / (np.sqrt(big_l) + np.sqrt(mu)) ** 2, root**2 if square else root)

        return answer

    eig_min = lambda h: np.linalg.eigvalsh(h)[0]
    eig_max = lambda h: np.linalg.eigvalsh(h)[-1]
    assert_caught("5.3", polyak(lambda h: np.diag(h).min(), lambda h: np.diag(h).max()), "diagonal")
    assert_caught("5.3", polyak(eig_min, eig_max, square=False), "square root of the right one")
    assert_caught("5.3", polyak(eig_min, eig_max, gd=True), "gradient descent's best step")

    def swapped(hessian):
        lr, gamma = polyak(eig_min, eig_max)(hessian)
        return gamma, lr

    def no_checks(hessian):
        eigenvalues = np.linalg.eigvalsh(hessian)
        low, high = np.sqrt(np.abs(eigenvalues[[0, -1]]))
        return 4 / (high + low) ** 2, ((high - low) / (high + low)) ** 2

    def edges_swapped(hessian):  # mu on the lower border: lr from L
        mu, big_l = eig_min(hessian), eig_max(hessian)
        root = (np.sqrt(big_l) - np.sqrt(mu)) / (np.sqrt(big_l) + np.sqrt(mu))
        return (1 - root) ** 2 / big_l, root**2

    def checks_symmetry_only(hessian):
        if not np.allclose(hessian, hessian.T):
            raise ValueError("not symmetric")
        return no_checks(hessian)

    assert_caught("5.3", swapped, "swapped")
    assert_caught("5.3", no_checks, "not symmetric raise ValueError")
    assert_caught("5.3", checks_symmetry_only, "no unique minimum")
    assert_caught("5.3", edges_swapped, "step lr is off")


def test_5_4_wrong_answers_get_their_hint():
    from utils.saved.lab05_momentum import heavy_ball_step

    def loop(first=1, gamma_used=None, strict=True, never=None, velocity=None):
        def answer(hessian, w0, lr, gamma, tolerance, max_steps):
            w = np.array(w0, dtype=float)
            v = np.zeros_like(w) if velocity is None else velocity(w)
            goal = tolerance * 0.5 * w0 @ hessian @ w0
            g_used = gamma if gamma_used is None else gamma_used
            for taken in range(first, max_steps + first):
                w, v = heavy_ball_step(w, v, hessian @ w, lr, g_used)
                f = 0.5 * w @ hessian @ w
                if (f < goal) if strict else (f <= goal):
                    return taken
            return max_steps if never is None else never(max_steps)

        return answer

    assert_caught("5.4", loop(first=0), "one step too few")
    assert_caught("5.4", loop(first=2), "one step too many")
    assert_caught("5.4", loop(gamma_used=0.0), "gamma is ignored")
    assert_caught("5.4", loop(strict=False), "not <=")
    assert_caught("5.4", loop(never=lambda n: n - 1), "return max_steps")
    assert_caught("5.4", loop(never=lambda n: None), "as an int")
    assert_caught("5.4", loop(velocity=lambda w: 0.5 * w), "from rest")

    def in_place(hessian, w0, lr, gamma, tolerance, max_steps):
        w0 -= 0.0 * w0 + 1e-3 * (hessian @ w0)
        return 1

    assert_caught("5.4", in_place, "changed w0")


def test_5_6_wrong_answers_get_their_hint():
    def heavy(lr, gamma, lam):
        return float(np.abs(np.roots([1.0, -(1 + gamma - lr * lam), gamma])).max())

    def gamma_not_shrunk(lr, gamma, lam):
        shrink = 1 - lr * lam
        return float(np.abs(np.roots([1.0, -(1 + gamma) * shrink, gamma])).max())

    def signed(lr, gamma, lam):
        shrink = 1 - lr * lam
        return np.roots([1.0, -(1 + gamma) * shrink, gamma * shrink])[0]

    assert_caught("5.6", heavy, "heavy ball's factor")
    assert_caught("5.6", gamma_not_shrunk, "both coefficients")
    assert_caught("5.6", signed, "ABSOLUTE")


def test_5_8_wrong_answers_get_their_hint():
    def schedule(early=0, late=0, exp_shift=0, ordered=False):
        def answer(lr, factor, milestones=None):
            def rate_at(epoch):
                if milestones is None:
                    return lr * factor ** (epoch + exp_shift)
                cuts = list(milestones)
                if ordered:  # stops at the first milestone not reached
                    reached = next((i for i, m in enumerate(cuts) if m > epoch), len(cuts))
                else:
                    reached = sum(1 for m in cuts if m + late - early <= epoch)
                return lr * factor**reached

            return rate_at

        return answer

    assert_caught("5.8", schedule(exp_shift=1), "cut once too often")
    assert_caught("5.8", schedule(late=1), "should already be cut")
    assert_caught("5.8", schedule(early=1), "one epoch too early")
    assert_caught("5.8", schedule(ordered=True), "not in increasing order")
    assert_caught("5.8", lambda lr, factor, milestones=None: lr, "function of the epoch")
