"""utils.config: profiles, seeds, cache folder."""

import os
import random

import numpy as np
import pytest
import torch

from utils import config


def test_by_profile_follows_environment(monkeypatch):
    monkeypatch.setenv("WORKBOOK_PROFILE", "quick")
    assert config.by_profile(quick=1, full=2) == 1
    monkeypatch.setenv("WORKBOOK_PROFILE", "full")
    assert config.by_profile(quick=1, full=2) == 2
    monkeypatch.delenv("WORKBOOK_PROFILE")
    assert config.profile() == "full"


def test_unknown_profile_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("WORKBOOK_PROFILE", "fast")
    with pytest.raises(ValueError, match="not a profile"):
        config.profile()


def test_seed_everything_makes_all_generators_repeat():
    def draw():
        return random.random(), np.random.rand(), torch.rand(1).item()

    config.seed_everything(3)
    first = draw()
    config.seed_everything(3)
    assert draw() == first


@pytest.mark.parametrize("bad", [-1, 1.5, "0", True])
def test_seed_everything_rejects_bad_seeds(bad):
    with pytest.raises(ValueError, match="seed"):
        config.seed_everything(bad)


def test_cache_dir_honours_workbook_data(monkeypatch, tmp_path):
    monkeypatch.setenv("WORKBOOK_DATA", str(tmp_path / "cache"))
    path = config.cache_dir("features")
    assert path == tmp_path / "cache" / "features" and path.is_dir()


@pytest.mark.parametrize(
    "value, forced",
    [
        ("1", True),
        ("true", True),
        (" YES ", True),
        ("0", False),
        ("", False),
        ("no", False),
        (None, False),
    ],
)
def test_offline_flag(monkeypatch, value, forced):
    if value is None:
        monkeypatch.delenv("WORKBOOK_OFFLINE", raising=False)
    else:
        monkeypatch.setenv("WORKBOOK_OFFLINE", value)
    assert config.offline_forced() is forced


def test_banner_names_the_profile_the_data_and_the_threads(monkeypatch):
    from utils import threads

    monkeypatch.setattr(threads, "describe", lambda: "threads: T")
    monkeypatch.setenv("WORKBOOK_PROFILE", "quick")
    assert config.banner("sample") == "profile: quick | data: sample | threads: T"
    monkeypatch.setenv("WORKBOOK_PROFILE", "full")
    assert config.banner() == "profile: full | threads: T"


@pytest.mark.parametrize("cuda, expected", [(True, "cuda"), (False, "cpu")])
def test_device_is_cuda_exactly_when_available(monkeypatch, cuda, expected):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    assert config.device() == torch.device(expected)


def test_network_available_respects_offline_and_closed_ports(monkeypatch):
    import socket

    monkeypatch.setenv("WORKBOOK_OFFLINE", "1")
    assert not config.network_available("https://example.invalid")  # no lookup made
    monkeypatch.setenv("WORKBOOK_OFFLINE", "0")
    with socket.socket() as probe:  # a port that was just free is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert not config.network_available(f"http://127.0.0.1:{port}", timeout=1.0)
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        assert config.network_available(f"http://127.0.0.1:{server.getsockname()[1]}")


def test_download_timeout_is_restored():
    import socket

    before = socket.getdefaulttimeout()
    with config.download_timeout(7.0):
        assert socket.getdefaulttimeout() == 7.0
    assert socket.getdefaulttimeout() == before


def test_checkpoints_are_kept_per_profile(monkeypatch, tmp_path):
    monkeypatch.setenv("WORKBOOK_DATA", str(tmp_path))
    monkeypatch.setenv("WORKBOOK_PROFILE", "quick")
    quick = config.checkpoint_dir()
    monkeypatch.setenv("WORKBOOK_PROFILE", "full")
    assert quick != config.checkpoint_dir() and quick.name == "quick"


def test_progress_bar_honours_tqdm_disable(monkeypatch):
    monkeypatch.setenv("TQDM_DISABLE", "1")
    assert config.progress(range(3)).disable
    monkeypatch.setenv("TQDM_DISABLE", "0")
    with open(os.devnull, "w") as devnull:
        bar = config.progress(range(3), file=devnull)
        assert not bar.disable and list(bar) == [0, 1, 2]
