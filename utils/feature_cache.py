"""Features computed once per backbone, setting and image set, then read
from ``cache_dir("features")`` (lab 07)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import numpy as np

from .config import cache_dir


def cached_features(compute: Callable[[], dict], cache_key: str, images, **settings) -> dict:
    """``compute()``'s {cut: array} features, read from or written to ``cache_dir("features")``.

    ``cache_key`` names the backbone and its weights; the ``settings`` (size,
    grid, cuts ...) and a digest of the images' bytes complete the file name.
    """
    digest = hashlib.sha1(np.ascontiguousarray(images).tobytes()).hexdigest()[:16]
    described = [
        name + "-".join(map(str, np.atleast_1d(value))) for name, value in sorted(settings.items())
    ]
    path = cache_dir("features") / "_".join([cache_key, *described, digest + ".npz"])
    if path.exists():
        with np.load(path) as stored:
            return {int(k): stored[k] for k in stored.files}
    features = compute()
    np.savez(path, **{str(k): v for k, v in features.items()})
    return features
