"""utils.data: the shipped official MNIST, its split, checksums and bad arguments."""

import gzip
import hashlib

import numpy as np
import pytest

from utils import data


def test_official_split_sizes_types_and_order():
    splits = data.load_mnist(n_train=3_000, verbose=False)
    assert "official files shipped" in splits.source
    assert splits.x_train.shape == (3_000, 784) and splits.x_train.dtype == np.float32
    assert splits.y_train.dtype == np.int64
    assert len(splits.y_val) == 10_000 and len(splits.y_test) == 10_000
    assert splits.x_train.min() >= 0.0 and splits.x_train.max() == 1.0
    # The official files: first training labels 5 0 4 1 9, first test labels 7 2 1 0 4.
    assert splits.y_train[:5].tolist() == [5, 0, 4, 1, 9]
    assert splits.y_test[:5].tolist() == [7, 2, 1, 0, 4]
    assert set(np.unique(splits.y_train)) == set(range(10))


def test_validation_is_the_last_10000_training_images_and_disjoint_from_train():
    full = data.load_mnist(n_train=50_000, verbose=False)
    images = data.mnist_arrays()["train-images-idx3-ubyte.gz"]
    assert np.array_equal(full.x_val[0], images[50_000].reshape(-1) / np.float32(255))
    train = {row.tobytes() for row in full.x_train[:5_000]}
    assert not train & {row.tobytes() for row in full.x_val[:5_000]}


def test_smaller_validation_and_test_are_prefixes():
    small = data.load_mnist(100, n_val=500, n_test=300, verbose=False)
    big = data.load_mnist(100, verbose=False)
    assert np.array_equal(small.x_val, big.x_val[:500])
    assert np.array_equal(small.y_test, big.y_test[:300])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"n_train": 0}, "between 1 and 50,000"),
        ({"n_train": 50_001}, "between 1 and 50,000"),
        ({"n_train": 2.5}, "must be an int"),
        ({"n_train": "100"}, "must be an int"),
        ({"n_train": True}, "must be an int"),
        ({"n_train": 10, "n_val": 10_001}, "n_val"),
        ({"n_train": 10, "n_test": 0}, "n_test"),
    ],
)
def test_bad_sizes_are_value_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        data.load_mnist(**kwargs, verbose=False)


def _write_idx(path, array, magic=0x0801):
    header = magic.to_bytes(4, "big") + b"".join(n.to_bytes(4, "big") for n in array.shape)
    raw = header + array.astype(np.uint8).tobytes()
    path.write_bytes(gzip.compress(raw))
    return hashlib.md5(raw).hexdigest()


def test_read_idx_gz_round_trip(tmp_path):
    labels = np.arange(100) % 10
    md5 = _write_idx(tmp_path / "l.gz", labels)
    assert np.array_equal(data.read_idx_gz(tmp_path / "l.gz", md5), labels)


def test_corrupt_file_is_reported_not_used(tmp_path):
    md5 = _write_idx(tmp_path / "l.gz", np.arange(100) % 10)
    _write_idx(tmp_path / "l.gz", np.arange(100) % 9)
    with pytest.raises(data.DataError, match="corrupt.*Reinstall"):
        data.read_idx_gz(tmp_path / "l.gz", md5)


def test_truncated_and_missing_files_are_reported(tmp_path):
    labels = np.random.default_rng(0).integers(0, 10, 5_000)
    md5 = _write_idx(tmp_path / "l.gz", labels)
    (tmp_path / "l.gz").write_bytes((tmp_path / "l.gz").read_bytes()[:500])
    with pytest.raises(data.DataError, match="truncated"):
        data.read_idx_gz(tmp_path / "l.gz", md5)
    with pytest.raises(data.DataError, match="missing"):
        data.read_idx_gz(tmp_path / "absent.gz", md5)


def test_not_an_idx_file_is_reported(tmp_path):
    raw = b"\x00\x00\x07\x01" + bytes(20)
    (tmp_path / "x.gz").write_bytes(gzip.compress(raw))
    with pytest.raises(data.DataError, match="not an MNIST IDX"):
        data.read_idx_gz(tmp_path / "x.gz", hashlib.md5(raw).hexdigest())
