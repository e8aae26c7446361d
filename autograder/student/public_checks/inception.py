"""Public checks for inception.py: the Inception module's and the depthwise separable
convolution's layers, output shapes, and outputs for weights set by hand; GoogLeNet's children,
parameter count and output shapes."""

import torch

from ._common import CheckFailed, build_light, passed, shape_is, state_shapes
from ._i18n import _

# InceptionModule(8, ch1x1=4, ch3x3red=3, ch3x3=5, ch5x5red=2, ch5x5=6, pool_proj=7)
INCEPTION_SHAPES = {
    "branch1.0.weight": (4, 8, 1, 1),
    "branch1.0.bias": (4,),
    "branch2.0.weight": (3, 8, 1, 1),
    "branch2.0.bias": (3,),
    "branch2.2.weight": (5, 3, 3, 3),
    "branch2.2.bias": (5,),
    "branch3.0.weight": (2, 8, 1, 1),
    "branch3.0.bias": (2,),
    "branch3.2.weight": (6, 2, 5, 5),
    "branch3.2.bias": (6,),
    "branch4.1.weight": (7, 8, 1, 1),
    "branch4.1.bias": (7,),
}


def check_InceptionModule(InceptionModule, quiet=False):
    torch.manual_seed(0)
    label = "InceptionModule(8, 4, 3, 5, 2, 6, 7)"
    module = InceptionModule(8, 4, 3, 5, 2, 6, 7)
    state_shapes(
        label,
        module,
        INCEPTION_SHAPES,
        _(
            "branch1 = (1x1, ReLU), branch2 = (1x1, ReLU, 3x3, ReLU), branch3 = (1x1, ReLU, 5x5, ReLU), "
            "branch4 = (max pool, 1x1, ReLU), convolutions with bias."
        ),
    )
    module.eval()
    with torch.no_grad():
        shape_is(
            _("{label}(x of shape (2, 8, 9, 11))").format(label=label),
            module(torch.randn(2, 8, 9, 11)),
            (2, 22, 9, 11),
            _(
                "4 + 5 + 6 + 7 channels, the size kept (3x3 padding 1, 5x5 padding 2, pooling stride 1 "
                "padding 1)."
            ),
        )
        # Every weight zero: each branch outputs relu(its last bias), so the channels show the branch order.
        state = module.state_dict()
        for value in state.values():
            value.zero_()
        for key, fill in (
            ("branch1.0.bias", 1.0),
            ("branch2.2.bias", 2.0),
            ("branch3.2.bias", 3.0),
            ("branch4.1.bias", 4.0),
        ):
            state[key].fill_(fill)
        out = module(torch.randn(1, 8, 3, 3))[0, :, 1, 1]
    expected = [1.0] * 4 + [2.0] * 5 + [3.0] * 6 + [4.0] * 7
    if out.tolist() != expected:
        raise CheckFailed(
            _(
                "with every weight zero and the branches' last biases 1, 2, 3, 4, {label} gave channels "
                "{channels}, expected {expected}: concatenate branch1..branch4 in this order"
            ).format(label=label, channels=out.tolist(), expected=expected)
        )
    passed("InceptionModule", quiet)


def check_DepthwiseSeparableConv(DepthwiseSeparableConv, quiet=False):
    torch.manual_seed(0)
    conv = DepthwiseSeparableConv(4, 6)
    state_shapes(
        "DepthwiseSeparableConv(4, 6)",
        conv,
        {"depthwise.weight": (4, 1, 3, 3), "pointwise.weight": (6, 4, 1, 1)},
        _("depthwise: 3x3, groups = in_channels (one filter per channel); pointwise: 1x1; no bias by default."),
    )
    state_shapes(
        "DepthwiseSeparableConv(4, 6, bias=True)",
        DepthwiseSeparableConv(4, 6, bias=True),
        {
            "depthwise.weight": (4, 1, 3, 3),
            "depthwise.bias": (4,),
            "pointwise.weight": (6, 4, 1, 1),
            "pointwise.bias": (6,),
        },
    )
    with torch.no_grad():
        shape_is(
            _("DepthwiseSeparableConv(4, 6, stride=2)(x of shape (2, 4, 9, 11))"),
            DepthwiseSeparableConv(4, 6, stride=2)(torch.randn(2, 4, 9, 11)),
            (2, 6, 5, 6),
        )
        # Depthwise weights -1, pointwise weights 1, an image of ones: inside, each channel gives -9,
        # and the pointwise sum of 4 channels -36 (in a corner, -4 per channel: -16). Nothing in between.
        conv.depthwise.weight.fill_(-1.0)
        conv.pointwise.weight.fill_(1.0)
        out = conv(torch.ones(1, 4, 5, 5))
    inside, corner = out[0, :, 2, 2].tolist(), out[0, :, 0, 0].tolist()
    if inside != [-36.0] * 6 or corner != [-16.0] * 6:
        raise CheckFailed(
            _(
                "with depthwise weights -1 and pointwise weights 1 on an image of ones, "
                "DepthwiseSeparableConv(4, 6) gave {inside} inside and {corner} in a corner, expected "
                "-36 and -16: depthwise (padding 1) then pointwise, no activation in between"
            ).format(inside=inside[0], corner=corner[0])
        )
    passed("DepthwiseSeparableConv", quiet)


GOOGLENET_CHILDREN = [
    "conv1",
    "maxpool1",
    "conv2",
    "conv3",
    "maxpool2",
    "inception3a",
    "inception3b",
    "maxpool3",
    "inception4a",
    "inception4b",
    "inception4c",
    "inception4d",
    "inception4e",
    "maxpool4",
    "inception5a",
    "inception5b",
    "avgpool",
    "dropout",
    "fc",
]


def check_GoogLeNet(GoogLeNet, quiet=False):
    hint = _("compare with the docstring: torchvision's child names, no auxiliary classifiers, no batch norm.")
    light = build_light(torch, GoogLeNet, num_classes=1000)
    children = dict(light.named_children())
    missing = [name for name in GOOGLENET_CHILDREN if name not in children]
    if missing:
        raise CheckFailed(
            _("GoogLeNet() has no child module named {missing}; {hint}").format(missing=missing, hint=hint)
        )
    for name in GOOGLENET_CHILDREN:
        if name.startswith("inception") and type(children[name]).__name__ != "InceptionModule":
            raise CheckFailed(
                _("GoogLeNet().{name} is a {type}, expected an InceptionModule (yours, from above)").format(
                    name=name, type=type(children[name]).__name__
                )
            )
        if name.startswith("maxpool") and not getattr(children[name], "ceil_mode", False):
            raise CheckFailed(
                _(
                    "GoogLeNet().{name} should round its output size up: nn.MaxPool2d(..., ceil_mode=True)"
                ).format(name=name)
            )
    if getattr(children["maxpool4"], "kernel_size", None) not in (2, (2, 2)):
        raise CheckFailed(
            _(
                "GoogLeNet().maxpool4 is {module!r}: it has a 2x2 window with stride 2, "
                "unlike the 3x3 windows of maxpool1-3"
            ).format(module=children["maxpool4"])
        )
    if getattr(children["dropout"], "p", None) != 0.4:
        raise CheckFailed(
            _("GoogLeNet().dropout is {module!r}, expected nn.Dropout(p=0.4)").format(
                module=children["dropout"]
            )
        )
    count = sum(p.numel() for p in light.parameters() if p.requires_grad)
    if count != 6_998_552:
        raise CheckFailed(
            _(
                "GoogLeNet(num_classes=1000) has {count:,} trainable parameters, expected 6,998,552; {hint}"
            ).format(count=count, hint=hint)
        )
    torch.manual_seed(0)
    model = GoogLeNet(num_classes=10)
    model.eval()
    # What each child receives (the smallest value) and what fc returns, during the calls below.
    smallest: dict[str, list[float]] = {}
    fc_out = []
    hooks = [
        getattr(model, name).register_forward_pre_hook(
            lambda module, args, name=name: smallest.setdefault(name, []).append(float(args[0].min()))
        )
        for name in GOOGLENET_CHILDREN[1:]
    ]
    hooks.append(model.fc.register_forward_hook(lambda module, args, out: fc_out.append(out)))
    fits = _(
        "ceil_mode=True in the max pools and the adaptive average pooling to 1x1 make inputs "
        "from 32x32 upward fit fc."
    )
    try:
        with torch.no_grad():
            for side in (32, 64):
                label = _("GoogLeNet(num_classes=10)(x of shape (2, 3, {side}, {side}))").format(side=side)
                x = torch.randn(2, 3, side, side)
                try:
                    scores = model(x)
                except RuntimeError as exc:
                    raise CheckFailed(
                        _("{label} raised RuntimeError: {exc}. {fits}").format(label=label, exc=exc, fits=fits)
                    ) from exc
                shape_is(label, scores, (2, 10), _("One score per class; {fits}").format(fits=fits))
                if not (fc_out and torch.equal(scores, fc_out[-1])):
                    raise CheckFailed(
                        _(
                            "{label} does not return what fc computes: return fc's scores "
                            "as they are (no softmax: nn.CrossEntropyLoss applies it "
                            "itself)"
                        ).format(label=label)
                    )
                if not torch.equal(model(x), scores):
                    raise CheckFailed(
                        _(
                            "{label} in eval mode gave other scores when called again: "
                            "dropout must do nothing in eval mode (nn.Dropout does that; "
                            "F.dropout needs training=self.training)"
                        ).format(label=label)
                    )
    finally:
        for hook in hooks:
            hook.remove()
    negative = [name for name in GOOGLENET_CHILDREN[1:] if min(smallest.get(name, [0.0])) < 0]
    if negative:
        raise CheckFailed(
            _(
                "in GoogLeNet(num_classes=10), {layer} received negative values: a ReLU "
                "follows every convolution (conv1, conv2, conv3 and those inside the "
                "modules)"
            ).format(layer=negative[0])
        )
    passed("GoogLeNet", quiet)
