"""Lab 08's graded exercises: the references pass, stubs, crashes and wrong answers do not."""
import numpy as np
import pytest
import torch

from utils import embedding
from utils.exercises import Check, grade
from utils.exercises.lab08 import EXERCISES

HIDDEN = {  # one hidden case per exercise, as in the lab's grade cells
    "8.1": dict(seed=3, n=9, width=30),
    "8.2": dict(seed=21, n=7, m=11, dim=50),
    "8.3": dict(seed=31, n_queries=50, n_train=20, n_classes=4, ks=(2, 5, 6)),
    "8.4": dict(seed=41, n=40, dim=8, n_classes=4, k=5),
}


def _fails(exercise, answer, capsys, hint, **case):
    """``answer`` scores 0 on the visible (or given) case, with ``hint`` in the output."""
    check = Check(exercise, answer)
    check.run(**case)
    out = capsys.readouterr().out
    assert float(check.score) == 0, out
    assert hint in out, out


@pytest.mark.parametrize("exercise", list(EXERCISES))
def test_reference_passes_visible_and_hidden_cases(exercise, capsys):
    check = grade(exercise, getattr(embedding, EXERCISES[exercise].name))
    check.run(**HIDDEN[exercise])
    out = capsys.readouterr().out
    assert float(check.score) == EXERCISES[exercise].points, out
    assert out.count("passed.") == 2, out


@pytest.mark.parametrize("exercise", list(EXERCISES))
def test_stub_is_not_done_yet_and_the_lab_goes_on_with_the_reference(
        exercise, capsys):
    def stub(*args, **kwargs):
        # YOUR CODE HERE
        raise NotImplementedError()

    check = grade(exercise, stub)
    kept = check.keep()
    out = capsys.readouterr().out
    assert float(check.score) == 0 and "not done yet" in out
    assert kept is getattr(embedding, EXERCISES[exercise].name)
    assert "reference" in out and "utils.embedding" in out


@pytest.mark.parametrize("exercise", list(EXERCISES))
def test_crash_scores_zero_and_shows_the_students_line(exercise, capsys):
    def crashing(*args, **kwargs):
        return undefined_name  # noqa: F821

    check = grade(exercise, crashing)
    out = capsys.readouterr().out
    assert float(check.score) == 0
    assert "NameError" in out and "return undefined_name" in out


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


def test_embed_wrong_answers(capsys):
    _fails("8.1", _embed(eval_mode=False), capsys, "model.eval()")
    _fails("8.1", _embed(output=True), capsys, "model.embed(x)")
    _fails("8.1", _embed(as_tensor=True), capsys, "NumPy array")
    _fails("8.1", lambda model, batch: _embed()(model, batch[:, ::-1]),
           capsys, "values differ")

    def float64(model, batch):
        model.eval()
        with torch.no_grad():
            return model.embed(torch.from_numpy(batch)[:, None]).numpy()
    _fails("8.1", float64, capsys, "convert the images")


def _broadcast(a, b):
    return ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2)


def test_ssd_wrong_answers(capsys):
    _fails("8.2", lambda a, b: np.sqrt(_broadcast(a, b)), capsys, "Euclidean")
    _fails("8.2", lambda a, b: _broadcast(a, b) / a.shape[1], capsys, "MEAN")
    _fails("8.2", lambda a, b: _broadcast(b, a), capsys, "row i of a")

    def unclipped(a, b):
        return ((a ** 2).sum(1)[:, None] + (b ** 2).sum(1)[None, :]
                - 2 * a @ b.T)
    _fails("8.2", unclipped, capsys, "clip at 0")
    _fails("8.2", lambda a, b: np.abs(_broadcast(a, b) - 1), capsys,
           "differ from sum")
    # the broadcast form needs no clipping and passes
    assert Check("8.2", _broadcast).run(**HIDDEN["8.2"])


def _knn(rule):
    """knn_predict with one wrong rule switched on."""
    def knn(distances, train_labels, k):
        if rule == "sorts in place":
            distances.sort(axis=1)
            return embedding.knn_predict(distances, train_labels, k)
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


def test_knn_wrong_answers(capsys):
    _fails("8.3", _knn("smallest"), capsys, "smallest label")
    _fails("8.3", _knn("nearest only"), capsys, "more votes")
    _fails("8.3", _knn("farthest"), capsys, "FARTHEST")
    _fails("8.3", _knn("k+1"), capsys, "vote of 3 neighbours, not 2")
    _fails("8.3", _knn("sorts in place"), capsys, "changed the distances")
    assert Check("8.3", _knn("right")).run(**HIDDEN["8.3"])


def _loo(rule):
    def loo(features, labels, k):
        d = embedding.ssd_matrix(features, features)
        if rule == "zeros":
            d[d == 0] = np.inf
        elif rule == "diagonal":
            np.fill_diagonal(d, np.inf)
        return embedding.knn_predict(d, labels, k)
    return loo


def test_loo_wrong_answers(capsys):
    _fails("8.4", _loo("self included"), capsys, "voted for itself")
    _fails("8.4", _loo("zeros"), capsys, "duplicate")
    _fails("8.4", lambda f, l, k: _loo("diagonal")(f, l, k + 1), capsys,
           "predictions differ")
    assert Check("8.4", _loo("diagonal")).run(**HIDDEN["8.4"])


def test_a_copy_of_the_visible_answers_fails_the_hidden_case():
    visible = {}

    def record(distances, train_labels, k):
        visible[k] = embedding.knn_predict(distances, train_labels, k)
        return visible[k]

    assert Check("8.3", record).run()
    copied = Check("8.3", lambda d, labels, k: np.resize(visible.get(k, 0), len(d)))
    assert not copied.run(**HIDDEN["8.3"])
