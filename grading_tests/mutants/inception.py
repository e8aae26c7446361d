"""Misconceptions about the Inception module, depthwise separable convolutions and GoogLeNet.

Each mutant is pasted alone after the solution module: the GoogLeNet mutants subclass the
solution's ``GoogLeNet`` there (here the reference's, of the same structure) and change one thing.
"""

import torch
from torch import nn

from grading_tests.mutants import mutant
from grading_tests.references.inception import GoogLeNet

__all__ = ["GoogLeNet"]


@mutant("InceptionModule", "a 3x3 convolution where branch3's 5x5 belongs")
class InceptionThreeForFive(nn.Module):
    def __init__(self, in_channels, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj):
        super().__init__()
        self.branch1 = nn.Sequential(nn.Conv2d(in_channels, ch1x1, 1), nn.ReLU())
        self.branch2 = nn.Sequential(nn.Conv2d(in_channels, ch3x3red, 1), nn.ReLU(),
                                     nn.Conv2d(ch3x3red, ch3x3, 3, padding=1), nn.ReLU())
        self.branch3 = nn.Sequential(nn.Conv2d(in_channels, ch5x5red, 1), nn.ReLU(),
                                     nn.Conv2d(ch5x5red, ch5x5, 3, padding=1), nn.ReLU())
        self.branch4 = nn.Sequential(nn.MaxPool2d(3, 1, 1), nn.Conv2d(in_channels, pool_proj, 1), nn.ReLU())

    def forward(self, x):
        return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], 1)


@mutant("InceptionModule", "the course text's 1x1 convolution where branch3's 5x5 belongs")
class InceptionOneForFive(nn.Module):
    def __init__(self, in_channels, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj):
        super().__init__()
        self.branch1 = nn.Sequential(nn.Conv2d(in_channels, ch1x1, 1), nn.ReLU())
        self.branch2 = nn.Sequential(nn.Conv2d(in_channels, ch3x3red, 1), nn.ReLU(),
                                     nn.Conv2d(ch3x3red, ch3x3, 3, padding=1), nn.ReLU())
        self.branch3 = nn.Sequential(nn.Conv2d(in_channels, ch5x5red, 1), nn.ReLU(),
                                     nn.Conv2d(ch5x5red, ch5x5, 1), nn.ReLU())
        self.branch4 = nn.Sequential(nn.MaxPool2d(3, 1, 1), nn.Conv2d(in_channels, pool_proj, 1), nn.ReLU())

    def forward(self, x):
        return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], 1)


@mutant("InceptionModule", "the branches concatenated in the wrong order")
class InceptionWrongOrder(nn.Module):
    def __init__(self, in_channels, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj):
        super().__init__()
        self.branch1 = nn.Sequential(nn.Conv2d(in_channels, ch1x1, 1), nn.ReLU())
        self.branch2 = nn.Sequential(nn.Conv2d(in_channels, ch3x3red, 1), nn.ReLU(),
                                     nn.Conv2d(ch3x3red, ch3x3, 3, padding=1), nn.ReLU())
        self.branch3 = nn.Sequential(nn.Conv2d(in_channels, ch5x5red, 1), nn.ReLU(),
                                     nn.Conv2d(ch5x5red, ch5x5, 5, padding=2), nn.ReLU())
        self.branch4 = nn.Sequential(nn.MaxPool2d(3, 1, 1), nn.Conv2d(in_channels, pool_proj, 1), nn.ReLU())

    def forward(self, x):
        return torch.cat([self.branch1(x), self.branch3(x), self.branch2(x), self.branch4(x)], 1)


@mutant("InceptionModule", "no ReLU between the 1x1 reduction and the 3x3 / 5x5 convolution")
class InceptionNoReduceRelu(nn.Module):
    def __init__(self, in_channels, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj):
        super().__init__()
        self.branch1 = nn.Sequential(nn.Conv2d(in_channels, ch1x1, 1), nn.ReLU())
        self.branch2 = nn.Sequential(nn.Conv2d(in_channels, ch3x3red, 1), nn.Identity(),
                                     nn.Conv2d(ch3x3red, ch3x3, 3, padding=1), nn.ReLU())
        self.branch3 = nn.Sequential(nn.Conv2d(in_channels, ch5x5red, 1), nn.Identity(),
                                     nn.Conv2d(ch5x5red, ch5x5, 5, padding=2), nn.ReLU())
        self.branch4 = nn.Sequential(nn.MaxPool2d(3, 1, 1), nn.Conv2d(in_channels, pool_proj, 1), nn.ReLU())

    def forward(self, x):
        return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], 1)


@mutant("InceptionModule", "average pooling in branch4")
class InceptionAvgPool(nn.Module):
    def __init__(self, in_channels, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj):
        super().__init__()
        self.branch1 = nn.Sequential(nn.Conv2d(in_channels, ch1x1, 1), nn.ReLU())
        self.branch2 = nn.Sequential(nn.Conv2d(in_channels, ch3x3red, 1), nn.ReLU(),
                                     nn.Conv2d(ch3x3red, ch3x3, 3, padding=1), nn.ReLU())
        self.branch3 = nn.Sequential(nn.Conv2d(in_channels, ch5x5red, 1), nn.ReLU(),
                                     nn.Conv2d(ch5x5red, ch5x5, 5, padding=2), nn.ReLU())
        self.branch4 = nn.Sequential(nn.AvgPool2d(3, 1, 1), nn.Conv2d(in_channels, pool_proj, 1), nn.ReLU())

    def forward(self, x):
        return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], 1)


@mutant("DepthwiseSeparableConv", "a depthwise convolution without groups (a full convolution)")
class DSCNoGroups(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size=3, stride=1, padding=1, bias=False):
        super().__init__()
        self.depthwise = nn.Conv2d(in_channels, in_channels, kernel_size, stride, padding, bias=bias)
        self.pointwise = nn.Conv2d(in_channels, out_channels, 1, bias=bias)

    def forward(self, x):
        return self.pointwise(self.depthwise(x))


@mutant("DepthwiseSeparableConv", "a ReLU between depthwise and pointwise")
class DSCReluBetween(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size=3, stride=1, padding=1, bias=False):
        super().__init__()
        self.depthwise = nn.Conv2d(in_channels, in_channels, kernel_size, stride, padding, groups=in_channels, bias=bias)
        self.pointwise = nn.Conv2d(in_channels, out_channels, 1, bias=bias)

    def forward(self, x):
        return self.pointwise(torch.relu(self.depthwise(x)))


@mutant("DepthwiseSeparableConv", "bias always on")
class DSCAlwaysBias(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size=3, stride=1, padding=1, bias=False):
        super().__init__()
        self.depthwise = nn.Conv2d(in_channels, in_channels, kernel_size, stride, padding, groups=in_channels)
        self.pointwise = nn.Conv2d(in_channels, out_channels, 1)

    def forward(self, x):
        return self.pointwise(self.depthwise(x))


@mutant("GoogLeNet", "max pools without ceil_mode=True (sizes round down: a 32x32 input ends at 0x0)")
class GoogLeNetNoCeilMode(GoogLeNet):
    def __init__(self, num_classes=1000):
        super().__init__(num_classes=num_classes)
        self.maxpool1 = nn.MaxPool2d(3, stride=2)
        self.maxpool2 = nn.MaxPool2d(3, stride=2)
        self.maxpool3 = nn.MaxPool2d(3, stride=2)
        self.maxpool4 = nn.MaxPool2d(2, stride=2)


@mutant("GoogLeNet", "maxpool4 3x3 stride 2 like the other max pools (the course's code) instead of 2x2")
class GoogLeNetMaxPool4ThreeByThree(GoogLeNet):
    def __init__(self, num_classes=1000):
        super().__init__(num_classes=num_classes)
        self.maxpool4 = nn.MaxPool2d(3, stride=2, ceil_mode=True)


@mutant("GoogLeNet", "a fixed 7x7 average pooling (right for 224x224 inputs only, the course's code) "
                     "instead of the adaptive pooling to 1x1")
class GoogLeNetFixedAvgPool(GoogLeNet):
    def __init__(self, num_classes=1000):
        super().__init__(num_classes=num_classes)
        self.avgpool = nn.AvgPool2d(7, stride=1)


@mutant("GoogLeNet", "no ReLU after conv2 (the 1x1 convolution)")
class GoogLeNetNoReluAfterConv2(GoogLeNet):
    def forward(self, x):
        x = self.maxpool1(torch.relu(self.conv1(x)))
        x = self.maxpool2(torch.relu(self.conv3(self.conv2(x))))
        x = self.maxpool3(self.inception3b(self.inception3a(x)))
        x = self.inception4e(self.inception4d(self.inception4c(self.inception4b(self.inception4a(x)))))
        x = self.inception5b(self.inception5a(self.maxpool4(x)))
        return self.fc(self.dropout(torch.flatten(self.avgpool(x), 1)))


@mutant("GoogLeNet", "dropout with p=0.5 (nn.Dropout's default) instead of 0.4")
class GoogLeNetDropoutHalf(GoogLeNet):
    def __init__(self, num_classes=1000):
        super().__init__(num_classes=num_classes)
        self.dropout = nn.Dropout()


@mutant("GoogLeNet", "no dropout before fc")
class GoogLeNetNoDropout(GoogLeNet):
    def __init__(self, num_classes=1000):
        super().__init__(num_classes=num_classes)
        self.dropout = nn.Identity()


@mutant("GoogLeNet", "F.dropout(x, 0.4) without training=self.training: it drops features in eval mode too")
class GoogLeNetDropoutInEval(GoogLeNet):
    def forward(self, x):
        x = self.maxpool1(torch.relu(self.conv1(x)))
        x = self.maxpool2(torch.relu(self.conv3(torch.relu(self.conv2(x)))))
        x = self.maxpool3(self.inception3b(self.inception3a(x)))
        x = self.inception4e(self.inception4d(self.inception4c(self.inception4b(self.inception4a(x)))))
        x = self.inception5b(self.inception5a(self.maxpool4(x)))
        return self.fc(nn.functional.dropout(torch.flatten(self.avgpool(x), 1), 0.4))


@mutant("GoogLeNet", "a softmax after fc (the course's Keras model) instead of the raw scores")
class GoogLeNetSoftmax(GoogLeNet):
    def forward(self, x):
        return torch.softmax(super().forward(x), dim=1)


@mutant("GoogLeNet", "a BatchNorm2d after each of conv1, conv2 and conv3 (the course's Conv2d_BN)")
class GoogLeNetBatchNorm(GoogLeNet):
    def __init__(self, num_classes=1000):
        super().__init__(num_classes=num_classes)
        self.bn1, self.bn2, self.bn3 = nn.BatchNorm2d(64), nn.BatchNorm2d(64), nn.BatchNorm2d(192)

    def forward(self, x):
        x = self.maxpool1(torch.relu(self.bn1(self.conv1(x))))
        x = torch.relu(self.bn2(self.conv2(x)))
        x = self.maxpool2(torch.relu(self.bn3(self.conv3(x))))
        x = self.maxpool3(self.inception3b(self.inception3a(x)))
        x = self.inception4e(self.inception4d(self.inception4c(self.inception4b(self.inception4a(x)))))
        x = self.inception5b(self.inception5a(self.maxpool4(x)))
        return self.fc(self.dropout(torch.flatten(self.avgpool(x), 1)))


@mutant("GoogLeNet", "fc with 1000 outputs whatever num_classes is")
class GoogLeNetFixedClasses(GoogLeNet):
    def __init__(self, num_classes=1000):
        super().__init__()
