"""Lab 07's graded exercises: typical wrong answers score 0 with a hint that
says what is wrong (what every exercise keeps is in
test_exercises_contract.py)."""
import numpy as np
import torch
from torch.nn import functional as F

from exercise_contract import assert_caught, own, passes, results
from utils import transfer
from utils.backbones import to_rgb
from utils.exercises import lab07

_EXTRACT = own(transfer.extract_features)  # not the reference itself


def test_top_k_wrong_answers():
    assert_caught("7.1", lambda l, k: np.argsort(l)[:k], "SMALLEST")
    assert_caught("7.1", lambda l, k: np.sort(l)[::-1][:k], "indices")
    assert_caught("7.1",
                  lambda l, k: np.argpartition(l, len(l) - k)[len(l) - k:],
                  "wrong order")


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


def test_cut_wrong_answers():
    assert_caught("7.2", _cut(first=0), "numbered from 1")
    assert_caught("7.2", _cut(normalise=False), "not normalised")
    assert_caught("7.2", _cut(stop=False), "deepest cut")
    assert passes("7.2", _cut())
    assert_caught("7.2", _cut_once_per_cut, "once")


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
    return _EXTRACT(backbone, images, cuts, size, grid,
                                     batch_size=len(images))


def test_extract_wrong_answers():
    assert_caught("7.3", _extract(drop_last=True), "last, smaller batch")
    assert_caught("7.3", _extract(train_mode=True), "training mode")
    assert_caught("7.3", _extract(global_pool=True), "grid x grid")
    assert_caught("7.3", _extract(channels_last=True), "(grid, grid, C)")
    assert_caught("7.3", _extract_all_at_once, "at most batch_size")


def _train(**mistake):
    """train_head with one mistake switched on (the checker's own loop)."""
    def train(head, features, labels, epochs, seed, lr=1e-3, batch_size=64):
        head.train()
        losses = lab07._train(head, features, labels, epochs, seed, lr,
                              batch_size, **mistake)
        head.eval()
        return losses
    return train


def test_train_head_wrong_answers():
    assert_caught("7.4", _train(zero_grad=False), "zero_grad")
    assert_caught("7.4", _train(order="stored"), "stored order")
    assert_caught("7.4", _train(order="once"), "same order")
    assert_caught("7.4", _train(drop_last=True), "last, smaller batch")
    assert_caught("7.4", _train(weighted=False), "weight each batch")
    assert_caught("7.4", _train(optimizer=torch.optim.SGD), "Adam(lr=")
    assert passes("7.4", _train())     # with no mistake it passes


def test_normalise_wrong_answers():
    assert_caught("7.5", lambda x: (x * 255 - 127) / 128, "Lite0")
    assert_caught("7.5", lambda x: (x - 0.45) / 0.226, "per channel")
    mean = torch.tensor([0.406, 0.456, 0.485]).view(1, 3, 1, 1)
    std = torch.tensor([0.225, 0.224, 0.229]).view(1, 3, 1, 1)
    assert_caught("7.5", lambda x: (x - mean) / std, "red first")


def test_hidden_cases_differ_from_the_visible_ones():
    """A hard-coded answer that passes the visible cases fails a hidden one."""
    shown = np.array([0.1, 2.5, -1.0, 3.7, 2.4, 0.0])
    visible = transfer.top_k_classes(shown, len(shown))
    visible_passed, *hidden_passed = results(
        "7.1", lambda logits, k: visible[:k])
    assert visible_passed and not all(hidden_passed)
