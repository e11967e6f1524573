"""Checks of exercises 5.1 (heavy_ball_step), 5.2 (heavy_ball_rate), 5.5
(nesterov_step) and 5.6 (nesterov_rate)."""

from __future__ import annotations

import numpy as np

from ...checks import rel_error
from .. import require
from ..common import rel_close
from ._shared import TOL, _float_pair, _gradient, _quadratic, _shapes, _unchanged


def _from_rest(answer_step, right_step, w0: np.ndarray, steps: int) -> None:
    """Iterate the answer's step and the right one from w0 at rest."""
    w, v = w0.copy(), np.zeros_like(w0)
    w_right, v_right = w.copy(), v.copy()
    for t in range(steps):
        w, v = _float_pair(answer_step(w, v), "new w, new v")
        w_right, v_right = right_step(w_right, v_right)
        require(
            rel_close(w, w_right, 1e-8),
            f"after {t + 1} steps from rest w is off (rel. error "
            f"{rel_error(w, w_right):.1e}) although one step was right: "
            "does the function keep state of its own between calls?",
        )


def check_heavy_ball_step(heavy_ball_step, seed: int = 0, dim: int = 3, steps: int = 12) -> str:
    """heavy_ball_step(w, v, g, lr, gamma) -> (new w, new v)."""
    rng = np.random.default_rng(seed)
    lr, gamma = rng.uniform(0.02, 0.05), rng.uniform(0.6, 0.95)
    # one step from a random state, on a vector and on a weight matrix
    for shape in [(dim,), (dim + 1, 3)]:
        w, v, g = (rng.normal(size=shape) for _ in range(3))
        args = [w.copy(), v.copy(), g.copy()]
        new_w, new_v = _float_pair(heavy_ball_step(*args, lr, gamma), "new w, new v")
        _unchanged("heavy_ball_step", "w, v, g", [w, v, g], args)
        _shapes(new_w, new_v, w, f"for w of shape {shape}")
        v_right = gamma * v + lr * g
        if not rel_close(new_v, v_right, TOL):
            require(
                not rel_close(new_v, lr * g, TOL),
                "the new velocity forgets the old one: "
                "v = gamma * v + lr * g keeps gamma times the old v.",
            )
            require(
                not rel_close(new_v, gamma * v - lr * g, TOL),
                "the gradient enters the velocity with a minus sign: "
                "v = gamma * v + lr * g (the minus is in w - v).",
            )
            require(
                not rel_close(new_v, v + lr * g, TOL), "gamma is missing: v = gamma * v + lr * g."
            )
            require(
                False,
                f"the new velocity should be gamma * v + lr * g, "
                f"rel. error {rel_error(new_v, v_right):.1e}.",
            )
        if not rel_close(new_w, w - v_right, TOL):
            require(
                not rel_close(new_w, w - v, TOL),
                "w moved with the OLD velocity: first update v, then w = w - (new v).",
            )
            require(
                not rel_close(new_w, w + v_right, TOL),
                "w moved uphill: the step is w = w - v, not w + v.",
            )
            require(
                not rel_close(new_w, w - lr * g, TOL),
                "w took a plain gradient step: it should move by the new velocity, w = w - v.",
            )
            require(
                False,
                f"the new w should be w - (new v), rel. error {rel_error(new_w, w - v_right):.1e}.",
            )
    # many steps on a random valley, from rest
    gradient = _gradient(_quadratic(rng, dim))

    def right(w, v):
        v = gamma * v + lr * gradient(w)
        return w - v, v

    _from_rest(
        lambda w, v: heavy_ball_step(w, v, gradient(w), lr, gamma),
        right,
        rng.normal(size=dim),
        steps,
    )
    return (
        f"v = gamma v + lr g, then w - v: right for one step on a vector "
        f"and a matrix and for {steps} steps on a random valley."
    )


def _heavy_ball_factor(lr: float, gamma: float, lam: float) -> float:
    """Largest |root| of z^2 - (1 + gamma - lr lam) z + gamma (numpy.roots)."""
    return float(np.max(np.abs(np.roots([1.0, -(1 + gamma - lr * lam), gamma]))))


def check_heavy_ball_rate(heavy_ball_rate, seed: int = 0, cases: int = 6) -> str:
    """heavy_ball_rate(lr, gamma, lam) -> spectral radius of the recurrence."""
    rng = np.random.default_rng(seed)
    lam = rng.uniform(2, 50)
    # complex roots, real roots, plain GD (gamma 0), beyond the stable range
    settings = [
        (0.5 / lam, rng.uniform(0.5, 0.9)),
        (rng.uniform(0.01, 0.1) / lam, rng.uniform(0.2, 0.5)),
        (rng.uniform(0.1, 1.9) / lam, 0.0),
        (rng.uniform(2.05, 2.5) * 1.9 / lam, 0.9),
    ]
    settings += [
        (rng.uniform(0.05, 3.0) / lam, rng.uniform(0, 0.99))
        for _ in range(max(0, cases - len(settings)))
    ]
    for lr, gamma in settings:
        got = heavy_ball_rate(lr, gamma, lam)
        require(got is not None, "heavy_ball_rate returned None: return the factor as a number.")
        require(
            np.isscalar(got) or np.ndim(got) == 0,
            f"return one number (the largest modulus), got an array of shape {np.shape(got)}.",
        )
        require(
            np.isreal(got) and float(np.real(got)) >= 0,
            f"return a real number >= 0, the largest ABSOLUTE value of the eigenvalues, got {got}.",
        )
        got = float(np.real(got))
        right = _heavy_ball_factor(lr, gamma, lam)
        if not rel_close(got, right, 1e-7):
            what = f"for lr = {lr:.4g}, gamma = {gamma:.3g}, lam = {lam:.3g}"
            require(
                not np.isclose(got, abs(1 - lr * lam)),
                f"{what} you gave |1 - lr lam|, gradient descent's "
                "factor: with momentum w(t+1) also depends on w(t-1), "
                "so take the eigenvalues of the 2x2 matrix.",
            )
            require(
                not np.isclose(got, right**2), f"{what} your factor is the square of the right one."
            )
            require(
                False,
                f"{what} the factor should be {right:.6f}, got "
                f"{got:.6f}: check the matrix [[1 + gamma - lr lam, "
                "-gamma], [1, 0]] and take max |eigenvalue|.",
            )
    return (
        f"the factor is right in {len(settings)} settings (complex and "
        "real eigenvalues, gamma = 0, unstable)."
    )


def check_nesterov_step(nesterov_step, seed: int = 0, dim: int = 3, steps: int = 12) -> str:
    """nesterov_step(w, v, grad_fn, lr, gamma) -> (new w, new v)."""
    rng = np.random.default_rng(seed)
    lr, gamma = rng.uniform(0.02, 0.05), rng.uniform(0.6, 0.95)
    gradient = _gradient(_quadratic(rng, dim))
    for shape in [(dim,), (dim, 2)]:
        w, v = rng.normal(size=shape), rng.normal(size=shape)
        asked = []

        def grad_fn(point):
            asked.append(np.array(point, dtype=np.float64))  # noqa: B023 called at once, in this iteration
            return gradient(np.asarray(point))

        args = [w.copy(), v.copy()]
        result = nesterov_step(args[0], args[1], grad_fn, lr, gamma)
        new_w, new_v = _float_pair(result, "new w, new v")
        _unchanged("nesterov_step", "w, v", [w, v], args)
        _shapes(new_w, new_v, w, f"for w of shape {shape}")
        look_ahead = w - gamma * v
        v_right = gamma * v + lr * gradient(look_ahead)
        require(
            len(asked) > 0,
            "grad_fn was never called: the gradient "
            "comes from grad_fn(point), evaluated at the look-ahead "
            "point.",
        )
        if not (rel_close(new_v, v_right, TOL) and rel_close(new_w, w - v_right, TOL)):
            require(
                not any(rel_close(p, w, TOL) for p in asked),
                "the gradient was evaluated at w: Nesterov evaluates it "
                "at the look-ahead point w - gamma * v.",
            )
            require(
                not any(rel_close(p, w + gamma * v, TOL) for p in asked),
                "the look-ahead point is w - gamma * v (the velocity "
                "moves w by -v), not w + gamma * v.",
            )
            require(
                not any(rel_close(p, w - gamma * v_right, TOL) for p in asked),
                "the look-ahead point uses the OLD velocity: "
                "grad_fn(w - gamma * v) before v changes.",
            )
            require(
                rel_close(new_v, v_right, TOL),
                f"the new velocity should be gamma * v + lr * "
                f"grad_fn(w - gamma * v), rel. error "
                f"{rel_error(new_v, v_right):.1e}.",
            )
            require(
                not rel_close(new_w, w - v, TOL), "w moved with the OLD velocity: w = w - (new v)."
            )
            require(
                False,
                f"the new w should be w - (new v), rel. error {rel_error(new_w, w - v_right):.1e}.",
            )

    def right(w, v):
        v = gamma * v + lr * gradient(w - gamma * v)
        return w - v, v

    _from_rest(
        lambda w, v: nesterov_step(w, v, gradient, lr, gamma), right, rng.normal(size=dim), steps
    )
    return (
        f"gradient at w - gamma v, then v and w: right for one step and "
        f"for {steps} steps on a valley whose gradient is not linear."
    )


def _nesterov_factor(lr: float, gamma: float, lam: float) -> float:
    """Largest |eigenvalue| of Nesterov's companion matrix, curvature lam."""
    shrink = 1 - lr * lam
    matrix = np.array([[(1 + gamma) * shrink, -gamma * shrink], [1.0, 0.0]])
    return float(np.max(np.abs(np.linalg.eigvals(matrix))))


def check_nesterov_rate(nesterov_rate, seed: int = 0, cases: int = 6) -> str:
    """nesterov_rate(lr, gamma, lam) -> factor per step of Nesterov."""
    rng = np.random.default_rng(seed)
    lam = rng.uniform(2, 50)
    settings = [
        (0.5 / lam, rng.uniform(0.5, 0.9)),
        (rng.uniform(0.01, 0.1) / lam, rng.uniform(0.2, 0.5)),
        (rng.uniform(0.1, 1.9) / lam, 0.0),
        (rng.uniform(1.2, 1.9) / lam, rng.uniform(0.3, 0.9)),
        (rng.uniform(2.05, 2.5) * 1.9 / lam, 0.9),
    ]
    settings += [
        (rng.uniform(0.05, 3.0) / lam, rng.uniform(0, 0.99))
        for _ in range(max(0, cases - len(settings)))
    ]
    for lr, gamma in settings:
        got = nesterov_rate(lr, gamma, lam)
        require(
            got is not None and (np.isscalar(got) or np.ndim(got) == 0),
            "return the factor as one number (the largest modulus).",
        )
        require(
            np.isreal(got) and float(np.real(got)) >= 0,
            f"return a real number >= 0, the largest ABSOLUTE value of the roots, got {got}.",
        )
        got = float(np.real(got))
        right = _nesterov_factor(lr, gamma, lam)
        if rel_close(got, right, 1e-7):
            continue
        what = f"for lr = {lr:.4g}, gamma = {gamma:.3g}, lam = {lam:.3g}"
        require(
            not np.isclose(got, _heavy_ball_factor(lr, gamma, lam)),
            f"{what} you gave heavy ball's factor: with the look-ahead "
            "the gradient is taken at the coasted point, which changes "
            "both coefficients of the recurrence.",
        )
        require(
            not np.isclose(got, _heavy_ball_factor(lr, gamma * (1 - lr * lam), lam)),
            f"{what} the coefficient of "
            "w(t) is off: the coasted point (1 + gamma) w(t) - gamma w(t-1) "
            "is multiplied as a whole by 1 - lr lam.",
        )
        require(
            False,
            f"{what} the factor should be {right:.6f}, got "
            f"{got:.6f}: write w(t+1) in terms of w(t) and w(t-1) along "
            "one direction and take the largest |root|.",
        )
    return (
        f"the factor is right in {len(settings)} settings (complex and "
        "real roots, gamma = 0, unstable)."
    )
