"""Checks of exercises 5.3 (polyak_parameters) and 5.4
(iterations_to_converge)."""

from __future__ import annotations

import numpy as np

from ...checks import rel_error
from .. import require
from ..common import answer_pair, rel_close


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
    return (1 - root) ** 2 / mu, root**2


def check_polyak_parameters(polyak_parameters, seed: int = 0, dim: int = 3) -> str:
    """polyak_parameters(hessian) -> (lr, gamma) of the tuned heavy ball."""
    rng = np.random.default_rng(seed)
    dim = max(dim, 2)
    for scale in [1.0, rng.uniform(0.01, 0.1), rng.uniform(10, 100)]:
        eigenvalues = scale * np.sort(rng.uniform(1, 400, dim))
        eigenvalues[0] = scale * rng.uniform(0.2, 1.0)  # mu, well below L
        hessian = _spd(rng, eigenvalues)
        given = hessian.copy()
        result = polyak_parameters(given)
        require(
            np.array_equal(given, hessian),
            "polyak_parameters changed the matrix passed in: only read it.",
        )
        lr, gamma = (float(np.real(x)) for x in answer_pair(result, "(lr, gamma)", lists=True))
        mu, big_l = eigenvalues.min(), eigenvalues.max()
        lr_right, gamma_right = _edges(mu, big_l)
        if rel_close(lr, lr_right, 1e-7) and rel_close(gamma, gamma_right, 1e-7):
            continue
        require(
            not (rel_close(lr, gamma_right, 1e-7) and rel_close(gamma, lr_right, 1e-7)),
            "the pair is swapped: return (lr, gamma) in that order.",
        )
        diagonal = np.diag(hessian)
        require(
            not rel_close(_edges(diagonal.min(), diagonal.max())[0], lr, 1e-7),
            "you took mu and L from the diagonal: "
            "they are the extreme EIGENVALUES of the matrix "
            "(np.linalg.eigvalsh), the diagonal holds them only when "
            "the matrix is diagonal.",
        )
        require(
            not rel_close(gamma, np.sqrt(gamma_right), 1e-7),
            "gamma is the square root of the right one: the edge "
            "conditions fix sqrt(gamma), and gamma is its square.",
        )
        require(
            not rel_close(lr, 2 / (mu + big_l), 1e-7),
            "that is gradient descent's best step 2 / (mu + L): with "
            "momentum both edges of [mu, L] must sit on the border of "
            "the complex roots, (1 + gamma - lr lam)^2 = 4 gamma.",
        )
        require(
            rel_close(gamma, gamma_right, 1e-7),
            f"gamma is off (rel. error {rel_error(gamma, gamma_right):.1e}"
            f") for eigenvalues from {mu:.3g} to {big_l:.3g}: at the "
            "optimum the smallest and the largest curvature sit on the "
            "two borders of the complex region, 1 + gamma - lr mu = "
            "2 sqrt(gamma) and 1 + gamma - lr L = -2 sqrt(gamma).",
        )
        require(
            False,
            f"the step lr is off (rel. error "
            f"{rel_error(lr, lr_right):.1e}) for eigenvalues from "
            f"{mu:.3g} to {big_l:.3g} (it scales like 1 / curvature): "
            "solve the two border conditions for lr.",
        )
    skewed = _spd(rng, np.linspace(1, 5, dim))
    skewed[0, -1] += 1.0  # no longer symmetric
    try:
        polyak_parameters(skewed)
    except ValueError:
        pass
    else:
        require(
            False,
            "for a matrix that is not symmetric raise ValueError:"
            " eigvalsh reads one triangle only and would give the "
            "eigenvalues of another matrix.",
        )
    flat = np.diag([0.0] + [3.0] * (dim - 1))  # an exact zero eigenvalue
    for eigenvalues, matrix in [
        ([-1.0] + [2.0] * (dim - 1), _spd(rng, [-1.0] + [2.0] * (dim - 1))),
        ([0.0] + [3.0] * (dim - 1), flat),
    ]:
        try:
            with np.errstate(invalid="ignore", divide="ignore"):
                polyak_parameters(matrix)
        except ValueError:
            continue
        except Exception as err:
            require(
                False,
                f"for a matrix with an eigenvalue "
                f"{eigenvalues[0]:g} raise ValueError, not "
                f"{type(err).__name__}.",
            )
        require(
            False,
            f"for a matrix with an eigenvalue {eigenvalues[0]:g} "
            "the quadratic has no unique minimum: raise ValueError.",
        )
    return (
        f"(lr, gamma) right for three rotated {dim}x{dim} matrices of "
        "different scales; ValueError when not symmetric or without a "
        "minimum."
    )


def _count(hessian, w0, lr, gamma, tolerance, max_steps) -> int:
    """Steps of heavy ball (its two-step form) until f < tolerance f(w0)."""
    before, w = w0.copy(), w0.copy()
    start = w0 @ hessian @ w0
    for step in range(1, max_steps + 1):
        before, w = w, w - lr * hessian @ w + gamma * (w - before)
        if w @ hessian @ w < tolerance * start:
            return step
    return max_steps


def check_iterations_to_converge(iterations_to_converge, seed: int = 0, dim: int = 2) -> str:
    """iterations_to_converge(hessian, w0, lr, gamma, tolerance, max_steps)
    -> steps until f(w) < tolerance f(w0), or max_steps."""
    rng = np.random.default_rng(seed)
    hessian = _spd(rng, np.concatenate([[1.0], rng.uniform(2, 30, dim - 1)]))
    big_l = np.linalg.eigvalsh(hessian).max()
    settings = [
        (rng.uniform(0.5, 1.5) / big_l, 0.0, 1e-4, 5_000),
        (rng.uniform(0.5, 1.5) / big_l, rng.uniform(0.5, 0.9), 1e-6, 5_000),
        (rng.uniform(0.1, 0.3) / big_l, 0.3, 1e-12, 40),  # too few
        (0.3 / big_l, 0.5, rng.uniform(0.3, 0.6), 100),
    ]  # quick
    lr, gamma = settings[1][:2]
    w0s = [rng.normal(size=dim) for _ in settings]
    w0s[3][-1] = 0.0  # a start on a coordinate plane
    needed = _count(hessian, w0s[1], lr, gamma, 1e-6, 5_000)
    settings += [
        (lr, gamma, 1e-6, needed - 1),  # one step short
        (lr, gamma, 1e-6, needed + 1),
    ]  # one step to spare
    w0s += [w0s[1], w0s[1]]
    # a flip w -> -w keeps f exactly equal: "below" must be strict
    settings.append((1.0, 0.0, 1.0, 3))
    w0s.append(np.eye(dim)[0])
    exact = np.diag(np.r_[2.0, np.full(dim - 1, 1.5)])
    for case, (lr, gamma, tolerance, max_steps) in enumerate(settings):
        w0 = w0s[case]
        matrix = exact if case == len(settings) - 1 else hessian
        given = w0.copy()
        got = iterations_to_converge(matrix, given, lr, gamma, tolerance, max_steps)
        require(
            np.array_equal(given, w0),
            "iterations_to_converge changed "
            "w0 in place: start from a copy (w = w0 - ..., not w0 -= "
            "...).",
        )
        require(
            isinstance(got, (int, np.integer)),
            f"return the number of steps as an int, got {type(got).__name__}.",
        )
        right = _count(matrix, w0, lr, gamma, tolerance, max_steps)
        what = (
            f"for lr = {lr:.3g}, gamma = {gamma:.2f}, tolerance = "
            f"{tolerance:.2g}, max_steps = {max_steps}"
        )
        if got == right:
            continue
        require(
            not (case == len(settings) - 1 and got < right),
            f"{what} f never changes (each step flips w to -w) and "
            f"never falls strictly below tolerance * f(w0), yet you stop"
            f" after {got} steps: test f < tolerance * f(w0), not <=.",
        )
        require(
            right < max_steps or got != max_steps - 1,
            f"{what} the run never gets there: return max_steps, the number of steps taken.",
        )
        require(
            got != right - 1,
            f"{what} you return one step too few: "
            "count the steps taken, so the first step is 1, and test "
            "f after each step.",
        )
        require(
            got != right + 1,
            f"{what} you return one step too many: "
            "stop as soon as f falls below tolerance * f(w0).",
        )
        require(
            got != _count(matrix, w0, lr, 0.0, tolerance, max_steps),
            f"{what} that is gradient descent's count: the momentum gamma is ignored.",
        )
        require(
            False,
            f"{what} it takes {right} heavy-ball steps from rest "
            f"(v = 0) to get f below tolerance * f(w0), you return {got}"
            ": check the start, the gradient hessian @ w and the test "
            "on f.",
        )
    return (
        f"the count is right with and without momentum, for tight and "
        f"loose tolerances and when max_steps runs out ({dim}-D)."
    )
