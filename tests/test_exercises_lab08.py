"""Lab 08's graded exercises: typical wrong answers score 0 with a hint that
says what is wrong (what every exercise keeps is in
test_exercises_contract.py)."""
import numpy as np
import torch

from exercise_contract import assert_caught, own, passes, results
from utils import embedding
from utils.exercises import Check

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
    assert_caught("8.1", lambda model, batch: _embed()(model, batch[:, ::-1]),
                  "values differ")

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
        return ((a ** 2).sum(1)[:, None] + (b ** 2).sum(1)[None, :]
                - 2 * a @ b.T)
    assert_caught("8.2", unclipped, "clip at 0")
    assert_caught("8.2", lambda a, b: np.abs(_broadcast(a, b) - 1),
                  "differ from sum")
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
    assert_caught("8.4", lambda f, l, k: _loo("diagonal")(f, l, k + 1),
                  "predictions differ")
    assert passes("8.4", _loo("diagonal"))


def test_a_copy_of_the_visible_answers_fails_the_hidden_case():
    visible = {}

    def record(distances, train_labels, k):
        answer = _KNN(distances, train_labels, k)
        visible.setdefault(k, answer)  # the first, full batch of each k
        return answer

    assert Check("8.3", record).run()
    visible_passed, *hidden_passed = results(
        "8.3", lambda d, labels, k: np.resize(visible.get(k, 0), len(d)))
    assert visible_passed and not all(hidden_passed)
