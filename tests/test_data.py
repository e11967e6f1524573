"""utils.data: offline splits, the download path, checksums and bad arguments."""
import gzip
import shutil
import time

import numpy as np
import pytest

from utils import data


@pytest.fixture
def offline(monkeypatch):
    monkeypatch.setenv("WORKBOOK_OFFLINE", "1")


def test_offline_splits_are_disjoint_real_and_labelled(offline):
    splits = data.load_mnist(n_train=3_000, seed=1, verbose=False)
    assert splits.offline and "OFFLINE bundled MNIST sample" in splits.source
    assert splits.x_train.shape == (3_000, 784) and splits.x_train.dtype == np.float32
    assert splits.y_train.dtype == np.int64
    assert 0.0 <= splits.x_train.min() and splits.x_train.max() <= 1.0
    assert len(splits.y_val) == data.OFFLINE_VAL and len(splits.y_test) == data.OFFLINE_TEST
    rows = [tuple(map(bytes, np.round(x * 255).astype(np.uint8)))
            for x in (splits.x_train, splits.x_val, splits.x_test)]
    train, val, test = (set(r) for r in rows)
    assert not (train & test) and not (train & val) and not (val & test)
    assert set(np.unique(splits.y_train)) == set(range(10))


def test_bundled_sample_is_the_official_test_set():
    images, labels = data.load_bundled_sample()
    assert images.shape == (10_000, 28, 28) and labels[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]


def test_same_seed_same_split_other_seed_other_split(offline):
    a = data.load_mnist(500, seed=0, verbose=False)
    b = data.load_mnist(500, seed=0, verbose=False)
    c = data.load_mnist(500, seed=1, verbose=False)
    assert np.array_equal(a.x_train, b.x_train) and not np.array_equal(a.x_train, c.x_train)


def test_offline_caps_n_train_and_says_so(offline, capsys):
    splits = data.load_mnist(50_000)
    assert len(splits.y_train) == data.OFFLINE_TRAIN_MAX
    assert "capped at 6,000" in capsys.readouterr().out


@pytest.mark.parametrize("bad, message", [(0, ">= 1"), (-5, ">= 1"), (2.5, "must be an int"),
                                          ("100", "must be an int"), (True, "must be an int"),
                                          (60_000, "at most 50,000")])
def test_bad_n_train_is_a_value_error(bad, message):
    with pytest.raises(ValueError, match=message):
        data.load_mnist(n_train=bad)


def test_bad_seed_is_a_value_error():
    with pytest.raises(ValueError, match="seed"):
        data.load_mnist(100, seed=-1)


def test_no_network_falls_back_within_seconds(monkeypatch, tmp_path):
    monkeypatch.delenv("WORKBOOK_OFFLINE", raising=False)
    monkeypatch.setenv("WORKBOOK_DATA", str(tmp_path))
    monkeypatch.setattr(data, "network_available", lambda url, timeout=3.0: False)
    start = time.perf_counter()
    splits = data.load_mnist(100, verbose=False)
    assert splits.offline and "no network" in splits.source
    assert time.perf_counter() - start < 10


def _fake_full_cache(root, train_images, train_labels):
    """Write a cache that looks like torchvision's download; return the md5 table."""
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True)
    bundled = data.BUNDLED_DIR
    files = {
        "train-images-idx3-ubyte.gz": train_images,
        "train-labels-idx1-ubyte.gz": train_labels,
        "t10k-images-idx3-ubyte.gz": bundled / "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz": bundled / "t10k-labels-idx1-ubyte.gz",
    }
    for name, source in files.items():
        shutil.copy(source, raw / name)
    return {name: data._md5((raw / name).read_bytes()) for name in files}, raw


def _idx(path, array, magic):
    header = magic.to_bytes(4, "big") + b"".join(n.to_bytes(4, "big") for n in array.shape)
    path.write_bytes(gzip.compress(header + array.astype(np.uint8).tobytes()))
    return path


@pytest.fixture
def full_cache(monkeypatch, tmp_path):
    """A fake 'downloaded' full MNIST of 60,000 images, md5s registered like torchvision's."""
    from torchvision.datasets import MNIST

    rng = np.random.default_rng(0)
    images = _idx(tmp_path / "ti.gz", rng.integers(0, 256, (60_000, 28, 28)), 0x0803)
    labels = _idx(tmp_path / "tl.gz", np.arange(60_000) % 10, 0x0801)
    md5s, raw = _fake_full_cache(tmp_path / "cache", images, labels)
    monkeypatch.setattr(MNIST, "resources", list(md5s.items()))
    monkeypatch.setenv("WORKBOOK_DATA", str(tmp_path / "cache"))
    monkeypatch.delenv("WORKBOOK_OFFLINE", raising=False)
    return raw


def test_full_mnist_splits_from_cache(full_cache):
    splits = data.load_mnist(n_train=1_000, seed=0, verbose=False)
    assert not splits.offline and "full MNIST" in splits.source
    assert splits.x_train.shape == (1_000, 784) and len(splits.y_val) == 10_000
    assert len(splits.y_test) == 10_000
    assert np.array_equal(splits.y_val, np.arange(50_000, 60_000) % 10)


def test_corrupt_cached_file_is_reported_not_used(full_cache):
    path = full_cache / "train-labels-idx1-ubyte.gz"
    blob = bytearray(path.read_bytes())
    blob[-5] ^= 0xFF
    path.write_bytes(bytes(blob))
    with pytest.raises(data.DataError, match="corrupt|truncated") as info:
        data.load_mnist(100, verbose=False)
    assert "Delete it" in str(info.value)


def test_truncated_cached_file_is_reported(full_cache):
    path = full_cache / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(data.DataError, match="truncated"):
        data.load_mnist(100, verbose=False)
