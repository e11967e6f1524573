"""utils.backbones: the Lite0 definition matches its weights, features, cache, offline choice."""
import time

import numpy as np
import pytest
import torch
from matplotlib import cbook
from PIL import Image

from utils import backbones


@pytest.fixture(scope="module")
def lite0():
    return backbones.load_lite0(pretrained=True)


def test_packaged_weights_load_strictly_and_classify_grace_hopper(lite0):
    state = torch.load(backbones.lite0_weights_path(), map_location="cpu", weights_only=True)
    assert len(state) == 296 and sum(v.numel() for k, v in state.items() if "num_batches" not in k
                                     and "running" not in k) == sum(p.numel() for p in lite0.parameters())
    image = np.asarray(Image.open(cbook.get_sample_data("grace_hopper.jpg")).convert("RGB").resize((224, 224)))
    x = torch.from_numpy(image.copy()).permute(2, 0, 1)[None].float() / 255
    with torch.no_grad():
        top = lite0(x).argmax(1).item()
    assert top == 652 and backbones.imagenet_categories()[top] == "military uniform"


def test_same_padding_halves_odd_and_even_sizes():
    conv = backbones.SameConv2d(1, 1, 3, stride=2)
    assert conv(torch.zeros(1, 1, 7, 8)).shape[-2:] == (4, 4)


def test_feature_shapes_cache_and_bad_cuts(tmp_path, monkeypatch, lite0):
    monkeypatch.setenv("WORKBOOK_DATA", str(tmp_path))
    digits = np.random.default_rng(0).random((5, 28, 28)).astype(np.float32)
    features = backbones.extract_features(lite0, digits, [0, 10, backbones.LITE0_HEAD], size=64, grid=2,
                                          cache_key="test")
    assert features[0].shape == (5, 16 * 4) and features[10].shape == (5, 112 * 4)
    assert features[backbones.LITE0_HEAD].shape == (5, 1280 * 4)
    assert len(list((tmp_path / "features").glob("*.npz"))) == 1
    again = backbones.extract_features(None, digits, [0, 10, backbones.LITE0_HEAD], size=64, grid=2,
                                       cache_key="test")
    assert np.array_equal(again[10], features[10]), "second call is served from the cache"
    with pytest.raises(ValueError, match="do not exist"):
        backbones.extract_features(lite0, digits, [99], size=64)


def test_random_weights_with_calibrated_batchnorm_stay_finite():
    model = backbones.calibrate_batchnorm(backbones.load_lite0(pretrained=False), np.random.rand(20, 28, 28), 64)
    out = backbones.extract_features(model, np.random.rand(3, 28, 28).astype(np.float32), [15], size=64)[15]
    assert np.isfinite(out).all() and out.std() > 0


def test_colour_and_gray_inputs():
    assert backbones.to_rgb(np.zeros((2, 28, 28), np.float32), 32).shape == (2, 3, 32, 32)
    assert backbones.to_rgb(np.zeros((2, 32, 32, 3), np.uint8), 64).shape == (2, 3, 64, 64)


def test_offline_choice_is_fast_and_said(monkeypatch):
    monkeypatch.setenv("WORKBOOK_OFFLINE", "1")
    setup = backbones.choose_setup()
    assert (setup.backbone, setup.data) == ("efficientnet_lite0", "mnist") and "WORKBOOK_OFFLINE" in setup.reason
    monkeypatch.delenv("WORKBOOK_OFFLINE")
    import utils.data
    monkeypatch.setattr(utils.data, "network_available", lambda url, timeout=3.0: False)
    start = time.perf_counter()
    setup = backbones.choose_setup()
    assert setup.backbone == "efficientnet_lite0" and "no network" in setup.reason
    assert time.perf_counter() - start < 5


def test_unknown_backbone_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown backbone"):
        backbones.load_torchvision_backbone("vgg")
