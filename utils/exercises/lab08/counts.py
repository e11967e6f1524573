"""Checks of exercises 8.5 (wilson_interval), 8.6 (confusion_matrix) and
8.7 (read_among_others)."""

from __future__ import annotations

import numpy as np

from .. import require
from ..common import answer_array, answer_pair
from ._shared import _among_others

# --- 8.5 the Wilson interval ---------------------------------------------------


def _wilson_roots(right, n, z):
    """The two p where (right/n - p)^2 = z^2 p (1 - p) / n, by np.roots."""
    p_hat = right / n
    t = z * z / n
    roots = np.roots([1 + t, -(2 * p_hat + t), p_hat * p_hat]).real
    return float(roots.min()), float(roots.max())


def _two_sided_z(confidence):
    from scipy.stats import norm

    return float(norm.isf((1 - confidence) / 2))


def check_wilson_interval(
    wilson_interval, seed: int = 0, n: int = 36, confidence: float = 0.95
) -> str:
    """wilson_interval(right, n, confidence) -> (low, high)."""
    rng = np.random.default_rng(seed)
    z = _two_sided_z(confidence)
    counts = sorted({0, n, 1, n - 1, *rng.integers(0, n + 1, 4).tolist()})
    for right in counts:
        got = wilson_interval(right, n, confidence)
        require(got is not None, "wilson_interval returned None: return (low, high).")
        low, high = (float(np.asarray(v)) for v in answer_pair(got, "(low, high)"))
        want = _wilson_roots(right, n, z)
        where = (
            f"for {right} right of {n} at {confidence:.0%}: expected "
            f"({want[0]:.4f}, {want[1]:.4f}), got ({low:.4f}, "
            f"{high:.4f})."
        )
        if np.allclose((low, high), want, rtol=1e-6, atol=1e-9):
            continue
        require(
            not np.allclose((high, low), want, atol=1e-9),
            f"{where} The ends are swapped: return (low, high).",
        )
        p = right / n
        wald = z * np.sqrt(p * (1 - p) / n)
        require(
            not np.allclose((low, high), (p - wald, p + wald), atol=1e-9)
            and not np.allclose((low, high), (max(p - wald, 0), min(p + wald, 1)), atol=1e-9),
            f"{where} That is the Wald interval, p_hat +- z * its own "
            "standard error; the Wilson interval keeps every p whose "
            "own standard error sqrt(p(1-p)/n) covers the distance: "
            "solve the quadratic in p.",
        )
        for other, what in (
            (_two_sided_z(2 * confidence - 1), "one-sided quantile norm.ppf(confidence)"),
            (1.96, "z of 95 % whatever the confidence"),
        ):
            require(
                not np.allclose((low, high), _wilson_roots(right, n, other), atol=1e-9)
                or abs(other - z) < 1e-9,
                f"{where} This is the interval for z = {other:.3f}, "
                f"the {what}: the interval is two-sided, so z leaves "
                "(1 - confidence) / 2 in each tail.",
            )
        require(
            False, f"{where} The ends are the two roots p of (p_hat - p)^2 = z^2 p (1 - p) / n."
        )
    plain = wilson_interval(counts[-2], n)
    want = _wilson_roots(counts[-2], n, _two_sided_z(0.95))
    require(
        isinstance(plain, tuple)
        and np.allclose([float(np.asarray(v)) for v in plain], want, rtol=1e-6, atol=1e-9),
        f"wilson_interval({counts[-2]}, {n}) gave {plain!r}, expected the "
        f"95 % interval {want}: the confidence is 0.95 by default.",
    )
    return (
        f"Wilson intervals for {len(counts)} counts of {n} at "
        f"{confidence:.0%}, from 0 right to all right."
    )


# --- 8.6 the confusion matrix ---------------------------------------------------


def check_confusion_matrix(confusion_matrix, seed: int = 0, n: int = 30, n_classes: int = 4) -> str:
    """confusion_matrix(truth, predicted, n_classes) -> (n_classes,
    n_classes) counts, row = true label, column = predicted label."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, n_classes - 1, n)  # the last label never true
    predicted = np.where(rng.random(n) < 0.6, truth, rng.integers(0, n_classes - 1, n))
    predicted[0] = truth[0] = 0  # repeated pairs, always
    predicted[1] = truth[1] = 0
    args = truth.copy(), predicted.copy()
    got = answer_array(
        confusion_matrix(*args, n_classes),
        f"confusion_matrix(truth, predicted, {n_classes})",
        dtype=None,
    )
    require(
        np.array_equal(args[0], truth) and np.array_equal(args[1], predicted),
        "confusion_matrix changed its arguments.",
    )
    require(
        got.shape == (n_classes, n_classes),
        f"expected shape "
        f"({n_classes}, {n_classes}) for {n_classes} labels (the last "
        f"never occurs here, it still has its row and column); got "
        f"{got.shape}.",
    )
    right = np.zeros((n_classes, n_classes), np.int64)
    for t, p in zip(truth, predicted):
        right[t, p] += 1
    if np.array_equal(got, right):
        require(
            np.issubdtype(got.dtype, np.integer),
            f"the counts are of dtype {got.dtype}: return integers.",
        )
        return f"{n} pairs counted in a {n_classes} x {n_classes} matrix, row = true label."
    require(
        not np.array_equal(got, right.T),
        "the matrix is transposed: row i is the TRUE label i, column j the predicted label j.",
    )
    require(
        not np.array_equal(got, np.minimum(right, 1)),
        "every cell "
        "counts at most 1: m[truth, predicted] += 1 with arrays adds "
        "once per cell, however often a pair repeats. Count with "
        "np.add.at or a loop.",
    )
    require(
        got.sum() == n, f"the counts add up to {got.sum()}, not to the {n} pairs: each pair adds 1."
    )
    require(
        False,
        f"the counts differ from the number of times each (true, "
        f"predicted) pair occurs ({int((got != right).sum())} cells).",
    )


# --- 8.7 reading letters among all but their own original --------------------


def _redrawn(rng, n_originals, per, dim, n_classes, spread=1.0):
    """Originals in clusters, and ``per`` noisy copies of each (queries)."""
    labels = rng.permutation(np.arange(n_originals) % n_classes)
    centres = rng.normal(0, 1.2, (n_classes, dim))
    references = centres[labels] + rng.normal(0, spread, (n_originals, dim))
    originals = np.repeat(np.arange(n_originals), per)
    queries = references[originals] + rng.normal(0, 0.3 * spread, (len(originals), dim))
    return queries, originals, references, labels


def check_read_among_others(
    read_among_others,
    seed: int = 0,
    n_originals: int = 12,
    per: int = 2,
    dim: int = 5,
    n_classes: int = 3,
    k: int = 3,
) -> str:
    """read_among_others(queries, originals, references, labels, k,
    letters=None) -> (q,) labels."""
    rng = np.random.default_rng(seed)
    queries, originals, references, labels = _redrawn(rng, n_originals, per, dim, n_classes)
    subset = sorted(rng.choice(n_classes, n_classes - 1, replace=False).tolist())
    for k_now, letters in ((1, None), (k, None), (k, subset)):
        args = (queries.copy(), originals.copy(), references.copy(), labels.copy())
        call = (
            f"read_among_others(queries, originals, references, labels, "
            f"{k_now}" + ("" if letters is None else f", {letters}") + ")"
        )
        got = answer_array(
            read_among_others(*args, k_now)
            if letters is None
            else read_among_others(*args, k_now, letters),
            call,
            dtype=None,
        )
        require(
            all(
                np.array_equal(a, b) for a, b in zip(args, (queries, originals, references, labels))
            ),
            f"{call} changed its arguments.",
        )
        require(
            got.shape == (len(queries),),
            f"{call}: return one label per query, shape ({len(queries)},); got {got.shape}.",
        )
        right = _among_others(queries, originals, references, labels, k_now, letters)
        if np.array_equal(got, right):
            continue
        wrong = int(np.sum(got != right))
        where = f"{call}: {wrong} of {len(queries)} labels differ."
        require(
            not any(
                np.array_equal(
                    got,
                    _among_others(queries, originals, references, labels, k_now, letters, exclude),
                )
                for exclude in ("none", "diagonal")
            ),
            f"{where} Each query's own original still took part: set the "
            "distance from query i to reference originals[i] to infinity "
            "(not entry (i, i), the diagonal: query i is a copy of "
            "reference originals[i], not of reference i).",
        )
        if letters is not None:
            require(
                not np.array_equal(
                    got, _among_others(queries, originals, references, labels, k_now)
                ),
                f"{where} The letters were ignored: read each query among "
                f"the references labelled one of {letters} only.",
            )
        require(
            False,
            f"{where} Expected k-NN (knn_predict) on the SSD "
            "distances, each query among the references but its own "
            "original" + ("" if letters is None else f", labelled one of {letters}") + ".",
        )
    return (
        f"{len(queries)} redrawn letters read among {n_originals} "
        f"references but their own originals, k = {sorted({1, k})}, "
        "with and without a subset of letters."
    )
