"""Checks of exercises 1.3 (cross_entropy), 1.4 (loss_and_grads) and 1.5
(gradient_check)."""

from __future__ import annotations

import numpy as np

from ...checks import numerical_gradient, rel_error
from .. import require
from ..common import answer_array, looks_like, rel_close
from ._shared import TOL


def _cross_entropy(o: np.ndarray, y: np.ndarray) -> float:
    """Summed -log p_y, with the log-sum-exp of np.logaddexp."""
    return float(np.sum(np.logaddexp.reduce(o, axis=1) - o[np.arange(len(y)), y]))


def check_cross_entropy(
    cross_entropy, seed: int = 0, n: int = 7, k: int = 10, scale: float = 3.0
) -> str:
    """Exercise 1.3: the summed cross-entropy of scores, via log-sum-exp."""
    rng = np.random.default_rng(seed)
    o = scale * rng.normal(size=(n, k))
    y = rng.integers(0, k, n)
    value = cross_entropy(o.copy(), y.copy())
    require(value is not None, "cross_entropy returned None: return the loss.")
    require(
        np.ndim(value) == 0 or np.size(value) == 1,
        f"return ONE number, the loss summed over the batch; got an array "
        f"of shape {np.shape(value)}.",
    )
    value = float(np.asarray(value).reshape(()))
    expected = _cross_entropy(o, y)
    if n > 1 and np.isclose(value, expected / n, rtol=1e-8):
        raise AssertionError(
            "the loss is N times too small: the lab's "
            "cross-entropy is the SUM over the batch, not "
            "the mean."
        )
    if np.isclose(value, -expected, rtol=1e-8):
        raise AssertionError(
            "the loss is negative: C = -sum log p_y, and a log-probability is below zero."
        )
    require(
        np.isclose(value, expected, rtol=1e-10),
        f"the loss should be {expected:.6f}, got {value:.6f}: add up "
        "-log p[n, y[n]], the true class's log-probability of each row "
        "(index with [np.arange(N), y]).",
    )
    extreme = np.array([[0.0, 1000.0, 0.0], [1000.0, 1001.0, 0.0], [-1000.0, -1001.0, -1002.0]])
    labels = np.array([0, 0, 0])
    with np.errstate(all="ignore"):
        value = float(np.asarray(cross_entropy(extreme.copy(), labels)).reshape(()))
    expected = _cross_entropy(extreme, labels)
    require(
        np.isfinite(value),
        f"scores [0, 1000, 0] with label 0 gave C = {value}: p underflowed "
        "to 0 (or exp overflowed) before the log. Compute log p directly: "
        "log p = (o - max) - log(sum(exp(o - max))).",
    )
    require(
        np.isclose(value, expected, rtol=1e-10),
        f"for scores [0, 1000, 0], [1000, 1001, 0] and [-1000, -1001, "
        f"-1002], all labelled 0, C should be {expected:.4f}, got "
        f"{value:.4f}: shift EACH row by its own maximum.",
    )
    return f"the summed loss of {n} rows is right, and finite at scores of 1000."


def _regression_loss(W, b, X, y) -> float:
    """Summed cross-entropy of softmax regression, one example at a time."""
    return sum(float(np.logaddexp.reduce(x @ W + b) - (x @ W + b)[label]) for x, label in zip(X, y))


def _gradient_matches(name: str, got, numeric, n: int, formula: str) -> None:
    """Compare a gradient with centred differences, naming the usual slips."""
    if looks_like(got, -numeric, numeric, TOL):
        raise AssertionError(f"{name} has the wrong sign: dC/dO = P - Y, not Y - P.")
    if looks_like(got, numeric / n, numeric, TOL):
        raise AssertionError(
            f"{name} is N times too small: the loss is the "
            "SUM over the batch, so do not divide by N."
        )
    require(
        rel_close(got, numeric, TOL),
        f"{name} disagrees with centred differences of the loss (rel. "
        f"error {rel_error(got, numeric):.1e}, tolerance 1e-6): {formula}.",
    )


def check_loss_and_grads(loss_and_grads, seed: int = 0, n: int = 9, d: int = 6, k: int = 4) -> str:
    """Exercise 1.4: the summed loss of softmax regression and (dW, db)."""
    rng = np.random.default_rng(seed)
    X = rng.random((n, d))
    y = rng.integers(0, k, n)
    W = 0.5 * rng.normal(size=(d, k))
    b = 0.5 * rng.normal(size=k)
    result = loss_and_grads(W.copy(), b.copy(), X.copy(), y.copy())
    require(
        isinstance(result, (tuple, list)) and len(result) == 3,
        "return the three values (loss, dW, db).",
    )
    loss, dW, db = result
    require(
        np.size(loss) == 1,
        f"the loss is one number (summed over the batch), got shape {np.shape(loss)}.",
    )
    loss = float(np.asarray(loss).reshape(()))
    expected = _regression_loss(W, b, X, y)
    if n > 1 and np.isclose(loss, expected / n, rtol=1e-8):
        raise AssertionError(
            "the loss is N times too small: sum the cross-entropy over the batch, do not average."
        )
    if np.isclose(loss, _regression_loss(W, 0 * b, X, y), rtol=1e-8):
        raise AssertionError("the loss ignores b: the scores are X @ W + b.")
    require(
        np.isclose(loss, expected, rtol=1e-8),
        f"the loss should be {expected:.6f}, got {loss:.6f}: the summed "
        "cross-entropy of the scores X @ W + b.",
    )

    def loss_now():
        return _regression_loss(W, b, X, y)

    numeric_W = np.array(
        [numerical_gradient(loss_now, W, index, 1e-5) for index in np.ndindex(*W.shape)]
    ).reshape(W.shape)
    numeric_b = np.array(
        [numerical_gradient(loss_now, b, index, 1e-5) for index in np.ndindex(*b.shape)]
    )
    if np.shape(dW) == (k, d) and d != k:
        raise AssertionError(
            f"dW has shape {np.shape(dW)}, W has {W.shape}: it is transposed. dC/dW = X^T (P - Y)."
        )
    dW = answer_array(dW, "dW", shape=W.shape)
    _gradient_matches(
        "dW",
        dW,
        numeric_W,
        n,
        "X^T (P - Y), with P the softmax of X @ W + b and Y the one-hot labels",
    )
    db = answer_array(db, "db (one entry per class: sum P - Y over axis 0)", shape=b.shape)
    _gradient_matches("db", db, numeric_b, n, "the sum over the batch of P - Y")
    error = max(rel_error(dW, numeric_W), rel_error(db, numeric_b))
    big = W * 4000  # scores near +-1000: the loss must stay finite
    with np.errstate(all="ignore"):
        big_loss = np.asarray(
            loss_and_grads(big, b.copy(), X.copy(), y.copy())[0], dtype=np.float64
        )
    right_big = _regression_loss(big, b, X, y)
    require(
        np.isfinite(big_loss).all() and np.isclose(float(big_loss), right_big, rtol=1e-8),
        f"with scores near +-1000 the loss should be {right_big:.1f}, got "
        f"{float(big_loss):.1f}: compute it with cross_entropy (the "
        "log-sum-exp), not np.log(softmax(...)), which takes the log of 0.",
    )
    one = loss_and_grads(W.copy(), b.copy(), X[:1].copy(), y[:1].copy())
    require(
        np.shape(one[1]) == W.shape and np.shape(one[2]) == b.shape,
        "a batch of one image gave gradients of shapes "
        f"{np.shape(one[1])} and {np.shape(one[2])}: keep the batch axis "
        "(no np.squeeze).",
    )
    single = [
        np.asarray(v)
        for v in loss_and_grads(*(a.astype(np.float32) for a in (W, b, X)), y.copy())[1:]
    ]
    require(
        all(v.dtype == np.float32 for v in single),
        "float32 inputs gave gradients of dtype "
        f"{', '.join(str(v.dtype) for v in single)}: make the one-hot "
        "labels in the scores' dtype, one_hot(y, K, dtype=O.dtype), so "
        "that section 6 trains in float32.",
    )
    return (
        f"loss, dW and db match centred differences (rel. error "
        f"{error:.0e}); float32 stays float32."
    )


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
        return 3 * x**2 + 2 * self.coupling * x.sum()

    def __call__(self, x) -> float:
        require(
            x is not self.given or np.array_equal(x, self.params),
            "loss was called with params itself, "
            "nudged in place: build params + h e and params - h e as new "
            "arrays (the spec's 'on new arrays').",
        )
        x = np.asarray(x)
        require(
            x.shape == self.params.shape,
            f"loss was called with an array of shape {x.shape}; it takes "
            f"arrays shaped like params {self.params.shape} (a copy of "
            "params with one entry nudged).",
        )
        moved = np.argwhere(x != self.params)
        if len(moved) == 1:
            self.nudged.append(tuple(int(i) for i in moved[0]))
        return float(np.sum(x**3) + self.coupling * np.sum(x) ** 2)


def _checked(gradient_check, params, grad, n_checks, h, seed):
    """Run ``gradient_check``; return its value and the entries it nudged."""
    loss = _Loss(params)
    before, state = params.copy(), np.random.get_state()[1].copy()
    value = gradient_check(loss, params, grad, n_checks, h=h, seed=seed)
    require(
        np.array_equal(np.random.get_state()[1], state),
        "gradient_check reset NumPy's global random state (np.random.seed"
        "): draw the entries from np.random.default_rng(seed), a "
        "generator of its own.",
    )
    require(
        np.array_equal(params, before),
        "gradient_check changed params: leave them as they were "
        "(build params + h e and params - h e as new arrays).",
    )
    require(
        value is not None and np.size(value) == 1,
        "return one number: the worst error over the checked entries.",
    )
    return float(np.asarray(value).reshape(())), loss.nudged


def check_gradient_check(
    gradient_check, seed: int = 0, shape: tuple = (5, 4), h: float = 1e-2, n_checks: int = 12
) -> str:
    """Exercise 1.5: the worst centred-difference error at random entries."""
    rng = np.random.default_rng(seed)
    for case_shape in (tuple(shape), (shape[0] + 2,)):
        params = rng.uniform(0.5, 3.0, size=case_shape)
        grad = _Loss(params).gradient()
        checks = min(n_checks, params.size)
        value, nudged = _checked(gradient_check, params, grad.copy(), checks, h, seed)
        expected = h**2 / np.abs(grad).max()
        ratio = value / expected
        if ratio > 100:
            raise AssertionError(
                f"for f(x) = sum(x^3) + 0.3 (sum x)^2 and h = {h:g} the worst "
                f"error should be h^2 / max|grad| = {expected:.2e}, got "
                f"{value:.2e}: is it a centred difference (f(x + h e) - "
                "f(x - h e)) / (2 h) of loss at params itself? A forward "
                "difference errs by O(h), a centred one by O(h^2)."
            )
        if 1.001 < ratio <= 100:
            raise AssertionError(
                f"the worst error should be {expected:.2e}, got {value:.2e}: "
                "measure |numeric - grad[i]| relative to the LARGEST |grad| "
                "over all of params, not to grad[i] itself."
            )
        require(
            abs(ratio - 1) < 1e-3,
            f"for f(x) = sum(x^3) + 0.3 (sum x)^2 and h = {h:g} the worst "
            f"error should be h^2 / max|grad| = {expected:.2e}, got "
            f"{value:.2e}: use the step h you are given, and return the "
            "largest error.",
        )
        require(
            len(nudged) == 2 * checks,
            f"loss was called with {len(nudged)} nudged arrays for "
            f"n_checks = {checks}: a centred difference at each of "
            "n_checks entries takes two.",
        )
    params = rng.uniform(0.5, 3.0, size=shape)
    wrong = _Loss(params).gradient()
    rows = np.arange(shape[0]) >= shape[0] - 2  # wrong in the last two rows
    wrong[rows] = 0.0
    checks = min(n_checks, params.size)
    value, nudged = _checked(gradient_check, params, wrong, checks, h, seed)
    entries = sorted(set(nudged))
    scale = np.abs(wrong).max()
    errors = [abs(_centred(params, e, h) - wrong[e]) / scale for e in entries]
    require(
        np.isclose(value, max(errors), rtol=1e-6),
        f"on the entries your code checked the worst error is "
        f"{max(errors):.3e}, you returned {value:.3e}: return the "
        "LARGEST error, not the mean or the last one.",
    )
    again = _checked(gradient_check, params, wrong, checks, h, seed)[1]
    require(
        again == nudged,
        "the same seed checked other entries: draw them "
        "with np.random.default_rng(seed), not an unseeded generator.",
    )
    seeds = [seed + 1 + i for i in range(4)]
    picks = [frozenset(_checked(gradient_check, params, wrong, checks, h, s)[1]) for s in seeds]
    require(
        len(set(picks + [frozenset(nudged)])) > 1,
        f"seeds {seed} and {seeds} all checked the same entries: pick them "
        "at random with np.random.default_rng(seed), e.g. "
        "tuple(int(rng.integers(m)) for m in params.shape).",
    )
    seen = set().union(*picks, nudged)
    for axis, size in enumerate(shape):
        missed = sorted(set(range(size)) - {e[axis] for e in seen})
        require(
            not missed,
            f"in 5 seeds no entry was checked at index "
            f"{missed} of axis {axis} (size {size}): draw each index over "
            "its whole range, rng.integers(m) gives 0 .. m - 1.",
        )
    caught = [any(rows[e[0]] for e in p) for p in picks + [frozenset(nudged)]]
    require(
        any(caught),
        f"a gradient that is wrong in the last 2 rows of a {shape} array "
        f"was never looked at in 5 seeds: pick the entries at random over "
        "ALL of params.",
    )
    noisy = wrong + rng.normal(0, 1, wrong.shape)  # an error per entry
    left_out = gradient_check(_Loss(params), params, noisy, checks)
    given = gradient_check(_Loss(params), params, noisy, checks, h=1e-5, seed=0)
    require(
        np.isclose(float(left_out), float(given), rtol=1e-12),
        "called without h and seed, gradient_check gave another result "
        "than with h=1e-5, seed=0: keep the spec's defaults.",
    )
    return (
        "h^2 / max|grad| exactly, params untouched, the worst error of "
        "the entries checked, other entries for other seeds."
    )


def _centred(params: np.ndarray, entry: tuple, h: float) -> float:
    """The centred difference of ``_Loss`` at ``entry``."""
    loss, step = _Loss(params), np.zeros_like(params)
    step[entry] = h
    return (loss(params + step) - loss(params - step)) / (2 * h)
