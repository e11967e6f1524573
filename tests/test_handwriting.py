"""utils.handwriting: photos of digits become MNIST inputs the lab-06 network can read."""
import numpy as np
import pytest
import torch
from PIL import Image

from utils import handwriting
from utils.data import load_mnist, mnist_test_images
from utils.drawpad import drawing_pad
from utils.nets import load_or_train_digit_net


@pytest.fixture(scope="module")
def digits():
    images, labels = mnist_test_images()
    return images[-40:] / 255.0, labels[-40:]


def test_output_is_mnist_like(digits):
    photo = handwriting.synthetic_photo(digits[0][0], np.random.default_rng(0))
    out = handwriting.to_mnist(photo)
    assert out.shape == (28, 28) and out.dtype == np.float32 and out.max() == pytest.approx(1.0)
    rows, cols = np.nonzero(out > 0.1)
    assert rows.min() >= 2 and rows.max() <= 25 and cols.min() >= 2 and cols.max() <= 25, "fits in the centre"
    assert abs(np.average(np.arange(28), weights=out.sum(1)) - 14) < 1.0
    assert out[0].max() == 0 and out[:, 0].max() == 0, "background is black"


def test_accepts_paths_pil_rgb_and_rgba(tmp_path, digits):
    photo = handwriting.synthetic_photo(digits[0][1], np.random.default_rng(1))
    Image.fromarray(photo).convert("RGB").save(tmp_path / "a.jpg")
    rgba = Image.fromarray(photo).convert("RGBA")
    for source in (tmp_path / "a.jpg", rgba, np.stack([photo] * 3, axis=-1)):
        assert handwriting.to_mnist(source).shape == (28, 28)


def test_blank_and_tiny_images_are_clear_errors():
    with pytest.raises(ValueError, match="no ink"):
        handwriting.to_mnist(np.full((100, 100), 230, dtype=np.uint8))
    with pytest.raises(ValueError, match="too small"):
        handwriting.to_mnist(np.zeros((4, 4)))


def test_folder_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no folder"):
        handwriting.load_digit_folder(tmp_path / "missing")
    with pytest.raises(FileNotFoundError, match="holds no images"):
        handwriting.load_digit_folder(tmp_path)
    (tmp_path / "blank.png").write_bytes(b"")
    with pytest.raises(ValueError, match="blank.png"):
        handwriting.load_digit_folder(tmp_path)


def test_network_reads_synthetic_photos(tmp_path, monkeypatch, digits):
    """Rendered digits on uneven, noisy paper, rotated and off-centre, are classified correctly."""
    monkeypatch.setenv("WORKBOOK_DATA", str(tmp_path))
    net, _ = load_or_train_digit_net(50, data=load_mnist(6_000, verbose=False), epochs=3)
    rng = np.random.default_rng(7)
    for i, (image, label) in enumerate(zip(*digits)):
        Image.fromarray(handwriting.synthetic_photo(image, rng)).save(tmp_path / f"{i:02d}_{label}.png")
    inputs, names = handwriting.load_digit_folder(tmp_path)
    with torch.no_grad():
        predicted = net(torch.from_numpy(inputs)[:, None]).argmax(1).numpy()
    truth = np.array([int(name[3]) for name in names])
    accuracy = float(np.mean(predicted == truth))
    print(f"synthetic photos read correctly: {accuracy:.2f}")
    assert accuracy >= 0.85


def test_drawing_pad_builds_a_widget():
    pad = drawing_pad(lambda gray: None)
    assert pad is not None and len(pad.children) == 3
