"""MNIST for every lab, from the official files shipped with the workbook.

``load_mnist`` returns float32 images flattened to 784 values in [0, 1] and
int64 labels, split the official way: train = the first ``n_train`` of the
60,000 training images, validation = their last 10,000, test = the official
10,000.  No network is needed.  Every file is checked against the md5 of its
decompressed bytes before use, and decoded once per process.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MNIST_DIR = Path(__file__).with_name("data") / "mnist"
# md5 of each decompressed file: the original MNIST bytes.
MNIST_MD5 = {
    "train-images-idx3-ubyte.gz": "6bbc9ace898e44ae57da46a324031adb",
    "train-labels-idx1-ubyte.gz": "a25bea736e30d166cdddb491f175f624",
    "t10k-images-idx3-ubyte.gz": "2646ac647ad5339dbf082846283269ea",
    "t10k-labels-idx1-ubyte.gz": "27ae3e4e09519cfbb04c329615203637",
}
TRAIN_POOL = 50_000  # training images come from the first 50,000 ...
VAL_SIZE = 10_000  # ... and validation is the last 10,000 of the official 60,000
TEST_SIZE = 10_000


class DataError(RuntimeError):
    """A data file is missing, truncated or fails its checksum."""


@dataclass
class MnistSplits:
    """Train / validation / test arrays plus where they came from."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str

    def summary(self) -> str:
        """Return a one-line description of the split sizes and the data source."""
        return (
            f"{self.source} | train {len(self.y_train):,} / "
            f"val {len(self.y_val):,} / test {len(self.y_test):,}"
        )


def read_idx_gz(path: Path, expected_md5: str) -> np.ndarray:
    """Return the uint8 array in a gzip'd IDX file whose content has ``expected_md5``."""
    path = Path(path)
    if not path.exists():
        raise DataError(
            f"Data file {path} is missing. Reinstall the workbook "
            "(`pip install --force-reinstall dl-workbook`, or `make setup` "
            "in a checkout)."
        )
    try:
        raw = gzip.decompress(path.read_bytes())
    except (OSError, EOFError) as err:
        raise DataError(
            f"Data file {path} is truncated or not gzip ({err}). "
            "Reinstall the workbook to restore it."
        ) from err
    actual = hashlib.md5(raw).hexdigest()
    if actual != expected_md5:
        raise DataError(
            f"Data file {path} is corrupt: md5 {actual}, expected "
            f"{expected_md5}. Reinstall the workbook to restore it."
        )
    magic = int.from_bytes(raw[0:4], "big")
    ndim = magic & 0xFF
    if magic >> 8 != 0x08 or ndim not in (1, 3):
        raise DataError(f"Data file {path} is not an MNIST IDX file (magic {magic:#x}).")
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


@functools.lru_cache(maxsize=1)
def mnist_arrays() -> dict[str, np.ndarray]:
    """Return the four official MNIST arrays as uint8, keyed by file name."""
    return {name: read_idx_gz(MNIST_DIR / name, md5) for name, md5 in MNIST_MD5.items()}


def mnist_test_images() -> tuple[np.ndarray, np.ndarray]:
    """Return the official 10,000 test images (uint8, 28x28) and labels."""
    arrays = mnist_arrays()
    return arrays["t10k-images-idx3-ubyte.gz"], arrays["t10k-labels-idx1-ubyte.gz"]


def _to_float(images: np.ndarray) -> np.ndarray:
    return images.reshape(len(images), -1).astype(np.float32) / 255.0


def _check_int(name: str, value, minimum: int, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an int, got {value!r} ({type(value).__name__}).")
    if not minimum <= value <= maximum:
        raise ValueError(f"{name} must be between {minimum:,} and {maximum:,}, got {value:,}.")
    return int(value)


def test_labels(labels: np.ndarray) -> np.ndarray:
    """Return a lab's test labels; permuted when ``WORKBOOK_SCRAMBLE_TEST=1``.

    Every loader of test data passes its labels through here.  With the
    variable set (tests/test_choices.py), the labels are shuffled with a
    fixed seed: a choice that stays the same did not read them.
    """
    from .config import env_flag

    labels = np.asarray(labels)
    if not env_flag("WORKBOOK_SCRAMBLE_TEST"):
        return labels
    return labels[np.random.default_rng(12345).permutation(len(labels))]


def load_mnist(
    n_train: int = TRAIN_POOL, n_val: int = VAL_SIZE, n_test: int = TEST_SIZE, verbose: bool = True
) -> MnistSplits:
    """Return the official MNIST splits (every lab).

    Train: the first ``n_train`` (at most 50,000) training images; validation:
    the first ``n_val`` of the last 10,000 training images; test: the first
    ``n_test`` official test images.
    """
    n_train = _check_int("n_train", n_train, 1, TRAIN_POOL)
    n_val = _check_int("n_val", n_val, 1, VAL_SIZE)
    n_test = _check_int("n_test", n_test, 1, TEST_SIZE)
    arrays = mnist_arrays()
    images, labels = arrays["train-images-idx3-ubyte.gz"], arrays["train-labels-idx1-ubyte.gz"]
    test_images, test_labels_all = mnist_test_images()
    val = slice(len(labels) - VAL_SIZE, len(labels) - VAL_SIZE + n_val)
    splits = MnistSplits(
        _to_float(images[:n_train]),
        labels[:n_train].astype(np.int64),
        _to_float(images[val]),
        labels[val].astype(np.int64),
        _to_float(test_images[:n_test]),
        test_labels(test_labels_all[:n_test].astype(np.int64)),
        source="MNIST, official files shipped with the workbook",
    )
    if verbose:
        print(splits.summary())
    return splits


def load_cifar10():
    """Return CIFAR-10 (lab 07): x_train, y_train, x_test, y_test.

    Images as uint8 (N, 32, 32, 3), labels as int64.

    Downloaded once by torchvision into ``cache_dir("cifar10")``; torchvision
    checks the archive's md5 when it downloads and every batch file's md5
    each time the set is loaded.
    """
    from torchvision.datasets import CIFAR10

    from .config import cache_dir, download_timeout

    root = cache_dir("cifar10")
    with download_timeout():
        train = CIFAR10(str(root), train=True, download=True)
        test = CIFAR10(str(root), train=False, download=True)
    return (
        train.data,
        np.array(train.targets, dtype=np.int64),
        test.data,
        test_labels(np.array(test.targets, dtype=np.int64)),
    )
