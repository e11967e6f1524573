"""utils.augment, three variations: shapes kept, identity at zero strength, movement, errors."""

import numpy as np
import pytest
import torch

from utils import augment
from utils.augment import random_affine, shift_pixels, vary_like_writers
from utils.data import mnist_test_images

NONE = {"degrees": 0, "shear": 0, "scale": (1, 1), "shift": 0, "elastic": 0, "stroke": 0}


@pytest.fixture(scope="module")
def digits():
    images, _ = mnist_test_images()
    return images[:64].reshape(64, 784).astype(np.float32) / 255


def test_shift_pixels_zero_is_the_identity(digits):
    out = shift_pixels(digits, np.random.default_rng(0), max_shift=0)
    assert out.shape == digits.shape and out.dtype == np.float32
    assert np.array_equal(out, digits)


def test_shift_pixels_moves_each_digit_by_whole_pixels(digits):
    images = digits.reshape(64, 28, 28)
    out = shift_pixels(images, np.random.default_rng(0), max_shift=1)
    assert out.shape == (64, 28, 28)
    padded = np.pad(images, ((0, 0), (1, 1), (1, 1)))
    offsets = []
    for image, moved in zip(padded, out):
        found = [
            (dy, dx)
            for dy in range(3)
            for dx in range(3)
            if np.array_equal(image[dy : dy + 28, dx : dx + 28], moved)
        ]
        assert found, "every output must be its input moved by whole pixels"
        offsets.append(found[0])
    assert len(set(offsets)) > 4, "the moves should vary from image to image"


def test_shift_pixels_seeded_and_random(digits):
    a = shift_pixels(digits, np.random.default_rng(1), max_shift=2)
    b = shift_pixels(digits, np.random.default_rng(1), max_shift=2)
    c = shift_pixels(digits, np.random.default_rng(2), max_shift=2)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


@pytest.mark.parametrize("bad", [-1, 1.5, 28, True])
def test_shift_pixels_bad_shift_is_a_clear_error(digits, bad):
    with pytest.raises(ValueError, match="max_shift"):
        shift_pixels(digits, np.random.default_rng(0), max_shift=bad)
    with pytest.raises(ValueError, match="expected digits"):
        shift_pixels(np.zeros((3, 100)), np.random.default_rng(0))


def test_random_affine_moves_all_channels_of_an_image_together():
    rng = np.random.default_rng(0)
    gray = rng.random((6, 32, 32)).astype(np.float32)
    colour = np.stack([gray, gray * 0.5, 1 - gray], axis=-1)
    moved = random_affine(colour, np.random.default_rng(1), 3, 10)
    moved_gray = random_affine(gray, np.random.default_rng(1), 3, 10)
    assert moved.shape == colour.shape and moved.dtype == np.float32
    assert not np.allclose(moved[..., 0], gray), "the images were moved"
    # one transform per image: each channel equals the gray image moved alike
    assert np.allclose(moved[..., 0], moved_gray, atol=1e-6)
    assert np.allclose(moved[..., 1], 0.5 * moved_gray, atol=1e-6)
    moved_third = random_affine(1 - gray, np.random.default_rng(1), 3, 10)
    assert np.allclose(moved[..., 2], moved_third, atol=1e-6)
    still = random_affine(colour, rng, 0, 0)
    assert np.allclose(still, colour, atol=1e-5), "no shift, no rotation"
    with pytest.raises(ValueError, match="expected"):
        random_affine(np.zeros(5), rng, 1, 1)


@pytest.fixture(scope="module")
def digit_tensors(digits):
    return torch.from_numpy(digits[:32]).reshape(32, 1, 28, 28)


def test_vary_like_writers_at_zero_strength_is_the_identity(digit_tensors):
    x = digit_tensors
    out = vary_like_writers(x, torch.Generator().manual_seed(0), **NONE)
    assert out.shape == x.shape and out.dtype == torch.float32
    assert (out - x).abs().max() < 1e-5


def test_vary_like_writers_is_seeded_moves_and_keeps_the_ink(digit_tensors):
    x = digit_tensors
    a = vary_like_writers(x, torch.Generator().manual_seed(1))
    b = vary_like_writers(x, torch.Generator().manual_seed(1))
    c = vary_like_writers(x, torch.Generator().manual_seed(2))
    assert torch.equal(a, b) and not torch.equal(a, c)
    assert a.min() >= 0 and a.max() <= 1
    assert (a - x).abs().mean() > 0.02
    assert 0.6 < a.sum() / x.sum() < 1.5


def test_stroke_makes_the_pen_thicker_or_thinner(digit_tensors):
    x = digit_tensors
    ink = x.sum().item()
    for stroke, sign in ((0.9, 1), (-0.9, -1)):
        out = augment._pen(x, torch.full((len(x),), stroke))
        assert sign * (out.sum().item() - ink) > 0.1 * ink
    expected = torch.nn.functional.max_pool2d(x, 3, stride=1, padding=1)
    assert torch.equal(augment._dilate(x), expected)
