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


def _nesterov_factor(lr: float, gamma: float, lam: float) -> float:
    """Largest |eigenvalue| of Nesterov's companion matrix, curvature lam."""
    shrink = 1 - lr * lam
    matrix = np.array([[(1 + gamma) * shrink, -gamma * shrink], [1.0, 0.0]])
    return float(np.max(np.abs(np.linalg.eigvals(matrix))))


def test_nesterov_rate(nesterov_rate, seed: int = 0, cases: int = 6) -> str:
    """nesterov_rate(lr, gamma, lam) -> factor per step of Nesterov."""
    rng = np.random.default_rng(seed)
    lam = rng.uniform(2, 50)
    settings = [(0.5 / lam, rng.uniform(0.5, 0.9)),
                (rng.uniform(0.01, 0.1) / lam, rng.uniform(0.2, 0.5)),
                (rng.uniform(0.1, 1.9) / lam, 0.0),
                (rng.uniform(1.2, 1.9) / lam, rng.uniform(0.3, 0.9)),
                (rng.uniform(2.05, 2.5) * 1.9 / lam, 0.9)]
    settings += [(rng.uniform(0.05, 3.0) / lam, rng.uniform(0, 0.99))
                 for _ in range(max(0, cases - len(settings)))]
    for lr, gamma in settings:
        got = nesterov_rate(lr, gamma, lam)
        require(got is not None and (np.isscalar(got) or np.ndim(got) == 0),
                "return the factor as one number (the largest modulus).")
        require(np.isreal(got) and float(np.real(got)) >= 0,
                f"return a real number >= 0, the largest ABSOLUTE value "
                f"of the roots, got {got}.")
        got = float(np.real(got))
        right = _nesterov_factor(lr, gamma, lam)
        if _close(got, right, 1e-7):
            continue
        what = f"for lr = {lr:.4g}, gamma = {gamma:.3g}, lam = {lam:.3g}"
        require(not np.isclose(got, _heavy_ball_factor(lr, gamma, lam)),
                f"{what} you gave heavy ball's factor: with the look-ahead "
                "the gradient is taken at the coasted point, which changes "
                "both coefficients of the recurrence.")
        require(not np.isclose(got, _heavy_ball_factor(
            lr, gamma * (1 - lr * lam), lam)), f"{what} the coefficient of "
            "w(t) is off: the coasted point (1 + gamma) w(t) - gamma w(t-1) "
            "is multiplied as a whole by 1 - lr lam.")
        require(False, f"{what} the factor should be {right:.6f}, got "
                f"{got:.6f}: write w(t+1) in terms of w(t) and w(t-1) along "
                "one direction and take the largest |root|.")
    return (f"the factor is right in {len(settings)} settings (complex and "
            "real roots, gamma = 0, unstable).")


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


def _spd(rng: np.random.Generator, eigenvalues) -> np.ndarray:
    """A rotated symmetric matrix with the given eigenvalues."""
    dim = len(eigenvalues)
    q, _ = np.linalg.qr(rng.normal(size=(dim, dim)))
    matrix = (q * np.asarray(eigenvalues, dtype=np.float64)) @ q.T
    return (matrix + matrix.T) / 2


def _edges(mu: float, big_l: float) -> tuple[float, float]:
    """Polyak's pair from the two edge conditions (1 -+ sqrt(gamma))^2 =
    lr * (mu, L), solved for sqrt(gamma) first."""
    ratio = np.sqrt(big_l / mu)
    root = (ratio - 1) / (ratio + 1)
    return (1 - root) ** 2 / mu, root ** 2


def test_polyak_parameters(polyak_parameters, seed: int = 0,
                           dim: int = 3) -> str:
    """polyak_parameters(hessian) -> (lr, gamma) of the tuned heavy ball."""
    rng = np.random.default_rng(seed)
    dim = max(dim, 2)
    for scale in [1.0, rng.uniform(0.01, 0.1), rng.uniform(10, 100)]:
        eigenvalues = scale * np.sort(rng.uniform(1, 400, dim))
        eigenvalues[0] = scale * rng.uniform(0.2, 1.0)  # mu, well below L
        hessian = _spd(rng, eigenvalues)
        given = hessian.copy()
        result = polyak_parameters(given)
        require(np.array_equal(given, hessian), "polyak_parameters changed "
                "the matrix passed in: only read it.")
        require(isinstance(result, (tuple, list)) and len(result) == 2,
                f"return the pair (lr, gamma), got {type(result).__name__}.")
        lr, gamma = (float(np.real(x)) for x in result)
        mu, big_l = eigenvalues.min(), eigenvalues.max()
        lr_right, gamma_right = _edges(mu, big_l)
        if _close(lr, lr_right, 1e-7) and _close(gamma, gamma_right, 1e-7):
            continue
        require(not (_close(lr, gamma_right, 1e-7)
                     and _close(gamma, lr_right, 1e-7)),
                "the pair is swapped: return (lr, gamma) in that order.")
        diagonal = np.diag(hessian)
        require(not _close(_edges(diagonal.min(), diagonal.max())[0], lr,
                           1e-7), "you took mu and L from the diagonal: "
                "they are the extreme EIGENVALUES of the matrix "
                "(np.linalg.eigvalsh), the diagonal holds them only when "
                "the matrix is diagonal.")
        require(not _close(gamma, np.sqrt(gamma_right), 1e-7),
                "gamma is the square root of the right one: the edge "
                "conditions fix sqrt(gamma), and gamma is its square.")
        require(not _close(lr, 2 / (mu + big_l), 1e-7),
                "that is gradient descent's best step 2 / (mu + L): with "
                "momentum both edges of [mu, L] must sit on the border of "
                "the complex roots, (1 + gamma - lr lam)^2 = 4 gamma.")
        require(_close(gamma, gamma_right, 1e-7),
                f"gamma is off (rel. error {rel_error(gamma, gamma_right):.1e}"
                f") for eigenvalues from {mu:.3g} to {big_l:.3g}: at the "
                "optimum the smallest and the largest curvature sit on the "
                "two borders of the complex region, 1 + gamma - lr mu = "
                "2 sqrt(gamma) and 1 + gamma - lr L = -2 sqrt(gamma).")
        require(False, f"the step lr is off (rel. error "
                f"{rel_error(lr, lr_right):.1e}) for eigenvalues from "
                f"{mu:.3g} to {big_l:.3g} (it scales like 1 / curvature): "
                "solve the two border conditions for lr.")
    skewed = _spd(rng, np.linspace(1, 5, dim))
    skewed[0, -1] += 1.0  # no longer symmetric
    try:
        polyak_parameters(skewed)
    except ValueError:
        pass
    else:
        require(False, "for a matrix that is not symmetric raise ValueError:"
                " eigvalsh reads one triangle only and would give the "
                "eigenvalues of another matrix.")
    flat = np.diag([0.0] + [3.0] * (dim - 1))  # an exact zero eigenvalue
    for eigenvalues, matrix in [
            ([-1.0] + [2.0] * (dim - 1),
             _spd(rng, [-1.0] + [2.0] * (dim - 1))),
            ([0.0] + [3.0] * (dim - 1), flat)]:
        try:
            with np.errstate(invalid="ignore", divide="ignore"):
                polyak_parameters(matrix)
        except ValueError:
            continue
        except Exception as err:  # noqa: BLE001 - report what was raised
            require(False, f"for a matrix with an eigenvalue "
                    f"{eigenvalues[0]:g} raise ValueError, not "
                    f"{type(err).__name__}.")
        require(False, f"for a matrix with an eigenvalue {eigenvalues[0]:g} "
                "the quadratic has no unique minimum: raise ValueError.")
    return (f"(lr, gamma) right for three rotated {dim}x{dim} matrices of "
            "different scales; ValueError when not symmetric or without a "
            "minimum.")


def _count(hessian, w0, lr, gamma, tolerance, max_steps) -> int:
    """Steps of heavy ball (its two-step form) until f < tolerance f(w0)."""
    before, w = w0.copy(), w0.copy()
    start = w0 @ hessian @ w0
    for step in range(1, max_steps + 1):
        before, w = w, w - lr * hessian @ w + gamma * (w - before)
        if w @ hessian @ w < tolerance * start:
            return step
    return max_steps


def test_iterations_to_converge(iterations_to_converge, seed: int = 0,
                                dim: int = 2) -> str:
    """iterations_to_converge(hessian, w0, lr, gamma, tolerance, max_steps)
    -> steps until f(w) < tolerance f(w0), or max_steps."""
    rng = np.random.default_rng(seed)
    hessian = _spd(rng, np.concatenate([[1.0], rng.uniform(2, 30, dim - 1)]))
    big_l = np.linalg.eigvalsh(hessian).max()
    settings = [(rng.uniform(0.5, 1.5) / big_l, 0.0, 1e-4, 5_000),
                (rng.uniform(0.5, 1.5) / big_l, rng.uniform(0.5, 0.9), 1e-6,
                 5_000),
                (rng.uniform(0.1, 0.3) / big_l, 0.3, 1e-12, 40),  # too few
                (0.3 / big_l, 0.5, rng.uniform(0.3, 0.6), 100)]  # quick
    lr, gamma = settings[1][:2]
    w0s = [rng.normal(size=dim) for _ in settings]
    w0s[3][-1] = 0.0  # a start on a coordinate plane
    needed = _count(hessian, w0s[1], lr, gamma, 1e-6, 5_000)
    settings += [(lr, gamma, 1e-6, needed - 1),  # one step short
                 (lr, gamma, 1e-6, needed + 1)]  # one step to spare
    w0s += [w0s[1], w0s[1]]
    # a flip w -> -w keeps f exactly equal: "below" must be strict
    settings.append((1.0, 0.0, 1.0, 3))
    w0s.append(np.eye(dim)[0])
    exact = np.diag(np.r_[2.0, np.full(dim - 1, 1.5)])
    for case, (lr, gamma, tolerance, max_steps) in enumerate(settings):
        w0 = w0s[case]
        matrix = exact if case == len(settings) - 1 else hessian
        given = w0.copy()
        got = iterations_to_converge(matrix, given, lr, gamma, tolerance,
                                     max_steps)
        require(np.array_equal(given, w0), "iterations_to_converge changed "
                "w0 in place: start from a copy (w = w0 - ..., not w0 -= "
                "...).")
        require(isinstance(got, (int, np.integer)),
                f"return the number of steps as an int, got "
                f"{type(got).__name__}.")
        right = _count(matrix, w0, lr, gamma, tolerance, max_steps)
        what = (f"for lr = {lr:.3g}, gamma = {gamma:.2f}, tolerance = "
                f"{tolerance:.2g}, max_steps = {max_steps}")
        if got == right:
            continue
        require(not (case == len(settings) - 1 and got < right),
                f"{what} f never changes (each step flips w to -w) and "
                f"never falls strictly below tolerance * f(w0), yet you stop"
                f" after {got} steps: test f < tolerance * f(w0), not <=.")
        require(right < max_steps or got != max_steps - 1,
                f"{what} the run never gets there: return max_steps, the "
                "number of steps taken.")
        require(got != right - 1, f"{what} you return one step too few: "
                "count the steps taken, so the first step is 1, and test "
                "f after each step.")
        require(got != right + 1, f"{what} you return one step too many: "
                "stop as soon as f falls below tolerance * f(w0).")
        require(got != _count(matrix, w0, lr, 0.0, tolerance, max_steps),
                f"{what} that is gradient descent's count: the momentum "
                "gamma is ignored.")
        require(False, f"{what} it takes {right} heavy-ball steps from rest "
                f"(v = 0) to get f below tolerance * f(w0), you return {got}"
                ": check the start, the gradient hessian @ w and the test "
                "on f.")
    return (f"the count is right with and without momentum, for tight and "
            f"loose tolerances and when max_steps runs out ({dim}-D).")


def _torch_rates(lr, factor, milestones, epochs) -> list[float]:
    """The rate of torch's MultiStepLR (ExponentialLR without milestones)
    at each epoch."""
    p = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([p], lr=lr)
    if milestones is None:
        scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, factor)
    else:
        scheduler = torch.optim.lr_scheduler.MultiStepLR(
            optimizer, milestones=list(milestones), gamma=factor)
    rates = []
    for _ in range(epochs):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return rates


def test_lr_schedule(lr_schedule, seed: int = 0, epochs: int = 30) -> str:
    """lr_schedule(lr, factor, milestones=None) -> function epoch -> rate."""
    rng = np.random.default_rng(seed)
    lr, factor = rng.uniform(0.01, 0.5), rng.uniform(0.1, 0.7)
    cuts = sorted(rng.choice(np.arange(1, epochs), 3, replace=False).tolist())
    cases = [None, cuts, cuts[::-1], [], cuts + cuts[1:2]]
    order = rng.permutation(epochs).tolist() + [0]   # any order, 0 twice
    for milestones in cases:
        rate_at = (lr_schedule(lr, factor) if milestones is None
                   else lr_schedule(lr, factor, list(milestones)))
        require(callable(rate_at), f"return a function of the epoch, got "
                f"{type(rate_at).__name__}.")
        asked = {epoch: rate_at(epoch) for epoch in order[:-1]}
        again = rate_at(0)
        rates = [asked[epoch] for epoch in range(epochs)]
        require(np.isclose(again, rates[0], rtol=1e-9), "asked for epoch 0 "
                f"a second time, after the other epochs, rate_at gives "
                f"{again:.4g}, not {rates[0]:.4g}: the rate of an epoch must "
                "not depend on which epochs were asked before (no state).")
        right = _torch_rates(lr, factor, milestones, epochs)
        bad = [e for e in range(epochs)
               if not np.isclose(rates[e], right[e], rtol=1e-9)]
        if not bad:
            continue
        e = bad[0]
        if milestones is None:
            require(not np.isclose(rates[e], right[e] * factor),
                    f"without milestones the rate of epoch {e} is cut once "
                    "too often: epoch 0 runs at lr itself, epoch e at lr "
                    "times factor ** e.")
            require(False, f"without milestones the rate of epoch {e} is "
                    f"{rates[e]:.4g}, torch's ExponentialLR gives "
                    f"{right[e]:.4g}: multiply by factor after every epoch.")
        require(milestones != [], "with an empty list of milestones the rate "
                "must stay lr: no milestone, no cut (None, not [], means "
                "the exponential schedule).")
        require(milestones != cuts[::-1], "with milestones not in increasing "
                f"order ({milestones}) the rates are wrong, in order they are"
                " right: the number of milestones passed does not depend on "
                "their order.")
        require(len(set(milestones)) == len(milestones), "with a milestone "
                f"listed twice "
                f"({milestones}) the rate must be cut twice there, as "
                "MultiStepLR does: count every entry of the list.")
        require(not (e in cuts and np.isclose(rates[e], right[e] / factor)),
                f"at epoch {e}, a milestone, the rate should already be cut:"
                f" an epoch counts every milestone <= epoch ({rates[e]:.4g} "
                f"instead of {right[e]:.4g}).")
        require(not np.isclose(rates[e], right[e] * factor),
                f"at epoch {e} the rate is cut one epoch too early: a "
                "milestone m applies from epoch m on (epochs count from 0).")
        require(False, f"at epoch {e} the rate is {rates[e]:.4g}, "
                f"torch.optim.lr_scheduler.MultiStepLR gives {right[e]:.4g}"
                f" (lr {lr:.3g}, factor {factor:.3g}, milestones {cuts}).")
    return (f"the rates match torch's ExponentialLR and MultiStepLR for "
            f"{epochs} epochs: milestones in any order, repeated or none, "
            "epochs asked in any order.")

EXERCISES = {
    "5.1": Spec("heavy_ball_step", points=3, test=test_heavy_ball_step,
                reference="utils.saved.lab05_momentum:heavy_ball_step"),
    "5.2": Spec("heavy_ball_rate", points=2, test=test_heavy_ball_rate,
                reference="utils.saved.lab05_momentum:heavy_ball_rate"),
    "5.3": Spec("polyak_parameters", points=3, test=test_polyak_parameters,
                reference="utils.saved.lab05_momentum:polyak_parameters"),
    "5.4": Spec("iterations_to_converge", points=3,
                test=test_iterations_to_converge,
                reference="utils.saved.lab05_momentum:iterations_to_converge"),
    "5.5": Spec("nesterov_step", points=2, test=test_nesterov_step,
                reference="utils.saved.lab05_momentum:nesterov_step"),
    "5.6": Spec("nesterov_rate", points=2, test=test_nesterov_rate,
                reference="utils.saved.lab05_momentum:nesterov_rate"),
    "5.7": Spec("torch_sgd_step", points=3, test=test_torch_sgd_step,
                reference="utils.saved.lab05_momentum:torch_sgd_step"),
    "5.8": Spec("lr_schedule", points=2, test=test_lr_schedule,
                reference="utils.saved.lab05_momentum:lr_schedule"),
}
