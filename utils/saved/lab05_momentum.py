"""Saved code: the momentum updates of lab 05.

Generated from ``labs/05_momentum.ipynb`` by
``tools/save_code.py``: edit the lab's cells tagged ``save`` and run
``make saved``, never this file.
"""


from __future__ import annotations


import numpy as np


SAVED_FROM = "labs/05_momentum.ipynb"
__all__ = ["heavy_ball_step", "heavy_ball_rate", "polyak_parameters",
           "iterations_to_converge", "nesterov_step",
           "nesterov_rate", "torch_sgd_step", "lr_schedule"]


# labs/05_momentum.ipynb, section "1 A narrow valley"
def heavy_ball_step(w, v, g, lr, gamma):
    """One heavy-ball step at w with gradient g: return (new w, new v)."""
    v = gamma * v + lr * g
    w = w - v
    return w, v


# labs/05_momentum.ipynb, section "2 Where each method diverges"
def heavy_ball_rate(lr, gamma, lam):
    """Factor by which heavy ball shrinks the error per step, curvature lam."""
    half = (1 + gamma - lr * lam) / 2  # z^2 - 2 half z + gamma = 0
    spread = np.sqrt(complex(half ** 2 - gamma))
    roots = [half + spread, half - spread]
    return float(max(abs(root) for root in roots))


# labs/05_momentum.ipynb, section "3 The condition number decides"
def polyak_parameters(hessian):
    """Polyak's (lr, gamma) for 0.5 w^T hessian w, from its eigenvalues."""
    if not np.allclose(hessian, hessian.T):
        raise ValueError  # eigvalsh would read one triangle only
    eigenvalues = np.linalg.eigvalsh(hessian)
    if eigenvalues[0] <= 0:
        raise ValueError  # no single minimum
    low, high = np.sqrt(eigenvalues[0]), np.sqrt(eigenvalues[-1])
    # 1 + gamma - lr mu = 2 sqrt(gamma), 1 + gamma - lr L = -2 sqrt(gamma)
    lr = 4 / (high + low) ** 2
    gamma = ((high - low) / (high + low)) ** 2
    return float(lr), float(gamma)


# labs/05_momentum.ipynb, section "3 The condition number decides"
def iterations_to_converge(hessian, w0, lr, gamma, tolerance, max_steps):
    """Heavy-ball steps from w0 at rest until f < tolerance * f(w0)."""
    def height(point):  # twice f: the factor 1/2 cancels in the test
        return point @ hessian @ point

    goal = tolerance * height(w0)
    w, v = w0, 0.0 * w0
    for taken in range(1, max_steps + 1):
        w, v = heavy_ball_step(w, v, hessian @ w, lr, gamma)
        if height(w) < goal:
            return taken
    return max_steps


# labs/05_momentum.ipynb, section "4 Nesterov's look-ahead"
def nesterov_step(w, v, grad_fn, lr, gamma):
    """One Nesterov step, the gradient taken at w - gamma v: (new w, new v)."""
    ahead = w - gamma * v  # where the velocity alone carries w
    v = gamma * v + lr * grad_fn(ahead)
    w = w - v
    return w, v


# labs/05_momentum.ipynb, section "4 Nesterov's look-ahead"
def nesterov_rate(lr, gamma, lam):
    """Factor by which Nesterov shrinks the error per step, curvature lam."""
    # w(t+1) = shrink ((1 + gamma) w(t) - gamma w(t-1))
    shrink = 1 - lr * lam
    roots = np.roots([1.0, -(1 + gamma) * shrink, gamma * shrink])
    return float(np.abs(roots).max())


# labs/05_momentum.ipynb, section "5 The same update in PyTorch"
def torch_sgd_step(p, b, g, lr, gamma, nesterov=False):
    """One step of torch.optim.SGD(momentum=gamma): return (new p, new b)."""
    b = gamma * b + g
    p = p - lr * (g + gamma * b if nesterov else b)
    return p, b


# labs/05_momentum.ipynb, section "7 Learning-rate schedules from the reports"
def lr_schedule(lr, factor, milestones=None):
    """The rate per epoch: lr, times factor every epoch or at each milestone
    reached."""
    def rate_at(epoch):
        if milestones is None:
            return lr * factor ** epoch
        reached = sum(1 for milestone in milestones if milestone <= epoch)
        return lr * factor ** reached

    return rate_at
