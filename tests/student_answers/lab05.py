"""Student answers for lab 05 (heavy ball, its rate, Nesterov, PyTorch's SGD form)."""
import cmath

import numpy as np


# -------------------------------------------------------- 5.1 heavy_ball_step
def heavy_ball_step__wrong_in_place(w, v, g, lr, gamma):
    """Updates v and w in place (v *= gamma ...): the caller's arrays change."""
    v *= gamma
    v += lr * g
    w -= v
    return w, v


def heavy_ball_step__wrong_sign(w, v, g, lr, gamma):
    """w + v: steps uphill."""
    v = gamma * v + lr * g
    return w + v, v


def heavy_ball_step__wrong_old_velocity(w, v, g, lr, gamma):
    """Moves w with the old velocity, then updates v."""
    new_w = w - v
    new_v = gamma * v + lr * g
    return new_w, new_v


def heavy_ball_step__wrong_torch_form(w, v, g, lr, gamma):
    """PyTorch's buffer form: v = gamma v + g, w -= lr v (v differs by a factor lr)."""
    new_v = gamma * v + g
    return w - lr * new_v, new_v


def heavy_ball_step__wrong_dampened(w, v, g, lr, gamma):
    """An exponential average, v = gamma v + (1 - gamma) lr g: not the lab's update."""
    new_v = gamma * v + (1 - gamma) * lr * g
    return w - new_v, new_v


def heavy_ball_step__wrong_swapped_return(w, v, g, lr, gamma):
    """Returns (new_v, new_w) in the wrong order."""
    v = gamma * v + lr * g
    w = w - v
    return v, w


def heavy_ball_step__wrong_gamma_on_gradient(w, v, g, lr, gamma):
    """Puts gamma on the gradient and lr on the velocity."""
    v = lr * v + gamma * g
    return w - v, v


def heavy_ball_step__wrong_delegates(w, v, g, lr, gamma):
    """Calls the saved reference in utils."""
    from utils.momentum import heavy_ball_step as reference
    return reference(w, v, g, lr, gamma)


def heavy_ball_step__right_expanded(w, v, g, lr, gamma):
    """Writes w - gamma v - lr g directly, and the new velocity separately."""
    new_w = w - gamma * v - lr * g
    new_v = gamma * v + lr * g
    return new_w, new_v


def heavy_ball_step__right_copy_then_inplace(w, v, g, lr, gamma):
    """In-place arithmetic, but on copies of v and w."""
    new_v = np.array(v, copy=True)
    new_v *= gamma
    new_v += lr * g
    new_w = np.array(w, copy=True)
    new_w -= new_v
    return new_w, new_v


def heavy_ball_step__right_np_functions(w, v, g, lr, gamma):
    """np.multiply, np.add and np.subtract, which allocate new arrays."""
    new_v = np.add(np.multiply(gamma, v), np.multiply(lr, g))
    return np.subtract(w, new_v), new_v


# -------------------------------------------------------- 5.2 heavy_ball_rate
def heavy_ball_rate__wrong_no_abs(lr, gamma, lam):
    """Largest real part of the eigenvalues, without the modulus."""
    M = np.array([[1 + gamma - lr * lam, -gamma], [1.0, 0.0]])
    return float(np.max(np.linalg.eigvals(M).real))


def heavy_ball_rate__wrong_min_modulus(lr, gamma, lam):
    """Smallest modulus instead of the largest."""
    M = np.array([[1 + gamma - lr * lam, -gamma], [1.0, 0.0]])
    return float(np.min(np.abs(np.linalg.eigvals(M))))


def heavy_ball_rate__wrong_gamma_sign(lr, gamma, lam):
    """+gamma in the top-right corner of M."""
    M = np.array([[1 + gamma - lr * lam, gamma], [1.0, 0.0]])
    return float(np.max(np.abs(np.linalg.eigvals(M))))


def heavy_ball_rate__wrong_returns_complex(lr, gamma, lam):
    """max(eigvals, key=abs): the eigenvalue itself (complex), not its modulus."""
    M = np.array([[1 + gamma - lr * lam, -gamma], [1.0, 0.0]])
    return max(np.linalg.eigvals(M), key=abs)


def heavy_ball_rate__wrong_spectral_norm(lr, gamma, lam):
    """The 2-norm of M (largest singular value) instead of its spectral radius."""
    M = np.array([[1 + gamma - lr * lam, -gamma], [1.0, 0.0]])
    return float(np.linalg.norm(M, 2))


def heavy_ball_rate__wrong_real_sqrt(lr, gamma, lam):
    """Quadratic formula with a real square root: nan when the roots are complex."""
    t = 1 + gamma - lr * lam
    with np.errstate(invalid="ignore"):
        root = np.sqrt(t * t - 4 * gamma)
    return float(max(abs((t + root) / 2), abs((t - root) / 2)))


def heavy_ball_rate__wrong_gd_formula(lr, gamma, lam):
    """Ignores the momentum: returns gradient descent's |1 - lr lam| always."""
    return abs(1 - lr * lam)


def heavy_ball_rate__wrong_delegates(lr, gamma, lam):
    """Calls the saved reference in utils."""
    from utils.momentum import heavy_ball_rate as reference
    return reference(lr, gamma, lam)


def heavy_ball_rate__right_np_roots(lr, gamma, lam):
    """Roots of z^2 - (1 + gamma - lr lam) z + gamma with np.roots."""
    roots = np.roots([1.0, -(1 + gamma - lr * lam), gamma])
    return float(np.abs(roots).max())


def heavy_ball_rate__right_cmath(lr, gamma, lam):
    """Quadratic formula with a complex square root (cmath)."""
    t = 1 + gamma - lr * lam
    root = cmath.sqrt(t * t - 4 * gamma)
    return max(abs((t + root) / 2), abs((t - root) / 2))


def heavy_ball_rate__right_transpose(lr, gamma, lam):
    """Eigenvalues of M^T (same as M's), written as the companion matrix."""
    M = np.array([[1 + gamma - lr * lam, 1.0], [-gamma, 0.0]])
    return float(max(abs(z) for z in np.linalg.eigvals(M)))


# ---------------------------------------------------------- 5.3 nesterov_step
def nesterov_step__wrong_gradient_at_w(w, v, grad_fn, lr, gamma):
    """Evaluates the gradient at w: that is the heavy ball, not Nesterov."""
    v = gamma * v + lr * grad_fn(w)
    return w - v, v


def nesterov_step__wrong_lookahead_sign(w, v, grad_fn, lr, gamma):
    """Looks ahead to w + gamma v, backwards."""
    v = gamma * v + lr * grad_fn(w + gamma * v)
    return w - v, v


def nesterov_step__wrong_lookahead_without_gamma(w, v, grad_fn, lr, gamma):
    """Looks ahead to w - v, forgetting gamma."""
    v = gamma * v + lr * grad_fn(w - v)
    return w - v, v


def nesterov_step__wrong_mutates_w(w, v, grad_fn, lr, gamma):
    """Builds the look-ahead point with w -= gamma v: w itself is moved."""
    ahead = w
    ahead -= gamma * v
    new_v = gamma * v + lr * grad_fn(ahead)
    return w + gamma * v - new_v, new_v


def nesterov_step__wrong_reparametrised(w, v, grad_fn, lr, gamma):
    """Bengio's form w - gamma v_new - lr g: the look-ahead variable, not w."""
    g = grad_fn(w - gamma * v)
    new_v = gamma * v + lr * g
    return w - gamma * new_v - lr * g, new_v


def nesterov_step__wrong_old_velocity(w, v, grad_fn, lr, gamma):
    """Moves w with the old velocity."""
    new_v = gamma * v + lr * grad_fn(w - gamma * v)
    return w - v, new_v


def nesterov_step__wrong_delegates(w, v, grad_fn, lr, gamma):
    """Calls the saved reference in utils."""
    from utils.momentum import nesterov_step as reference
    return reference(w, v, grad_fn, lr, gamma)


def nesterov_step__right_named_lookahead(w, v, grad_fn, lr, gamma):
    """Names the look-ahead point and the gradient there; w - gamma v - lr g."""
    lookahead = w - gamma * v
    g = grad_fn(lookahead)
    return w - gamma * v - lr * g, gamma * v + lr * g


def nesterov_step__right_copies(w, v, grad_fn, lr, gamma):
    """In-place arithmetic on explicit copies."""
    point = np.copy(w)
    point -= gamma * v
    new_v = np.copy(v)
    new_v *= gamma
    new_v += lr * grad_fn(point)
    new_w = np.copy(w)
    new_w -= new_v
    return new_w, new_v


# --------------------------------------------------------- 5.4 torch_sgd_step
def torch_sgd_step__wrong_lab_form(p, b, g, lr, gamma, nesterov=False):
    """The lab's v = gamma v + lr g form: differs once the rate decays."""
    b = gamma * b + lr * g
    if nesterov:
        return p - (lr * g + gamma * b), b
    return p - b, b


def torch_sgd_step__wrong_nesterov_old_buffer(p, b, g, lr, gamma, nesterov=False):
    """Nesterov look-ahead with the old buffer instead of the new one."""
    new_b = gamma * b + g
    step = g + gamma * b if nesterov else new_b
    return p - lr * step, new_b


def torch_sgd_step__wrong_ignores_nesterov(p, b, g, lr, gamma, nesterov=False):
    """Ignores the nesterov flag."""
    b = gamma * b + g
    return p - lr * b, b


def torch_sgd_step__wrong_dampening(p, b, g, lr, gamma, nesterov=False):
    """Adds dampening (1 - gamma) g, which the spec excludes."""
    b = gamma * b + (1 - gamma) * g
    return p - lr * (g + gamma * b if nesterov else b), b


def torch_sgd_step__wrong_nesterov_no_gradient(p, b, g, lr, gamma, nesterov=False):
    """Nesterov steps by gamma b only, forgetting the gradient term."""
    b = gamma * b + g
    return p - lr * (gamma * b if nesterov else b), b


def torch_sgd_step__wrong_in_place(p, b, g, lr, gamma, nesterov=False):
    """Updates the buffer and the parameters in place."""
    b *= gamma
    b += g
    p -= lr * (g + gamma * b if nesterov else b)
    return p, b


def torch_sgd_step__wrong_step_before_gradient(p, b, g, lr, gamma, nesterov=False):
    """Steps p with gamma * the old buffer, before the gradient is added to it."""
    step_b = gamma * b
    new_b = step_b + g
    return p - lr * (g + gamma * step_b if nesterov else step_b), new_b


def torch_sgd_step__wrong_delegates(p, b, g, lr, gamma, nesterov=False):
    """Calls the saved reference in utils."""
    from utils.momentum import torch_sgd_step as reference
    return reference(p, b, g, lr, gamma, nesterov)


def torch_sgd_step__right_branches(p, b, g, lr, gamma, nesterov=False):
    """An explicit if/else on nesterov."""
    new_b = gamma * b + g
    if nesterov:
        direction = g + gamma * new_b
    else:
        direction = new_b
    return p - lr * direction, new_b


def torch_sgd_step__right_expanded_nesterov(p, b, g, lr, gamma, nesterov=False):
    """Nesterov expanded: g + gamma (gamma b + g) = (1 + gamma) g + gamma^2 b_old."""
    new_b = gamma * b + g
    if not nesterov:
        return p - lr * new_b, new_b
    return p - lr * ((1 + gamma) * g + gamma ** 2 * b), new_b


ANSWERS = {
    "5.1": {"wrong": [heavy_ball_step__wrong_in_place, heavy_ball_step__wrong_sign,
                      heavy_ball_step__wrong_old_velocity,
                      heavy_ball_step__wrong_torch_form, heavy_ball_step__wrong_dampened,
                      heavy_ball_step__wrong_swapped_return,
                      heavy_ball_step__wrong_gamma_on_gradient,
                      heavy_ball_step__wrong_delegates],
            "right": [heavy_ball_step__right_expanded,
                      heavy_ball_step__right_copy_then_inplace,
                      heavy_ball_step__right_np_functions]},
    "5.2": {"wrong": [heavy_ball_rate__wrong_no_abs, heavy_ball_rate__wrong_min_modulus,
                      heavy_ball_rate__wrong_gamma_sign,
                      heavy_ball_rate__wrong_returns_complex,
                      heavy_ball_rate__wrong_spectral_norm,
                      heavy_ball_rate__wrong_real_sqrt, heavy_ball_rate__wrong_gd_formula,
                      heavy_ball_rate__wrong_delegates],
            "right": [heavy_ball_rate__right_np_roots, heavy_ball_rate__right_cmath,
                      heavy_ball_rate__right_transpose]},
    "5.3": {"wrong": [nesterov_step__wrong_gradient_at_w,
                      nesterov_step__wrong_lookahead_sign,
                      nesterov_step__wrong_lookahead_without_gamma,
                      nesterov_step__wrong_mutates_w, nesterov_step__wrong_reparametrised,
                      nesterov_step__wrong_old_velocity, nesterov_step__wrong_delegates],
            "right": [nesterov_step__right_named_lookahead, nesterov_step__right_copies]},
    "5.4": {"wrong": [torch_sgd_step__wrong_lab_form,
                      torch_sgd_step__wrong_nesterov_old_buffer,
                      torch_sgd_step__wrong_ignores_nesterov,
                      torch_sgd_step__wrong_dampening,
                      torch_sgd_step__wrong_nesterov_no_gradient,
                      torch_sgd_step__wrong_in_place, torch_sgd_step__wrong_step_before_gradient,
                      torch_sgd_step__wrong_delegates],
            "right": [torch_sgd_step__right_branches,
                      torch_sgd_step__right_expanded_nesterov]},
}
