"""utils.greek: the generator, the shipped set, the folder loader and the course preprocessing.

The course's own 27 images (../shared/data/greek-course, not shipped) check the loader
and the issue's requirement: leave-one-out 1-NN in the digit network's embedding well
above chance.
"""
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from utils import greek
from utils.data import load_mnist
from utils.nets import load_or_train_digit_net

COURSE = Path(__file__).parents[1].parent / "shared" / "data" / "greek-course"


def test_generator_is_deterministic_and_looks_like_paper():
    a = np.asarray(greek.draw_letter("beta", np.random.default_rng(5)))
    b = np.asarray(greek.draw_letter("beta", np.random.default_rng(5)))
    c = np.asarray(greek.draw_letter("beta", np.random.default_rng(6)))
    assert a.shape == (133, 133) and np.array_equal(a, b) and not np.array_equal(a, c)
    assert np.median(a) > 150 and a.min() < 110, "light paper with dark ink"
    with pytest.raises(ValueError, match="unknown letter"):
        greek.draw_letter("omega", np.random.default_rng(0))


def test_shipped_set_is_the_generated_set(tmp_path):
    greek.write_letter_set(tmp_path, per_letter=2)
    for letter in ("alpha", "lambda"):
        shipped = np.asarray(Image.open(greek.GREEK_DIR / letter / f"{letter}_001.png"))
        assert shipped.shape == (133, 133)
    images, labels, names = greek.load_letter_folder(greek.GREEK_DIR)
    assert names == sorted(greek.LETTERS) and len(images) == greek.PER_LETTER * len(names)
    assert np.bincount(labels).tolist() == [greek.PER_LETTER] * len(names)
    regenerated = greek.load_letter_folder(tmp_path)[0]
    assert len(regenerated) == 2 * len(names)


def test_loader_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no folder"):
        greek.load_letter_folder(tmp_path / "missing")
    with pytest.raises(FileNotFoundError, match="no sub-folders"):
        greek.load_letter_folder(tmp_path)
    (tmp_path / "alpha").mkdir()
    (tmp_path / "alpha" / "broken.png").write_bytes(b"not a png")
    with pytest.raises(ValueError, match="cannot read"):
        greek.load_letter_folder(tmp_path)
    with pytest.raises(FileNotFoundError, match="no PNGs for"):
        greek.load_letter_folder(greek.GREEK_DIR, letters=["alpha", "omega"])


def test_course_preprocess_makes_white_ink_on_dark():
    image = np.asarray(greek.draw_letter("gamma", np.random.default_rng(0)))
    out = greek.course_preprocess(image)
    assert out.shape == (28, 28) and out.dtype == np.float32
    assert out.max() > 0.5 and np.median(out) < 0.35
    stretched = greek.course_preprocess(Image.fromarray(image), stretch=True)
    assert np.median(stretched) == 0.0 and stretched.max() == 1.0


@pytest.mark.skipif(not COURSE.is_dir(), reason="the course's Greek images (../shared/data/greek-course) are not here")
def test_course_images_leave_one_out_1nn_in_the_embedding(tmp_path, monkeypatch):
    images, labels, names = greek.load_letter_folder(COURSE)
    assert names == ["alpha", "beta", "gamma"] and len(images) == 27
    monkeypatch.setenv("WORKBOOK_DATA", str(tmp_path))
    net, message = load_or_train_digit_net(50, data=load_mnist(6_000, verbose=False), epochs=3)
    assert "trained" in message
    inputs = torch.from_numpy(np.stack([greek.course_preprocess(i) for i in images]))[:, None]
    with torch.no_grad():
        e = net.embed(inputs).numpy()
    d = ((e[:, None] - e[None]) ** 2).sum(2)
    np.fill_diagonal(d, np.inf)
    accuracy = float(np.mean(labels[d.argmin(1)] == labels))
    print(f"course images: leave-one-out 1-NN accuracy {accuracy:.3f} (chance 0.333)")
    assert accuracy > 0.6
