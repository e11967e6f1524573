"""utils.backbones: the Lite0 definition matches its weights, features, cache, offline choice."""
import socket
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
    assert (setup.backbone, setup.data) == ("efficientnet_lite0", "mnist")
    assert "WORKBOOK_OFFLINE" in setup.reason
    monkeypatch.delenv("WORKBOOK_OFFLINE")
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()                      # nothing listens there: "no network"
    monkeypatch.setattr(backbones, "PROBE_URL", f"http://127.0.0.1:{port}")
    start = time.perf_counter()
    setup = backbones.choose_setup()
    assert setup.backbone == "efficientnet_lite0" and "no network" in setup.reason
    assert time.perf_counter() - start < 5


def test_online_choice_when_the_probe_answers(monkeypatch):
    monkeypatch.delenv("WORKBOOK_OFFLINE", raising=False)
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        monkeypatch.setattr(backbones, "PROBE_URL", f"http://127.0.0.1:{port}")
        assert backbones.choose_setup().backbone == "resnet18"
        setup = backbones.choose_setup("alexnet")
    assert (setup.backbone, setup.data) == ("alexnet", "cifar10")
    assert backbones.choose_setup("efficientnet_lite0").data == "mnist"


def test_unknown_backbone_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown backbone"):
        backbones.load_torchvision_backbone("vgg")


@pytest.mark.parametrize("name, widths, sides", [
    ("alexnet", [64, 192, 384, 256, 256], [27, 13, 6, 6, 6]),
    ("resnet18", [64, 128, 256, 512], [28, 14, 7, 4])])
def test_torchvision_cuts_and_labels(name, widths, sides):
    model = backbones.load_torchvision_backbone(name, pretrained=False)
    cuts = backbones.TORCHVISION_CUTS[name]
    with torch.no_grad():
        shapes = [tuple(a.shape[1:]) for _, a in
                  model.stages(torch.rand(2, 3, 112, 112), set(cuts))]
        assert [c for c, _ in model.stages(torch.rand(1, 3, 112, 112),
                                           {2})] == [2]
        assert tuple(model(torch.rand(1, 3, 112, 112)).shape[1:]) == shapes[-1]
    assert shapes == [(w, s, s) for w, s in zip(widths, sides)]
    images = torch.rand(1, 3, 4, 4)
    assert torch.allclose(model.normalise(images),
                          (images - model.mean) / model.std)
    assert backbones.cut_label(name, 4) in ("conv4", "stage 4")
    assert backbones.cut_label("efficientnet_lite0", backbones.LITE0_HEAD) == "head"


def test_alexnet_needs_no_batchnorm_calibration():
    model = backbones.load_torchvision_backbone("alexnet", pretrained=False)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    backbones.calibrate_batchnorm(model, np.random.rand(3, 32, 32, 3), 64)
    assert not model.training
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


def test_random_affine_moves_all_channels_of_an_image_together():
    rng = np.random.default_rng(0)
    gray = rng.random((6, 32, 32)).astype(np.float32)
    colour = np.stack([gray, gray * 0.5, 1 - gray], axis=-1)
    moved = backbones.random_affine(colour, np.random.default_rng(1), 3, 10)
    moved_gray = backbones.random_affine(gray, np.random.default_rng(1), 3, 10)
    assert moved.shape == colour.shape and moved.dtype == np.float32
    assert not np.allclose(moved[..., 0], gray), "the images were moved"
    # one transform per image: each channel equals the gray image moved alike
    assert np.allclose(moved[..., 0], moved_gray, atol=1e-6)
    assert np.allclose(moved[..., 1], 0.5 * moved_gray, atol=1e-6)
    moved_third = backbones.random_affine(1 - gray, np.random.default_rng(1),
                                          3, 10)
    assert np.allclose(moved[..., 2], moved_third, atol=1e-6)
    still = backbones.random_affine(colour, rng, 0, 0)
    assert np.allclose(still, colour, atol=1e-5), "no shift, no rotation"
    with pytest.raises(ValueError, match="expected"):
        backbones.random_affine(np.zeros(5), rng, 1, 1)


def test_images_per_second_is_positive_and_finite():
    model = backbones.load_torchvision_backbone("alexnet", pretrained=False)
    rate = backbones.images_per_second(model, 64, n_images=8, batch_size=8)
    assert np.isfinite(rate) and rate > 0
