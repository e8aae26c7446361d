"""Misconceptions about DenseNet layers, blocks, transitions and networks."""

from collections import OrderedDict

import torch
from torch import nn
from torch.nn import functional as F

from grading_tests.mutants import mutant
from grading_tests.references.densenet import DenseBlock, DenseLayer, DenseNet, Transition

__all__ = ["DenseBlock", "DenseLayer", "DenseNet", "F", "OrderedDict", "Transition"]


@mutant("DenseLayer", "returning cat([x, new], 1) instead of the new features only")
class DenseLayerReturnsCat(nn.Module):
    def __init__(self, num_input_features, growth_rate, bn_size=4):
        super().__init__()
        self.norm1 = nn.BatchNorm2d(num_input_features)
        self.relu1 = nn.ReLU()
        self.conv1 = nn.Conv2d(num_input_features, bn_size * growth_rate, 1, bias=False)
        self.norm2 = nn.BatchNorm2d(bn_size * growth_rate)
        self.relu2 = nn.ReLU()
        self.conv2 = nn.Conv2d(bn_size * growth_rate, growth_rate, 3, padding=1, bias=False)

    def forward(self, x):
        new = self.conv2(self.relu2(self.norm2(self.conv1(self.relu1(self.norm1(x))))))
        return torch.cat([x, new], 1)


@mutant("DenseLayer", "post-activation order (conv -> norm -> relu)")
class DenseLayerPostActivation(nn.Module):
    def __init__(self, num_input_features, growth_rate, bn_size=4):
        super().__init__()
        self.norm1 = nn.BatchNorm2d(bn_size * growth_rate)
        self.relu1 = nn.ReLU()
        self.conv1 = nn.Conv2d(num_input_features, bn_size * growth_rate, 1, bias=False)
        self.norm2 = nn.BatchNorm2d(growth_rate)
        self.relu2 = nn.ReLU()
        self.conv2 = nn.Conv2d(bn_size * growth_rate, growth_rate, 3, padding=1, bias=False)

    def forward(self, x):
        out = self.relu1(self.norm1(self.conv1(x)))
        return self.relu2(self.norm2(self.conv2(out)))


@mutant("DenseBlock", "concatenating the new features first: cat([new, x], 1)")
class DenseBlockNewFirst(nn.Module):
    def __init__(self, num_layers, num_input_features, bn_size, growth_rate):
        super().__init__()
        for i in range(num_layers):
            self.add_module(f"denselayer{i + 1}",
                            DenseLayer(num_input_features + i * growth_rate, growth_rate, bn_size))

    def forward(self, x):
        features = x
        for layer in self.children():
            features = torch.cat([layer(features), features], 1)
        return features


@mutant("DenseBlock", "returning only the layers' new features, without the block's input")
class DenseBlockDropsInput(nn.Module):
    def __init__(self, num_layers, num_input_features, bn_size, growth_rate):
        super().__init__()
        for i in range(num_layers):
            self.add_module(f"denselayer{i + 1}",
                            DenseLayer(num_input_features + i * growth_rate, growth_rate, bn_size))

    def forward(self, x):
        features = [x]
        for layer in self.children():
            features.append(layer(torch.cat(features, 1)))
        return torch.cat(features[1:], 1)


@mutant("Transition", "max pooling instead of average pooling")
class TransitionMaxPool(nn.Module):
    def __init__(self, num_input_features, num_output_features):
        super().__init__()
        self.norm = nn.BatchNorm2d(num_input_features)
        self.relu = nn.ReLU()
        self.conv = nn.Conv2d(num_input_features, num_output_features, 1, bias=False)
        self.pool = nn.MaxPool2d(2, 2)

    def forward(self, x):
        return self.pool(self.conv(self.relu(self.norm(x))))


@mutant("Transition", "ReLU before the BatchNorm (relu -> norm -> conv)")
class TransitionReluFirst(nn.Module):
    def __init__(self, num_input_features, num_output_features):
        super().__init__()
        self.norm = nn.BatchNorm2d(num_input_features)
        self.relu = nn.ReLU()
        self.conv = nn.Conv2d(num_input_features, num_output_features, 1, bias=False)
        self.pool = nn.AvgPool2d(2, 2)

    def forward(self, x):
        return self.pool(self.conv(self.norm(self.relu(x))))


@mutant("DenseNet", "transitions that keep the channels instead of halving them")
class DenseNetNoHalving(nn.Module):
    def __init__(self, growth_rate=32, block_config=(6, 12, 24, 16), num_init_features=64, bn_size=4,
                 num_classes=1000):
        super().__init__()
        self.features = nn.Sequential(OrderedDict([
            ("conv0", nn.Conv2d(3, num_init_features, 7, 2, 3, bias=False)),
            ("norm0", nn.BatchNorm2d(num_init_features)), ("relu0", nn.ReLU()),
            ("pool0", nn.MaxPool2d(3, 2, 1))]))
        n = num_init_features
        for i, layers in enumerate(block_config):
            self.features.add_module(f"denseblock{i + 1}", DenseBlock(layers, n, bn_size, growth_rate))
            n += layers * growth_rate
            if i != len(block_config) - 1:
                self.features.add_module(f"transition{i + 1}", Transition(n, n))
        self.features.add_module("norm5", nn.BatchNorm2d(n))
        self.classifier = nn.Linear(n, num_classes)

    def forward(self, x):
        return self.classifier(torch.flatten(F.adaptive_avg_pool2d(F.relu(self.features(x)), 1), 1))


@mutant("DenseNet", "no final ReLU before the pooling")
class DenseNetNoFinalRelu(DenseNet):
    def forward(self, x):
        return self.classifier(torch.flatten(F.adaptive_avg_pool2d(self.features(x), 1), 1))


@mutant("densenet121", "a missing norm5")
def densenet121_no_norm5(num_classes=1000):
    model = DenseNet(32, (6, 12, 24, 16), 64, 4, num_classes=num_classes)
    del model.features.norm5
    return model


@mutant("densenet121", "transitions that keep the channels instead of halving them")
def densenet121_no_halving(num_classes=1000):
    model = DenseNet(32, (6, 12, 24, 16), 64, 4, num_classes=num_classes)
    n = 64
    for i, layers in enumerate((6, 12, 24)):
        n += layers * 32
        setattr(model.features, f"transition{i + 1}", Transition(n, n))
        block = DenseBlock((12, 24, 16)[i], n, 4, 32)
        setattr(model.features, f"denseblock{i + 2}", block)
    model.features.norm5 = nn.BatchNorm2d(n + 16 * 32)
    model.classifier = nn.Linear(n + 16 * 32, num_classes)
    return model


@mutant("densenet121", "the model built but not returned (no return statement)")
def densenet121_without_return(num_classes=1000):
    DenseNet(32, (6, 12, 24, 16), 64, 4, num_classes=num_classes)
