"""Checks of exercises 8.3 (knn_predict), 8.4 (loo_knn_predictions) and 8.8
(select_method_and_k)."""

from __future__ import annotations

import numpy as np

from .. import require
from ..common import answer_array, answer_pair
from ._shared import _among_others, _knn

# --- 8.3 k-NN with its tie rule ------------------------------------------------


def _distances(rng, n_queries, n_train, n_classes):
    """Random distances (no two equal in a row) and labels with every class."""
    distances = rng.random((n_queries, n_train)) * 10
    labels = rng.permutation(np.arange(n_train) % n_classes)
    return distances, labels


def check_knn_predict(
    knn_predict,
    seed: int = 0,
    n_queries: int = 30,
    n_train: int = 12,
    n_classes: int = 3,
    ks=(1, 2, 3, 4),
) -> str:
    """knn_predict(distances, train_labels, k) -> (q,) labels."""
    rng = np.random.default_rng(seed)
    distances, labels = _distances(rng, n_queries, n_train, n_classes)
    for k in ks:
        args = distances.copy(), labels.copy()
        got = answer_array(
            knn_predict(*args, k), f"knn_predict(distances, labels, {k})", dtype=None
        )
        require(
            np.array_equal(args[0], distances),
            "knn_predict changed the "
            "distances passed in (np.argsort returns a new array; "
            "ndarray.sort sorts in place).",
        )
        require(
            got.shape == (n_queries,),
            f"return one label per query, shape ({n_queries},); got {got.shape}.",
        )
        require(
            np.issubdtype(got.dtype, np.integer),
            f"the labels are of "
            f"dtype {got.dtype}: return integers (the lab indexes lists "
            "of letters with them).",
        )
        right = _knn(distances, labels, k)
        if np.array_equal(got, right):
            continue
        row = int(np.flatnonzero(got != right)[0])
        nearest = labels[np.argsort(distances[row])[:k]].tolist()
        where = (
            f"with k = {k}, a query whose neighbours' labels are, "
            f"nearest first, {nearest}: expected {right[row]}, got "
            f"{got[row]}."
        )
        require(
            not np.array_equal(got, _knn(distances, labels, k, "farthest")),
            f"{where} You took the k FARTHEST training images: sort the distances ascending.",
        )
        require(
            not np.array_equal(got, _knn(distances, labels, k, "smallest")),
            f"{where} A tie between labels went to the smallest label; "
            "it goes to the tied label whose image is nearest.",
        )
        require(
            not np.array_equal(got, _knn(distances, labels, k, "first")),
            f"{where} You returned the nearest neighbour's label even "
            "when another label has more votes.",
        )
        for other in (k - 1, k + 1):
            require(
                other < 1 or not np.array_equal(got, _knn(distances, labels, other)),
                f"{where} That is the vote of {other} neighbours, not {k}.",
            )
        require(False, where)
    one = answer_array(
        knn_predict(distances[:1].copy(), labels.copy(), 3),
        "knn_predict(one query, labels, 3)",
        dtype=None,
    )
    require(
        one.shape == (1,) and one[0] == _knn(distances[:1], labels, 3)[0],
        f"one query with k = 3 gave {one.tolist()}: return one label per "
        "query, shape (1,) (no .squeeze(), which drops the query axis).",
    )
    _ties(knn_predict, rng)
    return (
        f"majority votes of the k nearest, ties to the nearest of the "
        f"tied labels, for k = {list(ks)}; two- and three-way ties among "
        "3,000 images."
    )


def _ties(knn_predict, rng, n_train: int = 3000, n_queries: int = 20) -> None:
    """Queries whose k = 300 nearest of ``n_train`` images tie two or three
    labels (150/150 or 100/100/100); the nearest tied label must win.  (This
    many, because np.argpartition returns small selections sorted.)"""
    labels = np.arange(n_train) % 3
    distances = 2 + rng.random((n_queries, n_train))
    for query in range(n_queries):
        split = (100, 100, 100) if query % 2 else (150, 150, 0)
        chosen = np.concatenate(
            [
                rng.choice(np.flatnonzero(labels == c), size, replace=False)
                for c, size in zip(rng.permutation(3), split)
            ]
        )
        distances[query, chosen] = rng.random(len(chosen))
    got = answer_array(
        knn_predict(distances.copy(), labels.copy(), 300),
        "knn_predict(distances, labels, 300)",
        dtype=None,
    )
    right = _knn(distances, labels, 300)
    wrong = np.flatnonzero(np.asarray(got).reshape(-1)[:n_queries] != right)
    require(
        got.shape == right.shape and not len(wrong),
        f"with k = 300 of {n_train} images, {len(wrong)} of {n_queries} "
        "queries whose neighbours tie two or three labels got another "
        "label than the tied label with the nearest image. Order the k "
        "nearest by distance (np.argsort; np.argpartition leaves them "
        "unordered) and break every tie, not only the first.",
    )


# --- 8.4 leave-one-out ---------------------------------------------------------


def check_loo_knn_predictions(
    loo_knn_predictions, seed: int = 0, n: int = 24, dim: int = 4, n_classes: int = 3, k: int = 3
) -> str:
    """loo_knn_predictions(features, labels, k) -> (n,) predictions."""
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n) % n_classes)
    centres = rng.normal(0, 1.5, (n_classes, dim))
    features = centres[labels] + rng.normal(0, 1, (n, dim))
    features[1] = features[0]  # a duplicate image ...
    labels[1] = (labels[0] + 1) % n_classes  # ... filed under another letter
    squared = ((features[:, None] - features[None]) ** 2).sum(2)
    for k_now in sorted({1, k}):
        args = features.copy(), labels.copy()
        got = answer_array(
            loo_knn_predictions(*args, k_now),
            f"loo_knn_predictions(features, labels, {k_now})",
            dtype=None,
        )
        require(
            np.array_equal(args[0], features) and np.array_equal(args[1], labels),
            "loo_knn_predictions changed its arguments.",
        )
        require(
            got.shape == (n,), f"return one prediction per image, shape ({n},); got {got.shape}."
        )
        excluded = squared.copy()
        np.fill_diagonal(excluded, np.inf)
        right = _knn(excluded, labels, k_now)
        if np.array_equal(got, right):
            continue
        require(
            not np.array_equal(got, _knn(squared, labels, k_now))
            and not (k_now == 1 and np.array_equal(got, labels)),
            f"with k = {k_now} each image voted for itself: set its "
            "distance to itself to infinity (np.fill_diagonal(d, "
            "np.inf)) before the vote.",
        )
        no_zeros = np.where(squared == 0, np.inf, squared)
        pair = [0, 1]  # the two copies
        duplicate_left_out = not np.array_equal(got[pair], right[pair]) and np.array_equal(
            got[pair], _knn(no_zeros, labels, k_now)[pair]
        )
        require(
            not duplicate_left_out,
            f"with k = {k_now} images 0 and 1, "
            "two copies of one image, are classified wrong: a duplicate "
            "(distance 0, but not the image itself) was left out. "
            "Exclude only the diagonal.",
        )
        wrong = int(np.sum(got != right))
        require(
            False,
            f"with k = {k_now}, {wrong} of {n} predictions differ "
            "from knn_predict on the SSD distances of each image to all "
            "the others.",
        )
    accuracy = float(np.mean(right == labels))
    return (
        f"leave-one-out with k = {sorted({1, k})}: only the image itself "
        f"left out (accuracy {accuracy:.2f} on these {n} points)."
    )


# --- 8.8 choosing the method and k ---------------------------------------------


def _candidates(rng, n_originals, per, dim, n_classes, spreads):
    """One (queries, references) pair per spread, all of the same letters:
    the same originals and labels described by different features."""
    labels = rng.permutation(np.arange(n_originals) % n_classes)
    originals = np.repeat(np.arange(n_originals), per)
    pairs = []
    for spread in spreads:
        centres = rng.normal(0, 1.0, (n_classes, dim))
        references = centres[labels] + rng.normal(0, spread, (n_originals, dim))
        queries = references[originals] + rng.normal(0, spread, (len(originals), dim))
        pairs.append((queries, references))
    return pairs, originals, labels


def check_select_method_and_k(
    select_method_and_k,
    seed: int = 0,
    n_originals: int = 18,
    per: int = 2,
    dim: int = 4,
    n_classes: int = 3,
    k_values=(1, 3, 5, 7),
) -> str:
    """select_method_and_k(candidates, originals, labels, k_values) ->
    (scores (c, len(k_values)), (candidate index, k))."""
    rng = np.random.default_rng(seed)
    k_values = list(k_values)
    for _ in range(100):  # until the two steps and the best pair differ
        pairs, originals, labels = _candidates(
            rng, n_originals, per, dim, n_classes, (1.2, 0.7, 1.0, 0.9)
        )
        truth = labels[originals]
        right = np.array(
            [
                [np.mean(_among_others(q, originals, r, labels, k) == truth) for k in k_values]
                for q, r in pairs
            ]
        )
        best = int(np.argmax(right[:, 0]))
        jointly = np.unravel_index(int(np.argmax(right)), right.shape)
        if jointly[0] != best and np.argmax(right[best]) > 0:
            break
    pairs.append(tuple(x.copy() for x in pairs[best]))  # a tie: the earlier
    right = np.vstack([right, right[best]])
    given = [tuple(x.copy() for x in pair) for pair in pairs]
    got = select_method_and_k(given, originals.copy(), labels.copy(), list(k_values))
    scores, choice = answer_pair(got, "(scores, (candidate, k))")
    scores = answer_array(scores, "scores", dtype=None)
    require(
        all(np.array_equal(a, b) for pair, pair0 in zip(given, pairs) for a, b in zip(pair, pair0)),
        "select_method_and_k changed the candidates' arrays.",
    )
    shape = (len(pairs), len(k_values))
    require(
        scores.shape != shape[::-1] or shape[0] == shape[1],
        f"scores has shape {scores.shape}: one ROW per candidate and one column per k.",
    )
    require(
        scores.shape == shape,
        f"scores should have shape {shape}, one "
        f"row per candidate and one column per k; got {scores.shape}.",
    )
    if not np.allclose(scores, right, atol=1e-9):
        i, j = np.argwhere(~np.isclose(scores, right, atol=1e-9))[0]
        require(
            False,
            f"candidate {i} with k = {k_values[j]}: expected "
            f"accuracy {right[i, j]:.3f}, got {scores[i, j]:.3f}. Read "
            "each query with read_among_others and compare with the "
            "label of its original, labels[originals].",
        )
    require(
        isinstance(choice, tuple) and len(choice) == 2,
        f"the choice should be a pair (candidate index, k); got {choice!r}.",
    )
    candidate, k = choice
    k_best = k_values[int(np.argmax(right[best]))]
    require(
        candidate != len(pairs) - 1,
        "the last candidate is a copy of "
        f"candidate {best} and ties with it: a tie goes to the EARLIER "
        "candidate (np.argmax returns the first maximum).",
    )
    if candidate != best and (int(jointly[0]), k_values[int(jointly[1])]) == (candidate, k):
        require(
            False,
            f"you chose ({candidate}, {k}), the best pair over "
            "all k; the spec chooses the candidate by its score at "
            f"k_values[0] = {k_values[0]} (plain nearest neighbour), "
            "then its k.",
        )
    require(
        int(candidate) == best,
        f"expected candidate {best}, the best "
        f"at k = {k_values[0]} (scores there {right[:, 0].round(3)}); "
        f"got {candidate}.",
    )
    require(
        k == k_best or k != int(np.argmax(right[best])),
        f"k = {k} is "
        f"the position of the best k in k_values {k_values}: return the "
        "k itself, not its index.",
    )
    require(k in k_values, f"k = {k} is not one of k_values {k_values}.")
    require(
        k == k_best,
        f"for candidate {best} (scores by k "
        f"{right[best].round(3)}) expected k = {k_best}: the k with "
        "the highest score, the smallest of any tied.",
    )
    return (
        f"{len(pairs)} candidates x {len(k_values)} values of k scored; "
        f"chosen: candidate {best}, k = {k_best}."
    )
