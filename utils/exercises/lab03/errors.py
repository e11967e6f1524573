"""Checks of exercises 3.6 (per_class_errors) and 3.7 (most_confused)."""

from __future__ import annotations

import numpy as np

from .. import require


def check_per_class_errors(answer, seed=39, n=60, n_classes=10) -> str:
    """per_class_errors(y_true, y_pred, n_classes) on random labels."""
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, n_classes - 1, n)  # the last class: no images
    y_pred = y_true.copy()
    wrong = rng.random(n) < 0.3
    y_pred[wrong] = rng.integers(0, n_classes, wrong.sum())
    expected = np.zeros(n_classes, dtype=int)
    for true, predicted in zip(y_true, y_pred):
        if true != predicted:
            expected[true] += 1
    classes = {} if n_classes == 10 else {"n_classes": n_classes}  # default 10
    got = answer(y_true, y_pred, **classes)
    require(
        isinstance(got, np.ndarray), f"return a NumPy array of counts, not a {type(got).__name__}."
    )
    require(
        got.shape == (n_classes,),
        f"one count per class: expected shape ({n_classes},), got "
        f"{got.shape}. Did you pass minlength=n_classes?",
    )
    by_prediction = np.bincount(y_pred[y_true != y_pred], minlength=n_classes)
    require(
        not np.array_equal(got, by_prediction) or np.array_equal(got, expected),
        "you counted the errors by PREDICTED class; count them by the TRUE class.",
    )
    require(
        np.array_equal(got, expected),
        f"expected {expected.tolist()} misclassified images per true class, got {got.tolist()}.",
    )
    require(
        np.issubdtype(got.dtype, np.integer),
        f"counts are whole numbers: return integers, not {got.dtype}.",
    )
    return f"{int(expected.sum())} errors counted by true class."


def _expected_confusions(y_true, y_pred, k, n_classes):
    """The k most frequent (true, predicted) pairs, counted one by one."""
    counts = {}
    for true, predicted in zip(y_true.tolist(), y_pred.tolist()):
        if true != predicted:
            counts[true, predicted] = counts.get((true, predicted), 0) + 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [(t, p, c) for (t, p), c in ranked[:k]]


def check_most_confused(answer, seed=43, n=300, k=3, n_classes=10, accuracy=0.6) -> str:
    """most_confused(y_true, y_pred, k, n_classes) on random labels."""
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, n_classes, n)
    y_pred = y_true.copy()
    wrong = rng.random(n) > accuracy
    # mistakes drawn from a few favourite wrong classes: some pairs repeat
    y_pred[wrong] = (y_true[wrong] + rng.integers(1, 4, wrong.sum())) % n_classes
    expected = _expected_confusions(y_true, y_pred, k, n_classes)
    options = ({} if k == 3 else {"k": k}) | (  # the defaults: k 3, 10 classes
        {} if n_classes == 10 else {"n_classes": n_classes}
    )
    got = answer(y_true, y_pred, **options)
    require(
        isinstance(got, list),
        f"return a list of (true, predicted, count) triples, not a {type(got).__name__}.",
    )
    require(
        all(isinstance(t, tuple) and len(t) == 3 for t in got),
        "every entry must be a triple (true, predicted, count).",
    )
    kinds = sorted(
        {type(v).__name__ for t in got for v in t if not isinstance(v, int) or isinstance(v, bool)}
    )
    require(
        not kinds,
        f"the triples hold {', '.join(kinds)} values: the "
        "spec asks for Python ints, convert each number with int(...).",
    )
    if n_classes > 10 and got != expected:
        # the slip of coding the pairs as true * 10 + predicted
        codes = y_true * 10 + y_pred
        tens = sorted(
            (
                (c // 10, c % 10, int(m))
                for c, m in zip(*np.unique(codes[codes % 11 != 0], return_counts=True))
            ),
            key=lambda t: (-t[2], t[0], t[1]),
        )[:k]
        require(
            got != tens,
            f"with {n_classes} classes the pairs were "
            "coded as true * 10 + predicted, so different pairs share "
            "a code: code them with n_classes, true * n_classes + "
            "predicted (and decode with divmod by n_classes).",
        )
    require(not any(c == 0 for _, _, c in got), "leave out pairs that never occur (count 0).")
    require(
        not any(t == p for t, p, _ in got),
        "a pair with true == predicted is a CORRECT answer, not a "
        "confusion: leave the diagonal out.",
    )
    require(
        got == expected or got != _expected_confusions(y_pred, y_true, k, n_classes),
        "the pairs are (predicted, true): each triple is (true, "
        "predicted, count), the rows of the confusion matrix being the "
        "true classes.",
    )
    require(
        len(got) == len(expected),
        f"expected the {len(expected)} most frequent confusions, got "
        f"{len(got)}" + (f": return at most k = {k}" if len(got) > k else "") + ".",
    )
    counts = [c for _, _, c in got]
    require(
        counts == sorted(counts, reverse=True),
        f"the counts {counts} must come in decreasing order: the most frequent confusion first.",
    )
    require(
        [c for _, _, c in expected] == counts,
        f"the counts should be {[c for _, _, c in expected]}, got "
        f"{counts}: count each (true, predicted) pair over all images "
        "and keep the largest.",
    )
    require(
        got == expected,
        f"expected {expected}, got {got}: pairs with the same count "
        "come in increasing order of the true class, then of the "
        "predicted class.",
    )
    return (
        f"the {len(expected)} most frequent confusions of {n} images and {n_classes} classes right."
    )
