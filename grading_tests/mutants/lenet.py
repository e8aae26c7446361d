"""Misconceptions about LeNet-5 and parameter counting that the properties must catch."""

import torch
from torch import nn
from torch.nn import functional as F

from grading_tests.mutants import mutant


@mutant("conv2d_param_count", "ignoring groups")
def count_ignoring_groups(in_channels, out_channels, kernel_size, bias=True, groups=1):
    return out_channels * in_channels * kernel_size * kernel_size + (out_channels if bias else 0)


@mutant("conv2d_param_count", "always adding the bias")
def count_always_bias(in_channels, out_channels, kernel_size, bias=True, groups=1):
    return out_channels * (in_channels // groups) * kernel_size * kernel_size + out_channels


@mutant("count_parameters", "counting frozen parameters too")
def count_all_parameters(model):
    return sum(p.numel() for p in model.parameters())


@mutant("count_parameters", "counting every state_dict entry (buffers too)")
def count_state_dict(model):
    return sum(v.numel() for k, v in model.state_dict().items())


@mutant("LeNet5", "average pooling instead of max pooling")
class LeNet5AvgPool(nn.Module):
    def __init__(self, num_classes=10, in_channels=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(400, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, num_classes)

    def forward(self, x):
        x = F.avg_pool2d(F.relu(self.conv1(x)), 2)
        x = F.avg_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


@mutant("LeNet5", "a ReLU after fc3 too")
class LeNet5ReluOnScores(nn.Module):
    def __init__(self, num_classes=10, in_channels=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(400, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, num_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return F.relu(self.fc3(F.relu(self.fc2(F.relu(self.fc1(x))))))


@mutant("LeNet5", "in_channels ignored (conv1 always takes 1 channel)")
class LeNet5OneChannel(nn.Module):
    def __init__(self, num_classes=10, in_channels=1):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(400, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, num_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x[:, :1])), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(torch.flatten(x, 1))))))


@mutant("LeNet5", "flattening with view(-1, 400) computed from the wrong axis order (channels last)")
class LeNet5ChannelsLastFlatten(nn.Module):
    def __init__(self, num_classes=10, in_channels=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(400, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, num_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))
