# Generated from the reference solution by `autograder stubs`: fill in each YOUR CODE HERE.
"""ResNet's residual blocks and the whole ResNet-34 and ResNet-50, with torchvision's structure.

Tensors are ``(N, C, H, W)``. Convolutions have no bias (a BatchNorm follows each one).
"""

import torch
from torch import nn


def conv3x3(in_planes, out_planes, stride=1):
    """3x3 convolution with padding 1, no bias."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=1, bias=False)


def conv1x1(in_planes, out_planes, stride=1):
    """1x1 convolution, no bias."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=stride, bias=False)


class BasicBlock(nn.Module):
    """``conv1`` 3x3 (stride) -> ``bn1`` -> ReLU -> ``conv2`` 3x3 -> ``bn2`` -> + shortcut -> ReLU.

    The shortcut is ``downsample(x)`` with ``downsample = Sequential(conv1x1(inplanes, planes, stride),
    BatchNorm2d(planes))`` when ``stride != 1`` or ``inplanes != planes``, else ``x`` itself and
    ``downsample = None``. Input ``(N, inplanes, H, W)``, output ``(N, planes, H', W')``,
    ``H' = floor((H - 1) / stride) + 1``.
    """

    expansion = 1

    def __init__(self, inplanes, planes, stride=1):
        super().__init__()
        # YOUR CODE HERE
        raise NotImplementedError

    def forward(self, x):
        # YOUR CODE HERE
        raise NotImplementedError


class Bottleneck(nn.Module):
    """``conv1`` 1x1 -> ``bn1`` -> ReLU -> ``conv2`` 3x3 (stride HERE) -> ``bn2`` -> ReLU
    -> ``conv3`` 1x1 to ``planes * 4`` -> ``bn3`` -> + shortcut -> ReLU.

    ``downsample = Sequential(conv1x1(inplanes, planes*4, stride), BatchNorm2d(planes*4))`` when
    ``stride != 1`` or ``inplanes != planes * 4``, else None. Input ``(N, inplanes, H, W)``,
    output ``(N, planes * 4, H', W')``.
    """

    expansion = 4

    def __init__(self, inplanes, planes, stride=1):
        super().__init__()
        # YOUR CODE HERE
        raise NotImplementedError

    def forward(self, x):
        # YOUR CODE HERE
        raise NotImplementedError


class ResNet(nn.Module):
    """torchvision's ResNet: ``conv1`` 7x7/2 pad 3 (3 -> 64, no bias) -> ``bn1`` -> ReLU ->
    ``maxpool`` 3x3/2 pad 1 -> ``layer1..layer4`` -> ``avgpool`` (adaptive, 1x1) -> flatten -> ``fc``.

    ``layerK`` is an ``nn.Sequential`` of ``layers[K-1]`` blocks of class ``block`` with
    64/128/256/512 planes; its first block has stride 1/2/2/2 and takes the previous layer's
    ``planes * block.expansion`` channels (64 for layer1). ``fc``: 512 * expansion -> num_classes.
    Input ``(N, 3, H, W)``, output ``(N, num_classes)``.
    """

    def __init__(self, block, layers, num_classes=1000):
        super().__init__()
        # YOUR CODE HERE
        raise NotImplementedError

    def forward(self, x):
        # YOUR CODE HERE
        raise NotImplementedError


def resnet34(num_classes=1000):
    """ResNet-34: BasicBlock, layers (3, 4, 6, 3)."""
    # YOUR CODE HERE
    raise NotImplementedError


def resnet50(num_classes=1000):
    """ResNet-50: Bottleneck, layers (3, 4, 6, 3)."""
    # YOUR CODE HERE
    raise NotImplementedError
