"""Lab 07's graded exercises: the references pass, stubs, crashes and wrong answers do not."""
import numpy as np
import pytest
import torch
from torch.nn import functional as F

from utils import transfer
from utils.backbones import to_rgb
from utils.exercises import Check, grade
from utils.exercises import lab07
from utils.exercises.lab07 import EXERCISES

HIDDEN = {  # one hidden case per exercise, as in the lab's grade cells
    "7.1": dict(seed=12, n=1000),
    "7.2": dict(seed=5, n_blocks=6, cuts=(1, 3, 4)),
    "7.3": dict(seed=3, n=13, batch_size=5, cuts=(2,), grid=1, colour=True),
    "7.4": dict(seed=9, n=53, dim=5, n_classes=4, epochs=4, batch_size=10,
                lr=0.02),
    "7.5": dict(seed=75, shape=(4, 3, 7, 2)),
}


def _score(exercise, answer, capsys, **case):
    """Grade ``answer`` on the visible cases (and ``case``); return (score, output)."""
    check = grade(exercise, answer)
    if case:
        check.run(**case)
    return float(check.score), capsys.readouterr().out


def _fails(exercise, answer, capsys, hint, **case):
    """``answer`` scores 0 on the visible (or given) case, with ``hint`` in the output."""
    check = Check(exercise, answer)
    check.run(**case)
    out = capsys.readouterr().out
    assert float(check.score) == 0, out
    assert hint in out, out


@pytest.mark.parametrize("exercise", list(EXERCISES))
def test_reference_passes_visible_and_hidden_cases(exercise, capsys):
    reference = getattr(transfer, EXERCISES[exercise].name)
    score, out = _score(exercise, reference, capsys, **HIDDEN[exercise])
    assert score == EXERCISES[exercise].points, out
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
    assert kept is getattr(transfer, EXERCISES[exercise].name)
    assert "reference" in out and "utils.transfer" in out


@pytest.mark.parametrize("exercise", list(EXERCISES))
def test_crash_scores_zero_and_shows_the_students_line(exercise, capsys):
    def crashing(*args, **kwargs):
        return undefined_name  # noqa: F821

    score, out = _score(exercise, crashing, capsys)
    assert score == 0
    assert "NameError" in out and "return undefined_name" in out


def test_top_k_wrong_answers(capsys):
    _fails("7.1", lambda l, k: np.argsort(l)[:k], capsys, "SMALLEST")
    _fails("7.1", lambda l, k: np.sort(l)[::-1][:k], capsys, "indices")
    _fails("7.1", lambda l, k: np.argpartition(l, len(l) - k)[len(l) - k:],
           capsys, "wrong order")


def _cut(first=1, normalise=True, stop=True):
    """cut_activations with one mistake switched on."""
    def cut(backbone, images, cuts):
        x = backbone.normalise(images) if normalise else images
        out = {}
        for number, block in enumerate(backbone.blocks, start=first):
            if stop and number > max(cuts):
                break
            x = block(x)
            if number in cuts:
                out[number] = x
        return out
    return cut


def _cut_once_per_cut(backbone, images, cuts):
    out = {}
    for cut in cuts:
        x = backbone.normalise(images)
        for block in backbone.blocks[:cut]:
            x = block(x)
        out[cut] = x
    return out


def test_cut_wrong_answers(capsys):
    _fails("7.2", _cut(first=0), capsys, "numbered from 1")
    _fails("7.2", _cut(normalise=False), capsys, "not normalised")
    _fails("7.2", _cut(stop=False), capsys, "deepest cut")
    assert Check("7.2", _cut()).run(**HIDDEN["7.2"])
    _fails("7.2", _cut_once_per_cut, capsys, "once")


def _extract(drop_last=False, train_mode=False, global_pool=False,
             channels_last=False):
    """extract_features with one mistake switched on."""
    @torch.no_grad()
    def extract(backbone, images, cuts, size, grid, batch_size=64,
                device="cpu"):
        if not train_mode:
            backbone.eval()
        rows = {cut: [] for cut in cuts}
        stop = len(images) - len(images) % batch_size if drop_last else len(images)
        for start in range(0, stop, batch_size):
            batch = to_rgb(images[start:start + batch_size], size)
            for cut, a in transfer.cut_activations(backbone, batch, cuts).items():
                pooled = F.adaptive_avg_pool2d(a, 1 if global_pool else grid)
                if channels_last:
                    pooled = pooled.permute(0, 2, 3, 1)
                rows[cut].append(pooled.flatten(1).numpy())
        return {cut: np.concatenate(parts) for cut, parts in rows.items()}
    return extract


def _extract_all_at_once(backbone, images, cuts, size, grid, batch_size=64,
                         device="cpu"):
    return transfer.extract_features(backbone, images, cuts, size, grid,
                                     batch_size=len(images))


def test_extract_wrong_answers(capsys):
    _fails("7.3", _extract(drop_last=True), capsys, "last, smaller batch")
    _fails("7.3", _extract(train_mode=True), capsys, "training mode")
    _fails("7.3", _extract(global_pool=True), capsys, "grid x grid")
    _fails("7.3", _extract(channels_last=True), capsys, "(grid, grid, C)")
    _fails("7.3", _extract_all_at_once, capsys, "at most batch_size")


def _train(**mistake):
    """train_head with one mistake switched on (the checker's own loop)."""
    def train(head, features, labels, epochs, seed, lr=1e-3, batch_size=64):
        return lab07._train(head, features, labels, epochs, seed, lr,
                            batch_size, **mistake)
    return train


def test_train_head_wrong_answers(capsys):
    _fails("7.4", _train(zero_grad=False), capsys, "zero_grad")
    _fails("7.4", _train(order="stored"), capsys, "stored order")
    _fails("7.4", _train(order="once"), capsys, "same order")
    _fails("7.4", _train(drop_last=True), capsys, "last, smaller batch")
    _fails("7.4", _train(weighted=False), capsys, "weight each batch")
    _fails("7.4", _train(optimizer=torch.optim.SGD), capsys, "Adam(lr=")
    check = Check("7.4", _train())     # with no mistake it passes
    assert check.run() and check.run(**HIDDEN["7.4"])


def test_normalise_wrong_answers(capsys):
    _fails("7.5", lambda x: (x * 255 - 127) / 128, capsys, "Lite0")
    _fails("7.5", lambda x: (x - 0.45) / 0.226, capsys, "per channel")
    mean = torch.tensor([0.406, 0.456, 0.485]).view(1, 3, 1, 1)
    std = torch.tensor([0.225, 0.224, 0.229]).view(1, 3, 1, 1)
    _fails("7.5", lambda x: (x - mean) / std, capsys, "red first")


def test_hidden_cases_differ_from_the_visible_ones(capsys):
    """A hard-coded answer to the visible case fails the hidden one."""
    visible = transfer.top_k_classes(np.array([0.1, 2.5, -1.0, 3.7, 2.4, 0.0]), 3)
    check = Check("7.1", lambda logits, k: visible[:k])
    assert not check.run(**HIDDEN["7.1"])
