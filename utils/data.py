"""MNIST for every lab: the full set when it can be downloaded, else the bundled sample.

``load_mnist`` returns float32 images flattened to 784 values in [0, 1] and
int64 labels, split into train / validation / test, with a ``source`` string
that says which data were used.  Files are loaded once into arrays (no
per-sample PIL loop) and verified by checksum before use.
"""
from __future__ import annotations

import gzip
import hashlib
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from .config import cache_dir, offline_forced

BUNDLED_DIR = Path(__file__).with_name("data")
# md5 of the decompressed bundled files (the official MNIST test set).
BUNDLED_MD5 = {
    "t10k-images-idx3-ubyte.gz": "2646ac647ad5339dbf082846283269ea",
    "t10k-labels-idx1-ubyte.gz": "27ae3e4e09519cfbb04c329615203637",
}
FULL_TRAIN_POOL = 50_000  # training images come from the first 50,000 ...
FULL_VAL = 10_000  # ... and validation is the last 10,000 of the official 60,000
OFFLINE_VAL = 2_000
OFFLINE_TEST = 2_000
OFFLINE_TRAIN_MAX = 10_000 - OFFLINE_VAL - OFFLINE_TEST
NETWORK_TIMEOUT_S = 3.0


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
    offline: bool

    def summary(self) -> str:
        """Return a one-line description of the split sizes and the data source."""
        return (
            f"{self.source} | train {len(self.y_train):,} / val {len(self.y_val):,} "
            f"/ test {len(self.y_test):,}"
        )


def _md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def read_idx_gz(path: Path, expected_md5: str, md5_of: str) -> np.ndarray:
    """Return the array in a gzip'd IDX file after checking its md5.

    ``md5_of`` says what the checksum covers: ``"gz"`` (the file as stored) or
    ``"raw"`` (the decompressed bytes).
    """
    path = Path(path)
    if not path.exists():
        raise DataError(f"Data file {path} is missing. Re-run to download it, or reinstall the workbook.")
    stored = path.read_bytes()
    try:
        raw = gzip.decompress(stored)
    except (OSError, EOFError) as err:
        raise DataError(
            f"Data file {path} is truncated or not gzip ({err}). Delete it and run again "
            "to download a fresh copy (or set WORKBOOK_OFFLINE=1 to use the bundled sample)."
        ) from err
    actual = _md5(stored if md5_of == "gz" else raw)
    if actual != expected_md5:
        raise DataError(
            f"Data file {path} is corrupt: md5 {actual}, expected {expected_md5}. Delete it "
            "and run again to download a fresh copy (or set WORKBOOK_OFFLINE=1 to use the "
            "bundled sample)."
        )
    magic = int.from_bytes(raw[0:4], "big")
    ndim = magic & 0xFF
    if magic >> 8 != 0x08 or ndim not in (1, 3):
        raise DataError(f"Data file {path} is not an MNIST IDX file (magic {magic:#x}).")
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    offset = 4 + 4 * ndim
    return np.frombuffer(raw, dtype=np.uint8, offset=offset).reshape(shape)


def _to_float(images: np.ndarray) -> np.ndarray:
    return images.reshape(len(images), -1).astype(np.float32) / 255.0


def network_available(url: str, timeout: float = NETWORK_TIMEOUT_S) -> bool:
    """Return True if the host of ``url`` accepts a TCP connection within ``timeout`` seconds."""
    parsed = urlparse(url)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        with socket.create_connection((parsed.hostname, port), timeout=timeout):
            return True
    except OSError:
        return False


def _download_full_mnist(root: Path) -> Path:
    """Download the official MNIST files with torchvision into ``root``; return the raw folder."""
    from torchvision.datasets import MNIST

    if not any(network_available(mirror) for mirror in MNIST.mirrors):
        raise DataError("no network: none of torchvision's MNIST mirrors answered.")
    old_timeout = socket.getdefaulttimeout()
    socket.setdefaulttimeout(30)
    try:
        MNIST(root=str(root), train=True, download=True)
    except Exception as err:  # torchvision raises RuntimeError/URLError/OSError
        raise DataError(f"download failed: {err}") from err
    finally:
        socket.setdefaulttimeout(old_timeout)
    return root / "MNIST" / "raw"


def _full_mnist_arrays() -> tuple[np.ndarray, ...]:
    """Return (train images, train labels, test images, test labels) of the full MNIST."""
    from torchvision.datasets import MNIST

    root = cache_dir()
    raw = root / "MNIST" / "raw"
    expected = dict(MNIST.resources)
    if not all((raw / name).exists() for name in expected):
        raw = _download_full_mnist(root)
    arrays = {name: read_idx_gz(raw / name, md5, "gz") for name, md5 in expected.items()}
    return (
        arrays["train-images-idx3-ubyte.gz"],
        arrays["train-labels-idx1-ubyte.gz"],
        arrays["t10k-images-idx3-ubyte.gz"],
        arrays["t10k-labels-idx1-ubyte.gz"],
    )


def load_bundled_sample() -> tuple[np.ndarray, np.ndarray]:
    """Return the bundled 10,000 official MNIST test images (uint8, 28x28) and labels."""
    images, labels = (
        read_idx_gz(BUNDLED_DIR / name, md5, "raw") for name, md5 in BUNDLED_MD5.items()
    )
    return images, labels


def _check_int(name: str, value, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an int, got {value!r} ({type(value).__name__}).")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}.")
    return int(value)


def load_mnist(n_train: int = 50_000, seed: int = 0, offline: bool | None = None,
               verbose: bool = True) -> MnistSplits:
    """Return MNIST splits: ``n_train`` training images, validation and test (labs 01-08).

    With network: ``n_train`` images drawn (seeded) from the first 50,000 of the
    official training set, validation = its last 10,000, test = the official
    10,000.  Offline (no network, or ``offline=True``, or ``WORKBOOK_OFFLINE=1``):
    disjoint seeded subsets of the bundled official test set, ``n_train`` capped
    at 6,000, with validation and test of 2,000 each.
    """
    n_train = _check_int("n_train", n_train, 1)
    seed = _check_int("seed", seed, 0)
    if n_train > FULL_TRAIN_POOL:
        raise ValueError(
            f"n_train must be at most {FULL_TRAIN_POOL:,} (the last {FULL_VAL:,} training "
            f"images are the validation set), got {n_train:,}."
        )
    rng = np.random.default_rng(seed)
    use_offline = offline_forced() if offline is None else bool(offline)
    reason = "WORKBOOK_OFFLINE=1" if use_offline else ""
    if not use_offline:
        try:
            train_images, train_labels, test_images, test_labels = _full_mnist_arrays()
        except DataError as err:
            if "corrupt" in str(err) or "truncated" in str(err):
                raise
            use_offline, reason = True, str(err)
    if not use_offline:
        pick = rng.permutation(FULL_TRAIN_POOL)[:n_train]
        splits = MnistSplits(
            _to_float(train_images[pick]), train_labels[pick].astype(np.int64),
            _to_float(train_images[-FULL_VAL:]), train_labels[-FULL_VAL:].astype(np.int64),
            _to_float(test_images), test_labels.astype(np.int64),
            source=f"full MNIST (downloaded, cached in {cache_dir()})", offline=False,
        )
    else:
        images, labels = load_bundled_sample()
        order = rng.permutation(len(labels))
        n_used = min(n_train, OFFLINE_TRAIN_MAX)
        train, val, test = (order[:n_used], order[-OFFLINE_VAL - OFFLINE_TEST:-OFFLINE_TEST],
                            order[-OFFLINE_TEST:])
        capped = f"; n_train {n_train:,} capped at {n_used:,}" if n_used < n_train else ""
        splits = MnistSplits(
            _to_float(images[train]), labels[train].astype(np.int64),
            _to_float(images[val]), labels[val].astype(np.int64),
            _to_float(images[test]), labels[test].astype(np.int64),
            source=f"OFFLINE bundled MNIST sample (official test set, 10,000 images; {reason}{capped})",
            offline=True,
        )
    if verbose:
        print(splits.summary())
    return splits
