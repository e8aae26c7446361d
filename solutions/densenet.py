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
        ### BEGIN SOLUTION
        self.norm1 = nn.BatchNorm2d(num_input_features)
        self.relu1 = nn.ReLU(inplace=True)
        self.conv1 = nn.Conv2d(num_input_features, bn_size * growth_rate, kernel_size=1, bias=False)
        self.norm2 = nn.BatchNorm2d(bn_size * growth_rate)
        self.relu2 = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(bn_size * growth_rate, growth_rate, kernel_size=3, padding=1, bias=False)
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        out = self.conv1(self.relu1(self.norm1(x)))
        return self.conv2(self.relu2(self.norm2(out)))
        ### END SOLUTION


class DenseBlock(nn.Module):
    """``num_layers`` DenseLayers as children ``denselayer1`` ... ``denselayerN``; layer i sees all
    features so far, ``num_input_features + (i-1) * growth_rate`` channels.

    Input ``(N, num_input_features, H, W)``; returns ``cat([x, new_1, ..., new_N], 1)``:
    ``(N, num_input_features + num_layers * growth_rate, H, W)``.
    """

    def __init__(self, num_layers, num_input_features, bn_size, growth_rate):
        super().__init__()
        ### BEGIN SOLUTION
        for i in range(num_layers):
            layer = DenseLayer(num_input_features + i * growth_rate, growth_rate, bn_size)
            self.add_module(f"denselayer{i + 1}", layer)
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        features = [x]
        for layer in self.children():
            features.append(layer(torch.cat(features, 1)))
        return torch.cat(features, 1)
        ### END SOLUTION


class Transition(nn.Module):
    """``norm`` -> ``relu`` -> ``conv`` 1x1 (num_input_features -> num_output_features) -> ``pool``
    (AvgPool2d 2, stride 2). Input ``(N, C, H, W)``, output ``(N, num_output_features, H // 2, W // 2)``.
    """

    def __init__(self, num_input_features, num_output_features):
        super().__init__()
        ### BEGIN SOLUTION
        self.norm = nn.BatchNorm2d(num_input_features)
        self.relu = nn.ReLU(inplace=True)
        self.conv = nn.Conv2d(num_input_features, num_output_features, kernel_size=1, bias=False)
        self.pool = nn.AvgPool2d(kernel_size=2, stride=2)
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        return self.pool(self.conv(self.relu(self.norm(x))))
        ### END SOLUTION


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
        ### BEGIN SOLUTION
        self.features = nn.Sequential(OrderedDict([
            ("conv0", nn.Conv2d(3, num_init_features, kernel_size=7, stride=2, padding=3, bias=False)),
            ("norm0", nn.BatchNorm2d(num_init_features)),
            ("relu0", nn.ReLU(inplace=True)),
            ("pool0", nn.MaxPool2d(kernel_size=3, stride=2, padding=1)),
        ]))
        num_features = num_init_features
        for i, num_layers in enumerate(block_config):
            block = DenseBlock(num_layers, num_features, bn_size, growth_rate)
            self.features.add_module(f"denseblock{i + 1}", block)
            num_features += num_layers * growth_rate
            if i != len(block_config) - 1:
                self.features.add_module(f"transition{i + 1}", Transition(num_features, num_features // 2))
                num_features //= 2
        self.features.add_module("norm5", nn.BatchNorm2d(num_features))
        self.classifier = nn.Linear(num_features, num_classes)
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        out = F.relu(self.features(x))
        out = torch.flatten(F.adaptive_avg_pool2d(out, (1, 1)), 1)
        return self.classifier(out)
        ### END SOLUTION


def densenet121(num_classes=1000):
    """DenseNet-121: growth_rate 32, block_config (6, 12, 24, 16), num_init_features 64, bn_size 4."""
    ### BEGIN SOLUTION
    return DenseNet(32, (6, 12, 24, 16), 64, 4, num_classes=num_classes)
    ### END SOLUTION
