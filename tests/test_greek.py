"""utils.greek (the folder loader, the course's preprocessing, the made-up writers) and
tools/make_greek.py (the generator).

The course's own 27 letter images are not in the repository (their licence is
unknown); every test here reads the shipped set, ``utils/data/greek/``.
"""

import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

from utils import greek
from utils.handwriting import to_mnist
from utils.saved.lab08_embedding import knn_predict, l2_normalise, ssd_matrix

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import make_greek


@pytest.fixture(scope="module")
def letter():
    """One shipped letter image (133 x 133 uint8, dark ink on light paper)."""
    return np.asarray(Image.open(greek.GREEK_DIR / "beta" / "beta_001.png"))


def course_recipe(image):
    """The course's steps written out for a 133-px image: resize by 36/128, central 28x28,
    invert."""
    pil = Image.fromarray(image)
    scaled = pil.resize((round(pil.width * 36 / 128), round(pil.height * 36 / 128)), Image.BILINEAR)
    left, top = (scaled.width - 28) // 2, (scaled.height - 28) // 2
    return 1.0 - np.asarray(scaled.crop((left, top, left + 28, top + 28)), dtype=np.float32) / 255


def test_generator_is_deterministic_and_looks_like_paper():
    a = np.asarray(make_greek.draw_letter("beta", np.random.default_rng(5)))
    b = np.asarray(make_greek.draw_letter("beta", np.random.default_rng(5)))
    c = np.asarray(make_greek.draw_letter("beta", np.random.default_rng(6)))
    assert a.shape == (133, 133) and np.array_equal(a, b) and not np.array_equal(a, c)
    assert np.median(a) > 150 and a.min() < 110, "light paper with dark ink"
    with pytest.raises(ValueError, match="unknown letter"):
        make_greek.draw_letter("omega", np.random.default_rng(0))


def test_every_variant_is_drawn_with_strokes_as_wide_as_handwriting():
    """Each way of writing a letter draws; strokes at MNIST scale are about 2 px, not a thin
    font's 1."""
    rng = np.random.default_rng(0)
    widths = []
    for letter, forms in make_greek.VARIANTS.items():
        assert len(forms) >= 3, f"{letter}: a letter has several common forms"
        for form in forms:
            image = np.asarray(make_greek.draw_letter(letter, rng, variant=form))
            widths.append(to_mnist(image, report=True)[1].stroke_mnist)
    print(
        f"stroke widths at MNIST scale: {min(widths):.2f}-{max(widths):.2f}, "
        f"median {np.median(widths):.2f}"
    )
    assert 1.8 < np.median(widths) < 3.0 and min(widths) > 1.2
    with pytest.raises(ValueError, match="unknown gamma variant"):
        make_greek.draw_letter("gamma", rng, variant="upside down")


def test_shipped_set_is_exactly_what_the_generator_writes(tmp_path):
    make_greek.main([str(tmp_path)])
    shipped, labels, names = greek.load_letter_folder(greek.GREEK_DIR)
    regenerated, labels_again, names_again = greek.load_letter_folder(tmp_path)
    assert names == names_again == sorted(make_greek.LETTERS)
    assert np.bincount(labels).tolist() == [make_greek.PER_LETTER] * len(names)
    assert np.array_equal(labels, labels_again)
    assert all(np.array_equal(a, b) for a, b in zip(shipped, regenerated)), (
        "run tools/make_greek.py"
    )


def test_runtime_module_holds_no_generator():
    assert not hasattr(greek, "draw_letter") and not hasattr(greek, "write_letter_set")
    assert "make_greek" not in Path(greek.__file__).read_text().replace("tools/make_greek.py", "")


def test_loader_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no folder"):
        greek.load_letter_folder(tmp_path / "missing")
    with pytest.raises(FileNotFoundError, match="no sub-folders"):
        greek.load_letter_folder(tmp_path)
    (tmp_path / "alpha").mkdir()
    (tmp_path / "alpha" / "broken.png").write_bytes(b"not a png")
    with pytest.raises(ValueError, match="cannot read"):
        greek.load_letter_folder(tmp_path)
    with pytest.raises(FileNotFoundError, match="no images for"):
        greek.load_letter_folder(greek.GREEK_DIR, letters=["alpha", "omega"])


def test_loader_keeps_the_alpha_channel_and_reads_any_mode(tmp_path, letter):
    """Every file holds the same letter: it comes back with the same pixels, dark ink on light
    paper."""
    ink = 255 - letter
    clear = np.zeros(letter.shape + (4,), dtype=np.uint8)
    clear[..., 3] = ink  # black pixels, the ink only in alpha
    stroke_colour = clear.copy()
    stroke_colour[..., :3] = (20, 40, 200)  # blue ink, a transparent background
    files = {
        "l.png": Image.fromarray(letter),
        "rgb.png": Image.fromarray(letter).convert("RGB"),
        "alpha.png": Image.fromarray(clear),
        "blue.png": Image.fromarray(stroke_colour),
        "la.png": Image.fromarray(np.dstack([np.zeros_like(letter), ink]), mode="LA"),
        "white_on_black.png": Image.fromarray(ink),
        "p.png": Image.fromarray(letter).convert("P"),
        "photo.jpg": Image.fromarray(letter),
    }
    (tmp_path / "beta").mkdir()
    for name, image in files.items():
        image.save(tmp_path / "beta" / name, quality=95)
    images, labels, names = greek.load_letter_folder(tmp_path)
    assert names == ["beta"] and len(images) == len(files) and labels.tolist() == [0] * len(files)
    for name, image in zip(sorted(files), images):
        tolerance = 12 if name.endswith(".jpg") else 1
        assert image.dtype == np.uint8 and image.shape == letter.shape
        assert np.abs(image.astype(int) - letter).mean() <= tolerance, name
        assert np.median(image) > 150, f"{name}: dark ink on light paper"


def test_course_preprocess_is_the_courses_recipe_at_133_px(letter):
    out = greek.course_preprocess(letter)
    assert out.shape == (28, 28) and out.dtype == np.float32
    assert np.array_equal(out, course_recipe(letter))
    assert out.max() > 0.5 and np.median(out) < 0.35, "white ink on dark grey"
    stretched = greek.course_preprocess(Image.fromarray(letter), stretch=True)
    assert np.median(stretched) == 0.0 and stretched.max() == 1.0


@pytest.mark.parametrize("size", [64, 256, 512])
def test_course_preprocess_does_not_depend_on_the_image_size(letter, size):
    """The same letter at 64 or 512 px gives the input it gives at 133 px, not a fragment of a
    stroke."""
    resized = np.asarray(Image.fromarray(letter).resize((size, size), Image.BICUBIC))
    out = greek.course_preprocess(resized)
    assert np.abs(out - greek.course_preprocess(letter)).mean() < 0.01
    fixed_scale = course_recipe(resized)  # the course's fixed 36/128
    assert np.abs(fixed_scale - greek.course_preprocess(letter)).mean() > 0.04


def test_course_preprocess_reads_ink_in_alpha(letter):
    clear = np.zeros(letter.shape + (4,), dtype=np.uint8)
    clear[..., 3] = 255 - letter
    assert (
        np.abs(greek.course_preprocess(clear) - greek.course_preprocess(letter)).max()
        <= 1 / 255 + 1e-6
    )


@pytest.mark.parametrize("letter, writer", [("beta", "rewrite"), ("gamma", "nib_rewrite")])
def test_a_writer_redraws_the_same_letter(letter, writer):
    images, _, _ = greek.load_letter_folder(greek.GREEK_DIR, letters=[letter])
    photo, redraw = images[0], getattr(greek, writer)
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


def test_rewritten_letters_are_still_read_as_their_letter():
    """Lab 08 chooses its method on rewritten letters: a rewrite changes the writer, not the letter.

    Each shipped alpha, beta and gamma, rewritten once, is read by cosine 1-NN on to_mnist
    pixels among the shipped ones but its own original (chance 1/3).
    """
    three = ["alpha", "beta", "gamma"]
    images, labels, _ = greek.load_letter_folder(greek.GREEK_DIR, letters=three)
    rng = np.random.default_rng(0)
    pixels = l2_normalise(np.stack([to_mnist(i) for i in images]).reshape(len(images), -1))
    redrawn = l2_normalise(
        np.stack([to_mnist(greek.rewrite(i, rng)) for i in images]).reshape(len(images), -1)
    )
    distances = ssd_matrix(redrawn, pixels)
    np.fill_diagonal(distances, np.inf)
    accuracy = np.mean(knn_predict(distances, labels, 1) == labels)
    print(f"rewritten shipped letters read by 1-NN on pixels: {accuracy:.3f} (chance 0.333)")
    assert accuracy > 0.8


def test_thin_leaves_one_pixel_lines_that_keep_the_letter_whole():
    bar = np.zeros((20, 30), dtype=bool)
    bar[8:13, 3:27] = True  # a stroke 5 px thick
    line = greek._thin(bar)
    assert line.any() and line.sum() < bar.sum() / 3
    assert (line & ~bar).sum() == 0, "the centre line lies inside the ink"
    assert line.sum(axis=0)[6:24].max() == 1, "one pixel across the stroke"
    images, _, _ = greek.load_letter_folder(greek.GREEK_DIR, letters=["alpha"])
    ink = images[0] < 120
    assert (
        ndimage.label(greek._thin(ink), np.ones((3, 3)))[1]
        == ndimage.label(ink, np.ones((3, 3)))[1]
    )


def test_nib_is_a_slanted_line():
    nib = greek._nib(12, 0.0, 1)
    assert nib.sum(axis=1).max() >= 12 and nib.sum(axis=0).max() == 1
    steep = greek._nib(12, np.pi / 2, 1)
    assert steep.sum(axis=0).max() >= 12 and steep.sum(axis=1).max() == 1
