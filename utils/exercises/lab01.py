"""Tests of lab 01's exercises: the softmax, its Jacobian, the cross-entropy,
the gradient of softmax regression, a centred-difference gradient check,
the training loop and the class-contrast images the templates resemble.

Every test builds its own inputs from ``seed`` (and sizes): never the arrays
the lab shows.  Expected values come from the definitions, computed another
way (pairwise differences, ``np.logaddexp``, explicit loops, centred
differences of the loss), so a test never compares with the reference code.
"""
from __future__ import annotations

import numpy as np

from ..checks import close, numerical_gradient, rel_error
from . import Clause, Spec, loop_free, require


def _array(value, what: str, shape: tuple) -> np.ndarray:
    """Return ``value`` as a float64 array after checking it is a NumPy array
    of ``shape``."""
    require(value is not None, f"{what} is None: did you forget the return?")
    require(isinstance(value, np.ndarray),
            f"{what} is a {type(value).__name__}: return a NumPy array "
            "(the rest of the lab does array arithmetic on it).")
    array = np.asarray(value, dtype=np.float64)
    require(array.shape == shape,
            f"{what} should have shape {shape}, got {array.shape}.")
    return array


def _close(a, b, tol: float = 1e-6) -> bool:
    return close(a, b, tol)


def _looks_like(got, wrong, right, tol: float = 1e-6) -> bool:
    """Whether ``got`` is the known ``wrong`` answer, and that is not ``right``."""
    return _close(got, wrong, tol) and not _close(wrong, right, tol)


def _softmax(o: np.ndarray) -> np.ndarray:
    """Softmax as p_i = 1 / sum_j exp(o_j - o_i): no shift by the maximum."""
    with np.errstate(over="ignore"):
        return 1.0 / np.exp(o[..., None, :] - o[..., :, None]).sum(axis=-1)


def test_softmax(softmax, seed: int = 0, n: int = 6, k: int = 10,
                 scale: float = 3.0) -> str:
    """Exercise 1.1: a row-wise softmax that cannot overflow."""
    rng = np.random.default_rng(seed)
    o = scale * rng.normal(size=(n, k))
    before = o.copy()
    p = _array(softmax(o), "softmax(o)", (n, k))
    require(np.array_equal(o, before),
            "softmax changed its input o: compute o - max into a new array "
            "(o - ..., not o -= ...).")
    require(np.all(np.isfinite(p)), f"softmax of moderate scores (|o| up to "
            f"{np.abs(o).max():.0f}) gave inf or nan.")
    if not np.allclose(p.sum(axis=1), 1) and np.allclose(p.sum(axis=0), 1):
        raise AssertionError("the COLUMNS sum to 1: normalise each row (one "
                             "example), sum over axis=-1 with keepdims=True.")
    require(np.allclose(p.sum(axis=1), 1),
            "the rows do not sum to 1: divide exp(o - max) by its row sum.")
    require(_close(p, _softmax(o), 1e-10),
            "the probabilities are not exp(o_i) / sum_j exp(o_j) row by row "
            f"(rel. error {rel_error(p, _softmax(o)):.1e}).")
    large = np.array([[1000.0, 1001.0, 1002.0],
                      [-1000.0, -1001.0, -1002.0],
                      [1000.0, 0.0, -1000.0]])
    with np.errstate(all="ignore"):
        big = _array(softmax(large.copy()), "softmax of a (3, 3) batch", (3, 3))
    broken = ~np.all(np.isfinite(big), axis=1)
    if broken[1:].any() and not broken[0]:
        raise AssertionError(
            "scores like [-1000, -1001, -1002] in a batch that also holds "
            "[1000, 1001, 1002] gave nan: shift EACH row by its own maximum "
            "(o.max(axis=-1, keepdims=True)), not by the batch's largest score.")
    require(not broken.any(),
            "scores like [1000, 1001, 1002] gave inf or nan: np.exp overflowed. "
            "Subtract each row's maximum before np.exp (section 1).")
    require(_close(big, _softmax(large), 1e-10),
            f"softmax([1000, 1001, 1002]) should equal softmax([0, 1, 2]) = "
            f"{np.round(_softmax(large)[0], 4)}, got {np.round(big[0], 4)}.")
    vector = rng.normal(size=k) + 1000.0
    hint = ("a single score vector o of shape (K,), near 1000, should give "
            "its K probabilities: work along the last axis (axis=-1), not "
            "axis=1, and shift by the maximum there too")
    try:
        with np.errstate(all="ignore"):
            single = softmax(vector.copy())
    except (IndexError, ValueError) as err:  # numpy's AxisError is both
        raise AssertionError(f"{hint} ({type(err).__name__}: {err}).") from None
    require(np.shape(single) == (k,) and _close(single, _softmax(vector), 1e-10),
            f"{hint}.")
    return (f"{n} x {k} rows right and summing to 1; finite at scores of "
            "+-1000; a vector near 1000 works too.")


def test_batch_softmax_jacobian(batch_softmax_jacobian, seed: int = 0,
                                n: int = 4, k: int = 6) -> str:
    """Exercise 1.2: the N Jacobians diag(p) - p p^T of a batch at once."""
    rng = np.random.default_rng(seed)
    P = _softmax(rng.normal(size=(n, k)))
    J = _array(batch_softmax_jacobian(P.copy()), "batch_softmax_jacobian(P)",
               (n, k, k))
    for row in range(n):
        p = P[row]
        expected = np.array([[p[i] * ((i == j) - p[j]) for j in range(k)]
                             for i in range(k)])
        if _looks_like(J[row], np.diag(p), expected):
            raise AssertionError(f"Jacobian {row} is only diag(p): the "
                                 "off-diagonal entries -p_i p_j are missing.")
        if _looks_like(J[row], np.diag(p) + np.outer(p, p), expected):
            raise AssertionError(f"Jacobian {row} has the wrong sign on "
                                 "p p^T: it is diag(p) MINUS p p^T.")
        require(_close(J[row], expected, 1e-10),
                f"Jacobian {row} is wrong: entry (i, j) is p_i (delta_ij - p_j): "
                "p_i (1 - p_i) on the diagonal, -p_i p_j off it.")
    return f"all {n} Jacobians ({k} x {k}) equal diag(p) - p p^T."


def _cross_entropy(o: np.ndarray, y: np.ndarray) -> float:
    """Summed -log p_y, with the log-sum-exp of np.logaddexp."""
    return float(np.sum(np.logaddexp.reduce(o, axis=1) - o[np.arange(len(y)), y]))


def test_cross_entropy(cross_entropy, seed: int = 0, n: int = 7, k: int = 10,
                       scale: float = 3.0) -> str:
    """Exercise 1.3: the summed cross-entropy of scores, via log-sum-exp."""
    rng = np.random.default_rng(seed)
    o = scale * rng.normal(size=(n, k))
    y = rng.integers(0, k, n)
    value = cross_entropy(o.copy(), y.copy())
    require(value is not None, "cross_entropy returned None: return the loss.")
    require(np.ndim(value) == 0 or np.size(value) == 1,
            f"return ONE number, the loss summed over the batch; got an array "
            f"of shape {np.shape(value)}.")
    value = float(np.asarray(value).reshape(()))
    expected = _cross_entropy(o, y)
    if n > 1 and np.isclose(value, expected / n, rtol=1e-8):
        raise AssertionError("the loss is N times too small: the lab's "
                             "cross-entropy is the SUM over the batch, not "
                             "the mean.")
    if np.isclose(value, -expected, rtol=1e-8):
        raise AssertionError("the loss is negative: C = -sum log p_y, and a "
                             "log-probability is below zero.")
    require(np.isclose(value, expected, rtol=1e-10),
            f"the loss should be {expected:.6f}, got {value:.6f}: add up "
            "-log p[n, y[n]], the true class's log-probability of each row "
            "(index with [np.arange(N), y]).")
    extreme = np.array([[0.0, 1000.0, 0.0], [1000.0, 1001.0, 0.0],
                        [-1000.0, -1001.0, -1002.0]])
    labels = np.array([0, 0, 0])
    with np.errstate(all="ignore"):
        value = float(np.asarray(cross_entropy(extreme.copy(), labels)).reshape(()))
    expected = _cross_entropy(extreme, labels)
    require(np.isfinite(value),
            f"scores [0, 1000, 0] with label 0 gave C = {value}: p underflowed "
            "to 0 (or exp overflowed) before the log. Compute log p directly: "
            "log p = (o - max) - log(sum(exp(o - max))).")
    require(np.isclose(value, expected, rtol=1e-10),
            f"for scores [0, 1000, 0], [1000, 1001, 0] and [-1000, -1001, "
            f"-1002], all labelled 0, C should be {expected:.4f}, got "
            f"{value:.4f}: shift EACH row by its own maximum.")
    return f"the summed loss of {n} rows is right, and finite at scores of 1000."


def _regression_loss(W, b, X, y) -> float:
    """Summed cross-entropy of softmax regression, one example at a time."""
    return sum(float(np.logaddexp.reduce(x @ W + b) - (x @ W + b)[label])
               for x, label in zip(X, y))


def _gradient_matches(name: str, got, numeric, n: int, formula: str) -> None:
    """Compare a gradient with centred differences, naming the usual slips."""
    if _looks_like(got, -numeric, numeric):
        raise AssertionError(f"{name} has the wrong sign: dC/dO = P - Y, "
                             "not Y - P.")
    if _looks_like(got, numeric / n, numeric):
        raise AssertionError(f"{name} is N times too small: the loss is the "
                             "SUM over the batch, so do not divide by N.")
    require(_close(got, numeric),
            f"{name} disagrees with centred differences of the loss (rel. "
            f"error {rel_error(got, numeric):.1e}, tolerance 1e-6): {formula}.")


def test_loss_and_grads(loss_and_grads, seed: int = 0, n: int = 9, d: int = 6,
                        k: int = 4) -> str:
    """Exercise 1.4: the summed loss of softmax regression and (dW, db)."""
    rng = np.random.default_rng(seed)
    X = rng.random((n, d))
    y = rng.integers(0, k, n)
    W = 0.5 * rng.normal(size=(d, k))
    b = 0.5 * rng.normal(size=k)
    result = loss_and_grads(W.copy(), b.copy(), X.copy(), y.copy())
    require(isinstance(result, (tuple, list)) and len(result) == 3,
            "return the three values (loss, dW, db).")
    loss, dW, db = result
    require(np.size(loss) == 1, "the loss is one number (summed over the "
            f"batch), got shape {np.shape(loss)}.")
    loss = float(np.asarray(loss).reshape(()))
    expected = _regression_loss(W, b, X, y)
    if n > 1 and np.isclose(loss, expected / n, rtol=1e-8):
        raise AssertionError("the loss is N times too small: sum the "
                             "cross-entropy over the batch, do not average.")
    if np.isclose(loss, _regression_loss(W, 0 * b, X, y), rtol=1e-8):
        raise AssertionError("the loss ignores b: the scores are X @ W + b.")
    require(np.isclose(loss, expected, rtol=1e-8),
            f"the loss should be {expected:.6f}, got {loss:.6f}: the summed "
            "cross-entropy of the scores X @ W + b.")

    def loss_now():
        return _regression_loss(W, b, X, y)

    numeric_W = np.array([numerical_gradient(loss_now, W, index, 1e-5)
                          for index in np.ndindex(*W.shape)]).reshape(W.shape)
    numeric_b = np.array([numerical_gradient(loss_now, b, index, 1e-5)
                          for index in np.ndindex(*b.shape)])
    if np.shape(dW) == (k, d) and d != k:
        raise AssertionError(f"dW has shape {np.shape(dW)}, W has {W.shape}: it is "
                             "transposed. dC/dW = X^T (P - Y).")
    dW = _array(dW, "dW", W.shape)
    _gradient_matches("dW", dW, numeric_W, n,
                      "X^T (P - Y), with P the softmax of X @ W + b and Y the "
                      "one-hot labels")
    db = _array(db, "db (one entry per class: sum P - Y over axis 0)", b.shape)
    _gradient_matches("db", db, numeric_b, n, "the sum over the batch of P - Y")
    error = max(rel_error(dW, numeric_W), rel_error(db, numeric_b))
    big = W * 4000  # scores near +-1000: the loss must stay finite
    with np.errstate(all="ignore"):
        big_loss = np.asarray(loss_and_grads(big, b.copy(), X.copy(),
                                             y.copy())[0], dtype=np.float64)
    right_big = _regression_loss(big, b, X, y)
    require(np.isfinite(big_loss).all() and np.isclose(float(big_loss),
                                                       right_big, rtol=1e-8),
            f"with scores near +-1000 the loss should be {right_big:.1f}, got "
            f"{float(big_loss):.1f}: compute it with cross_entropy (the "
            "log-sum-exp), not np.log(softmax(...)), which takes the log of 0.")
    one = loss_and_grads(W.copy(), b.copy(), X[:1].copy(), y[:1].copy())
    require(np.shape(one[1]) == W.shape and np.shape(one[2]) == b.shape,
            "a batch of one image gave gradients of shapes "
            f"{np.shape(one[1])} and {np.shape(one[2])}: keep the batch axis "
            "(no np.squeeze).")
    single = [np.asarray(v) for v in loss_and_grads(
        *(a.astype(np.float32) for a in (W, b, X)), y.copy())[1:]]
    require(all(v.dtype == np.float32 for v in single),
            "float32 inputs gave gradients of dtype "
            f"{', '.join(str(v.dtype) for v in single)}: make the one-hot "
            "labels in the scores' dtype, one_hot(y, K, dtype=O.dtype), so "
            "that section 6 trains in float32.")
    return (f"loss, dW and db match centred differences (rel. error "
            f"{error:.0e}); float32 stays float32.")


class _Loss:
    """sum(x^3) + c (sum x)^2: its centred differences err by exactly h^2, and
    (sum x)^2 couples the entries, so only nudging params itself is right.
    Records the entry a call nudged (when it is one), and refuses arrays of
    another shape."""

    def __init__(self, params: np.ndarray, coupling: float = 0.3):
        self.params, self.coupling, self.nudged = params.copy(), coupling, []
        self.given = params  # the array the answer gets: never to be nudged

    def gradient(self) -> np.ndarray:
        x = self.params
        return 3 * x ** 2 + 2 * self.coupling * x.sum()

    def __call__(self, x) -> float:
        require(x is not self.given or np.array_equal(x, self.params),
                "loss was called with params itself, "
                "nudged in place: build params + h e and params - h e as new "
                "arrays (the spec's 'on new arrays').")
        x = np.asarray(x)
        require(x.shape == self.params.shape,
                f"loss was called with an array of shape {x.shape}; it takes "
                f"arrays shaped like params {self.params.shape} (a copy of "
                "params with one entry nudged).")
        moved = np.argwhere(x != self.params)
        if len(moved) == 1:
            self.nudged.append(tuple(int(i) for i in moved[0]))
        return float(np.sum(x ** 3) + self.coupling * np.sum(x) ** 2)


def _checked(gradient_check, params, grad, n_checks, h, seed):
    """Run ``gradient_check``; return its value and the entries it nudged."""
    loss = _Loss(params)
    before, state = params.copy(), np.random.get_state()[1].copy()
    value = gradient_check(loss, params, grad, n_checks, h=h, seed=seed)
    require(np.array_equal(np.random.get_state()[1], state),
            "gradient_check reset NumPy's global random state (np.random.seed"
            "): draw the entries from np.random.default_rng(seed), a "
            "generator of its own.")
    require(np.array_equal(params, before),
            "gradient_check changed params: leave them as they were "
            "(build params + h e and params - h e as new arrays).")
    require(value is not None and np.size(value) == 1,
            "return one number: the worst error over the checked entries.")
    return float(np.asarray(value).reshape(())), loss.nudged


def test_gradient_check(gradient_check, seed: int = 0, shape: tuple = (5, 4),
                        h: float = 1e-2, n_checks: int = 12) -> str:
    """Exercise 1.5: the worst centred-difference error at random entries."""
    rng = np.random.default_rng(seed)
    for case_shape in (tuple(shape), (shape[0] + 2,)):
        params = rng.uniform(0.5, 3.0, size=case_shape)
        grad = _Loss(params).gradient()
        checks = min(n_checks, params.size)
        value, nudged = _checked(gradient_check, params, grad.copy(), checks,
                                 h, seed)
        expected = h ** 2 / np.abs(grad).max()
        ratio = value / expected
        if ratio > 100:
            raise AssertionError(
                f"for f(x) = sum(x^3) + 0.3 (sum x)^2 and h = {h:g} the worst "
                f"error should be h^2 / max|grad| = {expected:.2e}, got "
                f"{value:.2e}: is it a centred difference (f(x + h e) - "
                "f(x - h e)) / (2 h) of loss at params itself? A forward "
                "difference errs by O(h), a centred one by O(h^2).")
        if 1.001 < ratio <= 100:
            raise AssertionError(
                f"the worst error should be {expected:.2e}, got {value:.2e}: "
                "measure |numeric - grad[i]| relative to the LARGEST |grad| "
                "over all of params, not to grad[i] itself.")
        require(abs(ratio - 1) < 1e-3,
                f"for f(x) = sum(x^3) + 0.3 (sum x)^2 and h = {h:g} the worst "
                f"error should be h^2 / max|grad| = {expected:.2e}, got "
                f"{value:.2e}: use the step h you are given, and return the "
                "largest error.")
        require(len(nudged) == 2 * checks,
                f"loss was called with {len(nudged)} nudged arrays for "
                f"n_checks = {checks}: a centred difference at each of "
                "n_checks entries takes two.")
    params = rng.uniform(0.5, 3.0, size=shape)
    wrong = _Loss(params).gradient()
    rows = np.arange(shape[0]) >= shape[0] - 2  # wrong in the last two rows
    wrong[rows] = 0.0
    checks = min(n_checks, params.size)
    value, nudged = _checked(gradient_check, params, wrong, checks, h, seed)
    entries = sorted(set(nudged))
    scale = np.abs(wrong).max()
    errors = [abs(_centred(params, e, h) - wrong[e]) / scale for e in entries]
    require(np.isclose(value, max(errors), rtol=1e-6),
            f"on the entries your code checked the worst error is "
            f"{max(errors):.3e}, you returned {value:.3e}: return the "
            "LARGEST error, not the mean or the last one.")
    again = _checked(gradient_check, params, wrong, checks, h, seed)[1]
    require(again == nudged, "the same seed checked other entries: draw them "
            "with np.random.default_rng(seed), not an unseeded generator.")
    seeds = [seed + 1 + i for i in range(4)]
    picks = [frozenset(_checked(gradient_check, params, wrong, checks, h, s)[1])
             for s in seeds]
    require(len(set(picks + [frozenset(nudged)])) > 1,
            f"seeds {seed} and {seeds} all checked the same entries: pick them "
            "at random with np.random.default_rng(seed), e.g. "
            "tuple(int(rng.integers(m)) for m in params.shape).")
    seen = set().union(*picks, nudged)
    for axis, size in enumerate(shape):
        missed = sorted(set(range(size)) - {e[axis] for e in seen})
        require(not missed, f"in 5 seeds no entry was checked at index "
                f"{missed} of axis {axis} (size {size}): draw each index over "
                "its whole range, rng.integers(m) gives 0 .. m - 1.")
    caught = [any(rows[e[0]] for e in p) for p in picks + [frozenset(nudged)]]
    require(any(caught),
            f"a gradient that is wrong in the last 2 rows of a {shape} array "
            f"was never looked at in 5 seeds: pick the entries at random over "
            "ALL of params.")
    noisy = wrong + rng.normal(0, 1, wrong.shape)  # an error per entry
    left_out = gradient_check(_Loss(params), params, noisy, checks)
    given = gradient_check(_Loss(params), params, noisy, checks, h=1e-5, seed=0)
    require(np.isclose(float(left_out), float(given), rtol=1e-12),
            "called without h and seed, gradient_check gave another result "
            "than with h=1e-5, seed=0: keep the spec's defaults.")
    return (f"h^2 / max|grad| exactly, params untouched, the worst error of "
            f"the entries checked, other entries for other seeds.")


def _centred(params: np.ndarray, entry: tuple, h: float) -> float:
    """The centred difference of ``_Loss`` at ``entry``."""
    loss, step = _Loss(params), np.zeros_like(params)
    step[entry] = h
    return (loss(params + step) - loss(params - step)) / (2 * h)


def _step_loss(W, b, X, y):
    """Summed loss and its gradients for softmax regression, written from
    the per-example rule dC/do = p - y with explicit sums."""
    O = X @ W + b
    log_p = O - np.logaddexp.reduce(O, axis=1, keepdims=True)
    delta = np.exp(log_p)
    delta[np.arange(len(y)), y] -= 1.0
    return float(-log_p[np.arange(len(y)), y].sum()), X.T @ delta, delta.sum(0)


def _replay(X, y, k, epochs, learning_rate, batch_size, seed, decay,
            shuffle=True, reseed=False, summed=False, drop_last=False,
            late_decay=False, loss_per_batch=False, labels_follow=True):
    """The epochs ``train`` should yield, with one slip switched on."""
    W = np.zeros((X.shape[1], k))
    b = np.zeros(k)
    rng = np.random.default_rng(seed)
    yielded = []
    for epoch in range(epochs):
        if reseed:
            rng = np.random.default_rng(seed)
        rate = learning_rate
        if decay:
            rate *= 1 - (epoch + late_decay) / epochs
        order = rng.permutation(len(X)) if shuffle else np.arange(len(X))
        stop = len(X) - len(X) % batch_size if drop_last else len(X)
        total, means = 0.0, []
        for start in range(0, stop, batch_size):
            batch = order[start:start + batch_size]
            labels = y[batch] if labels_follow else y[start:start + batch_size]
            loss, dW, db = _step_loss(W, b, X[batch], labels)
            scale = 1.0 if summed else 1.0 / len(batch)
            W = W - rate * scale * dW
            b = b - rate * scale * db
            total += loss
            means.append(loss / len(batch))
        yielded.append((W, b, np.mean(means) if loss_per_batch
                        else total / len(X)))
    return yielded


_TRAIN_SLIPS = [
    (dict(shuffle=False), "the images were visited in their stored order: "
     "draw a new order from the generator at the start of every epoch"),
    (dict(reseed=True), "every epoch visited the images in the same order: "
     "make ONE generator, np.random.default_rng(seed), before the epochs, "
     "and draw each epoch's order from it"),
    (dict(labels_follow=False), "the images were shuffled but the labels "
     "were not: index X and y with the same batch of the order"),
    (dict(summed=True), "the steps are batch_size times too large: "
     "loss_and_grads returns the gradient of the SUMMED loss, the step is "
     "on the mean, so divide by the batch's size"),
    (dict(drop_last=True), "the last, smaller batch was left out: "
     "range(0, N, batch_size) with order[start:start + batch_size] keeps it"),
    (dict(late_decay=True), "the decayed rate is one epoch early: the first "
     "epoch (epoch 0) uses the full learning_rate, and the rate reaches "
     "zero only after the last epoch"),
    (dict(decay=None), "the rate did not decay (or decayed when it should "
     "not): with decay=True it shrinks linearly over the epochs"),
]


def _train_case(rng, n, d, k, dtype=np.float64):
    X = rng.random((n, d)).astype(dtype)
    y = rng.integers(0, k, n)
    return X, y


def test_train(train, seed: int = 0, n: int = 23, d: int = 5, k: int = 3,
               batch_size: int = 4, epochs: int = 3,
               learning_rate: float = 0.5, decay: bool = True) -> str:
    """Exercise 1.6: epochs of minibatch gradient descent, yielded one by
    one, against a replay written here."""
    rng = np.random.default_rng(seed)
    X, y = _train_case(rng, n, d, k)
    X_stored, y_stored = X.copy(), y.copy()
    schedule = {"decay": True} if decay else {}  # decay=False by default
    run = train(X, y, k, epochs, learning_rate, batch_size, seed + 1,
                **schedule)
    require(hasattr(run, "__next__"),
            f"train returned a {type(run).__name__}, not a generator: end "
            "every epoch with `yield W, b, mean_loss` (no return of a list).")
    got = []
    for item in run:
        require(isinstance(item, tuple) and len(item) == 3,
                "each epoch should yield the three values (W, b, mean_loss).")
        W, b, loss = item
        require(np.size(loss) == 1, "the mean loss is one number, got shape "
                f"{np.shape(loss)}.")
        got.append((_array(W, "W", (d, k)).copy(),
                    _array(b, "b", (k,)).copy(),
                    float(np.asarray(loss).reshape(()))))
        if len(got) > epochs:
            break
    require(len(got) == epochs, f"{epochs} epochs should yield {epochs} "
            f"times, yours yielded {len(got)}: yield once at the end of "
            "each epoch.")
    require(np.array_equal(X, X_stored) and np.array_equal(y, y_stored),
            "train changed X or y: take the batches with an index array "
            "(X[batch], y[batch]); never shuffle the data in place.")
    args = (X, y, k, epochs, learning_rate, batch_size, seed + 1, decay)
    right = _replay(*args)

    def same(run, part, upto):
        return all(_close(g[part], r[part], 1e-9)
                   for g, r in zip(got[:upto], run[:upto]))

    for epoch in range(epochs):
        if same(right, 0, epoch + 1) and same(right, 1, epoch + 1):
            continue
        hints = []
        for slip, hint in _TRAIN_SLIPS:
            if slip.get("decay", 0) is None:
                wrong = _replay(*args[:-1], not decay)
            else:
                wrong = _replay(*args, **slip)
            if same(wrong, 0, epochs) and same(wrong, 1, epochs):
                hints.append(hint)
        require(False, f"after epoch {epoch} (counting from 0) W and b differ "
                "from a replay that starts from zero weights, draws "
                "rng.permutation(N) once per epoch from one generator "
                "np.random.default_rng(seed), and steps on each batch of "
                "that order by the rate times the gradient of the batch's "
                "mean loss: " + (hints[0] if hints else "check the order, "
                                 "the batches, the rate and the step") + ".")
    losses = np.array([g[2] for g in got])
    right_losses = np.array([r[2] for r in right])
    if rel_error(losses, right_losses) > 1e-9:
        per_batch = np.array([r[2] for r in _replay(*args,
                                                    loss_per_batch=True)])
        hint = ("you averaged the batches' mean losses, so the smaller last "
                "batch counts as much as a full one: add up the summed "
                "losses and divide by N" if rel_error(losses, per_batch)
                < 1e-9 else "the mean over all N images of the epoch, each "
                "counted once, from the losses before each batch's step")
        require(False, f"the yielded losses {np.round(losses, 5).tolist()} "
                f"should be {np.round(right_losses, 5).tolist()}: {hint}.")
    single = next(iter(train(X.astype(np.float32), y, k, 1, learning_rate,
                             batch_size, seed, decay)))
    require(all(np.asarray(v).dtype == np.float32 for v in single[:2]),
            "float32 images gave weights of dtype "
            f"{np.asarray(single[0]).dtype}: make W and b zeros in the "
            "images' dtype (dtype=X.dtype), so that section 6 trains in "
            "float32.")
    rate = "decaying" if decay else "constant (the default)"
    return (f"{epochs} epochs of {n} images in batches of {batch_size}, "
            f"{rate} rate: weights and losses match a replay.")


def _contrast(X, y, k):
    """Class mean minus the mean of every other image, one class at a time."""
    columns = []
    for c in range(k):
        mine = [x for x, label in zip(X, y) if label == c]
        rest = [x for x, label in zip(X, y) if label != c]
        columns.append(np.mean(mine, axis=0) - np.mean(rest, axis=0))
    return np.array(columns).T


def test_class_contrast(class_contrast, seed: int = 0, n: int = 40,
                        d: int = 6, k: int = 4) -> str:
    """Exercise 1.7: each class's mean image minus the other images' mean."""
    rng = np.random.default_rng(seed)
    # classes of different sizes tell a mean of images from a mean of means
    sizes = rng.permutation(np.arange(k) + max(n // k - k // 2, 1))
    y = rng.permutation(np.repeat(np.arange(k), sizes))
    X = rng.random((len(y), d)) + np.arange(d)
    X_stored = X.copy()
    got = class_contrast(X, y.copy(), k)
    require(np.array_equal(X, X_stored), "class_contrast changed X: work "
            "on new arrays.")
    if np.shape(got) == (k, d) and k != d:
        raise AssertionError(f"the result has shape {np.shape(got)}, one ROW "
                             "per class: return one COLUMN per class, shape "
                             "(D, K), like W.")
    got = _array(got, "class_contrast(X, y, K)", (d, k))
    expected = _contrast(X, y, k)
    means = np.array([X[y == c].mean(0) for c in range(k)])
    if _looks_like(got, (means - X.mean(0)).T, expected):
        raise AssertionError("you subtracted the mean of ALL images, the "
                             "class's own included: subtract the mean of "
                             "the images of the OTHER classes.")
    of_means = np.array([np.delete(means, c, 0).mean(0) for c in range(k)])
    if _looks_like(got, (means - of_means).T, expected):
        raise AssertionError("you averaged the other classes' MEANS, so a "
                             "small class counts as much as a large one: "
                             "average the other classes' IMAGES, each "
                             "counted once.")
    require(_close(got, expected, 1e-10),
            "column k should be the mean image of class k minus the mean of "
            f"the images of every other class (rel. error "
            f"{rel_error(got, expected):.1e}).")
    single = class_contrast(X.astype(np.float32), y.copy(), k)
    require(np.asarray(single).dtype == np.float32,
            "float32 images gave a contrast of dtype "
            f"{np.asarray(single).dtype}: keep the images' dtype (make the "
            "one-hot labels with dtype=X.dtype, say).")
    return (f"{k} columns right for {len(y)} images in classes of unequal "
            "size; float32 stays float32.")


EXERCISES = {
    "1.1": Spec("softmax", points=2, test=test_softmax,
                reference="utils.saved.lab01_softmax:softmax"),
    "1.2": Spec("batch_softmax_jacobian", points=1,
                test=test_batch_softmax_jacobian,
                reference="utils.saved.lab01_softmax:batch_softmax_jacobian",
                clauses=(Clause("no loop over samples", lambda answer: loop_free(
                    lambda n: answer(_softmax(np.ones((n, 3)))))),)),
    "1.3": Spec("cross_entropy", points=2, test=test_cross_entropy,
                reference="utils.saved.lab01_softmax:cross_entropy"),
    "1.4": Spec("loss_and_grads", points=3, test=test_loss_and_grads,
                reference="utils.saved.lab01_softmax:loss_and_grads",
                clauses=(Clause("no loop over samples", lambda answer: loop_free(
                    lambda n: answer(np.zeros((4, 3)), np.zeros(3),
                                     np.ones((n, 4)), np.arange(n) % 3))),)),
    "1.5": Spec("gradient_check", points=3, test=test_gradient_check,
                reference="utils.saved.lab01_softmax:gradient_check",
                replaces=("utils.checks:numerical_gradient",)),
    "1.6": Spec("train", points=4, test=test_train,
                reference="utils.saved.lab01_softmax:train"),
    "1.7": Spec("class_contrast", points=2, test=test_class_contrast,
                reference="utils.saved.lab01_softmax:class_contrast",
                clauses=(Clause("no loop over images", lambda answer: loop_free(
                    lambda n: answer(np.ones((n, 3)), np.arange(n) % 2, 2),
                    "image")),)),
}
