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
