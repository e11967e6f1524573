"""Lab 08's graded exercises: typical wrong answers score 0 with a hint that
says what is wrong (what every exercise keeps is in
test_exercises_contract.py)."""

import numpy as np
import torch
from exercise_contract import assert_caught, own, passes, results

from utils.exercises import Check
from utils.saved import lab08_embedding as embedding

_KNN = own(embedding.knn_predict)  # not the reference itself


def _embed(eval_mode=True, output=False, as_tensor=False):
    """embed with one mistake switched on."""

    def embed(model, batch):
        if eval_mode:
            model.eval()
        x = torch.as_tensor(np.asarray(batch, dtype=np.float32))[:, None]
        with torch.no_grad():
            result = model(x) if output else model.embed(x)
        return result if as_tensor else result.numpy()

    return embed


def test_embed_wrong_answers():
    assert_caught("8.1", _embed(eval_mode=False), "model.eval()")
    assert_caught("8.1", _embed(output=True), "model.embed(x)")
    assert_caught("8.1", _embed(as_tensor=True), "NumPy array")
    assert_caught("8.1", lambda model, batch: _embed()(model, batch[:, ::-1]), "values differ")

    def float64(model, batch):
        model.eval()
        with torch.no_grad():
            return model.embed(torch.from_numpy(batch)[:, None]).numpy()

    assert_caught("8.1", float64, "convert the images")


def _broadcast(a, b):
    return ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2)


def test_ssd_wrong_answers():
    assert_caught("8.2", lambda a, b: np.sqrt(_broadcast(a, b)), "Euclidean")
    assert_caught("8.2", lambda a, b: _broadcast(a, b) / a.shape[1], "MEAN")
    assert_caught("8.2", lambda a, b: _broadcast(b, a), "row i of a")

    def unclipped(a, b):
        return (a**2).sum(1)[:, None] + (b**2).sum(1)[None, :] - 2 * a @ b.T

    assert_caught("8.2", unclipped, "clip at 0")
    assert_caught("8.2", lambda a, b: np.abs(_broadcast(a, b) - 1), "differ from sum")
    # the broadcast form needs no clipping and passes
    assert passes("8.2", _broadcast)


def _knn(rule):
    """knn_predict with one wrong rule switched on."""

    def knn(distances, train_labels, k):
        if rule == "sorts in place":
            distances.sort(axis=1)
            return _KNN(distances, train_labels, k)
        order = np.argsort(distances, axis=1)
        if rule == "farthest":
            order = order[:, ::-1]
        if rule == "k+1":
            k += 1
        out = []
        for row in train_labels[order[:, :k]]:
            votes = np.bincount(row)
            if rule == "smallest":
                out.append(np.argmax(votes))
            elif rule == "nearest only":
                out.append(row[0])
            else:
                tied = np.flatnonzero(votes == votes.max())
                out.append(next(c for c in row if c in tied))
        return np.array(out)

    return knn


def test_knn_wrong_answers():
    assert_caught("8.3", _knn("smallest"), "smallest label")
    assert_caught("8.3", _knn("nearest only"), "more votes")
    assert_caught("8.3", _knn("farthest"), "FARTHEST")
    assert_caught("8.3", _knn("k+1"), "vote of 3 neighbours, not 2")
    assert_caught("8.3", _knn("sorts in place"), "changed the distances")
    assert passes("8.3", _knn("right"))


def _loo(rule):
    def loo(features, labels, k):
        d = embedding.ssd_matrix(features, features)
        if rule == "zeros":
            d[d == 0] = np.inf
        elif rule == "diagonal":
            np.fill_diagonal(d, np.inf)
        return embedding.knn_predict(d, labels, k)

    return loo


def test_loo_wrong_answers():
    assert_caught("8.4", _loo("self included"), "voted for itself")
    assert_caught("8.4", _loo("zeros"), "duplicate")
    assert_caught("8.4", lambda f, l, k: _loo("diagonal")(f, l, k + 1), "predictions differ")
    assert passes("8.4", _loo("diagonal"))


def test_a_copy_of_the_visible_answers_fails_the_hidden_case():
    visible = {}

    def record(distances, train_labels, k):
        answer = _KNN(distances, train_labels, k)
        visible.setdefault(k, answer)  # the first, full batch of each k
        return answer

    assert Check("8.3", record).run()
    visible_passed, *hidden_passed = results(
        "8.3", lambda d, labels, k: np.resize(visible.get(k, 0), len(d))
    )
    assert visible_passed and not all(hidden_passed)


def _wilson(mode):
    """wilson_interval with one mistake switched on."""
    from scipy.stats import norm

    def wilson_interval(right, n, confidence=0.95):
        z = norm.ppf(1 - (1 - confidence) / 2)
        if mode == "one-sided":
            z = norm.ppf(confidence)
        elif mode == "1.96":
            z = 1.96
        p = right / n
        if mode == "wald":
            half = z * np.sqrt(p * (1 - p) / n)
            return p - half, p + half
        a, b = 1 + z**2 / n, 2 * p + z**2 / n
        root = np.sqrt(b**2 - 4 * a * p**2)
        if mode == "2a missing":
            return (b - root) / 2, (b + root) / 2
        low, high = (b - root) / (2 * a), (b + root) / (2 * a)
        return (high, low) if mode == "swapped" else (low, high)

    return wilson_interval


def test_wilson_wrong_answers():
    assert_caught("8.5", _wilson("wald"), "Wald")
    assert_caught("8.5", _wilson("swapped"), "swapped")
    assert_caught("8.5", _wilson("2a missing"), "two roots")
    # the case shown is at 95 %: a hidden case at 90 % tells these apart
    for mode, hint in (("one-sided", "one-sided"), ("1.96", "z of 95 %")):
        assert not passes("8.5", _wilson(mode))
        assert_caught("8.5", _wilson(mode), hint, seed=51, n=216, confidence=0.9)
    assert passes("8.5", _wilson("right"))


def _confusion(mode):
    def confusion_matrix(truth, predicted, n_classes):
        if mode == "buffered":
            m = np.zeros((n_classes, n_classes), int)
            m[truth, predicted] += 1
            return m
        size = max(truth.max(), predicted.max()) + 1 if mode == "size" else n_classes
        m = np.zeros((size, size), int)
        np.add.at(m, (predicted, truth) if mode == "transposed" else (truth, predicted), 1)
        return m.astype(float) if mode == "float" else m

    return confusion_matrix


def test_confusion_wrong_answers():
    assert_caught("8.6", _confusion("buffered"), "np.add.at")
    assert_caught("8.6", _confusion("transposed"), "transposed")
    assert_caught("8.6", _confusion("size"), "still has its row")
    assert_caught("8.6", _confusion("float"), "integers")
    assert passes("8.6", _confusion("right"))


def _among(mode):
    def read_among_others(queries, originals, references, labels, k, letters=None):
        d = embedding.ssd_matrix(queries, references)
        if mode == "diagonal":
            np.fill_diagonal(d, np.inf)
        elif mode != "none":
            d[np.arange(len(queries)), originals] = np.inf
        if letters is not None and mode != "letters ignored":
            keep = np.isin(labels, letters)
            d, labels = d[:, keep], labels[keep]
        return _KNN(d, labels, k + (mode == "k+1"))

    return read_among_others


def test_read_among_others_wrong_answers():
    assert_caught("8.7", _among("none"), "own original still took part")
    assert_caught("8.7", _among("diagonal"), "own original still took part")
    assert_caught("8.7", _among("letters ignored"), "letters were ignored")
    assert_caught("8.7", _among("k+1"), "labels differ")
    assert passes("8.7", _among("right"))


def _select(mode):
    def select_method_and_k(candidates, originals, labels, k_values):
        truth = labels[originals]
        scores = np.array(
            [
                [
                    np.mean(embedding.read_among_others(q, originals, r, labels, k) == truth)
                    for k in k_values
                ]
                for q, r in candidates
            ]
        )
        if mode == "joint":
            c, j = np.unravel_index(np.argmax(scores), scores.shape)
            return scores, (int(c), k_values[int(j)])
        if mode == "last":
            c = len(scores) - 1 - int(np.argmax(scores[::-1, 0]))
        else:
            c = int(np.argmax(scores[:, 0]))
        j = int(np.argmax(scores[c]))
        if mode == "transposed":
            scores = scores.T
        return scores, (c, j if mode == "index" else k_values[j])

    return select_method_and_k


def test_select_wrong_answers():
    assert_caught("8.8", _select("last"), "EARLIER")
    assert_caught("8.8", _select("transposed"), "ROW per candidate")
    assert_caught("8.8", _select("index"), "not its index")
    assert_caught("8.8", _select("joint"), "best pair over all k")
    assert passes("8.8", _select("right"))
