"""Lab 07's plumbing: the Lite0 definition matches its weights (utils.efficientnet),
the blocks and the offline choice (utils.backbones), the feature cache
(utils.feature_cache), the speed measure (utils.speed)."""

import re
import socket
import time

import numpy as np
import pytest
import torch
from matplotlib import cbook
from PIL import Image

from utils import backbones, efficientnet
from utils.feature_cache import cached_features
from utils.saved import lab07_transfer as transfer
from utils.speed import images_per_second


@pytest.fixture(scope="module")
def lite0():
    return efficientnet.load_lite0(pretrained=True)


def test_packaged_weights_load_strictly_and_classify_grace_hopper(lite0):
    state = torch.load(efficientnet.lite0_weights_path(), map_location="cpu", weights_only=True)
    assert len(state) == 296 and sum(
        v.numel() for k, v in state.items() if "num_batches" not in k and "running" not in k
    ) == sum(p.numel() for p in lite0.parameters())
    image = np.asarray(
        Image.open(cbook.get_sample_data("grace_hopper.jpg")).convert("RGB").resize((224, 224))
    )
    x = torch.from_numpy(image.copy()).permute(2, 0, 1)[None].float() / 255
    with torch.no_grad():
        top = lite0(x).argmax(1).item()
    assert top == 652 and efficientnet.imagenet_categories()[top] == "military uniform"


def test_same_padding_halves_odd_and_even_sizes():
    conv = efficientnet.SameConv2d(1, 1, 3, stride=2)
    assert conv(torch.zeros(1, 1, 7, 8)).shape[-2:] == (4, 4)


def test_lite0_blocks_match_the_classifier(lite0):
    backbone = backbones.load_backbone("efficientnet_lite0")
    assert len(backbone.blocks) == efficientnet.LITE0_HEAD == 17
    photo = torch.rand(2, 3, 96, 96, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        head = backbone(photo)
        logits = lite0._fc(head.mean(dim=(2, 3)))
        assert torch.allclose(logits, lite0(photo), atol=1e-4)
        assert torch.allclose(backbone.normalise(photo), lite0.normalise(photo), atol=1e-6)


def test_lite0_feature_shapes_per_block():
    backbone = backbones.load_backbone("efficientnet_lite0")
    digits = np.random.default_rng(0).random((5, 28, 28)).astype(np.float32)
    features = transfer.extract_features(
        backbone, digits, [1, 11, efficientnet.LITE0_HEAD], 64, 2, batch_size=2
    )
    assert features[1].shape == (5, 16 * 4) and features[11].shape == (5, 112 * 4)
    assert features[efficientnet.LITE0_HEAD].shape == (5, 1280 * 4)


def test_features_are_cached_by_key_settings_and_images(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBOOK_DATA", str(tmp_path))
    images = np.random.default_rng(0).random((3, 28, 28)).astype(np.float32)
    calls = []

    def compute():
        calls.append(1)
        return {4: np.arange(6.0).reshape(3, 2)}

    first = cached_features(compute, "test", images, size=64, cuts=[4])
    again = cached_features(compute, "test", images, size=64, cuts=[4])
    assert len(calls) == 1 and np.array_equal(again[4], first[4]), "served from the cache"
    cached_features(compute, "test", images, size=96, cuts=[4])
    cached_features(compute, "test", images[::-1].copy(), size=64, cuts=[4])
    cached_features(compute, "other", images, size=64, cuts=[4])
    assert len(calls) == 4, "another size, other images or another key is computed again"
    assert len(list((tmp_path / "features").glob("*.npz"))) == 4


def test_random_weights_with_calibrated_batchnorm_stay_finite():
    model = backbones.calibrate_batchnorm(
        backbones.load_backbone("efficientnet_lite0", pretrained=False),
        np.random.rand(20, 28, 28),
        64,
    )
    out = transfer.extract_features(
        model, np.random.rand(3, 28, 28).astype(np.float32), [16], 64, 2
    )[16]
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
    closed.close()  # nothing listens there: "no network"
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


def test_unknown_backbone_is_a_clear_error_naming_only_names_that_load():
    with pytest.raises(ValueError, match="unknown backbone") as error:
        backbones.load_backbone("vgg")
    suggested = re.findall(r"'(\w+)'", str(error.value).split(":", 1)[1])
    assert sorted(suggested) == sorted(backbones.BACKBONES)
    for name in suggested:
        assert isinstance(backbones.load_backbone(name, pretrained=False), backbones.Backbone)
    with pytest.raises(ValueError, match="unknown backbone"):
        backbones.choose_setup("vgg")


@pytest.mark.parametrize(
    "name, widths, sides",
    [
        ("alexnet", [64, 192, 384, 256, 256], [27, 13, 6, 6, 6]),
        ("resnet18", [64, 128, 256, 512], [28, 14, 7, 4]),
    ],
)
def test_torchvision_cuts_and_labels(name, widths, sides):
    model = backbones.load_backbone(name, pretrained=False)
    cuts = backbones.TORCHVISION_CUTS[name]
    assert len(model.blocks) == len(cuts)
    with torch.no_grad():
        activations = transfer.cut_activations(model, torch.rand(2, 3, 112, 112), cuts)
        shapes = [tuple(activations[cut].shape[1:]) for cut in cuts]
        assert tuple(model(torch.rand(1, 3, 112, 112)).shape[1:]) == shapes[-1]
    assert shapes == [(w, s, s) for w, s in zip(widths, sides)]
    images = torch.rand(1, 3, 4, 4)
    assert torch.allclose(model.normalise(images), (images - model.mean) / model.std)
    assert backbones.cut_label(name, 4) in ("conv4", "stage 4")
    assert backbones.cut_label("efficientnet_lite0", efficientnet.LITE0_HEAD) == "head"


def test_alexnet_needs_no_batchnorm_calibration():
    model = backbones.load_backbone("alexnet", pretrained=False)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    backbones.calibrate_batchnorm(model, np.random.rand(3, 32, 32, 3), 64)
    assert not model.training
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


def test_images_per_second_is_positive_and_finite():
    model = backbones.load_backbone("alexnet", pretrained=False)
    rate = images_per_second(model, 64, n_images=8, batch_size=8)
    assert np.isfinite(rate) and rate > 0


def test_torchvision_weights_download_once_and_print_no_path(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WORKBOOK_DATA", str(tmp_path))
    import torchvision

    weights = torchvision.models.AlexNet_Weights.IMAGENET1K_V1
    calls = []

    def fake_download(url, destination, hash_prefix, progress):
        calls.append((url, hash_prefix, progress))
        torch.save({"w": torch.ones(2)}, destination)

    monkeypatch.setattr(torch.hub, "download_url_to_file", fake_download)
    for _ in range(2):
        state = backbones.torchvision_weights(weights)
    assert torch.equal(state["w"], torch.ones(2))
    assert calls == [(weights.url, "7be5be79", False)]  # once, hash checked
    printed = capsys.readouterr()
    assert "alexnet-owt-7be5be79.pth" in printed.out
    assert str(tmp_path) not in printed.out + printed.err
