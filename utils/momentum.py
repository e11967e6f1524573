"""Saved code: the momentum updates of lab 05.

Generated from ``labs/05_momentum.ipynb`` by
``tools/save_code.py``: edit the lab's cells tagged ``save`` and run
``make saved``, never this file.
"""


from __future__ import annotations


import numpy as np


SAVED_FROM = "labs/05_momentum.ipynb"
__all__ = ["heavy_ball_step", "heavy_ball_rate", "nesterov_step",
           "torch_sgd_step"]


# labs/05_momentum.ipynb, section "1 A narrow valley"
def heavy_ball_step(w, v, g, lr, gamma):
    """One heavy-ball step at w with gradient g: return (new w, new v)."""
    v = gamma * v + lr * g
    w = w - v
    return w, v


# labs/05_momentum.ipynb, section "2 Where each method diverges"
def heavy_ball_rate(lr, gamma, lam):
    """Factor by which heavy ball shrinks the error per step, curvature lam."""
    matrix = np.array([[1 + gamma - lr * lam, -gamma], [1.0, 0.0]])
    return float(np.max(np.abs(np.linalg.eigvals(matrix))))


# labs/05_momentum.ipynb, section "4 Nesterov's look-ahead"
def nesterov_step(w, v, grad_fn, lr, gamma):
    """One Nesterov step, the gradient taken at w - gamma v: (new w, new v)."""
    v = gamma * v + lr * grad_fn(w - gamma * v)
    w = w - v
    return w, v


# labs/05_momentum.ipynb, section "5 The same update in PyTorch"
def torch_sgd_step(p, b, g, lr, gamma, nesterov=False):
    """One step of torch.optim.SGD(momentum=gamma): return (new p, new b)."""
    b = gamma * b + g
    p = p - lr * (g + gamma * b if nesterov else b)
    return p, b
