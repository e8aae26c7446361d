# Generated from the reference solution by `autograder stubs`: fill in each YOUR CODE HERE.
"""VGG-16 and AlexNet with torchvision's structure and layer indices.

Both take ``(N, 3, H, W)`` images (at least 32x32; AlexNet at least 63x63) and return
``(N, num_classes)`` scores; an adaptive average pooling makes any such size fit the classifier.
"""

from torch import nn

VGG16_CONFIG = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]


class VGG(nn.Module):
    """``features`` -> ``avgpool`` (adaptive, 7x7) -> flatten -> ``classifier``."""

    def __init__(self, features, num_classes=1000):
        super().__init__()
        # YOUR CODE HERE
        raise NotImplementedError

    def forward(self, x):
        # YOUR CODE HERE
        raise NotImplementedError


def vgg16(num_classes=1000):
    """VGG-16 (configuration D, no batch norm): ``features`` is an ``nn.Sequential`` of
    Conv 3x3 pad 1 + ReLU for each number in ``VGG16_CONFIG`` and MaxPool 2x2/2 for each "M"
    (so the convolutions sit at indices 0, 2, 5, 7, 10, ...); ``classifier`` is
    Linear(25088, 4096), ReLU, Dropout, Linear(4096, 4096), ReLU, Dropout, Linear(4096, num_classes).
    """
    # YOUR CODE HERE
    raise NotImplementedError


class AlexNet(nn.Module):
    """torchvision's AlexNet. ``features``: Conv 11x11/4 pad 2 (3 -> 64), ReLU, MaxPool 3/2,
    Conv 5x5 pad 2 (-> 192), ReLU, MaxPool 3/2, Conv 3x3 pad 1 (-> 384), ReLU,
    Conv 3x3 pad 1 (-> 256), ReLU, Conv 3x3 pad 1 (-> 256), ReLU, MaxPool 3/2;
    ``avgpool``: adaptive, 6x6; ``classifier``: Dropout, Linear(9216, 4096), ReLU, Dropout,
    Linear(4096, 4096), ReLU, Linear(4096, num_classes).
    """

    def __init__(self, num_classes=1000):
        super().__init__()
        # YOUR CODE HERE
        raise NotImplementedError

    def forward(self, x):
        # YOUR CODE HERE
        raise NotImplementedError


def alexnet(num_classes=1000):
    """AlexNet as above."""
    # YOUR CODE HERE
    raise NotImplementedError
