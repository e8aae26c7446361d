"""Misconceptions about VGG-16 and AlexNet.

Each mutant is pasted alone after the solution module: it may use ``nn``, ``VGG`` and ``AlexNet``
(the solution's; here the reference's, of the same structure) and nothing else of this file.
"""

from torch import nn

from grading_tests.mutants import mutant
from grading_tests.references.vgg import VGG, AlexNet

__all__ = ["VGG", "AlexNet"]


@mutant("vgg16", "a 4096 -> 1000 classifier that ignores num_classes")
def vgg16_fixed_classes(num_classes=1000):
    layers, in_channels = [], 3
    for v in [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]:
        if v == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
        else:
            layers += [nn.Conv2d(in_channels, v, kernel_size=3, padding=1), nn.ReLU(inplace=True)]
            in_channels = v
    return VGG(nn.Sequential(*layers))


@mutant("vgg16", "a ReLU missing after the first classifier layer")
def vgg16_no_classifier_relu(num_classes=1000):
    layers, in_channels = [], 3
    for v in [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]:
        if v == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
        else:
            layers += [nn.Conv2d(in_channels, v, kernel_size=3, padding=1), nn.ReLU(inplace=True)]
            in_channels = v
    model = VGG(nn.Sequential(*layers), num_classes=num_classes)
    model.classifier[1] = nn.Identity()
    return model


@mutant("alexnet", "AlexNet without its adaptive average pooling")
def alexnet_no_adaptive_pool(num_classes=1000):
    model = AlexNet(num_classes=num_classes)
    model.avgpool = nn.Identity()
    return model


@mutant("alexnet", "a 4096 -> 1000 classifier that ignores num_classes")
def alexnet_fixed_classes(num_classes=1000):
    return AlexNet()


@mutant("alexnet", "stride 2 in the first convolution instead of 4")
def alexnet_stride2(num_classes=1000):
    model = AlexNet(num_classes=num_classes)
    model.features[0] = nn.Conv2d(3, 64, kernel_size=11, stride=2, padding=2)
    return model


@mutant("alexnet", "the model built but not returned (no return statement)")
def alexnet_without_return(num_classes=1000):
    AlexNet(num_classes=num_classes)
