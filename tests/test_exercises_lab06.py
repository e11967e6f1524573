"""Lab 06's graded exercises: typical wrong answers score 0 with a hint that
says what is wrong (what every exercise keeps is in
test_exercises_contract.py)."""

import numpy as np
import torch
from exercise_contract import assert_caught, assert_clause_caught, own, passes
from PIL import Image
from scipy import ndimage
from torch import nn
from torch.nn import functional as F

from utils.saved import lab06_nets as nets

# the references compiled anew: the graders refuse answers that call them
DigitNet, right_step = own(nets.DigitNet), own(nets.train_step)


def test_6_1_wrong_answers_get_their_hint():
    assert_caught("6.1", lambda n, k, s=1, p=0: n - k + 1, "without stride and padding")
    assert_caught("6.1", lambda n, k, s=1, p=0: (n - k) // s + 1, "2 * padding")
    assert_caught("6.1", lambda n, k, s=1, p=0: (n + 2 * p - k) / s + 1, "whole number")
    assert_caught("6.1", lambda n, k, s=1, p=0: round((n + 2 * p - k) / s) + 1, "round down")
    assert_caught("6.1", lambda n, k, s=1, p=0: (n + p - k) // s + 1, "nn.Conv2d gives")


def test_6_2_wrong_answers_get_their_hint():
    assert_caught("6.2", lambda ci, co, k: co * ci * k * k, "biases")
    assert_caught("6.2", lambda ci, co, k: co * (k * k + 1), "EACH of the")
    assert_caught("6.2", lambda ci, co, k: co * (ci * k + 1), "not kernel wide")


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
    assert_caught("6.3", digit_net_variant(embed=no_relu), "ReLU after fc1 is missing")
    assert_caught("6.3", digit_net_variant(forward=always_dropout), "evaluation mode two calls")
    assert_caught("6.3", digit_net_variant(forward=fixed_rate), "use the dropout argument")
    assert_caught("6.3", digit_net_variant(forward=no_dropout), "apply dropout")
    assert_caught("6.3", digit_net_variant(fc1_inputs=500), "fc1.weight (50, 500)")
    assert_caught("6.3", digit_net_variant(rename=True), "named conv1, conv2, fc1, fc2")

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


def boxed(
    crop=True,
    longer=20,
    keep_aspect=True,
    centre_by_mass=True,
    resample=Image.LANCZOS,
    normalise=False,
):
    """mnist_box with one step done wrong."""

    def mnist_box(ink):
        ink = np.asarray(ink, dtype=np.float32)
        if ink.ndim != 2:  # the checks given with the stub
            raise ValueError("mnist_box needs a 2-D image (rows, columns).")
        if not (ink > 0).any():
            raise ValueError("mnist_box found no ink: no pixel is above 0.")
        rows, cols = np.nonzero(ink > 0)
        part = ink[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1] if crop else ink
        scale = longer / max(part.shape)
        height, width = (max(1, round(n * scale)) for n in part.shape)
        if not keep_aspect:
            height = width = longer
        small = np.clip(
            np.asarray(
                Image.fromarray(np.ascontiguousarray(part)).resize((width, height), resample)
            ),
            0,
            None,
        )
        canvas = np.zeros((28, 28), dtype=np.float32)
        top, left = (28 - height) // 2, (28 - width) // 2
        canvas[top : top + height, left : left + width] = small
        if centre_by_mass:
            cy, cx = ndimage.center_of_mass(canvas)
            canvas = ndimage.shift(canvas, (14 - cy, 14 - cx), order=1)
        return canvas / canvas.sum() if normalise else canvas

    return mnist_box


def test_6_5_wrong_answers_get_their_hint():
    assert passes("6.9", boxed())
    assert_caught("6.9", boxed(longer=28), "fills the canvas")
    assert_caught("6.9", boxed(keep_aspect=False), "keep the aspect ratio")
    assert_caught("6.9", boxed(crop=False), "depends on where the ink is")
    assert_caught("6.9", boxed(centre_by_mass=False), "centre of mass")
    assert_caught("6.9", boxed(resample=Image.NEAREST), "aliasing")
    assert_caught("6.9", boxed(normalise=True), "do not normalise")

    def float64(ink):
        return boxed()(ink).astype(np.float64)

    assert_caught("6.9", float64, "float32")

    def no_checks(ink):
        if np.ndim(ink) == 2 and not np.any(np.asarray(ink) > 0):
            return np.zeros((28, 28), np.float32)
        return boxed()(ink)

    assert_caught("6.9", no_checks, "no ink")

    def in_place(ink):
        out = boxed()(ink)
        ink[ink > 0] = 1.0
        return out

    assert_caught("6.9", in_place, "changed the array passed in")


# --- 6.5 train_net_epoch, 6.6 evaluate_net -----------------------------------

right_epoch, right_evaluate = own(nets.train_net_epoch), own(nets.evaluate_net)
train_step = right_step  # what an answer's train_net_epoch calls, by this name


def _epoch(train=True, shuffle=True, keep_last=True, weighted=True, schedule=True):
    """train_net_epoch with one part left out or done wrong."""

    def train_net_epoch(model, x, y, optimizer, batch_size, generator, device, scheduler=None):
        if train:
            model.train()
        order = torch.randperm(len(x), generator=generator) if shuffle else torch.arange(len(x))
        end = len(x) if keep_last else len(x) - len(x) % batch_size
        losses, sizes, correct = [], [], 0
        for start in range(0, end, batch_size):
            batch = order[start : start + batch_size]
            xb = x[batch].to(device, memory_format=torch.channels_last)
            loss, right = train_step(model, optimizer, xb, y[batch].to(device))
            if scheduler is not None and schedule:
                scheduler.step()
            losses.append(loss)
            sizes.append(len(batch))
            correct += right
        mean = np.dot(losses, sizes) / len(x) if weighted else np.mean(losses)
        return mean, correct / len(x)

    return train_net_epoch


def test_6_6_wrong_answers_get_their_hint():
    assert passes("6.5", _epoch())
    assert_caught("6.5", _epoch(train=False), "model.train()")
    assert_caught("6.5", _epoch(shuffle=False), "torch.randperm")
    assert_caught("6.5", _epoch(keep_last=False), "keep the last")
    assert_caught("6.5", _epoch(weighted=False), "mean of the batch means")
    assert_caught("6.5", _epoch(schedule=False), "scheduler.step()")

    def count(*args):
        loss, accuracy = right_epoch(*args)
        return loss, accuracy * len(args[1])

    def own_generator(model, x, y, optimizer, batch_size, generator, device, scheduler=None):
        return right_epoch(
            model, x, y, optimizer, batch_size, torch.Generator().manual_seed(1), device, scheduler
        )

    assert_caught("6.5", count, "the accuracy should be")
    assert_caught("6.5", own_generator, "from the generator passed in")


def _evaluation(mode=True, weighted=True, no_grad=True, batches=True):
    def evaluate_net(model, x, y, device, batch_size=1000):
        if mode:
            model.eval()
        size = batch_size if batches else len(x)
        losses, counts = [], 0
        with torch.set_grad_enabled(not no_grad):
            for start in range(0, len(x), size):
                log_probs = model(
                    x[start : start + size].to(device, memory_format=torch.channels_last)
                )
                yb = y[start : start + size].to(device)
                losses.append((F.nll_loss(log_probs, yb).item(), len(yb)))
                counts += (log_probs.argmax(1) == yb).sum().item()
        loss = (
            sum(m * n for m, n in losses) / len(x) if weighted else np.mean([m for m, _ in losses])
        )
        return loss, counts / len(x)

    return evaluate_net


def test_6_7_wrong_answers_get_their_hint():
    assert passes("6.6", _evaluation())
    assert_caught("6.6", _evaluation(mode=False), "model.eval()")
    assert_caught("6.6", _evaluation(weighted=False), "mean of the batch means")
    assert_caught("6.6", _evaluation(batches=False), "at most batch_size")

    def counted(*args, **kwargs):
        loss, accuracy = right_evaluate(*args, **kwargs)
        return loss, accuracy * len(args[1])

    def summed(*args, **kwargs):
        loss, accuracy = right_evaluate(*args, **kwargs)
        return loss * len(args[1]), accuracy

    def tensors(*args, **kwargs):
        return tuple(map(torch.tensor, right_evaluate(*args, **kwargs)))

    assert_caught("6.6", counted, "is a count")
    assert_caught("6.6", summed, "divide by their number")
    assert_caught("6.6", tensors, ".item()")
    assert_clause_caught(
        "6.6", _evaluation(no_grad=False), "no gradients tracked", "torch.no_grad()"
    )


# --- 6.7 conv2d, 6.8 max_pool2d ----------------------------------------------

right_conv, right_pool = own(nets.conv2d), own(nets.max_pool2d)


def _conv(flip=False, bias=True, both_pads=True, stride_used=True, square=False):
    """conv2d with one mistake."""

    def conv2d(x, w, b, stride=1, padding=0):
        k = w.shape[-1]
        w = w[:, :, ::-1, ::-1] if flip else w
        before = padding if both_pads else 0
        x = np.pad(x, ((0, 0), (0, 0), (before, padding), (before, padding)))
        step = stride if stride_used else 1
        rows = (x.shape[2] - k) // step + 1
        cols = rows if square else (x.shape[3] - k) // step + 1
        out = np.stack(
            [
                np.stack(
                    [
                        np.einsum(
                            "nchw,fchw->nf",
                            x[:, :, r * step : r * step + k, c * step : c * step + k],
                            w,
                        )
                        for c in range(cols)
                    ],
                    -1,
                )
                for r in range(rows)
            ],
            -2,
        )
        return out + b[:, None, None] if bias else out

    return conv2d


def test_6_8_wrong_answers_get_their_hint():
    assert passes("6.7", _conv())
    assert_caught("6.7", _conv(flip=True), "flipped the filter")
    assert_caught("6.7", _conv(bias=False), "bias is missing")
    assert_caught("6.7", _conv(square=True), "returned shape")
    assert_caught(
        "6.7",
        _conv(both_pads=False),
        "returned shape",
        seed=81,
        n=3,
        channels=2,
        filters=5,
        height=11,
        width=8,
        kernel=4,
        stride=2,
        padding=1,
    )
    assert_caught(
        "6.7",
        _conv(stride_used=False),
        "returned shape",
        seed=81,
        n=3,
        channels=2,
        filters=5,
        height=11,
        width=8,
        kernel=4,
        stride=2,
        padding=1,
    )

    def filters_swapped(x, w, b, stride=1, padding=0):
        return right_conv(x, w[::-1].copy(), b[::-1].copy(), stride, padding)

    def in_place(x, w, b, stride=1, padding=0):
        out = right_conv(x, w, b, stride, padding)
        x[:] = 0
        return out

    def per_image(x, w, b, stride=1, padding=0):
        return np.stack([right_conv(image[None], w, b, stride, padding)[0] for image in x])

    def with_torch(x, w, b, stride=1, padding=0):
        return F.conv2d(
            torch.from_numpy(x),
            torch.from_numpy(w),
            torch.from_numpy(b),
            stride=stride,
            padding=padding,
        ).numpy()

    assert_caught("6.7", filters_swapped, "in the wrong maps")
    assert_caught("6.7", in_place, "changed the array x")
    assert_clause_caught("6.7", per_image, "no loop over the images", "loops over the images")
    assert_clause_caught("6.7", with_torch, "written in NumPy", "write it in NumPy")


def test_6_9_wrong_answers_get_their_hint():
    assert passes("6.8", right_pool)

    def from_zero(x, size=2, stride=None):
        return np.maximum(right_pool(x, size, stride), 0)

    def mean_pool(x, size=2, stride=None):
        stride = stride or size
        rows = (x.shape[2] - size) // stride + 1
        cols = (x.shape[3] - size) // stride + 1
        return np.stack(
            [
                np.stack(
                    [
                        x[
                            :, :, r * stride : r * stride + size, c * stride : c * stride + size
                        ].mean((2, 3))
                        for c in range(cols)
                    ],
                    -1,
                )
                for r in range(rows)
            ],
            -2,
        )

    def ceil_mode(x, size=2, stride=None):
        stride = stride or size
        pad = (-(x.shape[2] - size)) % stride, (-(x.shape[3] - size)) % stride
        wide = np.pad(x, ((0, 0), (0, 0), (0, pad[0]), (0, pad[1])), constant_values=-np.inf)
        return right_pool(wide, size, stride)

    def stride_one(x, size=2, stride=None):
        return right_pool(x, size, stride or 1)

    def per_image(x, size=2, stride=None):
        return np.stack([right_pool(image[None], size, stride)[0] for image in x])

    def with_torch(x, size=2, stride=None):
        return F.max_pool2d(torch.from_numpy(x), size, stride).numpy()

    assert_caught("6.8", from_zero, "start from the window's values")
    assert_caught("6.8", mean_pool, "average pooling")
    assert_caught("6.8", ceil_mode, "only windows that fit", seed=91, height=7, width=9)
    assert_caught("6.8", stride_one, "the stride defaults to the size")
    assert_clause_caught("6.8", per_image, "no loop over the images", "loops over the images")
    assert_clause_caught("6.8", with_torch, "written in NumPy", "write it in NumPy")


def test_6_6_and_6_7_move_batches_to_the_device():
    def epoch_stays(model, x, y, optimizer, batch_size, generator, device, scheduler=None):
        return _epoch()(model, x, y, optimizer, batch_size, generator, "cpu", scheduler)

    def epoch_plain(model, x, y, optimizer, batch_size, generator, device, scheduler=None):
        model.train()
        order = torch.randperm(len(x), generator=generator)
        correct, total = 0, 0.0
        for start in range(0, len(x), batch_size):
            batch = order[start : start + batch_size]
            loss, right = train_step(model, optimizer, x[batch].to(device), y[batch].to(device))
            if scheduler is not None:
                scheduler.step()
            total, correct = total + loss * len(batch), correct + right
        return total / len(x), correct / len(x)

    def evaluate_stays(model, x, y, device, batch_size=1000):
        return right_evaluate(model, x, y, "cpu", batch_size)

    assert_clause_caught(
        "6.5", epoch_stays, "batches moved to the device", "move each batch's images and labels"
    )
    assert_clause_caught("6.5", epoch_plain, "batches moved to the device", "channels_last layout")
    assert_clause_caught(
        "6.6", evaluate_stays, "batches moved to the device", "move each batch's images and labels"
    )
