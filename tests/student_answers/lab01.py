"""Student answers for lab 01 (softmax, cross-entropy, softmax regression)."""
import numpy as np
from scipy.special import logsumexp

from utils.softmax import cross_entropy, one_hot, softmax  # the notebook's names


# ---------------------------------------------------------------- 1.1 softmax
def softmax__wrong_no_max_shift(o):
    """Textbook formula without the max shift: nan for scores near 1000."""
    e = np.exp(o)
    return e / e.sum(axis=-1, keepdims=True)


def softmax__wrong_global_max(o):
    """Shifts by the maximum of the whole batch, not of each row."""
    e = np.exp(o - o.max())
    return e / e.sum(axis=-1, keepdims=True)


def softmax__wrong_axis0(o):
    """Normalises down the columns (axis 0) instead of along each row."""
    shifted = o - o.max(axis=0, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=0, keepdims=True)


def softmax__wrong_in_place(o):
    """Subtracts the row maximum in place: the caller's o is changed."""
    o -= o.max(axis=-1, keepdims=True)
    e = np.exp(o)
    return e / e.sum(axis=-1, keepdims=True)


def softmax__wrong_only_2d(o):
    """Hard-codes axis=1 and [:, None]: fails for a single vector (K,)."""
    shifted = o - o.max(axis=1)[:, None]
    e = np.exp(shifted)
    return e / e.sum(axis=1)[:, None]


def softmax__wrong_min_shift(o):
    """Shifts by the row minimum: overflows when a row spans more than ~709."""
    e = np.exp(o - o.min(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax__wrong_log_softmax(o):
    """Returns the log-probabilities (log-softmax) instead of the probabilities."""
    shifted = o - o.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def softmax__wrong_python_list(o):
    """Right numbers, but returned as a nested Python list."""
    shifted = o - o.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return (e / e.sum(axis=-1, keepdims=True)).tolist()


def softmax__wrong_delegates(o):
    """Calls the saved reference in utils instead of writing the function."""
    from utils.softmax import softmax as reference
    return reference(o)


def softmax__right_logsumexp(o):
    """exp(z - logsumexp(z)) with z = o - max: normalised in the log domain, no division."""
    z = o - np.max(o, axis=-1, keepdims=True)
    return np.exp(z - logsumexp(z, axis=-1, keepdims=True))


def softmax__right_copy_then_inplace(o):
    """Works in place, but on a copy of o, so the input is untouched."""
    z = np.array(o, copy=True)
    z -= np.max(z, axis=-1, keepdims=True)
    np.exp(z, out=z)
    z /= np.sum(z, axis=-1, keepdims=True)
    return z


def softmax__right_ellipsis(o):
    """Reduces without keepdims and restores the axis with [..., None]."""
    e = np.exp(o - o.max(axis=-1)[..., None])
    return e / e.sum(axis=-1)[..., None]


# ------------------------------------------------- 1.2 batch_softmax_jacobian
def batch_softmax_jacobian__wrong_no_diagonal(P):
    """Forgets diag(p): returns only -p p^T."""
    return -P[:, :, None] * P[:, None, :]


def batch_softmax_jacobian__wrong_sign(P):
    """Sign flipped: p p^T - diag(p)."""
    diagonal = P[:, :, None] * np.eye(P.shape[1])
    return P[:, :, None] * P[:, None, :] - diagonal


def batch_softmax_jacobian__wrong_no_eye(P):
    """Forgets the identity: p broadcast along a column instead of diag(p)."""
    return P[:, :, None] - P[:, :, None] * P[:, None, :]


def batch_softmax_jacobian__wrong_inner_product(P):
    """Uses the scalar p.p instead of the outer product p p^T."""
    inner = np.einsum("ni,ni->n", P, P)[:, None, None]
    return P[:, :, None] * np.eye(P.shape[1]) - inner


def batch_softmax_jacobian__wrong_summed_over_batch(P):
    """Sums the N Jacobians into one (K, K) matrix instead of stacking them."""
    return (P[:, :, None] * np.eye(P.shape[1])
            - P[:, :, None] * P[:, None, :]).sum(axis=0)


def batch_softmax_jacobian__wrong_python_loop(P):
    """Right values, but a Python loop over the batch (the spec forbids it)."""
    return np.stack([np.diag(p) - np.outer(p, p) for p in P])


def batch_softmax_jacobian__wrong_delegates(P):
    """Calls the saved reference in utils."""
    from utils.softmax import batch_softmax_jacobian as reference
    return reference(P)


def batch_softmax_jacobian__right_einsum(P):
    """Both terms with np.einsum."""
    K = P.shape[1]
    return np.einsum("ij,ni->nij", np.eye(K), P) - np.einsum("ni,nj->nij", P, P)


def batch_softmax_jacobian__right_fancy_diagonal(P):
    """Writes the diagonal with fancy indexing, outer products by matmul."""
    N, K = P.shape
    J = -(P[:, :, None] @ P[:, None, :])
    idx = np.arange(K)
    J[:, idx, idx] += P
    return J


def batch_softmax_jacobian__right_eye_row_broadcast(P):
    """diag(p) as eye times p broadcast along rows (same diagonal)."""
    return np.eye(P.shape[1])[None] * P[:, None, :] - np.matmul(
        P[..., None], P[:, None])


# ---------------------------------------------------------- 1.3 cross_entropy
def cross_entropy__wrong_log_of_softmax(o, y):
    """np.log(softmax(o)): -log 0 = inf for scores [0, 1000, 0], label 0."""
    p = softmax(o)
    return -np.log(p[np.arange(len(y)), y]).sum()


def cross_entropy__wrong_mean(o, y):
    """Returns the mean over the batch instead of the sum."""
    shifted = o - o.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -log_p[np.arange(len(y)), y].mean()


def cross_entropy__wrong_sign(o, y):
    """Forgets the minus sign: returns the summed log-likelihood."""
    shifted = o - o.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return log_p[np.arange(len(y)), y].sum()


def cross_entropy__wrong_column_indexing(o, y):
    """log_p[:, y] picks an (N, N) block, not one entry per row."""
    shifted = o - o.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -log_p[:, y].sum()


def cross_entropy__wrong_no_shift(o, y):
    """log-sum-exp without the shift: overflows to inf for scores near 1000."""
    log_norm = np.log(np.exp(o).sum(axis=1))
    return (log_norm - o[np.arange(len(y)), y]).sum()


def cross_entropy__wrong_global_shift(o, y):
    """Shifts by the batch maximum: a row far below it underflows to log 0."""
    shifted = o - o.max()
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -log_p[np.arange(len(y)), y].sum()


def cross_entropy__wrong_labels_as_one_hot(o, y):
    """Treats the integer labels as one-hot rows: -(y * log p).sum()."""
    shifted = o - o.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -(y[:, None] * log_p).sum()


def cross_entropy__wrong_delegates(o, y):
    """Calls the saved reference in utils."""
    from utils.softmax import cross_entropy as reference
    return reference(o, y)


def cross_entropy__right_take_along_axis(o, y):
    """Picks the true class with np.take_along_axis instead of [arange, y]."""
    shifted = o - o.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-np.take_along_axis(log_p, y[:, None], axis=1).sum())


def cross_entropy__right_lse_minus_score(o, y):
    """Sums m + log sum exp(o - m) - o_y per row, the same identity rearranged."""
    m = o.max(axis=1)
    lse = m + np.log(np.exp(o - m[:, None]).sum(axis=1))
    return np.sum(lse - o[np.arange(o.shape[0]), y])


def cross_entropy__right_scipy_logsumexp(o, y):
    """scipy.special.logsumexp does the shifted log-sum-exp."""
    return (logsumexp(o, axis=1) - o[np.arange(len(y)), y]).sum()


# -------------------------------------------------------- 1.4 loss_and_grads
def loss_and_grads__wrong_mean(W, b, X, y):
    """Mean loss and gradients divided by N: the spec asks for the sum."""
    N = len(X)
    O = X @ W + b
    delta = (softmax(O) - one_hot(y, W.shape[1], dtype=O.dtype)) / N
    return cross_entropy(O, y) / N, X.T @ delta, delta.sum(axis=0)


def loss_and_grads__wrong_dW_transposed(W, b, X, y):
    """dW = delta^T X: the transpose, shape (K, D) instead of (D, K)."""
    O = X @ W + b
    delta = softmax(O) - one_hot(y, W.shape[1], dtype=O.dtype)
    return cross_entropy(O, y), delta.T @ X, delta.sum(axis=0)


def loss_and_grads__wrong_sign(W, b, X, y):
    """Uses y - p instead of p - y: the gradients point uphill."""
    O = X @ W + b
    delta = one_hot(y, W.shape[1], dtype=O.dtype) - softmax(O)
    return cross_entropy(O, y), X.T @ delta, delta.sum(axis=0)


def loss_and_grads__wrong_db_mean(W, b, X, y):
    """db averaged over the batch while dW is summed."""
    O = X @ W + b
    delta = softmax(O) - one_hot(y, W.shape[1], dtype=O.dtype)
    return cross_entropy(O, y), X.T @ delta, delta.mean(axis=0)


def loss_and_grads__wrong_float64_one_hot(W, b, X, y):
    """one_hot with its default float64: float32 inputs give float64 gradients."""
    O = X @ W + b
    delta = softmax(O) - one_hot(y, W.shape[1])
    return cross_entropy(O, y), X.T @ delta, delta.sum(axis=0)


def loss_and_grads__wrong_ten_classes(W, b, X, y):
    """one_hot(y) with the default 10 classes: breaks when K != 10."""
    O = X @ W + b
    delta = softmax(O) - one_hot(y, dtype=O.dtype)
    return cross_entropy(O, y), X.T @ delta, delta.sum(axis=0)


def loss_and_grads__wrong_no_bias(W, b, X, y):
    """Forgets the bias in the scores: O = X W."""
    O = X @ W
    delta = softmax(O) - one_hot(y, W.shape[1], dtype=O.dtype)
    return cross_entropy(O, y), X.T @ delta, delta.sum(axis=0)


def loss_and_grads__wrong_python_loop(W, b, X, y):
    """Right values, but sums per-example outer products in a Python loop."""
    O = X @ W + b
    P = softmax(O)
    dW = np.zeros_like(W)
    db = np.zeros_like(b)
    for n in range(len(X)):
        d = P[n].copy()
        d[y[n]] -= 1
        dW += np.outer(X[n], d)
        db += d
    return cross_entropy(O, y), dW, db


def loss_and_grads__wrong_delegates(W, b, X, y):
    """Calls the saved reference in utils."""
    from utils.softmax import loss_and_grads as reference
    return reference(W, b, X, y)


def loss_and_grads__right_einsum(W, b, X, y):
    """Scores and dW with np.einsum, one-hot from np.eye in the scores' dtype."""
    O = np.einsum("nd,dk->nk", X, W) + b
    Y = np.eye(W.shape[1], dtype=O.dtype)[y]
    delta = softmax(O) - Y
    return cross_entropy(O, y), np.einsum("nd,nk->dk", X, delta), delta.sum(0)


def loss_and_grads__right_split_terms(W, b, X, y):
    """X^T P - X^T Y and sum(P) - label counts: the same gradient in two terms."""
    K = W.shape[1]
    O = X @ W + b
    P = softmax(O)
    Y = np.zeros_like(O)
    Y[np.arange(len(y)), y] = 1
    db = P.sum(axis=0) - np.bincount(y, minlength=K).astype(O.dtype)
    return float(cross_entropy(O, y)), X.T @ P - X.T @ Y, db


# -------------------------------------------------------- 1.5 gradient_check
def gradient_check__wrong_forward_difference(loss, params, grad, n_checks, h=1e-5,
                                             seed=0):
    """One-sided difference (C(w + h) - C(w)) / h: error of order h."""
    pick = np.random.default_rng(seed)
    worst = 0.0
    base = loss(params)
    for _ in range(n_checks):
        index = tuple(int(pick.integers(m)) for m in params.shape)
        step = np.zeros_like(params)
        step[index] = h
        numeric = (loss(params + step) - base) / h
        worst = max(worst, abs(numeric - grad[index]))
    return float(worst / np.abs(grad).max())


def gradient_check__wrong_not_restored(loss, params, grad, n_checks, h=1e-5, seed=0):
    """Nudges params in place and never puts the entry back."""
    pick = np.random.default_rng(seed)
    worst = 0.0
    for _ in range(n_checks):
        index = tuple(int(pick.integers(m)) for m in params.shape)
        params[index] += h
        plus = loss(params)
        params[index] -= 2 * h
        minus = loss(params)
        worst = max(worst, abs((plus - minus) / (2 * h) - grad[index]))
    return float(worst / np.abs(grad).max())


def gradient_check__wrong_missing_factor_two(loss, params, grad, n_checks, h=1e-5,
                                             seed=0):
    """Divides the centred difference by h instead of 2h."""
    pick = np.random.default_rng(seed)
    worst = 0.0
    for _ in range(n_checks):
        index = tuple(int(pick.integers(m)) for m in params.shape)
        step = np.zeros_like(params)
        step[index] = h
        numeric = (loss(params + step) - loss(params - step)) / h
        worst = max(worst, abs(numeric - grad[index]))
    return float(worst / np.abs(grad).max())


def gradient_check__wrong_relative_to_entry(loss, params, grad, n_checks, h=1e-5,
                                            seed=0):
    """Error relative to the entry itself, not to the largest entry of grad."""
    pick = np.random.default_rng(seed)
    worst = 0.0
    for _ in range(n_checks):
        index = tuple(int(pick.integers(m)) for m in params.shape)
        step = np.zeros_like(params)
        step[index] = h
        numeric = (loss(params + step) - loss(params - step)) / (2 * h)
        error = abs(numeric - grad[index]) / max(abs(grad[index]), 1e-12)
        worst = max(worst, error)
    return float(worst)


def gradient_check__wrong_unseeded(loss, params, grad, n_checks, h=1e-5, seed=0):
    """Ignores seed: np.random.default_rng() picks other entries every call."""
    pick = np.random.default_rng()
    worst = 0.0
    for _ in range(n_checks):
        index = tuple(int(pick.integers(m)) for m in params.shape)
        step = np.zeros_like(params)
        step[index] = h
        numeric = (loss(params + step) - loss(params - step)) / (2 * h)
        worst = max(worst, abs(numeric - grad[index]))
    return float(worst / np.abs(grad).max())


def gradient_check__wrong_first_entries(loss, params, grad, n_checks, h=1e-5, seed=0):
    """Not random: checks the first n_checks entries in row-major order."""
    worst = 0.0
    for flat in range(min(n_checks, params.size)):
        index = np.unravel_index(flat, params.shape)
        step = np.zeros_like(params)
        step[index] = h
        numeric = (loss(params + step) - loss(params - step)) / (2 * h)
        worst = max(worst, abs(numeric - grad[index]))
    return float(worst / np.abs(grad).max())


def gradient_check__wrong_mean_error(loss, params, grad, n_checks, h=1e-5, seed=0):
    """Returns the mean error over the checks instead of the worst."""
    pick = np.random.default_rng(seed)
    errors = []
    for _ in range(n_checks):
        index = tuple(int(pick.integers(m)) for m in params.shape)
        step = np.zeros_like(params)
        step[index] = h
        numeric = (loss(params + step) - loss(params - step)) / (2 * h)
        errors.append(abs(numeric - grad[index]))
    return float(np.mean(errors) / np.abs(grad).max())


def gradient_check__wrong_one_check_short(loss, params, grad, n_checks, h=1e-5,
                                          seed=0):
    """Off by one: range(1, n_checks) makes n_checks - 1 checks."""
    pick = np.random.default_rng(seed)
    worst = 0.0
    for _ in range(1, n_checks):
        index = tuple(int(pick.integers(m)) for m in params.shape)
        step = np.zeros_like(params)
        step[index] = h
        numeric = (loss(params + step) - loss(params - step)) / (2 * h)
        worst = max(worst, abs(numeric - grad[index]))
    return float(worst / np.abs(grad).max())


def gradient_check__wrong_uses_numerical_gradient(loss, params, grad, n_checks,
                                                  h=1e-5, seed=0):
    """Calls utils.checks.numerical_gradient, which the spec says to replace."""
    from utils.checks import numerical_gradient
    pick = np.random.default_rng(seed)
    worst = 0.0
    for _ in range(n_checks):
        index = tuple(int(pick.integers(m)) for m in params.shape)
        numeric = numerical_gradient(lambda: loss(params), params, index, h)
        worst = max(worst, abs(numeric - grad[index]))
    return float(worst / np.abs(grad).max())


def gradient_check__right_copies(loss, params, grad, n_checks, h=1e-5, seed=0):
    """Nudges one entry of two fresh copies; errors collected, then np.max."""
    pick = np.random.default_rng(seed)
    errors = []
    for _ in range(n_checks):
        index = tuple(pick.integers(m) for m in params.shape)
        plus, minus = params.copy(), params.copy()
        plus[index] += h
        minus[index] -= h
        errors.append(abs((loss(plus) - loss(minus)) / (2 * h) - grad[index]))
    return float(np.max(errors) / np.max(np.abs(grad)))


def gradient_check__right_while_loop(loss, params, grad, n_checks, h=1e-5, seed=0):
    """A while loop and a unit basis array scaled by h; same picks, same result."""
    rng = np.random.default_rng(seed)
    scale = np.abs(grad).max()
    worst, done = 0.0, 0
    while done < n_checks:
        index = tuple(int(rng.integers(size)) for size in np.shape(params))
        unit = np.zeros(params.shape, dtype=params.dtype)
        unit[index] = 1
        numeric = (loss(params + h * unit) - loss(params - h * unit)) / (2 * h)
        worst = max(worst, abs(numeric - grad[index]) / scale)
        done += 1
    return float(worst)


ANSWERS = {
    "1.1": {"wrong": [softmax__wrong_no_max_shift, softmax__wrong_global_max,
                      softmax__wrong_axis0, softmax__wrong_in_place,
                      softmax__wrong_only_2d, softmax__wrong_min_shift,
                      softmax__wrong_log_softmax, softmax__wrong_python_list,
                      softmax__wrong_delegates],
            "right": [softmax__right_logsumexp, softmax__right_copy_then_inplace,
                      softmax__right_ellipsis]},
    "1.2": {"wrong": [batch_softmax_jacobian__wrong_no_diagonal,
                      batch_softmax_jacobian__wrong_sign,
                      batch_softmax_jacobian__wrong_no_eye,
                      batch_softmax_jacobian__wrong_inner_product,
                      batch_softmax_jacobian__wrong_summed_over_batch,
                      batch_softmax_jacobian__wrong_python_loop,
                      batch_softmax_jacobian__wrong_delegates],
            "right": [batch_softmax_jacobian__right_einsum,
                      batch_softmax_jacobian__right_fancy_diagonal,
                      batch_softmax_jacobian__right_eye_row_broadcast]},
    "1.3": {"wrong": [cross_entropy__wrong_log_of_softmax, cross_entropy__wrong_mean,
                      cross_entropy__wrong_sign, cross_entropy__wrong_column_indexing,
                      cross_entropy__wrong_no_shift, cross_entropy__wrong_global_shift,
                      cross_entropy__wrong_labels_as_one_hot,
                      cross_entropy__wrong_delegates],
            "right": [cross_entropy__right_take_along_axis,
                      cross_entropy__right_lse_minus_score,
                      cross_entropy__right_scipy_logsumexp]},
    "1.4": {"wrong": [loss_and_grads__wrong_mean, loss_and_grads__wrong_dW_transposed,
                      loss_and_grads__wrong_sign, loss_and_grads__wrong_db_mean,
                      loss_and_grads__wrong_float64_one_hot,
                      loss_and_grads__wrong_ten_classes, loss_and_grads__wrong_no_bias,
                      loss_and_grads__wrong_python_loop, loss_and_grads__wrong_delegates],
            "right": [loss_and_grads__right_einsum, loss_and_grads__right_split_terms]},
    "1.5": {"wrong": [gradient_check__wrong_forward_difference,
                      gradient_check__wrong_not_restored,
                      gradient_check__wrong_missing_factor_two,
                      gradient_check__wrong_relative_to_entry,
                      gradient_check__wrong_unseeded,
                      gradient_check__wrong_first_entries,
                      gradient_check__wrong_mean_error,
                      gradient_check__wrong_one_check_short,
                      gradient_check__wrong_uses_numerical_gradient],
            "right": [gradient_check__right_copies, gradient_check__right_while_loop]},
}
