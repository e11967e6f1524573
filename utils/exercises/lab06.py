"""Graded exercises of lab 06 (a convolutional network): tests and points.

The tests build their own inputs from a seed: sizes checked against
``nn.Conv2d`` itself, a network whose forward pass is recomputed here with
``torch.nn.functional`` from the answer's own weights, a training step
compared with gradients taken here, and made-up "ink" images whose crop,
size and centre of mass are measured here.
"""
from __future__ import annotations

import numbers
import warnings

import numpy as np
import torch
from scipy import ndimage
from torch import nn
from torch.nn import functional as F

from ..checks import rel_error
from . import Clause, Spec, loop_free, require


# --- 6.1, 6.2: sizes and parameter counts ---------------------------------

def _conv_cases(seed: int, cases: int) -> list[tuple[int, int, int, int]]:
    rng = np.random.default_rng(seed)
    found = [(28, 5, 1, 0), (32, 3, 2, 1)]
    while len(found) < cases:
        kernel = int(rng.integers(1, 8))
        stride = int(rng.integers(1, 5))
        padding = int(rng.integers(0, kernel))
        n = int(rng.integers(kernel, 80))
        found.append((n, kernel, stride, padding))
    return found


def test_conv_output_size(conv_output_size, seed: int = 0,
                          cases: int = 8) -> str:
    """conv_output_size(n, kernel, stride, padding) -> side of the output."""
    for n, kernel, stride, padding in _conv_cases(seed, cases):
        conv = nn.Conv2d(1, 1, kernel, stride=stride, padding=padding)
        right = conv(torch.zeros(1, 1, n, n)).shape[-1]
        defaults = stride == 1 and padding == 0  # the spec's defaults
        got = (conv_output_size(n, kernel) if defaults
               else conv_output_size(n, kernel, stride, padding))
        call = f"conv_output_size({n}, {kernel}, {stride}, {padding})"
        require(got is not None, f"{call} returned None.")
        require(isinstance(got, numbers.Integral),
                f"{call} returned {got!r}: a side length is a whole number "
                "(use // for the floor).")
        if got != right:
            require(got != n - kernel + 1,
                    f"{call} gave {got}, the size without stride and "
                    f"padding; nn.Conv2d gives {right}.")
            require(got != (n - kernel) // stride + 1,
                    f"{call} gave {got}: the padding adds 2 * padding to n "
                    f"(both sides); nn.Conv2d gives {right}.")
            require(got != round((n + 2 * padding - kernel) / stride) + 1,
                    f"{call} gave {got}: round down, floor((n + 2p - k) / s)"
                    f" + 1, not to the nearest; nn.Conv2d gives {right}.")
            require(False, f"{call} gave {got}, nn.Conv2d gives {right}.")
    return f"matches nn.Conv2d on {cases} sizes, strides and paddings."


def test_conv_param_count(conv_param_count, seed: int = 0,
                          cases: int = 6) -> str:
    """conv_param_count(c_in, c_out, kernel) -> weights + biases."""
    rng = np.random.default_rng(seed)
    found = [(1, 10, 5)]
    found += [(int(rng.integers(1, 40)), int(rng.integers(1, 40)),
               int(rng.integers(1, 12))) for _ in range(cases - 1)]
    for c_in, c_out, kernel in found:
        conv = nn.Conv2d(c_in, c_out, kernel)
        right = sum(p.numel() for p in conv.parameters())
        got = conv_param_count(c_in, c_out, kernel)
        what = f"Conv2d({c_in}, {c_out}, {kernel})"
        require(got is not None, "conv_param_count returned None.")
        if got != right:
            require(got != c_out * c_in * kernel ** 2,
                    f"{what}: you forgot the biases, one per output channel.")
            require(got != c_out * (kernel ** 2 + 1),
                    f"{what}: each filter has a {kernel}x{kernel} slice for "
                    f"EACH of the {c_in} input channels.")
            require(got != c_out * (c_in * kernel + 1),
                    f"{what}: a filter is kernel x kernel, not kernel wide.")
            require(False, f"{what} has {right:,} parameters, you said {got}.")
    return f"matches nn.Conv2d on {len(found)} layers."


# --- 6.3: DigitNet ---------------------------------------------------------

def _shapes(width: int) -> dict[str, tuple[int, ...]]:
    return {"conv1.weight": (10, 1, 5, 5), "conv1.bias": (10,),
            "conv2.weight": (20, 10, 5, 5), "conv2.bias": (20,),
            "fc1.weight": (width, 320), "fc1.bias": (width,),
            "fc2.weight": (10, width), "fc2.bias": (10,)}


def _digit_net_forward(state: dict, x: torch.Tensor):
    """DigitNet in evaluation mode, from its weights: (log-probs, hidden)."""
    h = F.relu(F.max_pool2d(F.conv2d(x, state["conv1.weight"],
                                     state["conv1.bias"]), 2))
    h = F.relu(F.max_pool2d(F.conv2d(h, state["conv2.weight"],
                                     state["conv2.bias"]), 2))
    h = F.relu(F.linear(h.flatten(1), state["fc1.weight"], state["fc1.bias"]))
    logits = F.linear(h, state["fc2.weight"], state["fc2.bias"])
    return F.log_softmax(logits, dim=1), h


def test_digit_net(DigitNet, seed: int = 0, width: int = 50,
                   batch: int = 4) -> str:
    """DigitNet(embed_dim, dropout): layers, size, forward, embed, dropout."""
    torch.manual_seed(seed)
    default = DigitNet()
    require((getattr(default, "embed_dim", None), getattr(default, "dropout",
                                                         None)) == (50, 0.5),
            "DigitNet() should keep the spec's defaults as self.embed_dim "
            "= 50 and self.dropout = 0.5.")
    model = DigitNet(embed_dim=width, dropout=0.5)
    require(isinstance(model, nn.Module),
            "DigitNet should be a class derived from nn.Module.")
    require(getattr(model, "embed_dim", None) == width
            and getattr(model, "dropout", None) == 0.5,
            "keep the constructor's arguments as self.embed_dim and "
            "self.dropout (the checkpoint of section 7 stores them).")
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    expected = _shapes(width)
    wrong = [f"{k} {tuple(state[k].shape)} (should be {s})"
             for k, s in expected.items() if k in state
             and tuple(state[k].shape) != s]
    require(not wrong, "wrong layer shapes: " + ", ".join(wrong) + ".")
    missing = sorted(set(expected) - set(state))
    extra = sorted(set(state) - set(expected))
    require(not missing and not extra,
            f"the layers must be named conv1, conv2, fc1, fc2 (lab 08 loads "
            f"the weights by these names); missing {missing}, "
            f"unexpected {extra}.")
    count = sum(p.numel() for p in model.parameters())
    right = 260 + 5_020 + 321 * width + 10 * (width + 1)
    require(count == right, f"{count:,} parameters, should be {right:,}.")
    x = torch.rand(batch, 1, 28, 28, generator=torch.Generator()
                   .manual_seed(seed))
    model.eval()
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning is stderr: nbgrader's 0
        try:
            out = model(x)
        except UserWarning as err:
            raise AssertionError(f"forward warns: {err} Name the axis: "
                                 "F.log_softmax(..., dim=1).") from None
        again = model(x)
        hidden = model.embed(x)
    require(tuple(out.shape) == (batch, 10),
            f"forward should return (N, 10), got {tuple(out.shape)}.")
    require(tuple(hidden.shape) == (batch, width),
            f"embed should return (N, embed_dim) = ({batch}, {width}), got "
            f"{tuple(hidden.shape)}.")
    require(torch.equal(out, again),
            "in evaluation mode two calls give different outputs: dropout "
            "must be off in eval() (nn.Dropout2d, and F.dropout with "
            "training=self.training).")
    right_out, right_hidden = _digit_net_forward(state, x)
    if rel_error(out.numpy(), right_out.numpy()) > 1e-4:
        sums = out.exp().sum(1)
        require(torch.allclose(sums, torch.ones(batch), atol=1e-4),
                "exp(forward(x)) should sum to 1 over the ten digits: end "
                "forward with F.log_softmax(..., dim=1).")
        require(rel_error(hidden.numpy(), right_hidden.numpy()) <= 1e-4,
                "embed(x) differs from conv1 -> max-pool 2 -> ReLU -> conv2 "
                "-> (dropout) -> max-pool 2 -> ReLU -> flatten -> fc1 -> "
                "ReLU." + (" It has negative values: the ReLU after fc1 is "
                           "missing." if (hidden < 0).any() else ""))
        require(False, "forward(x) should be log_softmax(fc2(embed(x))), "
                "with dropout on the hidden layer only while training.")
    require(rel_error(hidden.numpy(), right_hidden.numpy()) <= 1e-4,
            "forward is right but embed(x) is not the hidden layer "
            "(the ReLU of fc1, before dropout and fc2).")
    sure = DigitNet(embed_dim=width, dropout=0.5).eval()
    sure.load_state_dict(state)
    with torch.no_grad():
        sure.fc2.weight.mul_(1e4)  # a very confident network
        confident = sure(x)
    require(torch.isfinite(confident).all(), "a very confident network gave "
            "-inf log-probabilities: torch.log(F.softmax(...)) takes the log "
            "of 0; F.log_softmax(..., dim=1) does not.")
    model.train()
    with torch.no_grad():
        noisy = [model(x) for _ in range(2)]
    require(not torch.equal(*noisy),
            "with dropout=0.5 two training-mode calls give the same output: "
            "apply dropout (Dropout2d after conv2, dropout on the hidden "
            "layer) while training.")
    plain = DigitNet(embed_dim=width, dropout=0.0)
    plain.load_state_dict(state)
    plain.train()
    with torch.no_grad():
        require(torch.allclose(plain(x), right_out, atol=1e-5),
                "with dropout=0.0 the training-mode output should equal the "
                "evaluation one: use the dropout argument, not 0.5.")
    return (f"{right:,} parameters in conv1, conv2, fc1, fc2; forward and "
            f"embed match a recomputation; dropout only while training.")


def _dropout_layers(DigitNet) -> str:
    """The spec's two dropouts: whole maps after conv2 (in embed), and the
    hidden layer in forward only (embed stays deterministic without it)."""
    torch.manual_seed(0)
    model = DigitNet(embed_dim=20, dropout=0.5).train()
    x = torch.rand(8, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    drop = getattr(model, "conv2_drop", None)
    require(isinstance(drop, nn.Module), "self.conv2_drop should be the "
            "module nn.Dropout2d(dropout).")
    seen = []
    handle = drop.register_forward_hook(lambda m, i, o: seen.append((i[0], o)))
    with torch.no_grad():
        model(x)
    handle.remove()
    require(seen, "self.conv2_drop is never applied: embed runs conv2, "
            "then conv2_drop, then the max-pool.")
    before, after = (t.flatten(2) for t in seen[0])
    dropped = (after == 0).all(-1)
    whole = dropped | ((after != 0) | (before == 0)).all(-1)
    require(whole.all() and dropped.any(), "conv2_drop zeroes single "
            "pixels of the maps: nn.Dropout2d drops whole maps.")
    drop.p = 0.0
    with torch.no_grad():
        embeds, outs = [model.embed(x) for _ in range(2)], [model(x) for _ in range(2)]
    require(torch.equal(*embeds), "with conv2_drop off, embed is still random "
            "in training mode: the hidden layer's dropout belongs in "
            "forward, after embed (lab 08 reuses embed).")
    require(not torch.equal(*outs), "the hidden layer gets no dropout: "
            "forward applies F.dropout(h, self.dropout, "
            "training=self.training) between embed and fc2.")
    return "Dropout2d on conv2's maps, dropout on the hidden layer in forward"


# --- 6.4: one training step ------------------------------------------------

def _small_model(seed: int) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Flatten(), nn.Linear(36, 12), nn.ReLU(),
                         nn.Linear(12, 5), nn.LogSoftmax(dim=1))


def test_train_step(train_step, seed: int = 0, batch: int = 16) -> str:
    """train_step(model, optimizer, xb, yb) -> (loss before step, correct)."""
    model, reference = _small_model(seed), _small_model(seed)
    generator = torch.Generator().manual_seed(seed)
    xb = torch.randn(batch, 1, 6, 6, generator=generator)
    yb = torch.randint(0, 5, (batch,), generator=generator)
    lr = 0.5
    # the right step, taken here
    log_probs = reference(xb)
    loss = F.nll_loss(log_probs, yb)
    params = list(reference.parameters())
    grads = torch.autograd.grad(loss, params)
    right_loss = loss.item()
    right_correct = int((log_probs.argmax(1) == yb).sum())
    before = [p.detach().clone() for p in params]
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    model.eval()  # no dropout in this model: the mode only has to stay
    result = train_step(model, optimizer, xb, yb)
    require(isinstance(result, (tuple, list)) and len(result) == 2,
            "return the pair (loss, number of correct predictions).")
    got_loss, got_correct = result
    require(not isinstance(got_loss, torch.Tensor),
            "return the loss as a Python number, loss.item(), not the "
            "tensor (a tensor keeps the whole graph alive).")
    require(isinstance(got_loss, numbers.Real), f"the loss should be a "
            f"number, got {type(got_loss).__name__}.")
    require(not model.training, "train_step switched the model's mode; "
            "leave the mode alone (train_epoch sets it once per epoch).")
    new = [p.detach().clone() for p in model.parameters()]
    right = [b - lr * g for b, g in zip(before, grads)]
    if not all(torch.allclose(n, r, atol=1e-6) for n, r in zip(new, right)):
        require(not all(torch.equal(n, b) for n, b in zip(new, before)),
                "the weights did not change: call optimizer.step() after "
                "loss.backward().")
        summed = [b - lr * batch * g for b, g in zip(before, grads)]
        require(not all(torch.allclose(n, s, atol=1e-5)
                        for n, s in zip(new, summed)),
                "the step is N times too large: use the MEAN loss over the "
                "batch (F.nll_loss's default), not the sum.")
        require(False, "the weights after the step differ from one SGD step "
                "on F.nll_loss(model(xb), yb): zero_grad, forward, loss, "
                "backward, step.")
    # a second step: the first one's gradients must not be added to it
    # (zero_grad before backward, or after the step: either convention)
    for p, value in zip(params, right):
        p.data.copy_(value)
    second = torch.autograd.grad(F.nll_loss(reference(xb), yb), params)
    model.train()
    train_step(model, optimizer, xb, yb)
    require(model.training, "train_step switched the model's mode; leave "
            "the mode alone (train_epoch sets it once per epoch).")
    twice = [p.detach() for p in model.parameters()]
    right_twice = [r - lr * g for r, g in zip(right, second)]
    piled = [r - lr * (g + g1) for r, g, g1 in zip(right, second, grads)]
    if not all(torch.allclose(t, r, atol=1e-6) for t, r in zip(twice, right_twice)):
        require(not all(torch.allclose(t, s, atol=1e-6)
                        for t, s in zip(twice, piled)),
                "the second step added the first step's gradients: call "
                "optimizer.zero_grad() each step (before loss.backward(), "
                "or after optimizer.step()).")
        require(False, "two steps in a row differ from two SGD steps on "
                "F.nll_loss(model(xb), yb).")
    if not np.isclose(float(got_loss), right_loss, rtol=1e-5):
        require(not np.isclose(float(got_loss), right_loss * batch,
                               rtol=1e-5),
                "the loss returned is the SUM over the batch: return the "
                "mean, F.nll_loss's default.")
        require(False, f"the loss returned ({float(got_loss):.5f}) is not "
                f"the batch's mean loss before the step ({right_loss:.5f}).")
    require(not isinstance(got_correct, torch.Tensor) and
            isinstance(got_correct, numbers.Integral),
            f"return the NUMBER of correct predictions as an int "
            f"(.sum().item()), not a share or a tensor; got {got_correct!r}.")
    require(got_correct == right_correct,
            f"{got_correct} correct predictions returned, the batch had "
            f"{right_correct} (argmax of the output before the step).")
    return ("zero_grad, mean NLL loss, backward, step: the weights (after "
            "one and two steps), the loss and the count match steps taken "
            "independently.")


# --- 6.9: the MNIST box ----------------------------------------------------

def _rectangle(shape, box, value, offset):
    ink = np.zeros(shape)
    ink[offset[0]:offset[0] + box[0], offset[1]:offset[1] + box[1]] = value
    return ink


def _strokes(rng: np.random.Generator, side: int) -> np.ndarray:
    """A made-up character: a thick random polyline, anti-aliased, on 0."""
    yy, xx = np.mgrid[:side, :side].astype(float)
    ink = np.zeros((side, side))
    points = rng.uniform(0.15 * side, 0.85 * side, size=(4, 2))
    half_width = 0.05 * side
    for a, b in zip(points[:-1], points[1:]):
        along = b - a
        t = np.clip(((yy - a[0]) * along[0] + (xx - a[1]) * along[1])
                    / (along @ along), 0, 1)
        distance = np.hypot(yy - a[0] - t * along[0], xx - a[1] - t * along[1])
        ink = np.maximum(ink, np.clip(half_width + 0.5 - distance, 0, 1))
    return ink


def _extent(image: np.ndarray, level: float) -> tuple[int, int]:
    rows, cols = np.nonzero(image >= level)
    require(len(rows) > 0, f"no pixel of the result reaches {level:.2f}, "
            "half the ink's value: keep the ink's values, do not normalise.")
    return int(np.ptp(rows)) + 1, int(np.ptp(cols)) + 1


def _box_output(mnist_box, ink: np.ndarray) -> np.ndarray:
    given = ink.copy()
    out = mnist_box(given)
    require(np.array_equal(given, ink),
            "mnist_box changed the array passed in: work on a copy.")
    require(isinstance(out, np.ndarray), f"return a NumPy array, got "
            f"{type(out).__name__}.")
    require(out.shape == (28, 28), f"return a (28, 28) image, got shape "
            f"{out.shape}.")
    require(out.dtype == np.float32, f"return float32 (what the network "
            f"takes), got {out.dtype}.")
    require(np.isfinite(out).all(), "the result holds NaN or inf.")
    require(out.min() >= -1e-6, f"the result has negative pixels "
            f"({out.min():.3f}): clip the resize filter's ringing at 0, and "
            "shift with ndimage.shift(..., order=1) (the default cubic "
            "spline rings below 0 again) or clip after the shift.")
    return out


def _raises_value_error(mnist_box, bad: np.ndarray, what: str,
                        says: str) -> None:
    """``mnist_box(bad)`` raises ValueError whose message names ``says``
    (the checks are written for the student: kept as given)."""
    try:
        mnist_box(bad)
    except ValueError as err:
        require(says in str(err).lower(), f"for {what} raise ValueError with "
                f"a message that says what is wrong (the check written for "
                f"you mentions {says!r}); got {str(err)!r}.")
        return
    except Exception as err:
        raise AssertionError(f"for {what} raise ValueError with a clear "
                             f"message, not {type(err).__name__} "
                             f"({err}).") from None
    raise AssertionError(f"for {what} mnist_box returned instead of raising "
                         "ValueError with a clear message.")


def test_mnist_box(mnist_box, seed: int = 0) -> str:
    """mnist_box(ink): crop, fit the longer side to 20 px, centre by mass."""
    rng = np.random.default_rng(seed)
    # a made-up character, at two places in a larger image
    character = _strokes(rng, int(rng.integers(60, 140)))
    side = character.shape[0]
    placed = []
    shift = (int(rng.integers(5, 60)), int(rng.integers(5, 60)))
    for corner in [(0, 0), shift]:
        canvas = np.zeros((side + 60, side + 60))
        canvas[corner[0]:corner[0] + side, corner[1]:corner[1] + side] = \
            character
        placed.append(_box_output(mnist_box, canvas))
    require(np.allclose(placed[0], placed[1], atol=1e-5),
            "the result depends on where the ink is in the input: crop to "
            "the bounding box of the pixels > 0 first.")
    # a tall filled rectangle, shrunk: 20 px high, width in proportion
    height = int(rng.integers(50, 121))
    width = int(height * rng.uniform(0.3, 0.6))
    value = rng.uniform(0.5, 1.0)
    frame = (height + 40, width + 50)
    tall = _rectangle(frame, (height, width), value,
                      (int(rng.integers(0, 40)), int(rng.integers(0, 50))))
    out = _box_output(mnist_box, tall)
    right_cols = 20 * width / height
    rows, cols = _extent(out, value / 2)
    require(rows < 26, "the longer side fills the canvas: fit it into "
            "20 px and leave MNIST's 4-px margin.")
    require(abs(rows - 20) <= 1,
            f"a {height}x{width} block came out {rows} px high: resize it so "
            "that the LONGER side is 20 px.")
    require(not (abs(cols - 20) <= 1 and right_cols < 18),
            f"a {height}x{width} block came out {rows}x{cols}: keep the "
            f"aspect ratio (about {right_cols:.1f} px wide).")
    require(abs(cols - right_cols) <= 1.5,
            f"a {height}x{width} block came out {rows}x{cols}; with the "
            f"aspect ratio kept it is 20x{right_cols:.1f}.")
    mass, right_mass = float(out.sum()), value * 20 * right_cols
    require(abs(mass - right_mass) <= 0.1 * right_mass,
            f"the ink of the result sums to {mass:.1f}; a block of value "
            f"{value:.2f} and 20x{right_cols:.1f} px holds about "
            f"{right_mass:.1f}: keep the ink's values, resize, do not "
            "normalise.")
    centre = np.array(ndimage.center_of_mass(placed[0]))
    require(np.abs(centre - 14).max() <= 0.05,
            f"the centre of mass of the result is at row {centre[0]:.2f}, "
            f"column {centre[1]:.2f}: shift the image so that it is at "
            "(14, 14), MNIST's centre, by a fraction of a pixel if need be "
            "(ndimage.shift; np.roll moves whole pixels). Centring the "
            "bounding box is not the same.")
    # a square whose side times 20 / side is not 20 in floating point
    side = int(rng.choice([77, 154]))
    square = _rectangle((side + 20, side + 30), (side, side), value, (7, 11))
    mass = float(_box_output(mnist_box, square).sum())
    require(abs(mass - value * 400) <= 0.02 * value * 400,
            f"a {side}x{side} block should become 20x20 px of ink {value:.2f} "
            f"(sum {value * 400:.1f}), got a sum of {mass:.1f}: 20 / {side} * "
            f"{side} is {20 / side * side!r} in floating point, so round the "
            "sizes (round(...)), do not truncate them (int(...)).")
    # a symmetric frame of 1-px lines: every edge of the crop counts
    frame = np.zeros((60, 50))
    frame[8, 6:40] = frame[51, 6:40] = frame[8:52, 6] = frame[8:52, 39] = 1.0
    out = _box_output(mnist_box, frame)
    mirror = out[1:, 1:][::-1, ::-1]
    require(np.abs(out[1:, 1:] - mirror).max() <= 0.01 * out.max(),
            "a symmetric frame of 1-px lines came out lopsided: the crop "
            "must keep the last row and column of ink (rows.max() + 1 as "
            "the end of the slice), and the centre of mass go to (14, 14).")
    # any float type of ink: float16 (PIL cannot resize it) and float64
    half = _box_output(mnist_box, frame.astype(np.float16))
    require(np.allclose(half, out, atol=1e-3), "float16 ink gave another "
            "image than float32 ink: convert the ink to float32 first "
            "(np.asarray(ink, dtype=np.float32)).")
    # a long stroke 1 px thin: its short side rounds to 0 unless kept >= 1
    line = np.zeros((20, 140))
    line[9, 10:130] = 1.0
    out = _box_output(mnist_box, line)
    require(abs(out.sum() - 20) <= 1, f"a 1-px-thin stroke 120 px long "
            f"should become 20 x 1 px of ink (a sum of 20), got "
            f"{out.sum():.1f}: each side of the resized crop is round(...) "
            "but at least 1 px, max(1, round(...)).")
    # a small wide block, enlarged
    small = _rectangle((30, 30), (int(rng.integers(3, 6)),
                                  int(rng.integers(7, 10))), 1.0, (5, 9))
    out = _box_output(mnist_box, small)
    rows, cols = _extent(out, 0.5)
    require(abs(cols - 20) <= 1,
            f"a small {np.ptp(np.nonzero(small)[1]) + 1}-px-wide block came "
            f"out {cols} px wide: enlarge small ink too, to 20 px.")
    # fine stripes: anti-aliased resizing averages them to a flat grey
    stripes = np.zeros((200, 160))
    stripes[:, ::2] = 1.0
    out = _box_output(mnist_box, stripes)
    core = out[ndimage.binary_erosion(out > 0.2, iterations=3)]
    require(core.size > 20 and abs(core.mean() - 0.5) < 0.1
            and core.std() < 0.1,
            "fine stripes of 1 and 0, shrunk, should average to an even grey "
            "near 0.5; yours come out as other stripes or as 0 or 1 "
            "(aliasing): resize "
            "with an anti-aliasing filter (PIL's Image.LANCZOS or "
            "Image.BILINEAR), not nearest-neighbour or ndimage.zoom.")
    _raises_value_error(mnist_box, np.zeros((40, 30)), "an image with no ink",
                        "no ink")
    _raises_value_error(mnist_box, np.ones(30), "a 1-D array", "2-d")
    _raises_value_error(mnist_box, np.ones((20, 20, 3)), "a colour image",
                        "2-d")
    return ("crop, longer side 20 px with the aspect ratio kept, "
            "anti-aliased, centre of mass at (14, 14), thin strokes kept; "
            "ValueError on bad input.")


# --- 6.5, 6.6: an epoch of training, and the evaluation --------------------

class _Recorder(nn.Module):
    """A small network with dropout that records, for every call, the batch
    size, the mode and whether gradients were tracked."""

    def __init__(self, seed: int, side: int = 6, dropout: float = 0.5):
        super().__init__()
        torch.manual_seed(seed)
        self.body = nn.Sequential(nn.Flatten(), nn.Linear(side * side, 16),
                                  nn.ReLU(), nn.Dropout(dropout),
                                  nn.Linear(16, 5), nn.LogSoftmax(dim=1))
        self.calls: list[tuple[int, bool, bool]] = []

    def forward(self, x):
        self.calls.append((len(x), self.training, torch.is_grad_enabled()))
        return self.body(x)


def _images(seed: int, n: int, side: int = 6):
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 1, side, side, generator=generator)
    return x, torch.randint(0, 5, (n,), generator=generator)


def _schedule(optimizer):
    """A learning rate that halves after every step: a missed step shows."""
    return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda k: 0.5 ** k)


def test_train_epoch(train_epoch, seed: int = 0, n: int = 50,
                     batch_size: int = 16) -> str:
    """train_epoch(model, x, y, optimizer, batch_size, generator, device,
    scheduler=None) -> (mean loss per image, accuracy)."""
    x, y = _images(seed, n)
    model, mine = _Recorder(seed), _Recorder(seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.3)
    my_optimizer = torch.optim.SGD(mine.parameters(), lr=0.3)
    scheduler, my_scheduler = _schedule(optimizer), _schedule(my_optimizer)
    # the epoch, taken here: the same permutation, the same dropout draws
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    torch.manual_seed(seed + 1)
    mine.train()
    losses, counts, sizes = [], [], []
    for start in range(0, n, batch_size):
        batch = order[start:start + batch_size]
        my_optimizer.zero_grad()
        log_probs = mine(x[batch])
        loss = F.nll_loss(log_probs, y[batch])
        loss.backward()
        my_optimizer.step()
        my_scheduler.step()
        losses.append(loss.item())
        counts.append(int((log_probs.argmax(1) == y[batch]).sum()))
        sizes.append(len(batch))
    right_loss = float(np.dot(losses, sizes) / n)
    right_accuracy = sum(counts) / n
    model.eval()
    torch.manual_seed(seed + 1)
    result = train_epoch(model, x, y, optimizer, batch_size,
                         torch.Generator().manual_seed(seed), "cpu",
                         scheduler)
    require(isinstance(result, (tuple, list)) and len(result) == 2,
            "return the pair (mean loss, accuracy).")
    got_loss, got_accuracy = (float(v) for v in result)
    seen = [size for size, _, _ in model.calls]
    require(seen, "the model was never called: call train_step(model, "
            "optimizer, xb, yb) for every batch.")
    require(all(training for _, training, _ in model.calls),
            "the model was called in evaluation mode: switch it to training "
            "mode with model.train() at the start of the epoch (dropout "
            "must be on while training).")
    require(sum(seen) >= n, f"the epoch used {sum(seen)} of the {n} images: "
            f"keep the last, smaller batch (range(0, len(x), batch_size)).")
    require(sum(seen) == n, f"the epoch used {sum(seen)} images for {n}: "
            "each image once per epoch.")
    require(seen == sizes, f"batches of {seen}, should be {sizes}: slices "
            "of batch_size images of the permutation, the last one smaller.")
    lr = optimizer.param_groups[0]["lr"]
    require(np.isclose(lr, 0.3 * 0.5 ** len(sizes)),
            f"after {len(sizes)} batches the scheduler made "
            f"{round(np.log2(0.3 / lr)) if lr > 0 else '?'} steps: call "
            "scheduler.step() after every batch, when one is given.")
    same = all(torch.allclose(p, q, atol=1e-6) for p, q in
               zip(model.parameters(), mine.parameters()))
    require(same, "the weights after the epoch differ from one SGD step per "
            "batch in the order torch.randperm(len(x), generator=generator) "
            "gives: draw the order once, from the generator passed in, and "
            "take the batches in it.")
    if not np.isclose(got_loss, right_loss, rtol=1e-5):
        require(not np.isclose(got_loss, np.mean(losses), rtol=1e-5),
                f"the loss is the mean of the batch means ({got_loss:.5f}); "
                f"the last batch is smaller, so weight each batch's loss by "
                f"its size and divide by the number of images "
                f"({right_loss:.5f}).")
        require(False, f"the mean loss should be {right_loss:.5f} (each "
                f"batch's loss times its size, summed, over {n}), got "
                f"{got_loss:.5f}.")
    require(np.isclose(got_accuracy, right_accuracy),
            f"the accuracy should be {right_accuracy:.4f}, the share of "
            f"the {n} images predicted right during the epoch, got "
            f"{got_accuracy:.4f}.")
    return (f"{len(sizes)} batches in the generator's order, one step and "
            "one scheduler step each; loss and accuracy per image.")


def test_evaluate(evaluate, seed: int = 0, n: int = 45,
                  batch_size: int = 20) -> str:
    """evaluate(model, x, y, device, batch_size=1000) -> (loss, accuracy)."""
    x, y = _images(seed, n)
    model = _Recorder(seed)
    model.eval()
    with torch.no_grad():
        log_probs = model.body(x)
    model.train()
    right_loss = F.nll_loss(log_probs, y).item()
    right_accuracy = float((log_probs.argmax(1) == y).float().mean())
    result = (evaluate(model, x, y, "cpu", batch_size) if batch_size != 1000
              else evaluate(model, x, y, "cpu"))
    require(isinstance(result, (tuple, list)) and len(result) == 2,
            "return the pair (mean loss, accuracy).")
    require(not any(isinstance(v, torch.Tensor) for v in result),
            "return Python numbers (.item()), not tensors.")
    got_loss, got_accuracy = (float(v) for v in result)
    require(model.calls and not any(training for _, training, _
                                    in model.calls),
            "the model ran in training mode (dropout on): switch it to "
            "evaluation mode with model.eval() first.")
    seen = [size for size, _, _ in model.calls]
    sizes = [min(batch_size, n - s) for s in range(0, n, batch_size)]
    require(sum(seen) == n, f"the model saw {sum(seen)} images of {n}: "
            "every image once, the last batch smaller.")
    require(seen == sizes, f"batches of {seen}, should be {sizes}: at "
            "most batch_size images per call, in order.")
    if not np.isclose(got_loss, right_loss, rtol=1e-5):
        means = [F.nll_loss(log_probs[s:s + batch_size],
                            y[s:s + batch_size]).item()
                 for s in range(0, n, batch_size)]
        require(not np.isclose(got_loss, np.mean(means), rtol=1e-5),
                "the loss is the mean of the batch means; the last batch "
                "is smaller: sum the loss over the images "
                "(reduction='sum') and divide by their number.")
        require(not np.isclose(got_loss, right_loss * n, rtol=1e-5),
                "the loss is the sum over the images: divide by their "
                "number.")
        require(False, f"the mean loss should be {right_loss:.5f}, got "
                f"{got_loss:.5f}.")
    require(not np.isclose(got_accuracy, right_accuracy * n)
            or right_accuracy == 0,
            "the accuracy is a count: divide by the number of images.")
    require(np.isclose(got_accuracy, right_accuracy),
            f"the accuracy should be {right_accuracy:.4f}, got "
            f"{got_accuracy:.4f}.")
    return f"loss and accuracy over {n} images in batches of {batch_size}."


def _no_grad(evaluate) -> str:
    x, y = _images(1, 30)
    model = _Recorder(1)
    evaluate(model, x, y, "cpu", 10)
    require(model.calls and not any(grad for _, _, grad in model.calls),
            "gradients were tracked: run the batches under torch.no_grad() "
            "(evaluation needs no backward pass, and the graph costs "
            "memory).")
    return "the model ran under torch.no_grad()"


class _Stop(Exception):
    """Raised by a recorder once it has seen what a clause needs."""


def _moved(records) -> str:
    devices = {d for d, _ in records}
    require(devices == {"meta"}, f"with device='meta' (a stand-in for a GPU)"
            f" the batches arrived on {sorted(devices)}: move each batch's "
            "images and labels with .to(device).")
    require(all(layout for _, layout in records), "the images did not "
            "arrive in the channels_last layout: move them with .to(device, "
            "memory_format=torch.channels_last).")
    return "batches moved to the device, images in channels_last"


def _epoch_device(train_epoch) -> str:
    """The spec's "move each batch to device" (meta stands in for a GPU)."""
    x, y = torch.randn(10, 3, 5, 5), torch.randint(0, 5, (10,))
    records = []

    def step(model, optimizer, xb, yb):
        records.append((xb.device.type, xb.is_contiguous(
            memory_format=torch.channels_last)))
        records.append((yb.device.type, True))
        return 0.0, 0

    names = train_epoch.__globals__
    saved = names.get("train_step")
    names["train_step"] = step
    try:
        train_epoch(nn.Linear(1, 1), x, y, None, 4,
                    torch.Generator().manual_seed(0), "meta")
    finally:
        names["train_step"] = saved
    require(records, "train_step was never called.")
    return _moved(records)


def _evaluate_device(evaluate) -> str:
    """evaluate moves each batch to device (meta stands in for a GPU)."""
    x, y = torch.randn(10, 3, 5, 5), torch.randint(0, 5, (10,))
    records = []

    class Model(nn.Module):
        def forward(self, xb):
            records.append((xb.device.type, xb.is_contiguous(
                memory_format=torch.channels_last)))
            return torch.zeros(len(xb), 5, device=xb.device)

    def loss(log_probs, target, *args, **kwargs):
        records.append((target.device.type, True))
        raise _Stop

    saved = F.nll_loss
    F.nll_loss = loss
    try:
        evaluate(Model(), x, y, "meta", 4)
    except _Stop:
        pass
    except Exception:  # a loss other than F.nll_loss meets the meta tensor
        pass
    finally:
        F.nll_loss = saved
    require(records, "the model was never called.")
    return _moved(records)


# --- 6.7, 6.8: a convolution and max-pooling in NumPy ----------------------

def _no_torch(function, *args) -> None:
    """Run function(*args) with torch's convolution and pooling disabled."""
    def refused(*_, **__):
        raise AssertionError("write it in NumPy: torch's conv2d and "
                             "max_pool2d are what the check compares with.")
    names = ("conv2d", "max_pool2d")
    saved = [(m, k, getattr(m, k)) for m in (F, torch) for k in names]
    try:
        for module, name, _ in saved:
            setattr(module, name, refused)
        return function(*args)
    finally:
        for module, name, value in saved:
            setattr(module, name, value)


def _conv_input(seed, n, channels, filters, height, width, kernel):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((n, channels, height, width)),
            rng.standard_normal((filters, channels, kernel, kernel)),
            rng.standard_normal(filters))


def test_conv2d(conv2d, seed: int = 0, n: int = 2, channels: int = 3,
                filters: int = 4, height: int = 7, width: int = 9,
                kernel: int = 3, stride: int = 1, padding: int = 0) -> str:
    """conv2d(x, w, b, stride=1, padding=0) -> (N, F, H', W'), NumPy."""
    x, w, b = _conv_input(seed, n, channels, filters, height, width, kernel)
    right = F.conv2d(torch.from_numpy(x), torch.from_numpy(w),
                     torch.from_numpy(b), stride=stride,
                     padding=padding).numpy()
    given = x.copy()
    got = (conv2d(x, w, b) if (stride, padding) == (1, 0)
           else conv2d(x, w, b, stride, padding))
    call = (f"conv2d on x {x.shape}, w {w.shape}, stride {stride}, "
            f"padding {padding}")
    require(np.array_equal(x, given), "conv2d changed the array x passed "
            "in: pad a copy (np.pad returns a new array).")
    require(isinstance(got, np.ndarray), f"{call} returned "
            f"{type(got).__name__}: return a NumPy array.")
    require(got.shape == right.shape, f"{call} returned shape {got.shape}, "
            f"F.conv2d gives {right.shape}: (N, F, H', W') with H' = "
            "conv_output_size(H, k, stride, padding), W' from W alike.")
    if not np.allclose(got, right, atol=1e-8):
        flipped = F.conv2d(torch.from_numpy(x), torch.from_numpy(
            w[:, :, ::-1, ::-1].copy()), torch.from_numpy(b), stride=stride,
            padding=padding).numpy()
        require(not np.allclose(got, flipped, atol=1e-8),
                "you flipped the filter (the convolution of a signals "
                "course): nn.Conv2d computes the cross-correlation, the sum "
                "of window times filter, unflipped.")
        require(not np.allclose(got, right - b[None, :, None, None],
                                atol=1e-8),
                "the bias is missing: add b[f] to every value of map f.")
        require(not np.allclose(got.sum(1), right.sum(1), atol=1e-8),
                "each map's values are right but in the wrong maps: output "
                "map f comes from filter w[f].")
        require(False, f"{call}: values differ from F.conv2d by up to "
                f"{np.abs(got - right).max():.3g}. Output [i, f, r, c] is "
                "the sum over channels and the k x k window at row "
                "r * stride, column c * stride of the padded image, times "
                "w[f], plus b[f].")
    return (f"matches F.conv2d on x {x.shape}, w {w.shape}, stride "
            f"{stride}, padding {padding}.")


def test_max_pool2d(max_pool2d, seed: int = 0, n: int = 2, channels: int = 3,
                    height: int = 8, width: int = 6, size: int = 2,
                    stride: int | None = None) -> str:
    """max_pool2d(x, size=2, stride=None) -> (N, C, H', W'), NumPy."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, channels, height, width)) - 0.5
    right = F.max_pool2d(torch.from_numpy(x), size, stride).numpy()
    given = x.copy()
    if stride is None:
        got = max_pool2d(x) if size == 2 else max_pool2d(x, size)
    else:
        got = max_pool2d(x, size, stride)
    call = f"max_pool2d on x {x.shape}, size {size}, stride {stride}"
    require(np.array_equal(x, given), "max_pool2d changed the array x "
            "passed in.")
    require(isinstance(got, np.ndarray), f"{call} returned "
            f"{type(got).__name__}: return a NumPy array.")
    require(got.shape == right.shape, f"{call} returned shape {got.shape}, "
            f"F.max_pool2d gives {right.shape}: the stride defaults to the "
            "size, and only windows that fit inside the image count "
            "(conv_output_size(H, size, stride)).")
    if not np.allclose(got, right):
        require(not np.allclose(got, np.maximum(right, 0)),
                "negative maxima came out as 0: start from the window's "
                "values (np.max over it), not from 0.")
        require(not (got < right - 1e-12).any() or (got > right).any(),
                "some outputs are below the window's maximum: the mean of "
                "the window is average pooling; take the maximum.")
        require(False, f"{call}: values differ from F.max_pool2d by up to "
                f"{np.abs(got - right).max():.3g}. Output [i, c, r, q] is "
                "the largest value of x[i, c] in the size x size window at "
                "row r * stride, column q * stride.")
    return (f"matches F.max_pool2d on x {x.shape}, size {size}, stride "
            f"{stride if stride else size}.")


def _conv_numpy(conv2d) -> str:
    x, w, b = _conv_input(5, 2, 2, 3, 6, 6, 3)
    _no_torch(conv2d, x, w, b)
    return "no torch inside"


def _pool_numpy(max_pool2d) -> str:
    x = np.random.default_rng(5).standard_normal((2, 2, 6, 6))
    _no_torch(max_pool2d, x)
    return "no torch inside"


def _conv_batch(conv2d) -> str:
    rng = np.random.default_rng(3)
    w, b = rng.standard_normal((2, 1, 3, 3)), rng.standard_normal(2)
    return loop_free(lambda n: conv2d(rng.standard_normal((n, 1, 6, 6)),
                                      w, b), what="image")


def _pool_batch(max_pool2d) -> str:
    rng = np.random.default_rng(3)
    return loop_free(lambda n: max_pool2d(rng.standard_normal((n, 2, 6, 6))),
                     what="image")


EXERCISES = {
    "6.1": Spec("conv_output_size", points=1, test=test_conv_output_size,
                reference="utils.saved.lab06_nets:conv_output_size"),
    "6.2": Spec("conv_param_count", points=1, test=test_conv_param_count,
                reference="utils.saved.lab06_nets:conv_param_count"),
    "6.3": Spec("DigitNet", points=3, test=test_digit_net,
                reference="utils.saved.lab06_nets:DigitNet",
                clauses=(Clause("dropout where the spec puts it",
                                _dropout_layers),)),
    "6.4": Spec("train_step", points=3, test=test_train_step,
                reference="utils.saved.lab06_nets:train_step"),
    "6.5": Spec("train_epoch", points=3, test=test_train_epoch,
                reference="utils.saved.lab06_nets:train_epoch",
                clauses=(Clause("batches moved to the device",
                                _epoch_device),)),
    "6.6": Spec("evaluate", points=2, test=test_evaluate,
                reference="utils.saved.lab06_nets:evaluate",
                clauses=(Clause("no gradients tracked", _no_grad),
                         Clause("batches moved to the device",
                                _evaluate_device))),
    "6.7": Spec("conv2d", points=3, test=test_conv2d,
                reference="utils.saved.lab06_nets:conv2d",
                clauses=(Clause("written in NumPy", _conv_numpy),
                         Clause("no loop over the images", _conv_batch))),
    "6.8": Spec("max_pool2d", points=2, test=test_max_pool2d,
                reference="utils.saved.lab06_nets:max_pool2d",
                clauses=(Clause("written in NumPy", _pool_numpy),
                         Clause("no loop over the images", _pool_batch))),
    "6.9": Spec("mnist_box", points=3, test=test_mnist_box,
                reference="utils.saved.lab06_photo:mnist_box"),
}
