"""Lab 07's graded exercises: typical wrong answers score 0 with a hint that
says what is wrong (what every exercise keeps is in
test_exercises_contract.py)."""

import numpy as np
import torch
from exercise_contract import assert_caught, own, passes, results
from torch.nn import functional as F

from utils.backbones import to_rgb
from utils.exercises.lab07 import head as lab07_head
from utils.saved import lab07_transfer as transfer

_EXTRACT = own(transfer.extract_features)  # not the reference itself


def test_top_k_wrong_answers():
    assert_caught("7.1", lambda l, k: np.argsort(l)[:k], "SMALLEST")
    assert_caught("7.1", lambda l, k: np.sort(l)[::-1][:k], "indices")
    assert_caught("7.1", lambda l, k: np.argpartition(l, len(l) - k)[len(l) - k :], "wrong order")


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


def _extract(drop_last=False, train_mode=False, global_pool=False, channels_last=False):
    """extract_features with one mistake switched on."""

    @torch.no_grad()
    def extract(backbone, images, cuts, size, grid, batch_size=64, device="cpu"):
        if not train_mode:
            backbone.eval()
        rows = {cut: [] for cut in cuts}
        stop = len(images) - len(images) % batch_size if drop_last else len(images)
        for start in range(0, stop, batch_size):
            batch = to_rgb(images[start : start + batch_size], size)
            for cut, a in transfer.cut_activations(backbone, batch, cuts).items():
                pooled = F.adaptive_avg_pool2d(a, 1 if global_pool else grid)
                if channels_last:
                    pooled = pooled.permute(0, 2, 3, 1)
                rows[cut].append(pooled.flatten(1).numpy())
        return {cut: np.concatenate(parts) for cut, parts in rows.items()}

    return extract


def _extract_all_at_once(backbone, images, cuts, size, grid, batch_size=64, device="cpu"):
    return _EXTRACT(backbone, images, cuts, size, grid, batch_size=len(images))


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
        losses = lab07_head._train(head, features, labels, epochs, seed, lr, batch_size, **mistake)
        head.eval()
        return losses

    return train


def test_train_head_wrong_answers():
    assert_caught("7.6", _train(zero_grad=False), "zero_grad")
    assert_caught("7.6", _train(order="stored"), "stored order")
    assert_caught("7.6", _train(order="once"), "same order")
    assert_caught("7.6", _train(drop_last=True), "last, smaller batch")
    assert_caught("7.6", _train(weighted=False), "weight each batch")
    assert_caught("7.6", _train(optimizer=torch.optim.SGD), "Adam(lr=")
    assert passes("7.6", _train())  # with no mistake it passes


def test_normalise_wrong_answers():
    assert_caught("7.7", lambda x: (x * 255 - 127) / 128, "Lite0")
    assert_caught("7.7", lambda x: (x - 0.45) / 0.226, "per channel")
    mean = torch.tensor([0.406, 0.456, 0.485]).view(1, 3, 1, 1)
    std = torch.tensor([0.225, 0.224, 0.229]).view(1, 3, 1, 1)
    assert_caught("7.7", lambda x: (x - mean) / std, "red first")


def test_hidden_cases_differ_from_the_visible_ones():
    """A hard-coded answer that passes the visible cases fails a hidden one."""
    shown = np.array([0.1, 2.5, -1.0, 3.7, 2.4, 0.0])
    visible = transfer.top_k_classes(shown, len(shown))
    visible_passed, *hidden_passed = results("7.1", lambda logits, k: visible[:k])
    assert visible_passed and not all(hidden_passed)


def _score(
    max_iter=2_000,
    scale=True,
    fit_on="fit",
    C=None,
    accuracy_on=None,
    choose_on="validation",
    ties="shallowest",
    per_cut=False,
):
    """score_cuts with one mistake switched on."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    def score(extract, fit_images, y_fit, val_images, y_val, cuts, c):
        if per_cut:
            fit = {cut: extract(fit_images, [cut])[cut] for cut in cuts}
            val = {cut: extract(val_images, [cut])[cut] for cut in cuts}
        else:
            fit, val = extract(fit_images, cuts), extract(val_images, cuts)
        probes, fit_accuracy, val_accuracy = {}, {}, {}
        for cut in cuts:
            steps = [StandardScaler()] if scale else []
            model = LogisticRegression(C=c if C is None else C, max_iter=max_iter)
            probe = make_pipeline(*steps, model)
            if fit_on == "fit":
                probe.fit(fit[cut], y_fit)
            elif fit_on == "validation":
                probe.fit(val[cut], y_val)
            else:
                probe.fit(np.concatenate([fit[cut], val[cut]]), np.concatenate([y_fit, y_val]))
            probes[cut] = probe
            fit_accuracy[cut] = probe.score(fit[cut], y_fit)
            val_accuracy[cut] = (
                probe.score(fit[cut], y_fit)
                if accuracy_on == "fit"
                else probe.score(val[cut], y_val)
            )
        table = fit_accuracy if choose_on == "fit" else val_accuracy
        if ties == "shallowest":
            best = max(sorted(cuts), key=table.get)
        else:
            best = max(cuts, key=table.get)
        return probes, fit_accuracy, val_accuracy, best

    return score


def test_score_cuts_wrong_answers():
    assert passes("7.4", _score())
    assert_caught("7.4", _score(scale=False), "not standardised")
    assert_caught("7.4", _score(fit_on="validation"), "fitted on the validation split")
    assert_caught("7.4", _score(fit_on="both"), "together")
    assert_caught("7.4", _score(C=1.0), "ignores C")
    assert_caught("7.4", _score(accuracy_on="fit"), "is the fit accuracy")
    assert_caught("7.4", _score(choose_on="fit"), "FIT accuracy")
    assert_caught(
        "7.4",
        _score(ties="first listed"),
        "shallowest",
        seed=7,
        n_fit=90,
        n_val=70,
        cuts=(4, 2, 5, 1),
        dim=8,
        n_classes=4,
        C=0.05,
        tie=True,
    )
    assert_caught("7.4", _score(per_cut=True), "once for the fit images")
    assert_caught("7.4", _score(max_iter=100), "max_iter=2_000")


def _control(
    shuffle="seeded",
    fit_against="shuffled",
    val_against="true",
    n_for_error="val",
    fours=4,
    square_root=True,
    chance=None,
):
    """shuffled_control with one mistake switched on."""

    def control(make_probe, fit_features, y_fit, val_features, y_val, seed):
        if shuffle == "seeded":
            labels = np.random.default_rng(seed).permutation(y_fit)
        elif shuffle == "none":
            labels = y_fit
        else:
            labels = np.random.default_rng(seed + 1).permutation(y_fit)
        probe = make_probe(fit_features, labels)
        fit = probe.score(fit_features, labels if fit_against == "shuffled" else y_fit)
        val = probe.score(
            val_features,
            y_val if val_against == "true" else np.random.default_rng(seed).permutation(y_val),
        )
        p = 1 / len(np.unique(y_fit)) if chance is None else chance
        n = len(y_val) if n_for_error == "val" else len(y_fit)
        variance = p * (1 - p) / n
        return fit, val, p + fours * (np.sqrt(variance) if square_root else variance)

    return control


def test_shuffled_control_wrong_answers():
    assert passes("7.5", _control())
    assert_caught("7.5", _control(shuffle="none"), "true labels: shuffle")
    assert_caught("7.5", _control(shuffle="other"), "default_rng(seed)")
    assert_caught("7.5", _control(fit_against="true"), "TRUE labels")
    assert_caught("7.5", _control(val_against="shuffled"), "val_accuracy")
    assert_caught("7.5", _control(n_for_error="fit"), "validation images scored")
    assert_caught("7.5", _control(fours=1), "FOUR")
    assert_caught("7.5", _control(square_root=False), "square root")
    assert_caught(
        "7.5", _control(chance=0.1), "1 / K", seed=3, n_fit=60, n_val=45, dim=90, n_classes=4
    )


def test_shuffled_control_leaves_its_inputs_alone():
    def control(make_probe, fit_features, y_fit, val_features, y_val, seed):
        np.random.default_rng(seed).shuffle(y_fit)  # the caller's labels
        probe = make_probe(fit_features, y_fit)
        p = 1 / len(np.unique(y_fit))
        return (
            probe.score(fit_features, y_fit),
            probe.score(val_features, y_val),
            p + 4 * np.sqrt(p * (1 - p) / len(y_val)),
        )

    assert_caught("7.5", control, "changed its input y_fit in place")
