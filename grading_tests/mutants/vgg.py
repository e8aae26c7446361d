"""Misconceptions about VGG-16 and AlexNet."""

from torch import nn

from grading_tests.mutants import mutant
from grading_tests.references.vgg import VGG, AlexNet, cfg_D, make_layers

__all__ = ["VGG", "AlexNet", "cfg_D", "make_layers"]


@mutant("vgg16", "a 4096 -> 1000 classifier that ignores num_classes")
def vgg16_fixed_classes(num_classes=1000):
    model = VGG(make_layers(cfg_D))
    model.classifier[6] = nn.Linear(4096, 1000)
    return model


@mutant("vgg16", "a ReLU missing after the first classifier layer")
def vgg16_no_classifier_relu(num_classes=1000):
    model = VGG(make_layers(cfg_D), num_classes=num_classes)
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
