"""Student answers for lab 01 (softmax, cross-entropy, softmax regression)."""

import numpy as np
from scipy.special import logsumexp

from utils.saved.lab01_softmax import (
    cross_entropy,
    loss_and_grads,
    one_hot,
    softmax,
)  # the notebook's names


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
    from utils.saved.lab01_softmax import softmax as reference

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
    return (P[:, :, None] * np.eye(P.shape[1]) - P[:, :, None] * P[:, None, :]).sum(axis=0)


def batch_softmax_jacobian__wrong_python_loop(P):
    """Right values, but a Python loop over the batch (the spec forbids it)."""
    return np.stack([np.diag(p) - np.outer(p, p) for p in P])


def batch_softmax_jacobian__wrong_delegates(P):
    """Calls the saved reference in utils."""
    from utils.saved.lab01_softmax import batch_softmax_jacobian as reference

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
    return np.eye(P.shape[1])[None] * P[:, None, :] - np.matmul(P[..., None], P[:, None])


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
    from utils.saved.lab01_softmax import cross_entropy as reference

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
    from utils.saved.lab01_softmax import loss_and_grads as reference

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
def gradient_check__wrong_forward_difference(loss, params, grad, n_checks, h=1e-5, seed=0):
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


def gradient_check__wrong_missing_factor_two(loss, params, grad, n_checks, h=1e-5, seed=0):
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


def gradient_check__wrong_relative_to_entry(loss, params, grad, n_checks, h=1e-5, seed=0):
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


def gradient_check__wrong_one_check_short(loss, params, grad, n_checks, h=1e-5, seed=0):
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


def gradient_check__wrong_uses_numerical_gradient(loss, params, grad, n_checks, h=1e-5, seed=0):
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


# ------------------------------------------------------------------ 1.6 train
def train__wrong_same_order_each_epoch(
    X, y, n_classes, epochs, learning_rate, batch_size, seed, decay=False
):
    """Creates default_rng(seed) inside the epoch loop: the same order every epoch."""
    N, D = X.shape
    W = np.zeros((D, n_classes), dtype=X.dtype)
    b = np.zeros(n_classes, dtype=X.dtype)
    for epoch in range(epochs):
        rng = np.random.default_rng(seed)
        order = rng.permutation(N)
        rate = learning_rate * (1 - epoch / epochs) if decay else learning_rate
        total = 0.0
        for start in range(0, N, batch_size):
            idx = order[start : start + batch_size]
            loss, dW, db = loss_and_grads(W, b, X[idx], y[idx])
            W -= rate * dW / len(idx)
            b -= rate * db / len(idx)
            total += loss
        yield W, b, total / N


def train__wrong_summed_loss_step(
    X, y, n_classes, epochs, learning_rate, batch_size, seed, decay=False
):
    """Steps on the summed gradient that loss_and_grads returns (no / batch size)."""
    N, D = X.shape
    W = np.zeros((D, n_classes), dtype=X.dtype)
    b = np.zeros(n_classes, dtype=X.dtype)
    rng = np.random.default_rng(seed)
    for epoch in range(epochs):
        order = rng.permutation(N)
        rate = learning_rate * (1 - epoch / epochs) if decay else learning_rate
        total = 0.0
        for start in range(0, N, batch_size):
            idx = order[start : start + batch_size]
            loss, dW, db = loss_and_grads(W, b, X[idx], y[idx])
            W -= rate * dW
            b -= rate * db
            total += loss
        yield W, b, total / N


def train__wrong_shuffles_inputs_in_place(
    X, y, n_classes, epochs, learning_rate, batch_size, seed, decay=False
):
    """Permutes the caller's X and y in place each epoch: orders compound, inputs changed."""
    N, D = X.shape
    W = np.zeros((D, n_classes), dtype=X.dtype)
    b = np.zeros(n_classes, dtype=X.dtype)
    rng = np.random.default_rng(seed)
    for epoch in range(epochs):
        order = rng.permutation(N)
        X[:] = X[order]
        y[:] = y[order]
        rate = learning_rate * (1 - epoch / epochs) if decay else learning_rate
        total = 0.0
        for start in range(0, N, batch_size):
            Xb, yb = X[start : start + batch_size], y[start : start + batch_size]
            loss, dW, db = loss_and_grads(W, b, Xb, yb)
            W -= rate * dW / len(yb)
            b -= rate * db / len(yb)
            total += loss
        yield W, b, total / N


def train__wrong_linspace_decay(
    X, y, n_classes, epochs, learning_rate, batch_size, seed, decay=False
):
    """np.linspace(lr, 0, epochs): the rate already reaches zero in the last epoch."""
    N, D = X.shape
    W = np.zeros((D, n_classes), dtype=X.dtype)
    b = np.zeros(n_classes, dtype=X.dtype)
    rng = np.random.default_rng(seed)
    if decay:
        rates = np.linspace(learning_rate, 0.0, epochs)
    else:
        rates = np.full(epochs, learning_rate)
    for epoch in range(epochs):
        order = rng.permutation(N)
        total = 0.0
        for start in range(0, N, batch_size):
            idx = order[start : start + batch_size]
            loss, dW, db = loss_and_grads(W, b, X[idx], y[idx])
            W -= rates[epoch] * dW / len(idx)
            b -= rates[epoch] * db / len(idx)
            total += loss
        yield W, b, total / N


def train__wrong_mean_of_batch_means(
    X, y, n_classes, epochs, learning_rate, batch_size, seed, decay=False
):
    """Epoch loss as the mean of the batch means: the short last batch is over-weighted."""
    N, D = X.shape
    W = np.zeros((D, n_classes), dtype=X.dtype)
    b = np.zeros(n_classes, dtype=X.dtype)
    rng = np.random.default_rng(seed)
    for epoch in range(epochs):
        order = rng.permutation(N)
        rate = learning_rate * (1 - epoch / epochs) if decay else learning_rate
        batch_means = []
        for start in range(0, N, batch_size):
            idx = order[start : start + batch_size]
            loss, dW, db = loss_and_grads(W, b, X[idx], y[idx])
            W -= rate * dW / len(idx)
            b -= rate * db / len(idx)
            batch_means.append(loss / len(idx))
        yield W, b, float(np.mean(batch_means))


def train__wrong_last_batch_by_batch_size(
    X, y, n_classes, epochs, learning_rate, batch_size, seed, decay=False
):
    """Divides every gradient by batch_size, also the shorter last batch's."""
    N, D = X.shape
    W = np.zeros((D, n_classes), dtype=X.dtype)
    b = np.zeros(n_classes, dtype=X.dtype)
    rng = np.random.default_rng(seed)
    for epoch in range(epochs):
        order = rng.permutation(N)
        rate = learning_rate * (1 - epoch / epochs) if decay else learning_rate
        total = 0.0
        for start in range(0, N, batch_size):
            idx = order[start : start + batch_size]
            loss, dW, db = loss_and_grads(W, b, X[idx], y[idx])
            W -= rate / batch_size * dW
            b -= rate / batch_size * db
            total += loss
        yield W, b, total / N


def train__wrong_float64_weights(
    X, y, n_classes, epochs, learning_rate, batch_size, seed, decay=False
):
    """np.zeros with its default float64: float32 images give float64 weights."""
    N, D = X.shape
    W = np.zeros((D, n_classes))
    b = np.zeros(n_classes)
    rng = np.random.default_rng(seed)
    for epoch in range(epochs):
        order = rng.permutation(N)
        rate = learning_rate * (1 - epoch / epochs) if decay else learning_rate
        total = 0.0
        for start in range(0, N, batch_size):
            idx = order[start : start + batch_size]
            loss, dW, db = loss_and_grads(W, b, X[idx], y[idx])
            W -= rate * dW / len(idx)
            b -= rate * db / len(idx)
            total += loss
        yield W, b, total / N


def train__wrong_loss_at_epoch_end(
    X, y, n_classes, epochs, learning_rate, batch_size, seed, decay=False
):
    """Reports the loss of the end-of-epoch weights on all N, not the pre-step batch losses."""
    N, D = X.shape
    W = np.zeros((D, n_classes), dtype=X.dtype)
    b = np.zeros(n_classes, dtype=X.dtype)
    rng = np.random.default_rng(seed)
    for epoch in range(epochs):
        order = rng.permutation(N)
        rate = learning_rate * (1 - epoch / epochs) if decay else learning_rate
        for start in range(0, N, batch_size):
            idx = order[start : start + batch_size]
            _, dW, db = loss_and_grads(W, b, X[idx], y[idx])
            W -= rate * dW / len(idx)
            b -= rate * db / len(idx)
        yield W, b, float(cross_entropy(X @ W + b, y)) / N


def train__right_array_split(X, y, n_classes, epochs, learning_rate, batch_size, seed, decay=False):
    """Splits each permutation with np.array_split at multiples of batch_size; yields copies."""
    N, D = X.shape
    W = np.zeros((D, n_classes), dtype=X.dtype)
    b = np.zeros((n_classes,), dtype=X.dtype)
    rng = np.random.default_rng(seed)
    for epoch in range(epochs):
        rate = learning_rate * (epochs - epoch) / epochs if decay else learning_rate
        batches = np.array_split(rng.permutation(N), np.arange(batch_size, N, batch_size))
        losses = []
        for idx in batches:
            loss, dW, db = loss_and_grads(W, b, X[idx], y[idx])
            losses.append(loss)
            scale = rate / idx.size
            W -= scale * dW
            b -= scale * db
        yield W.copy(), b.copy(), float(np.sum(losses) / N)


def train__right_linspace_schedule(
    X, y, n_classes, epochs, learning_rate, batch_size, seed, decay=False
):
    """Rates from np.linspace(lr, 0, epochs + 1)[:-1]; a while loop over batch starts."""
    rng = np.random.default_rng(seed)
    N = X.shape[0]
    W = np.zeros((X.shape[1], n_classes), X.dtype)
    b = np.zeros(n_classes, X.dtype)
    if decay:
        rates = np.linspace(learning_rate, 0.0, epochs + 1)[:-1]
    else:
        rates = [learning_rate] * epochs
    for rate in rates:
        perm = rng.permutation(N)
        seen, start, summed = 0, 0, 0.0
        while start < N:
            idx = perm[start : min(start + batch_size, N)]
            loss, dW, db = loss_and_grads(W, b, np.take(X, idx, axis=0), np.take(y, idx))
            W -= (float(rate) / len(idx)) * dW
            b -= (float(rate) / len(idx)) * db
            summed += float(loss)
            seen += len(idx)
            start += batch_size
        yield W, b, summed / seen


def train__right_ceil_batches(
    X, y, n_classes, epochs, learning_rate, batch_size, seed, decay=False
):
    """Counts ceil(N / batch_size) batches and weights each batch's mean loss by its size."""
    N, D = X.shape
    K = n_classes
    W = np.zeros((D, K), dtype=X.dtype)
    b = np.zeros(K, dtype=X.dtype)
    generator = np.random.default_rng(seed)
    n_batches = -(-N // batch_size)
    for epoch in range(1, epochs + 1):
        lr = learning_rate * (epochs + 1 - epoch) / epochs if decay else learning_rate
        order = generator.permutation(N)
        epoch_loss = 0.0
        for j in range(n_batches):
            idx = order[j * batch_size : (j + 1) * batch_size]
            n = len(idx)
            loss, dW, db = loss_and_grads(W, b, X[idx], y[idx])
            mean_loss, dW, db = loss / n, dW / n, db / n
            W -= lr * dW
            b -= lr * db
            epoch_loss += mean_loss * n / N
        yield W, b, epoch_loss


# --------------------------------------------------------- 1.7 class_contrast
def class_contrast__wrong_mean_of_class_means(X, y, n_classes):
    """Other classes' mean as the plain mean of their class means (sizes ignored)."""
    Y = one_hot(y, n_classes, dtype=X.dtype)
    means = (X.T @ Y) / Y.sum(axis=0)
    others = (means.sum(axis=1, keepdims=True) - means) / (n_classes - 1)
    return means - others


def class_contrast__wrong_minus_overall_mean(X, y, n_classes):
    """Subtracts the mean of all images, class k included."""
    Y = one_hot(y, n_classes, dtype=X.dtype)
    means = (X.T @ Y) / Y.sum(axis=0)
    return means - X.mean(axis=0)[:, None]


def class_contrast__wrong_transposed(X, y, n_classes):
    """One row per class: shape (K, D) instead of (D, K)."""
    Y = one_hot(y, n_classes, dtype=X.dtype)
    counts = Y.sum(axis=0)[:, None]
    sums = Y.T @ X
    return sums / counts - (X.sum(axis=0) - sums) / (len(X) - counts)


def class_contrast__wrong_float64_output(X, y, n_classes):
    """one_hot with its default float64: float32 images give a float64 result."""
    Y = one_hot(y, n_classes)
    counts = Y.sum(axis=0)
    sums = X.T @ Y
    return sums / counts - (X.sum(axis=0)[:, None] - sums) / (len(X) - counts)


def class_contrast__wrong_centres_X_in_place(X, y, n_classes):
    """Centres X in place first (harmless for the result, but X is changed)."""
    X -= X.mean(axis=0)
    Y = one_hot(y, n_classes, dtype=X.dtype)
    counts = Y.sum(axis=0)
    sums = X.T @ Y
    return sums / counts - (X.sum(axis=0)[:, None] - sums) / (len(X) - counts)


def class_contrast__wrong_python_loop(X, y, n_classes):
    """Right values, but adds the images up in a Python loop over the images."""
    N, D = X.shape
    sums = np.zeros((D, n_classes), dtype=X.dtype)
    counts = np.zeros(n_classes, dtype=X.dtype)
    for n in range(N):
        sums[:, y[n]] += X[n]
        counts[y[n]] += 1
    total = sums.sum(axis=1, keepdims=True)
    return sums / counts - (total - sums) / (N - counts)


def class_contrast__wrong_others_over_N(X, y, n_classes):
    """Divides the other images' sum by N instead of by their number N - n_k."""
    Y = one_hot(y, n_classes, dtype=X.dtype)
    counts = Y.sum(axis=0)
    sums = X.T @ Y
    return sums / counts - (X.sum(axis=0)[:, None] - sums) / len(X)


def class_contrast__right_rescaled_overall(X, y, n_classes):
    """Uses m_k - m_others = N (m_k - m) / (N - n_k), counts from np.bincount."""
    N = len(X)
    counts = np.bincount(y, minlength=n_classes)
    sums = np.zeros((n_classes, X.shape[1]), dtype=X.dtype)
    np.add.at(sums, y, X)
    class_means = sums / counts[:, None].astype(X.dtype)
    overall = X.mean(axis=0)
    factor = (N / (N - counts)).astype(X.dtype)
    return ((class_means - overall) * factor[:, None]).T.astype(X.dtype)


def class_contrast__right_masks(X, y, n_classes):
    """A loop over the classes (not the images) with boolean masks, stacked as columns."""
    columns = []
    for k in range(n_classes):
        mask = y == k
        columns.append(X[mask].mean(axis=0) - X[~mask].mean(axis=0))
    return np.stack(columns, axis=1).astype(X.dtype, copy=False)


def class_contrast__right_einsum(X, y, n_classes):
    """Membership matrix from a comparison with arange, sums by np.einsum."""
    M = (y[:, None] == np.arange(n_classes)[None, :]).astype(X.dtype)
    inside = np.einsum("nd,nk->dk", X, M)
    outside = np.einsum("nd,nk->dk", X, 1 - M)
    n_in = M.sum(axis=0)
    return inside / n_in - outside / (len(X) - n_in)


ANSWERS = {
    "1.1": {
        "wrong": [
            softmax__wrong_no_max_shift,
            softmax__wrong_global_max,
            softmax__wrong_axis0,
            softmax__wrong_in_place,
            softmax__wrong_only_2d,
            softmax__wrong_min_shift,
            softmax__wrong_log_softmax,
            softmax__wrong_python_list,
            softmax__wrong_delegates,
        ],
        "right": [
            softmax__right_logsumexp,
            softmax__right_copy_then_inplace,
            softmax__right_ellipsis,
        ],
    },
    "1.2": {
        "wrong": [
            batch_softmax_jacobian__wrong_no_diagonal,
            batch_softmax_jacobian__wrong_sign,
            batch_softmax_jacobian__wrong_no_eye,
            batch_softmax_jacobian__wrong_inner_product,
            batch_softmax_jacobian__wrong_summed_over_batch,
            batch_softmax_jacobian__wrong_python_loop,
            batch_softmax_jacobian__wrong_delegates,
        ],
        "right": [
            batch_softmax_jacobian__right_einsum,
            batch_softmax_jacobian__right_fancy_diagonal,
            batch_softmax_jacobian__right_eye_row_broadcast,
        ],
    },
    "1.3": {
        "wrong": [
            cross_entropy__wrong_log_of_softmax,
            cross_entropy__wrong_mean,
            cross_entropy__wrong_sign,
            cross_entropy__wrong_column_indexing,
            cross_entropy__wrong_no_shift,
            cross_entropy__wrong_global_shift,
            cross_entropy__wrong_labels_as_one_hot,
            cross_entropy__wrong_delegates,
        ],
        "right": [
            cross_entropy__right_take_along_axis,
            cross_entropy__right_lse_minus_score,
            cross_entropy__right_scipy_logsumexp,
        ],
    },
    "1.4": {
        "wrong": [
            loss_and_grads__wrong_mean,
            loss_and_grads__wrong_dW_transposed,
            loss_and_grads__wrong_sign,
            loss_and_grads__wrong_db_mean,
            loss_and_grads__wrong_float64_one_hot,
            loss_and_grads__wrong_ten_classes,
            loss_and_grads__wrong_no_bias,
            loss_and_grads__wrong_python_loop,
            loss_and_grads__wrong_delegates,
        ],
        "right": [loss_and_grads__right_einsum, loss_and_grads__right_split_terms],
    },
    "1.5": {
        "wrong": [
            gradient_check__wrong_forward_difference,
            gradient_check__wrong_not_restored,
            gradient_check__wrong_missing_factor_two,
            gradient_check__wrong_relative_to_entry,
            gradient_check__wrong_unseeded,
            gradient_check__wrong_first_entries,
            gradient_check__wrong_mean_error,
            gradient_check__wrong_one_check_short,
            gradient_check__wrong_uses_numerical_gradient,
        ],
        "right": [gradient_check__right_copies, gradient_check__right_while_loop],
    },
    "1.6": {
        "wrong": [
            train__wrong_same_order_each_epoch,
            train__wrong_summed_loss_step,
            train__wrong_shuffles_inputs_in_place,
            train__wrong_linspace_decay,
            train__wrong_mean_of_batch_means,
            train__wrong_last_batch_by_batch_size,
            train__wrong_float64_weights,
            train__wrong_loss_at_epoch_end,
        ],
        "right": [
            train__right_array_split,
            train__right_linspace_schedule,
            train__right_ceil_batches,
        ],
    },
    "1.7": {
        "wrong": [
            class_contrast__wrong_mean_of_class_means,
            class_contrast__wrong_minus_overall_mean,
            class_contrast__wrong_transposed,
            class_contrast__wrong_float64_output,
            class_contrast__wrong_centres_X_in_place,
            class_contrast__wrong_python_loop,
            class_contrast__wrong_others_over_N,
        ],
        "right": [
            class_contrast__right_rescaled_overall,
            class_contrast__right_masks,
            class_contrast__right_einsum,
        ],
    },
}
