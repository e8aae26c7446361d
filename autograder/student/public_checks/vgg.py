"""Public checks for vgg.py: VGG-16's and AlexNet's layers at torchvision's indices and their
parameter counts (built on torch's meta device: no memory, no weights drawn)."""

import torch
from torch import nn

from ._common import CheckFailed, build_light, passed, state_shapes
from ._i18n import _

VGG16_CONVS = [
    (0, 3, 64),
    (2, 64, 64),
    (5, 64, 128),
    (7, 128, 128),
    (10, 128, 256),
    (12, 256, 256),
    (14, 256, 256),
    (17, 256, 512),
    (19, 512, 512),
    (21, 512, 512),
    (24, 512, 512),
    (26, 512, 512),
    (28, 512, 512),
]


def _shapes(convs, linears):
    shapes = {}
    for index, cin, cout, k in convs:
        shapes.update({f"features.{index}.weight": (cout, cin, k, k), f"features.{index}.bias": (cout,)})
    for index, fin, fout in linears:
        shapes.update({f"classifier.{index}.weight": (fout, fin), f"classifier.{index}.bias": (fout,)})
    return shapes


def _common_checks(name, model, count, expected_count, pool, relu_at):
    if count != expected_count:
        raise CheckFailed(
            _("{name}() has {count:,} trainable parameters, expected {expected_count:,}").format(
                name=name, count=count, expected_count=expected_count
            )
        )
    avgpool = getattr(model, "avgpool", None)
    if not isinstance(avgpool, nn.AdaptiveAvgPool2d) or avgpool.output_size not in (pool, (pool, pool)):
        raise CheckFailed(
            _("{name}().avgpool should be nn.AdaptiveAvgPool2d({pool}), got {avgpool!r}").format(
                name=name, pool=pool, avgpool=avgpool
            )
        )
    if not isinstance(model.classifier[relu_at], nn.ReLU):
        raise CheckFailed(
            _(
                "{name}().classifier[{relu_at}] should be the ReLU after the first classifier layer, got "
                "{classifier!r}"
            ).format(name=name, relu_at=relu_at, classifier=model.classifier[relu_at])
        )


def check_vgg16(vgg16, quiet=False):
    model = build_light(torch, vgg16, num_classes=1000)
    count = sum(p.numel() for p in model.parameters() if p.requires_grad)
    state_shapes(
        "vgg16()",
        model,
        _shapes(
            [(i, a, b, 3) for i, a, b in VGG16_CONVS],
            [(0, 512 * 7 * 7, 4096), (3, 4096, 4096), (6, 4096, 1000)],
        ),
        _(
            "torchvision's indices: 3x3 convolutions with a ReLU each and 5 max pools in features; "
            "Linear, ReLU, Dropout, Linear, ReLU, Dropout, Linear in classifier."
        ),
    )
    _common_checks("vgg16", model, count, 138_357_544, 7, 1)
    small = build_light(torch, vgg16, num_classes=10)
    if tuple(small.classifier[6].weight.shape) != (10, 4096):
        raise CheckFailed(
            _(
                "vgg16(num_classes=10).classifier[6].weight has shape {shape}, expected (10, 4096): the "
                "last layer has num_classes outputs"
            ).format(shape=tuple(small.classifier[6].weight.shape))
        )
    passed("vgg16", quiet)


def check_alexnet(alexnet, quiet=False):
    model = build_light(torch, alexnet, num_classes=1000)
    count = sum(p.numel() for p in model.parameters() if p.requires_grad)
    state_shapes(
        _("alexnet()"),
        model,
        _shapes(
            [(0, 3, 64, 11), (3, 64, 192, 5), (6, 192, 384, 3), (8, 384, 256, 3), (10, 256, 256, 3)],
            [(1, 256 * 6 * 6, 4096), (4, 4096, 4096), (6, 4096, 1000)],
        ),
        _("torchvision's indices: Dropout, Linear, ReLU, Dropout, Linear, ReLU, Linear in classifier."),
    )
    _common_checks("alexnet", model, count, 61_100_840, 6, 2)
    first = model.features[0]
    if tuple(first.stride) != (4, 4) or tuple(first.padding) != (2, 2):
        raise CheckFailed(
            _(
                "alexnet().features[0] has stride {stride} and padding {padding}, expected the 11x11 "
                "convolution with stride 4 and padding 2"
            ).format(stride=tuple(first.stride), padding=tuple(first.padding))
        )
    small = build_light(torch, alexnet, num_classes=10)
    if tuple(small.classifier[6].weight.shape) != (10, 4096):
        raise CheckFailed(
            _("alexnet(num_classes=10).classifier[6].weight has shape {shape}, expected (10, 4096)").format(
                shape=tuple(small.classifier[6].weight.shape)
            )
        )
    passed("alexnet", quiet)
