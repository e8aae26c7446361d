# Generated from the reference solution by `autograder stubs`: fill in each YOUR CODE HERE.
"""DenseNet's layers, blocks and transitions, and the whole DenseNet-121, with torchvision's structure.

Tensors are ``(N, C, H, W)``. Convolutions have no bias. Each block is pre-activation:
BatchNorm -> ReLU -> Conv.
"""

from collections import OrderedDict

import torch
from torch import nn
from torch.nn import functional as F


class DenseLayer(nn.Module):
    """``norm1`` -> ``relu1`` -> ``conv1`` 1x1 (num_input_features -> bn_size * growth_rate)
    -> ``norm2`` -> ``relu2`` -> ``conv2`` 3x3 pad 1 (-> growth_rate).

    Input ``(N, num_input_features, H, W)``; returns ONLY the new features ``(N, growth_rate, H, W)``
    (the block does the concatenation).
    """

    def __init__(self, num_input_features, growth_rate, bn_size=4):
        super().__init__()
        # YOUR CODE HERE
        raise NotImplementedError

    def forward(self, x):
        # YOUR CODE HERE
        raise NotImplementedError


class DenseBlock(nn.Module):
    """``num_layers`` DenseLayers as children ``denselayer1`` ... ``denselayerN``; layer i sees all
    features so far, ``num_input_features + (i-1) * growth_rate`` channels.

    Input ``(N, num_input_features, H, W)``; returns ``cat([x, new_1, ..., new_N], 1)``:
    ``(N, num_input_features + num_layers * growth_rate, H, W)``.
    """

    def __init__(self, num_layers, num_input_features, bn_size, growth_rate):
        super().__init__()
        # YOUR CODE HERE
        raise NotImplementedError

    def forward(self, x):
        # YOUR CODE HERE
        raise NotImplementedError


class Transition(nn.Module):
    """``norm`` -> ``relu`` -> ``conv`` 1x1 (num_input_features -> num_output_features) -> ``pool``
    (AvgPool2d 2, stride 2). Input ``(N, C, H, W)``, output ``(N, num_output_features, H // 2, W // 2)``.
    """

    def __init__(self, num_input_features, num_output_features):
        super().__init__()
        # YOUR CODE HERE
        raise NotImplementedError

    def forward(self, x):
        # YOUR CODE HERE
        raise NotImplementedError


class DenseNet(nn.Module):
    """torchvision's DenseNet. ``features`` (an ``nn.Sequential``) holds, in order: ``conv0`` 7x7/2 pad 3
    (3 -> num_init_features), ``norm0``, ``relu0``, ``pool0`` (MaxPool 3x3/2 pad 1), then for each
    entry of ``block_config`` a ``denseblockK`` and, after every block but the last, a
    ``transitionK`` that halves the channels (``num_features // 2``); finally ``norm5``.
    Then ReLU, adaptive average pooling to 1x1, flatten, ``classifier`` (Linear -> num_classes).
    Input ``(N, 3, H, W)``, output ``(N, num_classes)``.
    """

    def __init__(self, growth_rate=32, block_config=(6, 12, 24, 16), num_init_features=64,
                 bn_size=4, num_classes=1000):
        super().__init__()
        # YOUR CODE HERE
        raise NotImplementedError

    def forward(self, x):
        # YOUR CODE HERE
        raise NotImplementedError


def densenet121(num_classes=1000):
    """DenseNet-121: growth_rate 32, block_config (6, 12, 24, 16), num_init_features 64, bn_size 4."""
    # YOUR CODE HERE
    raise NotImplementedError
