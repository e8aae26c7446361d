"""LeNet-5 in PyTorch, and counting the parameters of convolutions and whole models.

Input images are ``(N, in_channels, 32, 32)``; the network returns class scores ``(N, num_classes)``.
"""

import torch
from torch import nn
from torch.nn import functional as F


def conv2d_param_count(in_channels, out_channels, kernel_size, bias=True, groups=1):
    """Trainable parameters of ``nn.Conv2d(in_channels, out_channels, kernel_size, bias=bias, groups=groups)``.

    Each of the F = out_channels filters sees C / groups input channels through a KH x KW
    window (kernel_size is an int: KH = KW = kernel_size), plus one bias per filter.
    """
    ### BEGIN SOLUTION
    weights = out_channels * (in_channels // groups) * kernel_size * kernel_size
    return int(weights + (out_channels if bias else 0))
    ### END SOLUTION


def count_parameters(model):
    """Number of trainable parameters of ``model`` (those with ``requires_grad``); buffers do not count."""
    ### BEGIN SOLUTION
    return int(sum(p.numel() for p in model.parameters() if p.requires_grad))
    ### END SOLUTION


class LeNet5(nn.Module):
    """LeNet-5: conv1 (5x5 -> 6) -> ReLU -> 2x2 max pool -> conv2 (5x5 -> 16) -> ReLU -> 2x2 max pool
    -> flatten (16*5*5 = 400) -> fc1 (120) -> ReLU -> fc2 (84) -> ReLU -> fc3 (num_classes).

    Input ``(N, in_channels, 32, 32)``, output ``(N, num_classes)`` (scores, no softmax).
    Attributes (state_dict keys): ``conv1``, ``conv2``, ``fc1``, ``fc2``, ``fc3``.
    """

    def __init__(self, num_classes=10, in_channels=1):
        super().__init__()
        ### BEGIN SOLUTION
        self.conv1 = nn.Conv2d(in_channels, 6, kernel_size=5)
        self.conv2 = nn.Conv2d(6, 16, kernel_size=5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, num_classes)
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)
        ### END SOLUTION
