"""The Inception module (GoogLeNet) and the depthwise separable convolution (MobileNet).

Tensors are ``(N, C, H, W)``; both modules keep H and W (stride 1) unless a stride is given.
"""

import torch
from torch import nn


class InceptionModule(nn.Module):
    """Four parallel branches on the same input, concatenated along the channels in this order:

    - ``branch1``: Conv 1x1 (in_channels -> ch1x1), ReLU
    - ``branch2``: Conv 1x1 (in_channels -> ch3x3red), ReLU, Conv 3x3 pad 1 (-> ch3x3), ReLU
    - ``branch3``: Conv 1x1 (in_channels -> ch5x5red), ReLU, Conv 5x5 pad 2 (-> ch5x5), ReLU
    - ``branch4``: MaxPool 3x3 stride 1 pad 1, Conv 1x1 (in_channels -> pool_proj), ReLU

    Each branch is an ``nn.Sequential`` in exactly this order; convolutions have a bias.
    Input ``(N, in_channels, H, W)``, output ``(N, ch1x1 + ch3x3 + ch5x5 + pool_proj, H, W)``.
    """

    def __init__(self, in_channels, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj):
        super().__init__()
        ### BEGIN SOLUTION
        self.branch1 = nn.Sequential(nn.Conv2d(in_channels, ch1x1, kernel_size=1), nn.ReLU(inplace=True))
        self.branch2 = nn.Sequential(
            nn.Conv2d(in_channels, ch3x3red, kernel_size=1), nn.ReLU(inplace=True),
            nn.Conv2d(ch3x3red, ch3x3, kernel_size=3, padding=1), nn.ReLU(inplace=True),
        )
        self.branch3 = nn.Sequential(
            nn.Conv2d(in_channels, ch5x5red, kernel_size=1), nn.ReLU(inplace=True),
            nn.Conv2d(ch5x5red, ch5x5, kernel_size=5, padding=2), nn.ReLU(inplace=True),
        )
        self.branch4 = nn.Sequential(
            nn.MaxPool2d(kernel_size=3, stride=1, padding=1),
            nn.Conv2d(in_channels, pool_proj, kernel_size=1), nn.ReLU(inplace=True),
        )
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        branches = [self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)]
        return torch.cat(branches, 1)
        ### END SOLUTION


class DepthwiseSeparableConv(nn.Module):
    """``depthwise``: Conv kernel_size x kernel_size, in_channels -> in_channels, groups=in_channels
    (one filter per channel), with the given stride and padding; then ``pointwise``: Conv 1x1,
    in_channels -> out_channels. Both have a bias only when ``bias`` is True; nothing in between.

    Input ``(N, in_channels, H, W)``, output ``(N, out_channels, H', W')`` with
    ``H' = floor((H + 2*padding - kernel_size) / stride) + 1`` (same for W).
    """

    def __init__(self, in_channels, out_channels, kernel_size=3, stride=1, padding=1, bias=False):
        super().__init__()
        ### BEGIN SOLUTION
        self.depthwise = nn.Conv2d(in_channels, in_channels, kernel_size, stride=stride,
                                   padding=padding, groups=in_channels, bias=bias)
        self.pointwise = nn.Conv2d(in_channels, out_channels, kernel_size=1, bias=bias)
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        return self.pointwise(self.depthwise(x))
        ### END SOLUTION


class GoogLeNet(nn.Module):
    """GoogLeNet (Inception v1, Szegedy et al. 2014) with torchvision's child names and pooling,
    built from ``InceptionModule``; no auxiliary classifiers, no batch norm, convolutions with bias.

    - ``conv1``: Conv 7x7 stride 2 pad 3 (3 -> 64), ReLU; ``maxpool1``: MaxPool 3x3 stride 2, ceil_mode=True
    - ``conv2``: Conv 1x1 (64 -> 64), ReLU; ``conv3``: Conv 3x3 pad 1 (64 -> 192), ReLU;
      ``maxpool2``: MaxPool 3x3 stride 2, ceil_mode=True
    - ``inception3a`` (192, 64, 96, 128, 16, 32, 32), ``inception3b`` (256, 128, 128, 192, 32, 96, 64);
      ``maxpool3``: MaxPool 3x3 stride 2, ceil_mode=True
    - ``inception4a`` (480, 192, 96, 208, 16, 48, 64), ``inception4b`` (512, 160, 112, 224, 24, 64, 64),
      ``inception4c`` (512, 128, 128, 256, 24, 64, 64), ``inception4d`` (512, 112, 144, 288, 32, 64, 64),
      ``inception4e`` (528, 256, 160, 320, 32, 128, 128); ``maxpool4``: MaxPool 2x2 stride 2, ceil_mode=True
    - ``inception5a`` (832, 256, 160, 320, 32, 128, 128), ``inception5b`` (832, 384, 192, 384, 48, 128, 128)
    - ``avgpool``: adaptive average pooling to 1x1, flatten, ``dropout`` (p=0.4),
      ``fc``: Linear(1024, num_classes)

    (The numbers are InceptionModule's arguments.) Input ``(N, 3, H, W)`` with H, W >= 32,
    output ``(N, num_classes)`` scores (no softmax). 6,998,552 trainable parameters for 1000 classes.
    """

    def __init__(self, num_classes=1000):
        super().__init__()
        ### BEGIN SOLUTION
        self.conv1 = nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3)
        self.maxpool1 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.conv2 = nn.Conv2d(64, 64, kernel_size=1)
        self.conv3 = nn.Conv2d(64, 192, kernel_size=3, padding=1)
        self.maxpool2 = nn.MaxPool2d(3, stride=2, ceil_mode=True)

        self.inception3a = InceptionModule(192, 64, 96, 128, 16, 32, 32)
        self.inception3b = InceptionModule(256, 128, 128, 192, 32, 96, 64)
        self.maxpool3 = nn.MaxPool2d(3, stride=2, ceil_mode=True)

        self.inception4a = InceptionModule(480, 192, 96, 208, 16, 48, 64)
        self.inception4b = InceptionModule(512, 160, 112, 224, 24, 64, 64)
        self.inception4c = InceptionModule(512, 128, 128, 256, 24, 64, 64)
        self.inception4d = InceptionModule(512, 112, 144, 288, 32, 64, 64)
        self.inception4e = InceptionModule(528, 256, 160, 320, 32, 128, 128)
        self.maxpool4 = nn.MaxPool2d(2, stride=2, ceil_mode=True)

        self.inception5a = InceptionModule(832, 256, 160, 320, 32, 128, 128)
        self.inception5b = InceptionModule(832, 384, 192, 384, 48, 128, 128)

        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.dropout = nn.Dropout(p=0.4)
        self.fc = nn.Linear(1024, num_classes)
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        x = self.maxpool1(torch.relu(self.conv1(x)))
        x = torch.relu(self.conv2(x))
        x = self.maxpool2(torch.relu(self.conv3(x)))
        x = self.maxpool3(self.inception3b(self.inception3a(x)))
        for stage in (self.inception4a, self.inception4b, self.inception4c, self.inception4d, self.inception4e):
            x = stage(x)
        x = self.maxpool4(x)
        x = self.inception5b(self.inception5a(x))
        x = torch.flatten(self.avgpool(x), 1)
        return self.fc(self.dropout(x))
        ### END SOLUTION
