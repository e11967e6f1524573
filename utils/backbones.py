"""Pretrained backbones for lab 07, online and offline: the plumbing.

Every backbone is a ``Backbone``: its input scaling (``normalise``) and its
list of ``blocks``; lab 07 cuts it after a block and extracts features
(that lesson code is the lab's, saved in ``utils.saved.lab07_transfer``).

Online: torchvision's ImageNet AlexNet (five blocks, one per convolution)
and ResNet-18 (four stages), weights downloaded once into the workbook
cache (torchvision checks their SHA-256 while downloading).
Offline: EfficientNet-Lite0 (``utils.efficientnet``, its packaged ImageNet
weights), cut into its 16 blocks and the head convolution.
The data sets live in ``utils.data`` (MNIST shipped, CIFAR-10 downloaded).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from .config import cache_dir, download_timeout, env_flag, network_available, offline_forced
from .efficientnet import LITE0_HEAD, load_lite0

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
        raise ValueError(
            f"unknown backbone {name!r}: use one of {', '.join(map(repr, BACKBONES))}."
        )
    if name == "efficientnet_lite0":
        blocks = load_lite0(pretrained).cut_blocks()
        backbone = Backbone(blocks, mean=(127 / 255,) * 3, std=(128 / 255,) * 3)
        return backbone.to(memory_format=torch.channels_last).eval()
    build, weights = {
        "alexnet": (torchvision.models.alexnet, torchvision.models.AlexNet_Weights.IMAGENET1K_V1),
        "resnet18": (
            torchvision.models.resnet18,
            torchvision.models.ResNet18_Weights.IMAGENET1K_V1,
        ),
    }[name]
    model = build()
    if pretrained:
        model.load_state_dict(torchvision_weights(weights))
    if name == "alexnet":
        features = model.features
        blocks = [features[0:2], features[2:5], features[5:8], features[8:10], features[10:12]]
    else:
        blocks = [
            nn.Sequential(model.conv1, model.bn1, model.relu, model.maxpool, model.layer1),
            model.layer2,
            model.layer3,
            model.layer4,
        ]
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
                weights.url,
                str(path),
                hash_prefix=torch.hub.HASH_REGEX.search(path.name).group(1),
                progress=not env_flag("TQDM_DISABLE"),
            )
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
    """Pick the backbone: torchvision + CIFAR-10 with network, EfficientNet-Lite0 + MNIST
    offline."""
    if backbone not in ("auto",) + BACKBONES:
        raise ValueError(
            f"unknown backbone {backbone!r}: use 'auto' or one "
            f"of {', '.join(map(repr, BACKBONES))}."
        )
    if backbone == "efficientnet_lite0":
        return TransferSetup("efficientnet_lite0", "mnist", "requested")
    if offline_forced():
        reason = "WORKBOOK_OFFLINE=1"
    elif not network_available(PROBE_URL):
        reason = f"no network: {PROBE_URL} did not answer"
    else:
        return TransferSetup(
            "resnet18" if backbone == "auto" else backbone, "cifar10", "network available"
        )
    return TransferSetup("efficientnet_lite0", "mnist", f"offline default ({reason})")


def to_rgb(images, size):
    """Grayscale (N, 28, 28) or colour (N, H, W, 3) images in [0, 1] or uint8 as
    (N, 3, size, size) float."""
    x = torch.from_numpy(np.array(images))
    x = x.float() / 255 if x.dtype == torch.uint8 else x.float()
    x = x[:, None].expand(-1, 3, -1, -1) if x.ndim == 3 else x.permute(0, 3, 1, 2)
    return F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False)


@torch.no_grad()
def calibrate_batchnorm(model, images, size, batch_size=100):
    """Re-estimate every BatchNorm's running statistics on ``images`` (for random-weight
    baselines)."""
    norms = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    if not norms:  # AlexNet: nothing to calibrate
        return model.eval()
    for module in norms:
        module.reset_running_stats()
        module.momentum = None  # cumulative average over all batches
    model.train()
    for start in range(0, len(images), batch_size):
        model(to_rgb(images[start : start + batch_size], size))
    return model.eval()
