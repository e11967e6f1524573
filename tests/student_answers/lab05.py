"""Student answers for lab 05 (heavy ball, its rate, Nesterov, PyTorch's SGD form)."""

import cmath

import numpy as np

from utils.saved.lab05_momentum import heavy_ball_step  # the notebook's name


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
    from utils.saved.lab05_momentum import heavy_ball_step as reference

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
    from utils.saved.lab05_momentum import heavy_ball_rate as reference

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


# ---------------------------------------------------------- 5.5 nesterov_step
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
    from utils.saved.lab05_momentum import nesterov_step as reference

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


# --------------------------------------------------------- 5.7 torch_sgd_step
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
    from utils.saved.lab05_momentum import torch_sgd_step as reference

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
    return p - lr * ((1 + gamma) * g + gamma**2 * b), new_b


# ------------------------------------------------------ 5.3 polyak_parameters
def _polyak_check(hessian):
    H = np.asarray(hessian, dtype=float)
    if H.ndim != 2 or H.shape[0] != H.shape[1] or not np.allclose(H, H.T):
        raise ValueError("the Hessian must be a symmetric square matrix")
    eig = np.linalg.eigvalsh(H)
    if eig[0] <= 0:
        raise ValueError("the Hessian must be positive definite")
    return eig[0], eig[-1]


def polyak_parameters__wrong_diagonal(hessian):
    """Reads mu and L off the diagonal: wrong once the valley is rotated."""
    H = np.asarray(hessian, dtype=float)
    if not np.allclose(H, H.T):
        raise ValueError("not symmetric")
    mu, L = H.diagonal().min(), H.diagonal().max()
    if mu <= 0:
        raise ValueError("not positive definite")
    s = (np.sqrt(L) - np.sqrt(mu)) / (np.sqrt(L) + np.sqrt(mu))
    return 4 / (np.sqrt(L) + np.sqrt(mu)) ** 2, s**2


def polyak_parameters__wrong_no_symmetry_check(hessian):
    """Trusts eigvalsh on any matrix: a non-symmetric one is answered silently."""
    eig = np.linalg.eigvalsh(hessian)
    mu, L = eig[0], eig[-1]
    if mu <= 0:
        raise ValueError("not positive definite")
    s = (np.sqrt(L) - np.sqrt(mu)) / (np.sqrt(L) + np.sqrt(mu))
    return 4 / (np.sqrt(L) + np.sqrt(mu)) ** 2, s**2


def polyak_parameters__wrong_allows_zero_eigenvalue(hessian):
    """Raises only for a negative smallest eigenvalue: mu = 0 (semidefinite) passes."""
    H = np.asarray(hessian, dtype=float)
    if not np.allclose(H, H.T):
        raise ValueError("not symmetric")
    eig = np.linalg.eigvalsh(H)
    mu, L = eig[0], eig[-1]
    if mu < 0:
        raise ValueError("not positive definite")
    mu = max(mu, 0.0)
    s = (np.sqrt(L) - np.sqrt(mu)) / (np.sqrt(L) + np.sqrt(mu))
    return 4 / (np.sqrt(L) + np.sqrt(mu)) ** 2, s**2


def polyak_parameters__wrong_returns_sqrt_gamma(hessian):
    """Solves for sqrt(gamma) and returns it without squaring."""
    mu, L = _polyak_check(hessian)
    s = (np.sqrt(L) - np.sqrt(mu)) / (np.sqrt(L) + np.sqrt(mu))
    return 4 / (np.sqrt(L) + np.sqrt(mu)) ** 2, s


def polyak_parameters__wrong_gd_step(hessian):
    """Right gamma but gradient descent's best step 2 / (L + mu) for lr."""
    mu, L = _polyak_check(hessian)
    s = (np.sqrt(L) - np.sqrt(mu)) / (np.sqrt(L) + np.sqrt(mu))
    return 2 / (L + mu), s**2


def polyak_parameters__wrong_kappa_not_sqrt(hessian):
    """Uses kappa where sqrt(kappa) belongs: gamma = ((kappa-1)/(kappa+1))^2."""
    mu, L = _polyak_check(hessian)
    kappa = L / mu
    s = (kappa - 1) / (kappa + 1)
    return (1 + s) ** 2 / L, s**2


def polyak_parameters__wrong_second_eigenvalue(hessian):
    """Takes eig[0] and eig[1] as mu and L: right only for 2x2 matrices."""
    H = np.asarray(hessian, dtype=float)
    if not np.allclose(H, H.T):
        raise ValueError("not symmetric")
    eig = np.linalg.eigvalsh(H)
    mu, L = eig[0], eig[1]
    if mu <= 0:
        raise ValueError("not positive definite")
    s = (np.sqrt(L) - np.sqrt(mu)) / (np.sqrt(L) + np.sqrt(mu))
    return 4 / (np.sqrt(L) + np.sqrt(mu)) ** 2, s**2


def polyak_parameters__wrong_swapped_return(hessian):
    """Returns (gamma, lr) in the wrong order."""
    mu, L = _polyak_check(hessian)
    s = (np.sqrt(L) - np.sqrt(mu)) / (np.sqrt(L) + np.sqrt(mu))
    return s**2, 4 / (np.sqrt(L) + np.sqrt(mu)) ** 2


def polyak_parameters__wrong_delegates(hessian):
    """Calls the saved reference in utils."""
    from utils.saved.lab05_momentum import polyak_parameters as reference

    return reference(hessian)


def polyak_parameters__right_kappa(hessian):
    """sqrt(gamma) = (sqrt(kappa) - 1) / (sqrt(kappa) + 1), lr = (1 + sqrt(gamma))^2 / L."""
    H = np.asarray(hessian, dtype=float)
    if not np.allclose(H, H.T):
        raise ValueError("hessian is not symmetric")
    eig = np.linalg.eigvalsh(H)
    mu, L = float(eig.min()), float(eig.max())
    if not mu > 0:
        raise ValueError("smallest eigenvalue is not positive")
    rk = np.sqrt(L / mu)
    s = (rk - 1) / (rk + 1)
    return float((1 + s) ** 2 / L), float(s**2)


def polyak_parameters__right_borders(hessian):
    """sqrt(lr mu) = 1 - s and sqrt(lr L) = 1 + s: add for lr, then s from the first."""
    H = np.array(hessian, dtype=float)
    if H.shape != H.T.shape or np.abs(H - H.T).max() > 1e-10 * max(1.0, np.abs(H).max()):
        raise ValueError("not symmetric")
    eig = np.linalg.eigvalsh(H)
    if eig[0] <= 0:
        raise ValueError("not positive definite")
    mu, L = eig[0], eig[-1]
    lr = (2 / (np.sqrt(mu) + np.sqrt(L))) ** 2
    s = 1 - np.sqrt(lr * mu)
    return lr, s * s


def polyak_parameters__right_scipy_eigh(hessian):
    """scipy.linalg.eigh for the extremes; gamma from the sqrt-eigenvalue ratio."""
    import scipy.linalg

    H = np.asarray(hessian, dtype=float)
    if not np.allclose(H, H.T):
        raise ValueError("not symmetric")
    eig = scipy.linalg.eigh(H, eigvals_only=True)
    mu, L = eig[0], eig[-1]
    if mu <= 0:
        raise ValueError("no single minimum")
    a, b = np.sqrt(mu), np.sqrt(L)
    return 4.0 / (a + b) ** 2, ((b - a) / (b + a)) ** 2


# ------------------------------------------------- 5.4 iterations_to_converge
def _f(hessian, w):
    return 0.5 * w @ hessian @ w


def iterations_to_converge__wrong_counts_from_zero(hessian, w0, lr, gamma, tolerance, max_steps):
    """Returns the loop index t (from 0) instead of the step number t + 1."""
    target = tolerance * _f(hessian, w0)
    w, v = np.array(w0, dtype=float), np.zeros(len(w0))
    for t in range(max_steps):
        w, v = heavy_ball_step(w, v, hessian @ w, lr, gamma)
        if _f(hessian, w) < target:
            return t
    return max_steps


def iterations_to_converge__wrong_less_or_equal(hessian, w0, lr, gamma, tolerance, max_steps):
    """Stops at f <= tolerance f(w0), not strictly below (tolerance 0, exact minimum)."""
    target = tolerance * _f(hessian, w0)
    w, v = np.array(w0, dtype=float), np.zeros(len(w0))
    for t in range(1, max_steps + 1):
        w, v = heavy_ball_step(w, v, hessian @ w, lr, gamma)
        if _f(hessian, w) <= target:
            return t
    return max_steps


def iterations_to_converge__wrong_norm_of_w(hessian, w0, lr, gamma, tolerance, max_steps):
    """Measures ||w|| < tolerance ||w0|| instead of f."""
    w, v = np.array(w0, dtype=float), np.zeros(len(w0))
    target = tolerance * np.linalg.norm(w0)
    for t in range(1, max_steps + 1):
        w, v = heavy_ball_step(w, v, hessian @ w, lr, gamma)
        if np.linalg.norm(w) < target:
            return t
    return max_steps


def iterations_to_converge__wrong_mutates_w0(hessian, w0, lr, gamma, tolerance, max_steps):
    """Writes each new iterate into w0's buffer (w = w0; w[:] = ...)."""
    target = tolerance * _f(hessian, w0)
    w, v = w0, np.zeros_like(w0)
    for t in range(1, max_steps + 1):
        new_w, v = heavy_ball_step(w, v, hessian @ w, lr, gamma)
        w[:] = new_w
        if _f(hessian, w) < target:
            return t
    return max_steps


def iterations_to_converge__wrong_gradient_without_half(
    hessian, w0, lr, gamma, tolerance, max_steps
):
    """Gradient 2 H w, the gradient of w^T H w: forgets the one half in f."""
    target = tolerance * _f(hessian, w0)
    w, v = np.array(w0, dtype=float), np.zeros(len(w0))
    for t in range(1, max_steps + 1):
        w, v = heavy_ball_step(w, v, 2 * hessian @ w, lr, gamma)
        if _f(hessian, w) < target:
            return t
    return max_steps


def iterations_to_converge__wrong_absolute_tolerance(hessian, w0, lr, gamma, tolerance, max_steps):
    """Stops at f < tolerance, not tolerance * f(w0)."""
    w, v = np.array(w0, dtype=float), np.zeros(len(w0))
    for t in range(1, max_steps + 1):
        w, v = heavy_ball_step(w, v, hessian @ w, lr, gamma)
        if _f(hessian, w) < tolerance:
            return t
    return max_steps


def iterations_to_converge__wrong_stale_gradient(hessian, w0, lr, gamma, tolerance, max_steps):
    """Computes the gradient once, at w0, and reuses it every step."""
    target = tolerance * _f(hessian, w0)
    g = hessian @ w0
    w, v = np.array(w0, dtype=float), np.zeros(len(w0))
    for t in range(1, max_steps + 1):
        w, v = heavy_ball_step(w, v, g, lr, gamma)
        if _f(hessian, w) < target:
            return t
    return max_steps


def iterations_to_converge__wrong_last_index_on_failure(
    hessian, w0, lr, gamma, tolerance, max_steps
):
    """Returns the last loop index (max_steps - 1) when it never converges."""
    target = tolerance * _f(hessian, w0)
    w, v = np.array(w0, dtype=float), np.zeros(len(w0))
    t = 0
    for t in range(max_steps):
        w, v = heavy_ball_step(w, v, hessian @ w, lr, gamma)
        if _f(hessian, w) < target:
            return t + 1
    return t


def iterations_to_converge__wrong_delegates(hessian, w0, lr, gamma, tolerance, max_steps):
    """Calls the saved reference in utils."""
    from utils.saved.lab05_momentum import iterations_to_converge as reference

    return reference(hessian, w0, lr, gamma, tolerance, max_steps)


def iterations_to_converge__right_while_loop(hessian, w0, lr, gamma, tolerance, max_steps):
    """A while loop with an explicit step counter."""
    H = np.asarray(hessian)
    w = np.array(w0, dtype=float, copy=True)
    v = np.zeros_like(w)
    level = tolerance * 0.5 * float(w @ H @ w)
    steps = 0
    while steps < max_steps:
        w, v = heavy_ball_step(w, v, H @ w, lr, gamma)
        steps += 1
        if 0.5 * float(w @ H @ w) < level:
            return steps
    return int(max_steps)


def iterations_to_converge__right_quadratic_form_ratio(
    hessian, w0, lr, gamma, tolerance, max_steps
):
    """Compares w^T H w with tolerance * w0^T H w0 (the halves cancel), via einsum."""
    w = np.copy(w0).astype(float)
    v = np.zeros(w.shape)
    q0 = np.einsum("i,ij,j->", w, hessian, w)
    for step in range(1, int(max_steps) + 1):
        w, v = heavy_ball_step(w, v, hessian.dot(w), lr, gamma)
        if np.einsum("i,ij,j->", w, hessian, w) < tolerance * q0:
            return step
    return int(max_steps)


def iterations_to_converge__right_history(hessian, w0, lr, gamma, tolerance, max_steps):
    """Keeps a list of f values and searches it at the end."""
    f0 = _f(hessian, w0)
    w, v = w0.copy().astype(float), np.zeros(len(w0))
    values = []
    for _ in range(max_steps):
        w, v = heavy_ball_step(w, v, hessian @ w, lr, gamma)
        values.append(_f(hessian, w))
        if values[-1] < tolerance * f0:
            break
    below = [i + 1 for i, f in enumerate(values) if f < tolerance * f0]
    return below[0] if below else max_steps


# --------------------------------------------------------- 5.6 nesterov_rate
def nesterov_rate__wrong_heavy_ball_polynomial(lr, gamma, lam):
    """The heavy ball's z^2 - (1 + gamma - lr lam) z + gamma: no look-ahead."""
    roots = np.roots([1.0, -(1 + gamma - lr * lam), gamma])
    return float(np.abs(roots).max())


def nesterov_rate__wrong_constant_sign(lr, gamma, lam):
    """+gamma (1 - lr lam) w_{t-1} in the recurrence: constant term flipped."""
    a = 1 - lr * lam
    roots = np.roots([1.0, -(1 + gamma) * a, -gamma * a])
    return float(np.abs(roots).max())


def nesterov_rate__wrong_constant_gamma(lr, gamma, lam):
    """Middle coefficient right, constant term gamma (forgets the (1 - lr lam))."""
    roots = np.roots([1.0, -(1 + gamma) * (1 - lr * lam), gamma])
    return float(np.abs(roots).max())


def nesterov_rate__wrong_real_sqrt(lr, gamma, lam):
    """Quadratic formula with a real square root: nan when the roots are complex."""
    a = 1 - lr * lam
    t, c = (1 + gamma) * a, gamma * a
    with np.errstate(invalid="ignore"):
        root = np.sqrt(t * t - 4 * c)
    return float(max(abs((t + root) / 2), abs((t - root) / 2)))


def nesterov_rate__wrong_no_abs(lr, gamma, lam):
    """Largest real part of the roots, not the largest modulus."""
    a = 1 - lr * lam
    roots = np.roots([1.0, -(1 + gamma) * a, gamma * a])
    return float(np.max(roots.real))


def nesterov_rate__wrong_min_modulus(lr, gamma, lam):
    """Smallest modulus of the two roots."""
    a = 1 - lr * lam
    roots = np.roots([1.0, -(1 + gamma) * a, gamma * a])
    return float(np.abs(roots).min())


def nesterov_rate__wrong_mixed_middle(lr, gamma, lam):
    """Middle coefficient 1 + gamma - lr lam (heavy ball's), constant gamma (1 - lr lam)."""
    roots = np.roots([1.0, -(1 + gamma - lr * lam), gamma * (1 - lr * lam)])
    return float(np.abs(roots).max())


def nesterov_rate__wrong_returns_complex(lr, gamma, lam):
    """The root of largest modulus itself (complex), not its modulus."""
    a = 1 - lr * lam
    roots = np.roots([1.0, -(1 + gamma) * a, gamma * a])
    return roots[np.argmax(np.abs(roots))]


def nesterov_rate__wrong_delegates(lr, gamma, lam):
    """Calls the saved reference in utils."""
    from utils.saved.lab05_momentum import nesterov_rate as reference

    return reference(lr, gamma, lam)


def nesterov_rate__right_companion(lr, gamma, lam):
    """Spectral radius of the 2x2 companion matrix of the recurrence."""
    a = 1 - lr * lam
    M = np.array([[(1 + gamma) * a, -gamma * a], [1.0, 0.0]])
    return float(np.abs(np.linalg.eigvals(M)).max())


def nesterov_rate__right_cmath(lr, gamma, lam):
    """Quadratic formula with cmath.sqrt."""
    a = 1 - lr * lam
    b, c = (1 + gamma) * a, gamma * a
    d = cmath.sqrt(b * b - 4 * c)
    return max(abs((b + d) / 2), abs((b - d) / 2))


def nesterov_rate__right_cases(lr, gamma, lam):
    """Real roots: the larger |root|; complex roots: sqrt of their product."""
    a = 1 - lr * lam
    b, c = (1 + gamma) * a, gamma * a
    disc = b * b - 4 * c
    if disc < 0:
        return float(np.sqrt(c))
    r = np.sqrt(disc)
    return float(max(abs(b + r), abs(b - r)) / 2)


# ----------------------------------------------------------- 5.8 lr_schedule
def lr_schedule__wrong_milestone_next_epoch(lr, factor, milestones=None):
    """A milestone m applies from epoch m + 1 (counts m < epoch)."""

    def rate_at(epoch):
        if milestones is None:
            return lr * factor**epoch
        return lr * factor ** sum(1 for m in milestones if m < epoch)

    return rate_at


def lr_schedule__wrong_unsorted_bisect(lr, factor, milestones=None):
    """bisect on the milestones as given: wrong when they are not sorted."""
    import bisect

    def rate_at(epoch):
        if milestones is None:
            return lr * factor**epoch
        return lr * factor ** bisect.bisect_right(milestones, epoch)

    return rate_at


def lr_schedule__wrong_set_of_milestones(lr, factor, milestones=None):
    """set(milestones): a repeated milestone counts once (MultiStepLR counts it twice)."""
    marks = None if milestones is None else set(milestones)

    def rate_at(epoch):
        if marks is None:
            return lr * factor**epoch
        return lr * factor ** len([m for m in marks if m <= epoch])

    return rate_at


def lr_schedule__wrong_exponential_from_first_epoch(lr, factor, milestones=None):
    """lr * factor ** (epoch + 1): epoch 0 already decayed."""

    def rate_at(epoch):
        if milestones is None:
            return lr * factor ** (epoch + 1)
        return lr * factor ** sum(m <= epoch for m in milestones)

    return rate_at


def lr_schedule__wrong_empty_list_is_exponential(lr, factor, milestones=None):
    """`if not milestones`: an empty milestone list decays every epoch."""

    def rate_at(epoch):
        if not milestones:
            return lr * factor**epoch
        return lr * factor ** sum(m <= epoch for m in milestones)

    return rate_at


def lr_schedule__wrong_step_size_from_first(lr, factor, milestones=None):
    """Treats the first milestone as a period (StepLR): drops also past the last one."""

    def rate_at(epoch):
        if milestones is None:
            return lr * factor**epoch
        return lr * factor ** (epoch // min(milestones))

    return rate_at


def lr_schedule__wrong_stateful(lr, factor, milestones=None):
    """Keeps a running rate updated on each call: right only for calls 0, 1, 2, ..."""
    state = {"lr": lr, "calls": 0}

    def rate_at(epoch):
        if state["calls"] > 0:
            if milestones is None:
                state["lr"] *= factor
            else:
                state["lr"] *= factor ** list(milestones).count(state["calls"])
        state["calls"] += 1
        return state["lr"]

    return rate_at


def lr_schedule__wrong_delegates(lr, factor, milestones=None):
    """Calls the saved reference in utils."""
    from utils.saved.lab05_momentum import lr_schedule as reference

    return reference(lr, factor, milestones)


def lr_schedule__right_sorted_bisect(lr, factor, milestones=None):
    """Sorts a copy of the milestones once; bisect_right counts those reached."""
    import bisect

    marks = None if milestones is None else sorted(milestones)

    def rate_at(epoch):
        if marks is None:
            return lr * factor**epoch
        return lr * factor ** bisect.bisect_right(marks, epoch)

    return rate_at


def lr_schedule__right_repeated_product(lr, factor, milestones=None):
    """Multiplies step by step, like the schedulers' chained form."""

    def rate_at(epoch):
        rate = lr
        for e in range(1, epoch + 1):
            if milestones is None:
                rate *= factor
            else:
                for m in milestones:
                    if m == e:
                        rate *= factor
        if milestones is not None and 0 in list(milestones):
            rate *= factor ** list(milestones).count(0)
        return rate

    return rate_at


def lr_schedule__right_numpy_count(lr, factor, milestones=None):
    """np.count_nonzero of the milestones reached, np.power for the decay."""
    marks = None if milestones is None else np.asarray(list(milestones))

    def rate_at(epoch):
        if marks is None:
            return float(lr * np.power(factor, epoch))
        return float(lr * np.power(factor, np.count_nonzero(marks <= epoch)))

    return rate_at


ANSWERS = {
    "5.1": {
        "wrong": [
            heavy_ball_step__wrong_in_place,
            heavy_ball_step__wrong_sign,
            heavy_ball_step__wrong_old_velocity,
            heavy_ball_step__wrong_torch_form,
            heavy_ball_step__wrong_dampened,
            heavy_ball_step__wrong_swapped_return,
            heavy_ball_step__wrong_gamma_on_gradient,
            heavy_ball_step__wrong_delegates,
        ],
        "right": [
            heavy_ball_step__right_expanded,
            heavy_ball_step__right_copy_then_inplace,
            heavy_ball_step__right_np_functions,
        ],
    },
    "5.2": {
        "wrong": [
            heavy_ball_rate__wrong_no_abs,
            heavy_ball_rate__wrong_min_modulus,
            heavy_ball_rate__wrong_gamma_sign,
            heavy_ball_rate__wrong_returns_complex,
            heavy_ball_rate__wrong_spectral_norm,
            heavy_ball_rate__wrong_real_sqrt,
            heavy_ball_rate__wrong_gd_formula,
            heavy_ball_rate__wrong_delegates,
        ],
        "right": [
            heavy_ball_rate__right_np_roots,
            heavy_ball_rate__right_cmath,
            heavy_ball_rate__right_transpose,
        ],
    },
    "5.5": {
        "wrong": [
            nesterov_step__wrong_gradient_at_w,
            nesterov_step__wrong_lookahead_sign,
            nesterov_step__wrong_lookahead_without_gamma,
            nesterov_step__wrong_mutates_w,
            nesterov_step__wrong_reparametrised,
            nesterov_step__wrong_old_velocity,
            nesterov_step__wrong_delegates,
        ],
        "right": [nesterov_step__right_named_lookahead, nesterov_step__right_copies],
    },
    "5.7": {
        "wrong": [
            torch_sgd_step__wrong_lab_form,
            torch_sgd_step__wrong_nesterov_old_buffer,
            torch_sgd_step__wrong_ignores_nesterov,
            torch_sgd_step__wrong_dampening,
            torch_sgd_step__wrong_nesterov_no_gradient,
            torch_sgd_step__wrong_in_place,
            torch_sgd_step__wrong_step_before_gradient,
            torch_sgd_step__wrong_delegates,
        ],
        "right": [torch_sgd_step__right_branches, torch_sgd_step__right_expanded_nesterov],
    },
    "5.3": {
        "wrong": [
            polyak_parameters__wrong_diagonal,
            polyak_parameters__wrong_no_symmetry_check,
            polyak_parameters__wrong_allows_zero_eigenvalue,
            polyak_parameters__wrong_returns_sqrt_gamma,
            polyak_parameters__wrong_gd_step,
            polyak_parameters__wrong_kappa_not_sqrt,
            polyak_parameters__wrong_second_eigenvalue,
            polyak_parameters__wrong_swapped_return,
            polyak_parameters__wrong_delegates,
        ],
        "right": [
            polyak_parameters__right_kappa,
            polyak_parameters__right_borders,
            polyak_parameters__right_scipy_eigh,
        ],
    },
    "5.4": {
        "wrong": [
            iterations_to_converge__wrong_counts_from_zero,
            iterations_to_converge__wrong_less_or_equal,
            iterations_to_converge__wrong_norm_of_w,
            iterations_to_converge__wrong_mutates_w0,
            iterations_to_converge__wrong_gradient_without_half,
            iterations_to_converge__wrong_absolute_tolerance,
            iterations_to_converge__wrong_stale_gradient,
            iterations_to_converge__wrong_last_index_on_failure,
            iterations_to_converge__wrong_delegates,
        ],
        "right": [
            iterations_to_converge__right_while_loop,
            iterations_to_converge__right_quadratic_form_ratio,
            iterations_to_converge__right_history,
        ],
    },
    "5.6": {
        "wrong": [
            nesterov_rate__wrong_heavy_ball_polynomial,
            nesterov_rate__wrong_constant_sign,
            nesterov_rate__wrong_constant_gamma,
            nesterov_rate__wrong_real_sqrt,
            nesterov_rate__wrong_no_abs,
            nesterov_rate__wrong_min_modulus,
            nesterov_rate__wrong_mixed_middle,
            nesterov_rate__wrong_returns_complex,
            nesterov_rate__wrong_delegates,
        ],
        "right": [
            nesterov_rate__right_companion,
            nesterov_rate__right_cmath,
            nesterov_rate__right_cases,
        ],
    },
    "5.8": {
        "wrong": [
            lr_schedule__wrong_milestone_next_epoch,
            lr_schedule__wrong_unsorted_bisect,
            lr_schedule__wrong_set_of_milestones,
            lr_schedule__wrong_exponential_from_first_epoch,
            lr_schedule__wrong_empty_list_is_exponential,
            lr_schedule__wrong_step_size_from_first,
            lr_schedule__wrong_stateful,
            lr_schedule__wrong_delegates,
        ],
        "right": [
            lr_schedule__right_sorted_bisect,
            lr_schedule__right_repeated_product,
            lr_schedule__right_numpy_count,
        ],
    },
}
