"""utils.letters: augmentation, layer features, cosine k-NN, rewrite.

Real letters are read only from the folder in $WORKBOOK_GREEK_COURSE
(laid out as <letter>/*.png, e.g. ../shared/data/greek-course); the test
that needs them is skipped when it is unset.
"""
import os
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from scipy import ndimage

import utils.letters as lf
from utils.data import mnist_test_images
from utils.saved.lab08_embedding import knn_predict, knn_with_doubt, loo_knn_predictions
from utils.saved.lab08_embedding import ssd_matrix
from utils.greek import GREEK_DIR, load_letter_folder
from utils.handwriting import to_mnist
from utils.saved.lab06_nets import DigitNet

COURSE = os.environ.get("WORKBOOK_GREEK_COURSE")
NONE = {"degrees": 0, "shear": 0, "scale": (1, 1), "shift": 0,
        "elastic": 0, "stroke": 0}


@pytest.fixture(scope="module")
def digits():
    images, labels = mnist_test_images()
    x = torch.from_numpy(images[:32].astype(np.float32) / 255)
    return x.reshape(32, 1, 28, 28), labels[:32]


def test_augment_at_zero_strength_is_the_identity(digits):
    x, _ = digits
    out = lf.augment(x, torch.Generator().manual_seed(0), **NONE)
    assert out.shape == x.shape and out.dtype == torch.float32
    assert (out - x).abs().max() < 1e-5


def test_augment_is_seeded_moves_and_keeps_the_ink(digits):
    x, _ = digits
    a = lf.augment(x, torch.Generator().manual_seed(1))
    b = lf.augment(x, torch.Generator().manual_seed(1))
    c = lf.augment(x, torch.Generator().manual_seed(2))
    assert torch.equal(a, b) and not torch.equal(a, c)
    assert 0 <= a.min() and a.max() <= 1
    assert (a - x).abs().mean() > 0.02
    assert 0.6 < a.sum() / x.sum() < 1.5


def test_stroke_makes_the_pen_thicker_or_thinner(digits):
    x, _ = digits
    ink = x.sum().item()
    for stroke, sign in ((0.9, 1), (-0.9, -1)):
        torch.manual_seed(0)
        out = lf._pen(x, torch.full((len(x),), stroke))
        assert sign * (out.sum().item() - ink) > 0.1 * ink
    dilated = lf._dilate(x)
    expected = torch.nn.functional.max_pool2d(x, 3, stride=1, padding=1)
    assert torch.equal(dilated, expected)


def test_features_of_every_layer(digits):
    x, _ = digits
    torch.manual_seed(0)
    net = DigitNet(50).train()
    sizes = {"conv1": 1440, "conv2": 320, "embed": 50, "digits": 10}
    for layer, size in sizes.items():
        f = lf.layer_features(net, x[:, 0].numpy(), layer)
        assert f.shape == (32, size) and f.dtype == np.float32
        assert np.array_equal(f, lf.layer_features(net, x[:, 0].numpy(), layer))
    assert not net.training, "dropout off: features are deterministic"
    with torch.no_grad():
        expected = net.embed(x).numpy()
    assert np.allclose(lf.layer_features(net, x[:, 0].numpy()), expected)
    with pytest.raises(ValueError, match="unknown layer"):
        lf.layer_features(net, x[:, 0].numpy(), "fc3")


def test_ssd_on_unit_rows_is_cosine_knn():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(7, 5)), rng.normal(size=(11, 5))
    ua, ub = lf.l2_normalise(a), lf.l2_normalise(b)
    assert np.allclose(np.linalg.norm(ua, axis=1), 1)
    cosine = a @ b.T / np.outer(np.linalg.norm(a, axis=1),
                                np.linalg.norm(b, axis=1))
    assert np.allclose(ssd_matrix(ua, ub), 2 - 2 * cosine)
    labels = rng.integers(0, 3, 11)
    assert np.array_equal(knn_predict(ssd_matrix(ua, ub), labels, 1),
                          labels[np.argmax(cosine, axis=1)])
    assert np.array_equal(lf.l2_normalise(np.zeros((2, 3))), np.zeros((2, 3)))
    assert np.allclose(lf.l2_normalise(3 * a), ua), "length does not count"


def test_doubt_is_the_ratio_of_the_nearest_voted_to_the_nearest_other():
    labels = np.array([0, 1, 0])
    distances = np.array([[1.0, 4.0, 2.0],      # label 0 clearly nearest
                          [3.0, 3.1, 9.0]])     # label 1 almost as near
    voted, doubt = knn_with_doubt(distances, labels, 1)
    assert voted.tolist() == [0, 0]
    assert doubt == pytest.approx([0.25, 3.0 / 3.1])
    assert knn_with_doubt(10 * distances, labels, 1)[1] == pytest.approx(doubt)
    outvoted = np.array([[2.0, 1.0, 3.0]])      # 3-NN votes 0, 1 is nearest
    voted, doubt = knn_with_doubt(outvoted, labels, 3)
    assert voted.tolist() == [0] and doubt == pytest.approx([2.0])
    assert np.array_equal(voted, knn_predict(outvoted, labels, 3))


@pytest.mark.parametrize("letter, writer", [("beta", "rewrite"),
                                            ("gamma", "nib_rewrite")])
def test_a_writer_redraws_the_same_letter(letter, writer):
    images, _, _ = load_letter_folder(GREEK_DIR, letters=[letter])
    photo, redraw = images[0], getattr(lf, writer)
    a = redraw(photo, np.random.default_rng(3))
    b = redraw(photo, np.random.default_rng(3))
    c = redraw(photo, np.random.default_rng(4))
    assert a.shape == photo.shape and a.dtype == np.uint8
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert np.median(a) > 150 and np.median(a) - a.min() > 50
    assert not np.array_equal(a, photo)
    assert to_mnist(a).max() == pytest.approx(1.0)
    ink = a < np.median(a) - 40
    assert 0.02 < ink.mean() < 0.3, "a letter, neither blank nor a blot"


def test_thin_leaves_one_pixel_lines_that_keep_the_letter_whole():
    bar = np.zeros((20, 30), dtype=bool)
    bar[8:13, 3:27] = True                      # a stroke 5 px thick
    line = lf._thin(bar)
    assert line.any() and line.sum() < bar.sum() / 3
    assert (line & ~bar).sum() == 0, "the centre line lies inside the ink"
    assert line.sum(axis=0)[6:24].max() == 1, "one pixel across the stroke"
    images, _, _ = load_letter_folder(GREEK_DIR, letters=["alpha"])
    ink = images[0] < 120
    assert ndimage.label(lf._thin(ink), np.ones((3, 3)))[1] == \
        ndimage.label(ink, np.ones((3, 3)))[1]


def test_nib_is_a_slanted_line():
    nib = lf._nib(12, 0.0, 1)
    assert nib.sum(axis=1).max() >= 12 and nib.sum(axis=0).max() == 1
    steep = lf._nib(12, np.pi / 2, 1)
    assert steep.sum(axis=0).max() >= 12 and steep.sum(axis=1).max() == 1


def test_wilson_interval_is_scipys_and_with_interval_prints_it():
    from scipy.stats import binomtest
    ci = binomtest(11, 12).proportion_ci(0.95, method="wilson")
    assert lf.wilson_interval(11, 12) == pytest.approx((ci.low, ci.high))
    low, high = lf.wilson_interval(72, 72)
    assert 0.9 < low < 1 and high == pytest.approx(1.0)
    assert lf.wilson_interval(0, 36)[0] == pytest.approx(0.0)
    narrow, wide = lf.wilson_interval(90, 100), lf.wilson_interval(9, 10)
    assert narrow[1] - narrow[0] < wide[1] - wide[0], "more items, narrower"
    assert lf.with_interval(11 / 12, 12) == (
        f"0.917 [{ci.low:.2f}, {ci.high:.2f}]")


def test_train_and_cache_an_augmented_net(tmp_path, monkeypatch, digits):
    monkeypatch.setenv("WORKBOOK_DATA", str(tmp_path))
    x, y = digits
    data = SimpleNamespace(x_train=x.reshape(32, 784).numpy(),
                           y_train=np.asarray(y, dtype=np.int64))
    model, message = lf.load_or_train_augmented(data, epochs=1,
                                                device="cpu")
    assert message.startswith("no checkpoint yet") and not model.training
    assert lf.augmented_checkpoint().is_file()
    assert str(tmp_path) in str(lf.augmented_checkpoint())
    assert str(tmp_path) not in message  # the book shows it
    again, message = lf.load_or_train_augmented(None, 1, device="cpu")
    assert message.startswith("loaded") and "1 epochs on 32" in message
    for a, b in zip(model.parameters(), again.parameters()):
        assert torch.equal(a, b)
    lf.augmented_checkpoint().write_bytes(b"not a checkpoint")
    with pytest.raises(RuntimeError, match="corrupt.*Delete it"):
        lf.load_or_train_augmented(None, 1, device="cpu")


@pytest.mark.skipif(not COURSE, reason="set WORKBOOK_GREEK_COURSE to the "
                    "course's letters (<letter>/*.png) to run")
def test_course_letters_survive_rewriting():
    images, labels, names = load_letter_folder(Path(COURSE))
    assert names == ["alpha", "beta", "gamma"] and len(images) == 27
    rng = np.random.default_rng(0)
    source = np.repeat(np.arange(27), 2)
    pixels = lf.l2_normalise(np.stack(
        [to_mnist(i) for i in images]).reshape(27, -1))
    redrawn = lf.l2_normalise(np.stack(
        [to_mnist(lf.rewrite(images[i], rng)) for i in source]
    ).reshape(len(source), -1))
    assert np.mean(loo_knn_predictions(pixels, labels, 1) == labels) > 0.9
    distances = ssd_matrix(redrawn, pixels)
    distances[np.arange(len(source)), source] = np.inf
    read = knn_predict(distances, labels, 1)
    assert np.mean(read == labels[source]) > 0.8
