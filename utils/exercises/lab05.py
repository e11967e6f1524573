"""Graded exercises of lab 05 (momentum): tests, points and references.

Every test builds its own problems from a seed (random quadratics, a
non-quadratic gradient, random velocities and rates), so that no number
shown in the lab can be copied into an answer, and compares the answer with
a computation of its own; ``torch_sgd_step`` is compared with
``torch.optim.SGD`` itself.
"""
from __future__ import annotations

import numpy as np
import torch

from ..checks import close, rel_error
from . import Spec, require

TOL = 1e-9  # float64 round-off of a few operations, far below any mistake


def _close(a, b, tol: float = TOL) -> bool:
    return close(a, b, tol)


def _pair(result, names: str) -> tuple[np.ndarray, np.ndarray]:
    """The answer's two arrays, after checking it returned a pair."""
    require(isinstance(result, (tuple, list)) and len(result) == 2,
            f"return the pair ({names}), got {type(result).__name__}.")
    return tuple(np.asarray(r, dtype=np.float64) for r in result)


def _quadratic(rng: np.random.Generator, dim: int) -> np.ndarray:
    """A random symmetric positive definite matrix, eigenvalues in [1, 20]."""
    q, _ = np.linalg.qr(rng.normal(size=(dim, dim)))
    return (q * rng.uniform(1, 20, dim)) @ q.T


def _gradient(matrix: np.ndarray):
    """The gradient of 0.5 w^T A w + 0.05 sum(w^4): not linear in w."""
    return lambda w: matrix @ w + 0.2 * w ** 3


def _unchanged(function: str, names: str, before, after) -> None:
    for name, old, new in zip(names.split(", "), before, after):
        require(np.array_equal(old, new),
                f"{function} changed the argument {name} passed in: return "
                "new arrays (v = gamma * v + ..., not v *= ...).")


def _shapes(answer_w, answer_v, w, what: str) -> None:
    require(answer_w.shape == w.shape and answer_v.shape == w.shape,
            f"{what}: the new arrays have shapes {answer_w.shape} and "
            f"{answer_v.shape}; they should keep the shape {w.shape} of w.")


def _from_rest(answer_step, right_step, w0: np.ndarray, steps: int) -> None:
    """Iterate the answer's step and the right one from w0 at rest."""
    w, v = w0.copy(), np.zeros_like(w0)
    w_right, v_right = w.copy(), v.copy()
    for t in range(steps):
        w, v = _pair(answer_step(w, v), "new w, new v")
        w_right, v_right = right_step(w_right, v_right)
        require(_close(w, w_right, 1e-8),
                f"after {t + 1} steps from rest w is off (rel. error "
                f"{rel_error(w, w_right):.1e}) although one step was right: "
                "does the function keep state of its own between calls?")


def test_heavy_ball_step(heavy_ball_step, seed: int = 0, dim: int = 3,
                         steps: int = 12) -> str:
    """heavy_ball_step(w, v, g, lr, gamma) -> (new w, new v)."""
    rng = np.random.default_rng(seed)
    lr, gamma = rng.uniform(0.02, 0.05), rng.uniform(0.6, 0.95)
    # one step from a random state, on a vector and on a weight matrix
    for shape in [(dim,), (dim + 1, 3)]:
        w, v, g = (rng.normal(size=shape) for _ in range(3))
        args = [w.copy(), v.copy(), g.copy()]
        new_w, new_v = _pair(heavy_ball_step(*args, lr, gamma), "new w, new v")
        _unchanged("heavy_ball_step", "w, v, g", [w, v, g], args)
        _shapes(new_w, new_v, w, f"for w of shape {shape}")
        v_right = gamma * v + lr * g
        if not _close(new_v, v_right):
            require(not _close(new_v, lr * g),
                    "the new velocity forgets the old one: "
                    "v = gamma * v + lr * g keeps gamma times the old v.")
            require(not _close(new_v, gamma * v - lr * g),
                    "the gradient enters the velocity with a minus sign: "
                    "v = gamma * v + lr * g (the minus is in w - v).")
            require(not _close(new_v, v + lr * g),
                    "gamma is missing: v = gamma * v + lr * g.")
            require(False, f"the new velocity should be gamma * v + lr * g, "
                    f"rel. error {rel_error(new_v, v_right):.1e}.")
        if not _close(new_w, w - v_right):
            require(not _close(new_w, w - v),
                    "w moved with the OLD velocity: first update v, then "
                    "w = w - (new v).")
            require(not _close(new_w, w + v_right),
                    "w moved uphill: the step is w = w - v, not w + v.")
            require(not _close(new_w, w - lr * g),
                    "w took a plain gradient step: it should move by the "
                    "new velocity, w = w - v.")
            require(False, f"the new w should be w - (new v), rel. error "
                    f"{rel_error(new_w, w - v_right):.1e}.")
    # many steps on a random valley, from rest
    gradient = _gradient(_quadratic(rng, dim))

    def right(w, v):
        v = gamma * v + lr * gradient(w)
        return w - v, v

    _from_rest(lambda w, v: heavy_ball_step(w, v, gradient(w), lr, gamma),
               right, rng.normal(size=dim), steps)
    return (f"v = gamma v + lr g, then w - v: right for one step on a vector "
            f"and a matrix and for {steps} steps on a random valley.")


def _heavy_ball_factor(lr: float, gamma: float, lam: float) -> float:
    """Largest |root| of z^2 - (1 + gamma - lr lam) z + gamma (numpy.roots)."""
    return float(np.max(np.abs(np.roots([1.0, -(1 + gamma - lr * lam),
                                         gamma]))))


def test_heavy_ball_rate(heavy_ball_rate, seed: int = 0,
                         cases: int = 6) -> str:
    """heavy_ball_rate(lr, gamma, lam) -> spectral radius of the recurrence."""
    rng = np.random.default_rng(seed)
    lam = rng.uniform(2, 50)
    # complex roots, real roots, plain GD (gamma 0), beyond the stable range
    settings = [(0.5 / lam, rng.uniform(0.5, 0.9)),
                (rng.uniform(0.01, 0.1) / lam, rng.uniform(0.2, 0.5)),
                (rng.uniform(0.1, 1.9) / lam, 0.0),
                (rng.uniform(2.05, 2.5) * 1.9 / lam, 0.9)]
    settings += [(rng.uniform(0.05, 3.0) / lam, rng.uniform(0, 0.99))
                 for _ in range(max(0, cases - len(settings)))]
    for lr, gamma in settings:
        got = heavy_ball_rate(lr, gamma, lam)
        require(got is not None, "heavy_ball_rate returned None: return "
                "the factor as a number.")
        require(np.isscalar(got) or np.ndim(got) == 0,
                f"return one number (the largest modulus), got an array "
                f"of shape {np.shape(got)}.")
        require(np.isreal(got) and float(np.real(got)) >= 0,
                f"return a real number >= 0, the largest ABSOLUTE value "
                f"of the eigenvalues, got {got}.")
        got = float(np.real(got))
        right = _heavy_ball_factor(lr, gamma, lam)
        if not _close(got, right, 1e-7):
            what = f"for lr = {lr:.4g}, gamma = {gamma:.3g}, lam = {lam:.3g}"
            require(not np.isclose(got, abs(1 - lr * lam)),
                    f"{what} you gave |1 - lr lam|, gradient descent's "
                    "factor: with momentum w(t+1) also depends on w(t-1), "
                    "so take the eigenvalues of the 2x2 matrix.")
            require(not np.isclose(got, right ** 2),
                    f"{what} your factor is the square of the right one.")
            require(False, f"{what} the factor should be {right:.6f}, got "
                    f"{got:.6f}: check the matrix [[1 + gamma - lr lam, "
                    "-gamma], [1, 0]] and take max |eigenvalue|.")
    return (f"the factor is right in {len(settings)} settings (complex and "
            "real eigenvalues, gamma = 0, unstable).")


def test_nesterov_step(nesterov_step, seed: int = 0, dim: int = 3,
                       steps: int = 12) -> str:
    """nesterov_step(w, v, grad_fn, lr, gamma) -> (new w, new v)."""
    rng = np.random.default_rng(seed)
    lr, gamma = rng.uniform(0.02, 0.05), rng.uniform(0.6, 0.95)
    gradient = _gradient(_quadratic(rng, dim))
    for shape in [(dim,), (dim, 2)]:
        w, v = rng.normal(size=shape), rng.normal(size=shape)
        asked = []

        def grad_fn(point):
            asked.append(np.array(point, dtype=np.float64))
            return gradient(np.asarray(point))

        args = [w.copy(), v.copy()]
        result = nesterov_step(args[0], args[1], grad_fn, lr, gamma)
        new_w, new_v = _pair(result, "new w, new v")
        _unchanged("nesterov_step", "w, v", [w, v], args)
        _shapes(new_w, new_v, w, f"for w of shape {shape}")
        look_ahead = w - gamma * v
        v_right = gamma * v + lr * gradient(look_ahead)
        require(len(asked) > 0, "grad_fn was never called: the gradient "
                "comes from grad_fn(point), evaluated at the look-ahead "
                "point.")
        if not (_close(new_v, v_right) and _close(new_w, w - v_right)):
            require(not any(_close(p, w) for p in asked),
                    "the gradient was evaluated at w: Nesterov evaluates it "
                    "at the look-ahead point w - gamma * v.")
            require(not any(_close(p, w + gamma * v) for p in asked),
                    "the look-ahead point is w - gamma * v (the velocity "
                    "moves w by -v), not w + gamma * v.")
            require(not any(_close(p, w - gamma * v_right) for p in asked),
                    "the look-ahead point uses the OLD velocity: "
                    "grad_fn(w - gamma * v) before v changes.")
            require(_close(new_v, v_right),
                    f"the new velocity should be gamma * v + lr * "
                    f"grad_fn(w - gamma * v), rel. error "
                    f"{rel_error(new_v, v_right):.1e}.")
            require(not _close(new_w, w - v),
                    "w moved with the OLD velocity: w = w - (new v).")
            require(False, f"the new w should be w - (new v), rel. error "
                    f"{rel_error(new_w, w - v_right):.1e}.")

    def right(w, v):
        v = gamma * v + lr * gradient(w - gamma * v)
        return w - v, v

    _from_rest(lambda w, v: nesterov_step(w, v, gradient, lr, gamma),
               right, rng.normal(size=dim), steps)
    return (f"gradient at w - gamma v, then v and w: right for one step and "
            f"for {steps} steps on a valley whose gradient is not linear.")


def _torch_sgd_path(p0, gradient, rates, gamma, nesterov):
    """Iterates of torch.optim.SGD on the function whose gradient is given."""
    p = torch.tensor(p0, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([p], lr=rates[0], momentum=gamma,
                                nesterov=nesterov)
    path = [p0.copy()]
    for rate in rates:
        optimizer.param_groups[0]["lr"] = rate
        optimizer.zero_grad()
        p.grad = torch.from_numpy(gradient(p.detach().numpy().copy()))
        optimizer.step()
        path.append(p.detach().numpy().copy())
    return np.array(path)


def test_torch_sgd_step(torch_sgd_step, seed: int = 0, dim: int = 3,
                        steps: int = 12) -> str:
    """torch_sgd_step(p, b, g, lr, gamma, nesterov) -> (new p, new b)."""
    rng = np.random.default_rng(seed)
    lr, gamma = rng.uniform(0.02, 0.05), rng.uniform(0.6, 0.95)
    for nesterov in [False, True]:
        p, b, g = (rng.normal(size=dim) for _ in range(3))
        args = [p.copy(), b.copy(), g.copy()]
        flag = (True,) if nesterov else ()  # the spec's default: False
        new_p, new_b = _pair(torch_sgd_step(*args, lr, gamma, *flag),
                             "new p, new b")
        _unchanged("torch_sgd_step", "p, b, g", [p, b, g], args)
        _shapes(new_p, new_b, p, f"with nesterov={nesterov}")
        b_right = gamma * b + g
        step = g + gamma * b_right if nesterov else b_right
        if not _close(new_b, b_right):
            require(not _close(new_b, gamma * b + lr * g),
                    "the buffer holds gradients, not steps: b = gamma * b + g "
                    "(the learning rate multiplies b only in the update of "
                    "p). That is this lab's form, not PyTorch's.")
            require(False, f"the new buffer should be gamma * b + g, rel. "
                    f"error {rel_error(new_b, b_right):.1e}.")
        if not _close(new_p, p - lr * step):
            if nesterov:
                require(not _close(new_p, p - lr * b_right),
                        "with nesterov=True the step is lr * (g + gamma * b) "
                        "with the NEW b; lr * b, or lr * (g + gamma * b) "
                        "with the old b (the same thing), is the plain step.")
            else:
                require(not _close(new_p, p - lr * g),
                        "p took a plain gradient step: PyTorch steps by the "
                        "buffer, p = p - lr * b (new b).")
                require(not _close(new_p, p - lr * b),
                        "p moved with the OLD buffer: first update b, then "
                        "p = p - lr * b.")
            require(False, f"the new p is off (rel. error "
                    f"{rel_error(new_p, p - lr * step):.1e}): "
                    + ("p - lr * (g + gamma * b)" if nesterov
                       else "p - lr * b") + " with the new b.")
    # a decaying learning rate: only PyTorch's own form follows torch
    gradient = _gradient(_quadratic(rng, dim))
    rates = lr * rng.uniform(0.7, 0.9) ** np.arange(steps)
    for nesterov in [False, True]:
        p0 = rng.normal(size=dim)
        expected = _torch_sgd_path(p0, gradient, rates, gamma, nesterov)
        p, b = p0.copy(), np.zeros(dim)
        path = [p]
        for rate in rates:
            p, b = _pair(torch_sgd_step(p, b, gradient(p), rate, gamma,
                                        nesterov), "new p, new b")
            path.append(p)
        error = rel_error(np.array(path), expected)
        require(error <= 1e-8,
                f"with a decaying learning rate and nesterov={nesterov} your "
                f"iterates leave torch.optim.SGD's (rel. error {error:.1e}).")
    return (f"one step right with and without Nesterov, and {steps} steps "
            "with a decaying rate match torch.optim.SGD.")


EXERCISES = {
    "5.1": Spec("heavy_ball_step", points=3, test=test_heavy_ball_step,
                reference="utils.momentum:heavy_ball_step"),
    "5.2": Spec("heavy_ball_rate", points=1, test=test_heavy_ball_rate,
                reference="utils.momentum:heavy_ball_rate"),
    "5.3": Spec("nesterov_step", points=2, test=test_nesterov_step,
                reference="utils.momentum:nesterov_step"),
    "5.4": Spec("torch_sgd_step", points=3, test=test_torch_sgd_step,
                reference="utils.momentum:torch_sgd_step"),
}
