"""utils.handwriting: any photo of a digit becomes an MNIST input that the lab-06 network reads.

Every image here is made by the test from MNIST test digits: plain photos,
inverted ones (white on dark), RGBA arrays with the ink only in the alpha
channel, thick-marker strokes in a tight crop, 20 to 600 px, a sheet beside a
dark table. The checks compare pixels, not only shapes.
"""

import numpy as np
import pytest
import torch
from PIL import Image

from utils import handwriting
from utils.data import mnist_arrays, mnist_test_images
from utils.drawpad import drawing_pad
from utils.ink import find_ink
from utils.saved.lab06_photo import mnist_box
from utils.synthetic_photos import synthetic_photo

to_mnist = handwriting.to_mnist


@pytest.fixture(scope="module")
def digits():
    images, labels = mnist_test_images()
    return images[-40:] / 255.0, labels[-40:]


@pytest.fixture(scope="module")
def photo(digits):
    return synthetic_photo(digits[0][0], np.random.default_rng(0))


def similarity(a, b):
    """Correlation of two images' pixels."""
    return float(np.corrcoef(np.ravel(a), np.ravel(b))[0, 1])


def test_output_is_mnist_like(photo):
    out, report = to_mnist(photo, report=True)
    assert out.shape == (28, 28) and out.dtype == np.float32 and out.max() == pytest.approx(1.0)
    rows, cols = np.nonzero(out > 0.1)
    assert rows.min() >= 2 and rows.max() <= 25 and cols.min() >= 2 and cols.max() <= 25, (
        "fits in the centre"
    )
    assert abs(np.average(np.arange(28), weights=out.sum(1)) - 14) < 1.0
    assert out[0].max() == 0 and out[:, 0].max() == 0, "background is black"
    assert report.ink == "dark on light" and report.inverted and report.size == (240, 240)
    assert str(report).startswith("ink: dark on light, inverted to white on black")
    assert handwriting.mnist_box is mnist_box, "cropping, fitting and centring are lab 06's"


def test_an_mnist_digit_comes_back_as_itself():
    """MNIST's own digits (white on black, 28x28) go through unchanged, up to resampling."""
    images = mnist_arrays()["t10k-images-idx3-ubyte.gz"][:50]
    outputs = [to_mnist(image, report=True) for image in images]
    assert all(report.ink == "light on dark" and not report.inverted for _, report in outputs)
    scores = [similarity(out, image) for (out, _), image in zip(outputs, images)]
    assert np.median(scores) > 0.85 and min(scores) > 0.6, scores


def test_numpy_and_pil_give_the_same_pixels(tmp_path, photo):
    """A PIL image, its array (uint8 or float 0-1) and its file give identical inputs,
    in every mode."""
    expected = to_mnist(photo)
    Image.fromarray(photo).save(tmp_path / "photo.png")
    rgb = np.stack([photo] * 3, axis=-1)
    rgba = np.dstack([rgb, np.full(photo.shape, 255, np.uint8)])
    same = [
        photo / 255.0,
        Image.fromarray(photo),
        tmp_path / "photo.png",
        str(tmp_path / "photo.png"),
        rgb,
        Image.fromarray(rgb),
        rgb / 255.0,
        rgba,
        Image.fromarray(rgba),
        photo[..., None],
        Image.fromarray(photo).convert("P"),
    ]
    for source in same:
        assert np.array_equal(to_mnist(source), expected), type(source)
    strokes = 255 - photo  # white ink, used as alpha, on black pixels
    la = np.dstack([np.zeros_like(photo), strokes])
    assert np.array_equal(to_mnist(la), to_mnist(Image.fromarray(la, mode="LA")))
    assert np.array_equal(to_mnist(la), to_mnist(la / 255.0))


def test_white_ink_on_dark_is_detected_and_read_the_same(digits, photo):
    inverted = synthetic_photo(digits[0][0], np.random.default_rng(0), style="inverted")
    assert np.array_equal(inverted, 255 - photo)
    out, report = to_mnist(inverted, report=True)
    assert report.ink == "light on dark" and not report.inverted
    assert "kept (already white on black)" in str(report)
    assert np.abs(out - to_mnist(photo)).max() < 0.05


def test_ink_in_the_alpha_channel(digits, photo):
    """RGBA arrays whose colour is flat (black or white) and whose alpha is the ink;
    coloured strokes."""
    rgba = synthetic_photo(digits[0][0], np.random.default_rng(0), style="alpha")
    assert rgba.shape == (240, 240, 4) and rgba[..., :3].max() == 0
    reference = to_mnist(255 - rgba[..., 3])  # the same strokes, dark on white
    white = rgba.copy()
    white[..., :3] = 255
    blue = rgba.copy()
    blue[..., 2] = 200  # blue strokes, a transparent background
    for source in (rgba, white, blue, Image.fromarray(rgba), rgba / 255.0):
        out, report = to_mnist(source, report=True)
        assert report.ink == "in the alpha channel"
        assert np.abs(out - reference).max() < 1e-5
    assert similarity(reference, to_mnist(photo)) > 0.9


def test_a_transparent_margin_is_paper(photo):
    """An opaque photo pasted on a larger transparent canvas reads like the photo."""
    canvas = np.zeros((400, 400, 4), dtype=np.uint8)
    canvas[80:320, 100:340, :3] = photo[..., None]
    canvas[80:320, 100:340, 3] = 255
    out, report = to_mnist(canvas, report=True)
    assert report.ink == "dark on light"
    assert similarity(out, to_mnist(photo)) > 0.95


def test_thick_marker_in_a_tight_crop_is_solid_not_hollow():
    """A ring drawn with a stroke 30 % of its size, cropped to the ink: its middle line
    stays bright.

    A background estimated over a window narrower than the stroke takes the
    stroke's middle for paper and leaves only its outlines.
    """
    size = 300
    rows, cols = np.mgrid[0:size, 0:size]
    radius = np.hypot(
        rows - size / 2, (cols - size / 2) * 1.4
    )  # an upright oval, touching the edges
    ink = np.clip(size / 2 - radius, 0, 1) * np.clip(radius - 0.2 * size + 1, 0, 1)
    photo = (230 - 200 * ink).astype(np.uint8)
    out, report = to_mnist(photo, report=True)
    assert report.correction == "thinned" and report.stroke_mnist > 4
    rr, cc = np.mgrid[0:28, 0:28]
    cy, cx = np.average(rr, weights=out), np.average(cc, weights=out)
    middle = np.abs(np.hypot(rr - cy, (cc - cx) * 1.4) - 7.7) < 0.7  # the ring's middle line
    assert out[middle].min() > 0.5, "the stroke is solid"
    assert out[round(cy), round(cx)] < 0.05, "the hole stays open"
    marker = synthetic_photo(mnist_test_images()[0][-1], np.random.default_rng(3), style="marker")
    assert marker.shape[0] == 240 or marker.shape[1] == 240
    assert (marker[[0, -1]] < 128).any() or (marker[:, [0, -1]] < 128).any(), (
        "the ink touches the edge"
    )


@pytest.mark.parametrize("size", [20, 28, 40, 64, 128, 400, 600])
def test_any_size_from_20_to_600_px(digits, size):
    """The same digit photographed at any size gives nearly the same input as at 240 px."""
    at_240 = to_mnist(synthetic_photo(digits[0][3], np.random.default_rng(1)))
    out, report = to_mnist(
        synthetic_photo(digits[0][3], np.random.default_rng(1), size=size), report=True
    )
    assert report.size == (size, size)
    assert similarity(out, at_240) > (0.75 if size < 40 else 0.85)
    assert 0.08 < out.mean() < 0.25


def test_table_edge_and_scanner_line_are_ignored(photo):
    """A dark table along one side and a black line along the top are not ink.

    Both are cut away with the desk (the sheet is found), or dropped as ink
    regions along the edges when no sheet is found.
    """
    framed = photo.copy()
    framed[:, :30] = 35
    framed[:3] = 5
    out, report = to_mnist(framed, report=True)
    assert report.sheet is not None or report.dropped >= 1
    assert report.sheet is None or min(x for x, _ in report.sheet.corners) >= 28
    assert similarity(out, to_mnist(photo)) > 0.95


def test_brightness_and_stroke_width_match_mnist(digits):
    """Mean pixel near MNIST's; strokes measured the same way as on MNIST lie in its range."""
    rng = np.random.default_rng(2)
    outputs = [
        to_mnist(synthetic_photo(image, rng, style=style), report=True)
        for image in digits[0][:20]
        for style in ("plain", "marker")
    ]
    mean = np.mean([out.mean() for out, _ in outputs])
    assert abs(mean - handwriting.MNIST_MEAN) < 0.03, mean
    low, high = handwriting.MNIST_STROKE_QUARTILES
    for _out, report in outputs:
        assert (report.correction == "kept") == (low <= report.stroke_mnist <= high)


def test_mnist_statistics_are_what_the_code_measures():
    """The constants (stroke width, saturated share, mean) recomputed on 150 MNIST
    training digits."""
    train = mnist_arrays()["train-images-idx3-ubyte.gz"]
    sample = train[np.random.default_rng(0).choice(len(train), 150, replace=False)] / 255.0
    widths = [handwriting.normalise_stroke(find_ink(image)[0])[1] for image in sample]
    assert abs(np.median(widths) - handwriting.MNIST_STROKE) < 0.15
    ink = sample[sample > 0.1]
    assert abs((ink >= 0.99).mean() - handwriting.MNIST_SATURATED) < 0.03
    assert abs(sample.mean() - handwriting.MNIST_MEAN) < 0.01


def test_blank_and_tiny_images_are_clear_errors():
    with pytest.raises(ValueError, match="no ink"):
        to_mnist(np.full((100, 100), 230, dtype=np.uint8))
    with pytest.raises(ValueError, match="no ink"):
        to_mnist(np.random.default_rng(0).normal(200, 3, (120, 90)).astype(np.uint8))
    with pytest.raises(ValueError, match="too small"):
        to_mnist(np.zeros((4, 4)))
    with pytest.raises(ValueError, match="channels"):
        to_mnist(np.zeros((30, 30, 5)))


def test_synthetic_photo_styles(digits):
    plain = synthetic_photo(digits[0][0], np.random.default_rng(4))
    assert plain.shape == (240, 240) and plain.dtype == np.uint8
    assert np.array_equal(plain, synthetic_photo(digits[0][0] * 255, np.random.default_rng(4)))
    with pytest.raises(ValueError, match="unknown style"):
        synthetic_photo(digits[0][0], np.random.default_rng(4), style="chalk")


def test_folder_errors_and_reports(tmp_path, photo):
    with pytest.raises(FileNotFoundError, match="no folder"):
        handwriting.load_digit_folder(tmp_path / "missing")
    with pytest.raises(FileNotFoundError, match="holds no images"):
        handwriting.load_digit_folder(tmp_path)
    Image.fromarray(photo).save(tmp_path / "3_a.png")
    Image.fromarray(255 - photo).save(tmp_path / "3_b.jpg")
    images, names, reports = handwriting.load_digit_folder(tmp_path, report=True)
    assert names == ["3_a.png", "3_b.jpg"] and images.shape == (2, 28, 28)
    assert [r.ink for r in reports] == ["dark on light", "light on dark"]
    assert handwriting.load_digit_folder(tmp_path)[1] == names
    (tmp_path / "blank.png").write_bytes(b"")
    with pytest.raises(ValueError, match="blank.png"):
        handwriting.load_digit_folder(tmp_path)


@pytest.mark.parametrize(
    "style, size",
    [
        ("plain", 240),
        ("inverted", 240),
        ("alpha", 240),
        ("marker", 240),
        ("plain", 28),
        ("plain", 400),
    ],
)
def test_network_reads_every_kind_of_photo(digit_net, digits, style, size):
    """Inverted, RGBA, thick-marker and small or large photos read about as well as plain ones."""
    rng = np.random.default_rng(7)
    inputs = np.stack(
        [to_mnist(synthetic_photo(image, rng, size=size, style=style)) for image in digits[0]]
    )
    with torch.no_grad():
        predicted = digit_net(torch.from_numpy(inputs)[:, None]).argmax(1).numpy()
    accuracy = float(np.mean(predicted == digits[1]))
    print(f"{style} {size} px: {accuracy:.2f} read correctly")
    assert accuracy >= 0.8


def test_drawing_pad_builds_a_widget():
    pad = drawing_pad(lambda gray: None)
    # the note, the tabs (draw, upload, file), the output, the accessibility script
    assert [type(c).__name__ for c in pad.children] == ["HTML", "Tab", "Output", "Output"]
