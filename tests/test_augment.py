"""utils.augment: shapes kept, identity at zero strength, real movement, clear errors."""
import numpy as np
import pytest

from utils.augment import shift_pixels
from utils.data import mnist_test_images


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
        found = [(dy, dx) for dy in range(3) for dx in range(3)
                 if np.array_equal(image[dy:dy + 28, dx:dx + 28], moved)]
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
