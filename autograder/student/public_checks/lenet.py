"""Public checks for lenet.py: parameter counts worked out by hand, and LeNet-5's layers,
shapes and scores on 32x32 inputs."""

import torch
from torch import nn

from ._common import CheckFailed, passed, shape_is, state_shapes
from ._i18n import N_, _


def check_conv2d_param_count(conv2d_param_count, quiet=False):
    cases: list[tuple[tuple[int, ...], dict[str, int], int, str]] = [
        ((3, 6, 5), {}, 456, N_("6 filters of 3 x 5 x 5 weights, plus 6 biases")),
        ((3, 6, 5), {"bias": False}, 450, N_("6 filters of 3 x 5 x 5 weights, no bias")),
        (
            (6, 12, 3),
            {"groups": 3},
            228,
            N_("with 3 groups each filter sees 6 / 3 = 2 channels: 12 * 2 * 9 + 12"),
        ),
        (
            (8, 8, 3),
            {"bias": False, "groups": 8},
            72,
            N_("a depthwise convolution: one 3x3 filter per channel"),
        ),
    ]
    for args, kwargs, expected, why in cases:
        got = conv2d_param_count(*args, **kwargs)
        if got != expected:
            shown = ", ".join([*map(str, args), *(f"{k}={v}" for k, v in kwargs.items())])
            raise CheckFailed(
                _("conv2d_param_count({shown}) returned {got!r}, expected {expected} ({why})").format(
                    shown=shown, got=got, expected=expected, why=_(why)
                )
            )
    passed("conv2d_param_count", quiet)


def check_count_parameters(count_parameters, quiet=False):
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    got = count_parameters(model)
    if got != 24:
        raise CheckFailed(
            _(
                "count_parameters(Sequential(Linear(3, 4), BatchNorm1d(4))) returned {got!r}, expected "
                "24: 12 + 4 for the Linear, 4 + 4 for the BatchNorm (its running statistics are buffers)"
            ).format(got=got)
        )
    model[0].bias.requires_grad_(False)
    got = count_parameters(model)
    if got != 20:
        raise CheckFailed(
            _(
                "with the Linear's bias frozen (requires_grad=False), count_parameters returned {got!r}, "
                "expected 20: count only the trainable parameters"
            ).format(got=got)
        )
    passed("count_parameters", quiet)


LENET_SHAPES = {
    "conv1.weight": (6, 1, 5, 5),
    "conv1.bias": (6,),
    "conv2.weight": (16, 6, 5, 5),
    "conv2.bias": (16,),
    "fc1.weight": (120, 400),
    "fc1.bias": (120,),
    "fc2.weight": (84, 120),
    "fc2.bias": (84,),
    "fc3.weight": (10, 84),
    "fc3.bias": (10,),
}


def check_LeNet5(LeNet5, quiet=False):
    torch.manual_seed(0)
    model = LeNet5()
    state_shapes(
        "LeNet5()",
        model,
        LENET_SHAPES,
        "conv1 5x5 -> 6, conv2 5x5 -> 16, fc1 400 -> 120, fc2 120 -> 84, fc3 84 -> num_classes.",
    )
    count = sum(p.numel() for p in model.parameters() if p.requires_grad)
    if count != 61706:
        raise CheckFailed(
            _(
                "LeNet5() has {count} trainable parameters, expected 61706 (156 + 2416 + 48120 + 10164 + 850)"
            ).format(count=count)
        )
    model.eval()
    with torch.no_grad():
        shape_is(_("LeNet5()(x of shape (2, 1, 32, 32))"), model(torch.zeros(2, 1, 32, 32)), (2, 10))
        # With fc3's weights zero, the scores are fc3's bias: negative ones stay (no ReLU or softmax at
        # the end).
        model.fc3.weight.zero_()
        model.fc3.bias.copy_(torch.arange(10.0) - 5)
        scores = model(torch.randn(2, 1, 32, 32))
    if not torch.allclose(scores, (torch.arange(10.0) - 5).expand(2, 10)):
        raise CheckFailed(
            _(
                "with fc3.weight = 0 and fc3.bias = [-5, ..., 4], LeNet5 returned {scores} for an image, "
                "expected the bias itself: return fc3's output as it is (no ReLU or softmax)"
            ).format(scores=scores[0].tolist())
        )
    other = LeNet5(num_classes=5, in_channels=3)
    state_shapes(
        "LeNet5(num_classes=5, in_channels=3)",
        other,
        {**LENET_SHAPES, "conv1.weight": (6, 3, 5, 5), "fc3.weight": (5, 84), "fc3.bias": (5,)},
    )
    other.eval()
    with torch.no_grad():
        shape_is(
            _("LeNet5(num_classes=5, in_channels=3)(x of shape (2, 3, 32, 32))"),
            other(torch.zeros(2, 3, 32, 32)),
            (2, 5),
        )
    passed("LeNet5", quiet)
