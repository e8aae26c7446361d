# Generated from the reference solution by `autograder stubs`: fill in each YOUR CODE HERE.
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
        # YOUR CODE HERE
        raise NotImplementedError

    def forward(self, x):
        # YOUR CODE HERE
        raise NotImplementedError


class DepthwiseSeparableConv(nn.Module):
    """``depthwise``: Conv kernel_size x kernel_size, in_channels -> in_channels, groups=in_channels
    (one filter per channel), with the given stride and padding; then ``pointwise``: Conv 1x1,
    in_channels -> out_channels. Both have a bias only when ``bias`` is True; nothing in between.

    Input ``(N, in_channels, H, W)``, output ``(N, out_channels, H', W')`` with
    ``H' = floor((H + 2*padding - kernel_size) / stride) + 1`` (same for W).
    """

    def __init__(self, in_channels, out_channels, kernel_size=3, stride=1, padding=1, bias=False):
        super().__init__()
        # YOUR CODE HERE
        raise NotImplementedError

    def forward(self, x):
        # YOUR CODE HERE
        raise NotImplementedError


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
        # YOUR CODE HERE
        raise NotImplementedError

    def forward(self, x):
        # YOUR CODE HERE
        raise NotImplementedError
