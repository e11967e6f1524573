"""utils.greek (the folder loader and the course's preprocessing) and tools/make_greek.py (the generator).

The course's own 27 letter images are not in the repository (their licence is
unknown). ``test_course_letters`` reads them only when the environment
variable WORKBOOK_GREEK_COURSE names their folder, e.g.

    WORKBOOK_GREEK_COURSE=../shared/data/greek-course pytest tests/test_greek.py

and is skipped otherwise; no other test reads anything outside the repository.
"""
import os
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from utils import greek
from utils.handwriting import to_mnist

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import make_greek  # noqa: E402

COURSE = os.environ.get("WORKBOOK_GREEK_COURSE")


@pytest.fixture(scope="module")
def letter():
    """One shipped letter image (133 x 133 uint8, dark ink on light paper)."""
    return np.asarray(Image.open(greek.GREEK_DIR / "beta" / "beta_001.png"))


def course_recipe(image):
    """The course's steps written out for a 133-px image: resize by 36/128, central 28x28, invert."""
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
    """Each way of writing a letter draws; strokes at MNIST scale are about 2 px, not a thin font's 1."""
    rng = np.random.default_rng(0)
    widths = []
    for letter, forms in make_greek.VARIANTS.items():
        assert len(forms) >= 3, f"{letter}: a letter has several common forms"
        for form in forms:
            image = np.asarray(make_greek.draw_letter(letter, rng, variant=form))
            widths.append(to_mnist(image, report=True)[1].stroke_mnist)
    print(f"stroke widths at MNIST scale: {min(widths):.2f}-{max(widths):.2f}, median {np.median(widths):.2f}")
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
    assert all(np.array_equal(a, b) for a, b in zip(shipped, regenerated)), "run tools/make_greek.py"


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
    """Every file holds the same letter: it comes back with the same pixels, dark ink on light paper."""
    ink = 255 - letter
    clear = np.zeros(letter.shape + (4,), dtype=np.uint8)
    clear[..., 3] = ink                                          # black pixels, the ink only in alpha
    stroke_colour = clear.copy()
    stroke_colour[..., :3] = (20, 40, 200)                       # blue ink, a transparent background
    files = {"l.png": Image.fromarray(letter), "rgb.png": Image.fromarray(letter).convert("RGB"),
             "alpha.png": Image.fromarray(clear), "blue.png": Image.fromarray(stroke_colour),
             "la.png": Image.fromarray(np.dstack([np.zeros_like(letter), ink]), mode="LA"),
             "white_on_black.png": Image.fromarray(ink), "p.png": Image.fromarray(letter).convert("P"),
             "photo.jpg": Image.fromarray(letter)}
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
    """The same letter at 64 or 512 px gives the input it gives at 133 px, not a fragment of a stroke."""
    resized = np.asarray(Image.fromarray(letter).resize((size, size), Image.BICUBIC))
    out = greek.course_preprocess(resized)
    assert np.abs(out - greek.course_preprocess(letter)).mean() < 0.01
    fixed_scale = course_recipe(resized)                        # the course's fixed 36/128
    assert np.abs(fixed_scale - greek.course_preprocess(letter)).mean() > 0.04


def test_course_preprocess_reads_ink_in_alpha(letter):
    clear = np.zeros(letter.shape + (4,), dtype=np.uint8)
    clear[..., 3] = 255 - letter
    assert np.abs(greek.course_preprocess(clear) - greek.course_preprocess(letter)).max() <= 1 / 255 + 1e-6


@pytest.mark.skipif(not COURSE, reason="set WORKBOOK_GREEK_COURSE to the course's letter folder to run")
def test_course_letters():
    """The course's 27 photos: loaded as dark ink on paper; 1-NN on to_mnist pixels reads them."""
    images, labels, names = greek.load_letter_folder(COURSE)
    assert names == ["alpha", "beta", "gamma"] and len(images) == 27
    assert all(np.median(image) > 150 and image.min() < 110 for image in images)
    inputs = np.stack([to_mnist(image) for image in images]).reshape(27, -1)
    d = ((inputs[:, None] - inputs[None]) ** 2).sum(-1)
    np.fill_diagonal(d, np.inf)
    accuracy = float(np.mean(labels[d.argmin(1)] == labels))
    print(f"course letters: leave-one-out 1-NN on to_mnist pixels {accuracy:.3f} (chance 0.333)")
    assert accuracy >= 0.85
    for image in images[::4]:                                   # the same photos at 4 x their size
        big = np.asarray(Image.fromarray(image).resize((4 * image.shape[1], 4 * image.shape[0]), Image.BICUBIC))
        assert np.abs(greek.course_preprocess(big) - greek.course_preprocess(image)).mean() < 0.01
