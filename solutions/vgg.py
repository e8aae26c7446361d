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
        ### BEGIN SOLUTION
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096), nn.ReLU(True), nn.Dropout(),
            nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(),
            nn.Linear(4096, num_classes),
        )
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        x = self.avgpool(self.features(x))
        return self.classifier(x.flatten(1))
        ### END SOLUTION


def vgg16(num_classes=1000):
    """VGG-16 (configuration D, no batch norm): ``features`` is an ``nn.Sequential`` of
    Conv 3x3 pad 1 + ReLU for each number in ``VGG16_CONFIG`` and MaxPool 2x2/2 for each "M"
    (so the convolutions sit at indices 0, 2, 5, 7, 10, ...); ``classifier`` is
    Linear(25088, 4096), ReLU, Dropout, Linear(4096, 4096), ReLU, Dropout, Linear(4096, num_classes).
    """
    ### BEGIN SOLUTION
    layers = []
    in_channels = 3
    for v in VGG16_CONFIG:
        if v == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
        else:
            layers += [nn.Conv2d(in_channels, v, kernel_size=3, padding=1), nn.ReLU(inplace=True)]
            in_channels = v
    return VGG(nn.Sequential(*layers), num_classes=num_classes)
    ### END SOLUTION


class AlexNet(nn.Module):
    """torchvision's AlexNet. ``features``: Conv 11x11/4 pad 2 (3 -> 64), ReLU, MaxPool 3/2,
    Conv 5x5 pad 2 (-> 192), ReLU, MaxPool 3/2, Conv 3x3 pad 1 (-> 384), ReLU,
    Conv 3x3 pad 1 (-> 256), ReLU, Conv 3x3 pad 1 (-> 256), ReLU, MaxPool 3/2;
    ``avgpool``: adaptive, 6x6; ``classifier``: Dropout, Linear(9216, 4096), ReLU, Dropout,
    Linear(4096, 4096), ReLU, Linear(4096, num_classes).
    """

    def __init__(self, num_classes=1000):
        super().__init__()
        ### BEGIN SOLUTION
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(64, 192, kernel_size=5, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(192, 384, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(inplace=True),
            nn.Dropout(), nn.Linear(4096, 4096), nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes),
        )
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        x = self.avgpool(self.features(x))
        return self.classifier(x.flatten(1))
        ### END SOLUTION


def alexnet(num_classes=1000):
    """AlexNet as above."""
    ### BEGIN SOLUTION
    return AlexNet(num_classes=num_classes)
    ### END SOLUTION
