"""Test defaults: the quick profile, offline, no progress bars (inherited by nbval's kernels).

While nbval runs a lab, its choices (``utils.config.choose``) are recorded in
``WORKBOOK_CHOICES_DIR/<lab>.jsonl``; tests/test_choices.py, moved to the end
of the session, reruns each lab with its test labels permuted and compares.
"""

import os
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("WORKBOOK_PROFILE", "quick")
os.environ.setdefault("WORKBOOK_OFFLINE", "1")
os.environ.setdefault("TQDM_DISABLE", "1")
os.environ.setdefault("WORKBOOK_CHOICES_DIR", tempfile.mkdtemp(prefix="workbook-choices-"))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Point a lab's kernel (started with its first cell) at its own record file."""
    path = Path(str(item.fspath))
    if path.suffix == ".ipynb":
        os.environ["WORKBOOK_CHOICES"] = str(
            Path(os.environ["WORKBOOK_CHOICES_DIR"]) / f"{path.stem}.jsonl"
        )
    else:
        os.environ.pop("WORKBOOK_CHOICES", None)


def pytest_collection_modifyitems(items):
    """Run tests/test_choices.py last, after nbval has recorded the labs' choices."""
    items.sort(key=lambda item: Path(str(item.fspath)).name == "test_choices.py")


@pytest.fixture(scope="session")
def digit_net(tmp_path_factory):
    """A DigitNet trained briefly in a private cache (about 10 s on one core), in eval mode."""
    from utils.checkpoints import load_or_train_digit_net
    from utils.data import load_mnist

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WORKBOOK_DATA", str(tmp_path_factory.mktemp("cache")))
        net, _ = load_or_train_digit_net(
            50,
            load_mnist(6_000, verbose=False),
            3,
            0,
            dropout=0.25,
            learning_rate=1e-2,
            batch_size=128,
            shift=2,
            degrees=10,
            scale=0.1,
        )
    return net.eval()
