"""Graded exercises of lab 08 (Greek letters in the embedding): tests, points, references.

Every test builds its own inputs from a seed: a small random network with a
dropout layer and an ``embed`` method, random points in clusters, random
distance matrices with many tied votes, a set with a duplicated image. The
answers are compared with computations written here, independently of the
lab's reference in ``utils.saved.lab08_embedding``.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from ..checks import close, rel_error
from . import Clause, Spec, loop_free, require
from .offcpu import off_cpu


def _close(a, b, tol: float = 1e-6) -> bool:
    return close(a, b, tol)


def _array(value, what: str) -> np.ndarray:
    require(value is not None, f"{what} is None: return the result.")
    require(not isinstance(value, torch.Tensor), f"{what} is a torch tensor: "
            "return a NumPy array (.cpu().numpy()).")
    require(isinstance(value, np.ndarray), f"{what} is a "
            f"{type(value).__name__}: return a NumPy array.")
    return value


# --- 8.1 the embedding -------------------------------------------------------

class _Net(nn.Module):
    """A small digit network: conv, dropout, a hidden layer, 10 outputs."""

    def __init__(self, width: int):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 5)
        self.drop = nn.Dropout(0.5)
        self.hidden = nn.Linear(4 * 12 * 12, width)
        self.out = nn.Linear(width, 10)

    def embed(self, x):
        x = F.relu(F.max_pool2d(self.conv(x), 2))
        return F.relu(self.hidden(self.drop(x.flatten(1))))

    def forward(self, x):
        return F.log_softmax(self.out(self.embed(x)), dim=1)


def test_embed(embed, seed: int = 0, n: int = 5, width: int = 7) -> str:
    """embed(model, batch) -> (N, embed_dim) NumPy array, in eval mode."""
    torch.manual_seed(seed)
    net = _Net(width).eval()
    batch = np.random.default_rng(seed).random((n, 28, 28))  # float64
    with torch.no_grad():
        right = net.embed(torch.from_numpy(batch).float()[:, None]).numpy()
    net.train()                         # as after training: dropout on
    given = batch.copy()
    try:
        got = embed(net, given)
    except RuntimeError as err:         # torch: "Input type (double) ..."
        require("double" not in str(err).lower(), "the images came as "
                "float64 and reached the network as such; its weights are "
                "float32: convert the images (np.asarray(batch, "
                f"dtype=np.float32)). torch said: {err}")
        raise
    got = _array(got, f"embed(model, batch of {n})")
    require(np.array_equal(given, batch), "embed changed the images passed "
            "in; convert a copy.")
    if width != 10:
        require(got.shape != (n, 10), "these are the network's 10 outputs "
                "(log-probabilities): the embedding is model.embed(x), the "
                "hidden layer before the last.")
    require(got.shape == (n, width), f"for {n} images and a hidden layer of "
            f"{width} units expected shape ({n}, {width}), got {got.shape}.")
    if not _close(got, right, 1e-5):
        net.train()
        again = _array(embed(net, batch.copy()), "embed(model, batch)")
        require(np.array_equal(again, got), "two calls gave different "
                "embeddings of the same images: dropout is on. Call "
                "model.eval() first.")
        require(False, "the values differ from model.embed(x) with x the "
                "images as a float32 tensor (N, 1, 28, 28), in eval mode "
                f"(rel. error {rel_error(got, right):.1e}).")
    return f"({n}, {width}) embeddings in eval mode, from float64 images."


class _Probe(nn.Module):
    """A model whose weights are on the meta device (a stand-in for a GPU):
    ``embed`` records the device of its input and whether gradients were on,
    and returns zeros that act as if on a GPU (a meta tensor has no values):
    ``.numpy()`` needs ``.cpu()`` first."""

    def __init__(self, width: int = 3):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(width, device="meta"))
        self.seen: list[tuple[torch.device, bool]] = []

    def embed(self, x):
        self.seen.append((x.device, torch.is_grad_enabled()))
        return off_cpu(len(x), self.weight.shape[0])


def _probed(embed) -> list:
    """Run ``embed`` on the probe; return what its ``embed`` saw."""
    probe = _Probe()
    got = embed(probe, np.random.default_rng(0).random((2, 28, 28)))
    require(len(probe.seen) >= 1, "model.embed was never called.")
    _array(got, "embed(model, batch)")
    return probe.seen


def _on_the_device(embed) -> str:
    """The spec's "run on the device the model's weights are on"."""
    devices = {str(device) for device, _ in _probed(embed)}
    require(devices == {"meta"}, f"the model's weights are on the 'meta' "
            f"device (a stand-in for a GPU) but the images reached "
            f"model.embed on {sorted(devices)}: move them with "
            ".to(next(model.parameters()).device).")
    return "the images go to the model's device"


def _gradients_off(embed) -> str:
    """The spec's "turn gradients off (torch.no_grad())"."""
    require(not any(grad for _, grad in _probed(embed)),
            "model.embed ran with gradients on: wrap it in "
            "`with torch.no_grad():` (.detach() afterwards still builds "
            "the graph, and costs its memory).")
    return "model.embed runs under torch.no_grad()"


# --- 8.2 SSD distances -------------------------------------------------------

def test_ssd_matrix(ssd_matrix, seed: int = 0, n: int = 4, m: int = 3,
                    dim: int = 6) -> str:
    """ssd_matrix(a, b) -> (n, m) sums of squared differences."""
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=(n, dim)), rng.normal(size=(m, dim)) + 0.5
    args = a.copy(), b.copy()
    got = _array(ssd_matrix(*args), f"ssd_matrix(a ({n}, {dim}), b ({m}, "
                 f"{dim}))").astype(np.float64)
    require(np.array_equal(args[0], a) and np.array_equal(args[1], b),
            "ssd_matrix changed its arguments; compute with new arrays.")
    right = np.array([[np.sum((x - y) ** 2) for y in b] for x in a])
    if n != m:
        require(got.shape != (m, n), f"the shape is ({m}, {n}): row i of "
                "the result belongs to row i of a, column j to row j of b.")
    require(got.shape == (n, m), f"expected shape ({n}, {m}), one row per "
            f"row of a and one column per row of b; got {got.shape}.")
    if not _close(got, right, 1e-8):
        require(not _close(got, np.sqrt(right), 1e-8), "these are Euclidean "
                "distances: the SSD does not take the square root.")
        require(not _close(got, right / dim, 1e-8), "this is the MEAN of the "
                "squared differences: the SSD is their sum.")
        require(False, f"the values differ from sum((a_i - b_j) ** 2) (rel. "
                f"error {rel_error(got, right):.1e}).")
    same = _array(ssd_matrix(a, a.copy()), "ssd_matrix(a, a)")
    require(np.abs(np.diag(same)).max() <= 1e-9 * (1 + (a ** 2).sum(1).max()),
            "a point's distance to itself should be 0 (up to round-off), got "
            f"{np.abs(np.diag(same)).max():.3g}: clip at 0, not above.")
    # near-identical points far from the origin, in float32 (embeddings are);
    # at least 16 of them in 16 dimensions, so that round-off shows whatever
    # the case's size
    rows = max(n, 16)
    far = (100 + rng.normal(0, 1e-3, (rows, max(dim, 16)))).astype(np.float32)
    own = _array(ssd_matrix(far, far), "ssd_matrix(a, a)").astype(np.float64)
    require(own.shape == (rows, rows), f"ssd_matrix(a, a) should be ({rows}, "
            f"{rows}), got {own.shape}.")
    require(np.isfinite(own).all(), "some distances are nan: the square root "
            "of a negative round-off? The SSD takes no root; clip at 0.")
    require((own >= 0).all(), f"some distances are negative ({own.min():.2g})"
            ": round-off in |a|^2 + |b|^2 - 2 a.b; clip at 0 "
            "(np.maximum(d, 0)).")
    scale = float((far.astype(np.float64) ** 2).sum(1).max())
    require(np.abs(np.diag(own)).max() <= 1e-5 * scale, "a point's distance "
            f"to itself should be 0, got up to {np.abs(np.diag(own)).max():.3g}.")
    return (f"sums of squared differences, ({n}, {m}); never negative, 0 "
            "from a point to itself.")


# --- 8.3 k-NN with its tie rule ------------------------------------------------

def _knn(distances, labels, k, rule="nearest"):
    """k-NN by a rule: 'nearest' (right), 'smallest', 'first', 'farthest'."""
    order = np.argsort(distances, axis=1, kind="stable")
    neighbours = order[:, ::-1][:, :k] if rule == "farthest" else order[:, :k]
    predictions = []
    for row in labels[neighbours]:
        votes = np.bincount(row, minlength=labels.max() + 1)
        tied = np.flatnonzero(votes == votes.max())
        if rule == "smallest":
            predictions.append(tied[0])
        elif rule == "first":
            predictions.append(row[0])
        else:
            predictions.append(next(label for label in row if label in tied))
    return np.array(predictions)


def _distances(rng, n_queries, n_train, n_classes):
    """Random distances (no two equal in a row) and labels with every class."""
    distances = rng.random((n_queries, n_train)) * 10
    labels = rng.permutation(np.arange(n_train) % n_classes)
    return distances, labels


def test_knn_predict(knn_predict, seed: int = 0, n_queries: int = 30,
                     n_train: int = 12, n_classes: int = 3, ks=(1, 2, 3, 4)
                     ) -> str:
    """knn_predict(distances, train_labels, k) -> (q,) labels."""
    rng = np.random.default_rng(seed)
    distances, labels = _distances(rng, n_queries, n_train, n_classes)
    for k in ks:
        args = distances.copy(), labels.copy()
        got = _array(knn_predict(*args, k), f"knn_predict(distances, labels, "
                     f"{k})")
        require(np.array_equal(args[0], distances), "knn_predict changed the "
                "distances passed in (np.argsort returns a new array; "
                "ndarray.sort sorts in place).")
        require(got.shape == (n_queries,), f"return one label per query, "
                f"shape ({n_queries},); got {got.shape}.")
        require(np.issubdtype(got.dtype, np.integer), f"the labels are of "
                f"dtype {got.dtype}: return integers (the lab indexes lists "
                "of letters with them).")
        right = _knn(distances, labels, k)
        if np.array_equal(got, right):
            continue
        row = int(np.flatnonzero(got != right)[0])
        nearest = labels[np.argsort(distances[row])[:k]].tolist()
        where = (f"with k = {k}, a query whose neighbours' labels are, "
                 f"nearest first, {nearest}: expected {right[row]}, got "
                 f"{got[row]}.")
        require(not np.array_equal(got, _knn(distances, labels, k,
                                             "farthest")),
                f"{where} You took the k FARTHEST training images: sort the "
                "distances ascending.")
        require(not np.array_equal(got, _knn(distances, labels, k,
                                             "smallest")),
                f"{where} A tie between labels went to the smallest label; "
                "it goes to the tied label whose image is nearest.")
        require(not np.array_equal(got, _knn(distances, labels, k, "first")),
                f"{where} You returned the nearest neighbour's label even "
                "when another label has more votes.")
        for other in (k - 1, k + 1):
            require(other < 1 or not np.array_equal(
                got, _knn(distances, labels, other)),
                f"{where} That is the vote of {other} neighbours, not {k}.")
        require(False, where)
    one = _array(knn_predict(distances[:1].copy(), labels.copy(), 3),
                 "knn_predict(one query, labels, 3)")
    require(one.shape == (1,) and one[0] == _knn(distances[:1], labels, 3)[0],
            f"one query with k = 3 gave {one.tolist()}: return one label per "
            "query, shape (1,) (no .squeeze(), which drops the query axis).")
    _ties(knn_predict, rng)
    return (f"majority votes of the k nearest, ties to the nearest of the "
            f"tied labels, for k = {list(ks)}; two- and three-way ties among "
            "3,000 images.")


def _ties(knn_predict, rng, n_train: int = 3000, n_queries: int = 20) -> None:
    """Queries whose k = 300 nearest of ``n_train`` images tie two or three
    labels (150/150 or 100/100/100); the nearest tied label must win.  (This
    many, because np.argpartition returns small selections sorted.)"""
    labels = np.arange(n_train) % 3
    distances = 2 + rng.random((n_queries, n_train))
    for query in range(n_queries):
        split = (100, 100, 100) if query % 2 else (150, 150, 0)
        chosen = np.concatenate([
            rng.choice(np.flatnonzero(labels == c), size, replace=False)
            for c, size in zip(rng.permutation(3), split)])
        distances[query, chosen] = rng.random(len(chosen))
    got = _array(knn_predict(distances.copy(), labels.copy(), 300),
                 "knn_predict(distances, labels, 300)")
    right = _knn(distances, labels, 300)
    wrong = np.flatnonzero(np.asarray(got).reshape(-1)[:n_queries] != right)
    require(got.shape == right.shape and not len(wrong),
            f"with k = 300 of {n_train} images, {len(wrong)} of {n_queries} "
            "queries whose neighbours tie two or three labels got another "
            "label than the tied label with the nearest image. Order the k "
            "nearest by distance (np.argsort; np.argpartition leaves them "
            "unordered) and break every tie, not only the first.")


# --- 8.4 leave-one-out ---------------------------------------------------------

def test_loo_knn_predictions(loo_knn_predictions, seed: int = 0, n: int = 24,
                             dim: int = 4, n_classes: int = 3, k: int = 3
                             ) -> str:
    """loo_knn_predictions(features, labels, k) -> (n,) predictions."""
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n) % n_classes)
    centres = rng.normal(0, 1.5, (n_classes, dim))
    features = centres[labels] + rng.normal(0, 1, (n, dim))
    features[1] = features[0]           # a duplicate image ...
    labels[1] = (labels[0] + 1) % n_classes  # ... filed under another letter
    squared = ((features[:, None] - features[None]) ** 2).sum(2)
    for k_now in sorted({1, k}):
        args = features.copy(), labels.copy()
        got = _array(loo_knn_predictions(*args, k_now),
                     f"loo_knn_predictions(features, labels, {k_now})")
        require(np.array_equal(args[0], features) and
                np.array_equal(args[1], labels),
                "loo_knn_predictions changed its arguments.")
        require(got.shape == (n,), f"return one prediction per image, shape "
                f"({n},); got {got.shape}.")
        excluded = squared.copy()
        np.fill_diagonal(excluded, np.inf)
        right = _knn(excluded, labels, k_now)
        if np.array_equal(got, right):
            continue
        require(not np.array_equal(got, _knn(squared, labels, k_now))
                and not (k_now == 1 and np.array_equal(got, labels)),
                f"with k = {k_now} each image voted for itself: set its "
                "distance to itself to infinity (np.fill_diagonal(d, "
                "np.inf)) before the vote.")
        no_zeros = np.where(squared == 0, np.inf, squared)
        pair = [0, 1]                   # the two copies
        duplicate_left_out = (
            not np.array_equal(got[pair], right[pair])
            and np.array_equal(got[pair], _knn(no_zeros, labels, k_now)[pair]))
        require(not duplicate_left_out, f"with k = {k_now} images 0 and 1, "
                "two copies of one image, are classified wrong: a duplicate "
                "(distance 0, but not the image itself) was left out. "
                "Exclude only the diagonal.")
        wrong = int(np.sum(got != right))
        require(False, f"with k = {k_now}, {wrong} of {n} predictions differ "
                "from knn_predict on the SSD distances of each image to all "
                "the others.")
    accuracy = float(np.mean(right == labels))
    return (f"leave-one-out with k = {sorted({1, k})}: only the image itself "
            f"left out (accuracy {accuracy:.2f} on these {n} points).")



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


def test_wilson_interval(wilson_interval, seed: int = 0, n: int = 36,
                         confidence: float = 0.95) -> str:
    """wilson_interval(right, n, confidence) -> (low, high)."""
    rng = np.random.default_rng(seed)
    z = _two_sided_z(confidence)
    counts = sorted({0, n, 1, n - 1, *rng.integers(0, n + 1, 4).tolist()})
    for right in counts:
        got = wilson_interval(right, n, confidence)
        require(got is not None, "wilson_interval returned None: return "
                "(low, high).")
        require(isinstance(got, tuple) and len(got) == 2, "return a tuple "
                f"(low, high), got {type(got).__name__} {got!r}.")
        low, high = (float(np.asarray(v)) for v in got)
        want = _wilson_roots(right, n, z)
        where = (f"for {right} right of {n} at {confidence:.0%}: expected "
                 f"({want[0]:.4f}, {want[1]:.4f}), got ({low:.4f}, "
                 f"{high:.4f}).")
        if np.allclose((low, high), want, rtol=1e-6, atol=1e-9):
            continue
        require(not np.allclose((high, low), want, atol=1e-9),
                f"{where} The ends are swapped: return (low, high).")
        p = right / n
        wald = z * np.sqrt(p * (1 - p) / n)
        require(not np.allclose((low, high), (p - wald, p + wald), atol=1e-9)
                and not np.allclose((low, high), (max(p - wald, 0),
                                                  min(p + wald, 1)),
                                    atol=1e-9),
                f"{where} That is the Wald interval, p_hat +- z * its own "
                "standard error; the Wilson interval keeps every p whose "
                "own standard error sqrt(p(1-p)/n) covers the distance: "
                "solve the quadratic in p.")
        for other, what in ((_two_sided_z(2 * confidence - 1), "one-sided "
                             "quantile norm.ppf(confidence)"),
                            (1.96, "z of 95 % whatever the confidence")):
            require(not np.allclose((low, high), _wilson_roots(right, n,
                                                               other),
                                    atol=1e-9) or abs(other - z) < 1e-9,
                    f"{where} This is the interval for z = {other:.3f}, "
                    f"the {what}: the interval is two-sided, so z leaves "
                    "(1 - confidence) / 2 in each tail.")
        require(False, f"{where} The ends are the two roots p of "
                "(p_hat - p)^2 = z^2 p (1 - p) / n.")
    plain = wilson_interval(counts[-2], n)
    want = _wilson_roots(counts[-2], n, _two_sided_z(0.95))
    require(isinstance(plain, tuple) and np.allclose(
        [float(np.asarray(v)) for v in plain], want, rtol=1e-6, atol=1e-9),
        f"wilson_interval({counts[-2]}, {n}) gave {plain!r}, expected the "
        f"95 % interval {want}: the confidence is 0.95 by default.")
    return (f"Wilson intervals for {len(counts)} counts of {n} at "
            f"{confidence:.0%}, from 0 right to all right.")


# --- 8.6 the confusion matrix ---------------------------------------------------

def test_confusion_matrix(confusion_matrix, seed: int = 0, n: int = 30,
                          n_classes: int = 4) -> str:
    """confusion_matrix(truth, predicted, n_classes) -> (n_classes,
    n_classes) counts, row = true label, column = predicted label."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, n_classes - 1, n)   # the last label never true
    predicted = np.where(rng.random(n) < 0.6, truth,
                         rng.integers(0, n_classes - 1, n))
    predicted[0] = truth[0] = 0                 # repeated pairs, always
    predicted[1] = truth[1] = 0
    args = truth.copy(), predicted.copy()
    got = _array(confusion_matrix(*args, n_classes),
                 f"confusion_matrix(truth, predicted, {n_classes})")
    require(np.array_equal(args[0], truth) and
            np.array_equal(args[1], predicted),
            "confusion_matrix changed its arguments.")
    require(got.shape == (n_classes, n_classes), f"expected shape "
            f"({n_classes}, {n_classes}) for {n_classes} labels (the last "
            f"never occurs here, it still has its row and column); got "
            f"{got.shape}.")
    right = np.zeros((n_classes, n_classes), np.int64)
    for t, p in zip(truth, predicted):
        right[t, p] += 1
    if np.array_equal(got, right):
        require(np.issubdtype(got.dtype, np.integer), f"the counts are of "
                f"dtype {got.dtype}: return integers.")
        return (f"{n} pairs counted in a {n_classes} x {n_classes} matrix, "
                "row = true label.")
    require(not np.array_equal(got, right.T), "the matrix is transposed: row "
            "i is the TRUE label i, column j the predicted label j.")
    require(not np.array_equal(got, np.minimum(right, 1)), "every cell "
            "counts at most 1: m[truth, predicted] += 1 with arrays adds "
            "once per cell, however often a pair repeats. Count with "
            "np.add.at or a loop.")
    require(got.sum() == n, f"the counts add up to {got.sum()}, not to the "
            f"{n} pairs: each pair adds 1.")
    require(False, f"the counts differ from the number of times each (true, "
            f"predicted) pair occurs ({int((got != right).sum())} cells).")


# --- 8.7 reading letters among all but their own original --------------------

def _among_others(queries, originals, references, labels, k, letters=None,
                  exclude="original"):
    """k-NN of each query among the references; ``exclude``: "original"
    (right), "none" or "diagonal" (mistakes)."""
    d = ((queries[:, None] - references[None]) ** 2).sum(2)
    if exclude == "original":
        d[np.arange(len(queries)), originals] = np.inf
    elif exclude == "diagonal":
        np.fill_diagonal(d, np.inf)
    keep = (np.ones(len(labels), bool) if letters is None
            else np.isin(labels, letters))
    return _knn(d[:, keep], labels[keep], k)


def _redrawn(rng, n_originals, per, dim, n_classes, spread=1.0):
    """Originals in clusters, and ``per`` noisy copies of each (queries)."""
    labels = rng.permutation(np.arange(n_originals) % n_classes)
    centres = rng.normal(0, 1.2, (n_classes, dim))
    references = centres[labels] + rng.normal(0, spread, (n_originals, dim))
    originals = np.repeat(np.arange(n_originals), per)
    queries = references[originals] + rng.normal(0, 0.3 * spread,
                                                 (len(originals), dim))
    return queries, originals, references, labels


def test_read_among_others(read_among_others, seed: int = 0,
                           n_originals: int = 12, per: int = 2,
                           dim: int = 5, n_classes: int = 3, k: int = 3
                           ) -> str:
    """read_among_others(queries, originals, references, labels, k,
    letters=None) -> (q,) labels."""
    rng = np.random.default_rng(seed)
    queries, originals, references, labels = _redrawn(
        rng, n_originals, per, dim, n_classes)
    subset = sorted(rng.choice(n_classes, n_classes - 1, replace=False)
                    .tolist())
    for k_now, letters in ((1, None), (k, None), (k, subset)):
        args = (queries.copy(), originals.copy(), references.copy(),
                labels.copy())
        call = (f"read_among_others(queries, originals, references, labels, "
                f"{k_now}" + ("" if letters is None else f", {letters}")
                + ")")
        got = _array(read_among_others(*args, k_now) if letters is None
                     else read_among_others(*args, k_now, letters), call)
        require(all(np.array_equal(a, b) for a, b in zip(
            args, (queries, originals, references, labels))),
            f"{call} changed its arguments.")
        require(got.shape == (len(queries),), f"{call}: return one label "
                f"per query, shape ({len(queries)},); got {got.shape}.")
        right = _among_others(queries, originals, references, labels, k_now,
                              letters)
        if np.array_equal(got, right):
            continue
        wrong = int(np.sum(got != right))
        where = f"{call}: {wrong} of {len(queries)} labels differ."
        require(not any(np.array_equal(got, _among_others(
            queries, originals, references, labels, k_now, letters, exclude))
            for exclude in ("none", "diagonal")),
            f"{where} Each query's own original still took part: set the "
            "distance from query i to reference originals[i] to infinity "
            "(not entry (i, i), the diagonal: query i is a copy of "
            "reference originals[i], not of reference i).")
        if letters is not None:
            require(not np.array_equal(got, _among_others(
                queries, originals, references, labels, k_now)),
                f"{where} The letters were ignored: read each query among "
                f"the references labelled one of {letters} only.")
        require(False, f"{where} Expected k-NN (knn_predict) on the SSD "
                "distances, each query among the references but its own "
                "original" + ("" if letters is None else
                              f", labelled one of {letters}") + ".")
    return (f"{len(queries)} redrawn letters read among {n_originals} "
            f"references but their own originals, k = {sorted({1, k})}, "
            "with and without a subset of letters.")


# --- 8.8 choosing the method and k ---------------------------------------------

def _candidates(rng, n_originals, per, dim, n_classes, spreads):
    """One (queries, references) pair per spread, all of the same letters:
    the same originals and labels described by different features."""
    labels = rng.permutation(np.arange(n_originals) % n_classes)
    originals = np.repeat(np.arange(n_originals), per)
    pairs = []
    for spread in spreads:
        centres = rng.normal(0, 1.0, (n_classes, dim))
        references = centres[labels] + rng.normal(0, spread,
                                                  (n_originals, dim))
        queries = references[originals] + rng.normal(
            0, spread, (len(originals), dim))
        pairs.append((queries, references))
    return pairs, originals, labels


def test_select_method_and_k(select_method_and_k, seed: int = 0,
                             n_originals: int = 18, per: int = 2,
                             dim: int = 4, n_classes: int = 3,
                             k_values=(1, 3, 5, 7)) -> str:
    """select_method_and_k(candidates, originals, labels, k_values) ->
    (scores (c, len(k_values)), (candidate index, k))."""
    rng = np.random.default_rng(seed)
    k_values = list(k_values)
    for _ in range(100):  # until the two steps and the best pair differ
        pairs, originals, labels = _candidates(
            rng, n_originals, per, dim, n_classes, (1.2, 0.7, 1.0, 0.9))
        truth = labels[originals]
        right = np.array([[np.mean(_among_others(q, originals, r, labels, k)
                                   == truth) for k in k_values]
                          for q, r in pairs])
        best = int(np.argmax(right[:, 0]))
        jointly = np.unravel_index(int(np.argmax(right)), right.shape)
        if jointly[0] != best and np.argmax(right[best]) > 0:
            break
    pairs.append(tuple(x.copy() for x in pairs[best]))  # a tie: the earlier
    right = np.vstack([right, right[best]])
    given = [tuple(x.copy() for x in pair) for pair in pairs]
    got = select_method_and_k(given, originals.copy(), labels.copy(),
                              list(k_values))
    require(isinstance(got, tuple) and len(got) == 2, "return a pair "
            f"(scores, (candidate, k)); got {type(got).__name__}.")
    scores, choice = got
    scores = _array(scores, "scores")
    require(all(np.array_equal(a, b) for pair, pair0 in zip(given, pairs)
                for a, b in zip(pair, pair0)),
            "select_method_and_k changed the candidates' arrays.")
    shape = (len(pairs), len(k_values))
    require(scores.shape != shape[::-1] or shape[0] == shape[1],
            f"scores has shape {scores.shape}: one ROW per candidate and one "
            "column per k.")
    require(scores.shape == shape, f"scores should have shape {shape}, one "
            f"row per candidate and one column per k; got {scores.shape}.")
    if not np.allclose(scores, right, atol=1e-9):
        i, j = np.argwhere(~np.isclose(scores, right, atol=1e-9))[0]
        require(False, f"candidate {i} with k = {k_values[j]}: expected "
                f"accuracy {right[i, j]:.3f}, got {scores[i, j]:.3f}. Read "
                "each query with read_among_others and compare with the "
                "label of its original, labels[originals].")
    require(isinstance(choice, tuple) and len(choice) == 2,
            f"the choice should be a pair (candidate index, k); got "
            f"{choice!r}.")
    candidate, k = choice
    k_best = k_values[int(np.argmax(right[best]))]
    require(candidate != len(pairs) - 1, "the last candidate is a copy of "
            f"candidate {best} and ties with it: a tie goes to the EARLIER "
            "candidate (np.argmax returns the first maximum).")
    if candidate != best and (int(jointly[0]), k_values[int(jointly[1])]) \
            == (candidate, k):
        require(False, f"you chose ({candidate}, {k}), the best pair over "
                "all k; the spec chooses the candidate by its score at "
                f"k_values[0] = {k_values[0]} (plain nearest neighbour), "
                "then its k.")
    require(int(candidate) == best, f"expected candidate {best}, the best "
            f"at k = {k_values[0]} (scores there {right[:, 0].round(3)}); "
            f"got {candidate}.")
    require(k == k_best or k != int(np.argmax(right[best])), f"k = {k} is "
            f"the position of the best k in k_values {k_values}: return the "
            "k itself, not its index.")
    require(k in k_values, f"k = {k} is not one of k_values {k_values}.")
    require(k == k_best, f"for candidate {best} (scores by k "
            f"{right[best].round(3)}) expected k = {k_best}: the k with "
            "the highest score, the smallest of any tied.")
    return (f"{len(pairs)} candidates x {len(k_values)} values of k scored; "
            f"chosen: candidate {best}, k = {k_best}.")


EXERCISES = {
    "8.1": Spec("embed", points=2, test=test_embed,
                reference="utils.saved.lab08_embedding:embed",
                clauses=(Clause("on the model's device", _on_the_device),
                         Clause("gradients off", _gradients_off))),
    "8.2": Spec("ssd_matrix", points=2, test=test_ssd_matrix,
                reference="utils.saved.lab08_embedding:ssd_matrix",
                clauses=(Clause("no Python loop", lambda answer: loop_free(
                    lambda n: answer(np.ones((n, 3)), np.zeros((n, 3))),
                    "row")),)),
    "8.3": Spec("knn_predict", points=3, test=test_knn_predict,
                reference="utils.saved.lab08_embedding:knn_predict"),
    "8.4": Spec("loo_knn_predictions", points=3,
                test=test_loo_knn_predictions,
                reference="utils.saved.lab08_embedding:loo_knn_predictions"),
    "8.5": Spec("wilson_interval", points=3, test=test_wilson_interval,
                reference="utils.saved.lab08_embedding:wilson_interval",
                replaces=("utils.letters:wilson_interval",
                          "scipy.stats:binomtest")),
    "8.6": Spec("confusion_matrix", points=2, test=test_confusion_matrix,
                reference="utils.saved.lab08_embedding:confusion_matrix",
                replaces=("utils.plots:confusion_matrix",)),
    "8.7": Spec("read_among_others", points=3, test=test_read_among_others,
                reference="utils.saved.lab08_embedding:read_among_others"),
    "8.8": Spec("select_method_and_k", points=3,
                test=test_select_method_and_k,
                reference="utils.saved.lab08_embedding:select_method_and_k"),
}
