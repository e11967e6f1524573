"""Lab 06's graded exercises: the references pass, stubs, crashes and wrong answers do not."""
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from scipy import ndimage
from torch import nn
from torch.nn import functional as F

from test_exercises_lab05 import contract_tests, hint
from utils.exercises import grade, lab06
from utils.nets import DigitNet
from utils.nets import train_step as right_step

LAB = Path(__file__).resolve().parents[1] / "labs" / "06_cnn.ipynb"


(test_reference_passes_visible_and_hidden_cases,
 test_stub_scores_zero_and_says_not_done,
 test_crash_scores_zero_and_shows_the_students_line) = contract_tests(lab06, LAB)


def test_a_stub_class_scores_zero_too(capsys):
    class Stub(nn.Module):  # what nbgrader leaves of DigitNet
        def __init__(self, embed_dim=50, dropout=0.5):
            super().__init__()
            self.embed_dim, self.dropout = embed_dim, dropout
            raise NotImplementedError()

    check = grade("6.3", Stub)
    assert check.score == 0 and "not done yet" in capsys.readouterr().out


def test_6_1_wrong_answers_get_their_hint(capsys):
    assert "without stride and padding" in hint(
        "6.1", lambda n, k, s=1, p=0: n - k + 1, capsys)
    assert "2 * padding" in hint(
        "6.1", lambda n, k, s=1, p=0: (n - k) // s + 1, capsys)
    assert "whole number" in hint(
        "6.1", lambda n, k, s=1, p=0: (n + 2 * p - k) / s + 1, capsys)
    assert "round down" in hint(
        "6.1", lambda n, k, s=1, p=0: round((n + 2 * p - k) / s) + 1, capsys)
    assert "nn.Conv2d gives" in hint(
        "6.1", lambda n, k, s=1, p=0: (n + p - k) // s + 1, capsys)


def test_6_2_wrong_answers_get_their_hint(capsys):
    assert "biases" in hint("6.2", lambda ci, co, k: co * ci * k * k, capsys)
    assert "EACH of the" in hint("6.2", lambda ci, co, k: co * (k * k + 1), capsys)
    assert "not kernel wide" in hint(
        "6.2", lambda ci, co, k: co * (ci * k + 1), capsys)


def digit_net_variant(**changes):
    """A DigitNet with one mistake: changes replace embed, forward or layers."""
    class Variant(DigitNet):
        def __init__(self, embed_dim=50, dropout=0.5):
            super().__init__(embed_dim, dropout)
            if "fc1_inputs" in changes:
                self.fc1 = nn.Linear(changes["fc1_inputs"], embed_dim)
            if "rename" in changes:
                self.hidden = self.fc1
                del self.fc1

    for name in ("embed", "forward"):
        if name in changes:
            setattr(Variant, name, changes[name])
    return Variant


def test_6_3_wrong_answers_get_their_hint(capsys):
    def logits(self, x):
        return self.fc2(self.embed(x))

    def no_relu(self, x):
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.relu(F.max_pool2d(self.conv2_drop(self.conv2(x)), 2))
        return self.fc1(x.flatten(1))

    def always_dropout(self, x):
        h = F.dropout(self.embed(x), self.dropout, training=True)
        return F.log_softmax(self.fc2(h), dim=1)

    def fixed_rate(self, x):
        h = F.dropout(self.embed(x), 0.5, training=self.training)
        return F.log_softmax(self.fc2(h), dim=1)

    def no_dropout(self, x):
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.relu(F.max_pool2d(self.conv2(x), 2))
        return F.log_softmax(self.fc2(F.relu(self.fc1(x.flatten(1)))), dim=1)

    assert "log_softmax" in hint("6.3", digit_net_variant(forward=logits), capsys)
    assert "ReLU after fc1 is missing" in hint(
        "6.3", digit_net_variant(embed=no_relu), capsys)
    assert "evaluation mode two calls" in hint(
        "6.3", digit_net_variant(forward=always_dropout), capsys)
    assert "use the dropout argument" in hint(
        "6.3", digit_net_variant(forward=fixed_rate), capsys)
    assert "apply dropout" in hint("6.3", digit_net_variant(forward=no_dropout), capsys)
    assert "fc1.weight (50, 500)" in hint(
        "6.3", digit_net_variant(fc1_inputs=500), capsys)
    assert "named conv1, conv2, fc1, fc2" in hint(
        "6.3", digit_net_variant(rename=True), capsys)

    class Forgetful(DigitNet):
        def __init__(self, embed_dim=50, dropout=0.5):
            super().__init__(embed_dim, dropout)
            del self.embed_dim

    assert "self.embed_dim" in hint("6.3", Forgetful, capsys)


def test_6_4_wrong_answers_get_their_hint(capsys):
    def no_zero_grad(model, optimizer, xb, yb):
        log_probs = model(xb)
        loss = F.nll_loss(log_probs, yb)
        loss.backward()
        optimizer.step()
        return loss.item(), (log_probs.argmax(1) == yb).sum().item()

    def summed(model, optimizer, xb, yb):
        optimizer.zero_grad()
        log_probs = model(xb)
        loss = F.nll_loss(log_probs, yb, reduction="sum")
        loss.backward()
        optimizer.step()
        return loss.item(), (log_probs.argmax(1) == yb).sum().item()

    def no_step(model, optimizer, xb, yb):
        optimizer.zero_grad()
        log_probs = model(xb)
        loss = F.nll_loss(log_probs, yb)
        loss.backward()
        return loss.item(), (log_probs.argmax(1) == yb).sum().item()

    def tensor_loss(model, optimizer, xb, yb):
        loss, correct = right_step(model, optimizer, xb, yb)
        return torch.tensor(loss), correct

    def share(model, optimizer, xb, yb):
        loss, correct = right_step(model, optimizer, xb, yb)
        return loss, correct / len(yb)

    def loss_after(model, optimizer, xb, yb):
        _, correct = right_step(model, optimizer, xb, yb)
        return F.nll_loss(model(xb), yb).item(), correct

    def evaluates(model, optimizer, xb, yb):
        result = right_step(model, optimizer, xb, yb)
        model.eval()
        return result

    assert "optimizer.zero_grad()" in hint("6.4", no_zero_grad, capsys)
    assert "N times too large" in hint("6.4", summed, capsys)
    assert "optimizer.step()" in hint("6.4", no_step, capsys)
    assert "loss.item()" in hint("6.4", tensor_loss, capsys)
    assert "NUMBER of correct" in hint("6.4", share, capsys)
    assert "before the step" in hint("6.4", loss_after, capsys)
    assert "evaluation mode" in hint("6.4", evaluates, capsys)


def boxed(crop=True, longer=20, keep_aspect=True, centre_by_mass=True,
          resample=Image.LANCZOS, normalise=False):
    """mnist_box with one step done wrong."""
    def mnist_box(ink):
        ink = np.asarray(ink, dtype=np.float32)
        if ink.ndim != 2 or not (ink > 0).any():
            raise ValueError("need a 2-D image with some ink in it.")
        rows, cols = np.nonzero(ink > 0)
        part = (ink[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
                if crop else ink)
        scale = longer / max(part.shape)
        height, width = (max(1, round(n * scale)) for n in part.shape)
        if not keep_aspect:
            height = width = longer
        small = np.clip(np.asarray(Image.fromarray(np.ascontiguousarray(part))
                                   .resize((width, height), resample)), 0, None)
        canvas = np.zeros((28, 28), dtype=np.float32)
        top, left = (28 - height) // 2, (28 - width) // 2
        canvas[top:top + height, left:left + width] = small
        if centre_by_mass:
            cy, cx = ndimage.center_of_mass(canvas)
            canvas = ndimage.shift(canvas, (14 - cy, 14 - cx), order=1)
        return canvas / canvas.sum() if normalise else canvas
    return mnist_box


def test_6_5_wrong_answers_get_their_hint(capsys):
    assert grade("6.5", boxed()).score == 3
    capsys.readouterr()
    assert "fills the canvas" in hint("6.5", boxed(longer=28), capsys)
    assert "keep the aspect ratio" in hint("6.5", boxed(keep_aspect=False), capsys)
    assert "depends on where the ink is" in hint("6.5", boxed(crop=False), capsys)
    assert "centre of mass" in hint("6.5", boxed(centre_by_mass=False), capsys)
    assert "aliasing" in hint("6.5", boxed(resample=Image.NEAREST), capsys)
    assert "do not normalise" in hint("6.5", boxed(normalise=True), capsys)

    def float64(ink):
        return boxed()(ink).astype(np.float64)

    assert "float32" in hint("6.5", float64, capsys)

    def no_checks(ink):
        if np.ndim(ink) == 2 and not np.any(np.asarray(ink) > 0):
            return np.zeros((28, 28), np.float32)
        return boxed()(ink)

    assert "no ink" in hint("6.5", no_checks, capsys)

    def in_place(ink):
        out = boxed()(ink)
        ink[ink > 0] = 1.0
        return out

    assert "changed the array passed in" in hint("6.5", in_place, capsys)
