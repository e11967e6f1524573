"""Lab 06's graded exercises: typical wrong answers score 0 with a hint that
says what is wrong (what every exercise keeps is in
test_exercises_contract.py)."""
import numpy as np
import torch
from PIL import Image
from scipy import ndimage
from torch import nn
from torch.nn import functional as F

from exercise_contract import assert_caught, own, passes
from utils import nets

# the references compiled anew: the graders refuse answers that call them
DigitNet, right_step = own(nets.DigitNet), own(nets.train_step)


def test_6_1_wrong_answers_get_their_hint():
    assert_caught("6.1", lambda n, k, s=1, p=0: n - k + 1,
                  "without stride and padding")
    assert_caught("6.1", lambda n, k, s=1, p=0: (n - k) // s + 1,
                  "2 * padding")
    assert_caught("6.1", lambda n, k, s=1, p=0: (n + 2 * p - k) / s + 1,
                  "whole number")
    assert_caught("6.1", lambda n, k, s=1, p=0: round((n + 2 * p - k) / s) + 1,
                  "round down")
    assert_caught("6.1", lambda n, k, s=1, p=0: (n + p - k) // s + 1,
                  "nn.Conv2d gives")


def test_6_2_wrong_answers_get_their_hint():
    assert_caught("6.2", lambda ci, co, k: co * ci * k * k, "biases")
    assert_caught("6.2", lambda ci, co, k: co * (k * k + 1), "EACH of the")
    assert_caught("6.2", lambda ci, co, k: co * (ci * k + 1),
                  "not kernel wide")


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


def test_6_3_wrong_answers_get_their_hint():
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

    assert_caught("6.3", digit_net_variant(forward=logits), "log_softmax")
    assert_caught("6.3", digit_net_variant(embed=no_relu),
                  "ReLU after fc1 is missing")
    assert_caught("6.3", digit_net_variant(forward=always_dropout),
                  "evaluation mode two calls")
    assert_caught("6.3", digit_net_variant(forward=fixed_rate),
                  "use the dropout argument")
    assert_caught("6.3", digit_net_variant(forward=no_dropout),
                  "apply dropout")
    assert_caught("6.3", digit_net_variant(fc1_inputs=500),
                  "fc1.weight (50, 500)")
    assert_caught("6.3", digit_net_variant(rename=True),
                  "named conv1, conv2, fc1, fc2")

    class Forgetful(DigitNet):
        def __init__(self, embed_dim=50, dropout=0.5):
            super().__init__(embed_dim, dropout)
            del self.embed_dim

    assert_caught("6.3", Forgetful, "self.embed_dim")


def _step(zero_grad=True, reduction="mean", step=True):
    """train_step with one step left out or done wrong."""
    def train_step(model, optimizer, xb, yb):
        if zero_grad:
            optimizer.zero_grad()
        log_probs = model(xb)
        loss = F.nll_loss(log_probs, yb, reduction=reduction)
        loss.backward()
        if step:
            optimizer.step()
        return loss.item(), (log_probs.argmax(1) == yb).sum().item()
    return train_step


def test_6_4_wrong_answers_get_their_hint():
    assert passes("6.4", _step())

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

    assert_caught("6.4", _step(zero_grad=False), "optimizer.zero_grad()")
    assert_caught("6.4", _step(reduction="sum"), "N times too large")
    assert_caught("6.4", _step(step=False), "optimizer.step()")
    assert_caught("6.4", tensor_loss, "loss.item()")
    assert_caught("6.4", share, "NUMBER of correct")
    assert_caught("6.4", loss_after, "before the step")
    assert_caught("6.4", evaluates, "leave the mode alone")


def boxed(crop=True, longer=20, keep_aspect=True, centre_by_mass=True,
          resample=Image.LANCZOS, normalise=False):
    """mnist_box with one step done wrong."""
    def mnist_box(ink):
        ink = np.asarray(ink, dtype=np.float32)
        if ink.ndim != 2:  # the checks given with the stub
            raise ValueError("mnist_box needs a 2-D image (rows, columns).")
        if not (ink > 0).any():
            raise ValueError("mnist_box found no ink: no pixel is above 0.")
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


def test_6_5_wrong_answers_get_their_hint():
    assert passes("6.5", boxed())
    assert_caught("6.5", boxed(longer=28), "fills the canvas")
    assert_caught("6.5", boxed(keep_aspect=False), "keep the aspect ratio")
    assert_caught("6.5", boxed(crop=False), "depends on where the ink is")
    assert_caught("6.5", boxed(centre_by_mass=False), "centre of mass")
    assert_caught("6.5", boxed(resample=Image.NEAREST), "aliasing")
    assert_caught("6.5", boxed(normalise=True), "do not normalise")

    def float64(ink):
        return boxed()(ink).astype(np.float64)

    assert_caught("6.5", float64, "float32")

    def no_checks(ink):
        if np.ndim(ink) == 2 and not np.any(np.asarray(ink) > 0):
            return np.zeros((28, 28), np.float32)
        return boxed()(ink)

    assert_caught("6.5", no_checks, "no ink")

    def in_place(ink):
        out = boxed()(ink)
        ink[ink > 0] = 1.0
        return out

    assert_caught("6.5", in_place, "changed the array passed in")
