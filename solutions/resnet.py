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
        ### BEGIN SOLUTION
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or inplanes != planes * self.expansion:
            self.downsample = nn.Sequential(
                conv1x1(inplanes, planes * self.expansion, stride),
                nn.BatchNorm2d(planes * self.expansion),
            )
        self.stride = stride
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)
        ### END SOLUTION


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
        ### BEGIN SOLUTION
        width = planes
        self.conv1 = conv1x1(inplanes, width)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = conv3x3(width, width, stride)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = conv1x1(width, planes * self.expansion)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = None
        if stride != 1 or inplanes != planes * self.expansion:
            self.downsample = nn.Sequential(
                conv1x1(inplanes, planes * self.expansion, stride),
                nn.BatchNorm2d(planes * self.expansion),
            )
        self.stride = stride
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + identity)
        ### END SOLUTION


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
        ### BEGIN SOLUTION
        self.inplanes = 64
        self.conv1 = nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, 64, layers[0], stride=1)
        self.layer2 = self._make_layer(block, 128, layers[1], stride=2)
        self.layer3 = self._make_layer(block, 256, layers[2], stride=2)
        self.layer4 = self._make_layer(block, 512, layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512 * block.expansion, num_classes)

    def _make_layer(self, block, planes, blocks, stride):
        layers = [block(self.inplanes, planes, stride)]
        self.inplanes = planes * block.expansion
        layers += [block(self.inplanes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        x = torch.flatten(self.avgpool(x), 1)
        return self.fc(x)
        ### END SOLUTION


def resnet34(num_classes=1000):
    """ResNet-34: BasicBlock, layers (3, 4, 6, 3)."""
    ### BEGIN SOLUTION
    return ResNet(BasicBlock, [3, 4, 6, 3], num_classes=num_classes)
    ### END SOLUTION


def resnet50(num_classes=1000):
    """ResNet-50: Bottleneck, layers (3, 4, 6, 3)."""
    ### BEGIN SOLUTION
    return ResNet(Bottleneck, [3, 4, 6, 3], num_classes=num_classes)
    ### END SOLUTION
