"""Public checks for resnet.py: the blocks' layers, shapes and outputs for weights set by hand
(eval mode: a fresh BatchNorm passes its input through, plus its bias), and the networks'
layer shapes and parameter counts."""

import torch

from ._common import CheckFailed, build_light, passed, shape_is, sibling, state_shapes
from ._i18n import _


def _bn(prefix, channels):
    return {
        f"{prefix}.weight": (channels,),
        f"{prefix}.bias": (channels,),
        f"{prefix}.running_mean": (channels,),
        f"{prefix}.running_var": (channels,),
        f"{prefix}.num_batches_tracked": (),
    }


def _hand_set(block, values):
    """Every parameter zero, then the given ones filled (eval-mode BatchNorm(0) = its bias)."""
    with torch.no_grad():
        for p in block.parameters():
            p.zero_()
        for name, value in values.items():
            block.get_parameter(name).fill_(value)
    block.eval()


def check_BasicBlock(BasicBlock, quiet=False):
    torch.manual_seed(0)
    block = BasicBlock(8, 8)
    state_shapes(
        "BasicBlock(8, 8)",
        block,
        {"conv1.weight": (8, 8, 3, 3), **_bn("bn1", 8), "conv2.weight": (8, 8, 3, 3), **_bn("bn2", 8)},
        _("conv1 3x3 -> bn1 -> ReLU -> conv2 3x3 -> bn2, convolutions without bias."),
    )
    if getattr(block, "downsample", "missing") is not None:
        raise CheckFailed(
            _("BasicBlock(8, 8) must set downsample = None (same stride and channels: the shortcut is x)")
        )
    if getattr(BasicBlock, "expansion", None) != 1:
        raise CheckFailed(_("BasicBlock.expansion must be 1"))
    down = BasicBlock(8, 16, stride=2)
    state_shapes(
        "BasicBlock(8, 16, stride=2)",
        down,
        {
            "conv1.weight": (16, 8, 3, 3),
            **_bn("bn1", 16),
            "conv2.weight": (16, 16, 3, 3),
            **_bn("bn2", 16),
            "downsample.0.weight": (16, 8, 1, 1),
            **_bn("downsample.1", 16),
        },
        _("downsample = Sequential(Conv 1x1 with the stride, BatchNorm2d)."),
    )
    state_shapes(
        _("BasicBlock(8, 16) (the channels change, so a downsample is needed even with stride 1)"),
        BasicBlock(8, 16),
        {
            "conv1.weight": (16, 8, 3, 3),
            **_bn("bn1", 16),
            "conv2.weight": (16, 16, 3, 3),
            **_bn("bn2", 16),
            "downsample.0.weight": (16, 8, 1, 1),
            **_bn("downsample.1", 16),
        },
    )
    down.eval()
    with torch.no_grad():
        shape_is(
            _("BasicBlock(8, 16, stride=2)(x of shape (2, 8, 6, 7))"),
            down(torch.randn(2, 8, 6, 7)),
            (2, 16, 3, 4),
        )
    # Convolutions zero, bn1's bias 3, bn2's bias -0.5, x all ones: out = relu(-0.5 + x) = 0.5.
    _hand_set(block, {"bn1.bias": 3.0, "bn2.bias": -0.5})
    with torch.no_grad():
        out = block(torch.ones(1, 8, 3, 3))
    if not torch.allclose(out, torch.full_like(out, 0.5)):
        raise CheckFailed(
            _(
                "with zero convolutions, bn2's bias -0.5 and x of ones, BasicBlock(8, 8) gave {got}, "
                "expected relu(-0.5 + 1) = 0.5: add the block's INPUT to bn2's output, then apply the "
                "ReLU"
            ).format(got=out.flatten()[0].item())
        )
    passed("BasicBlock", quiet)


def check_Bottleneck(Bottleneck, quiet=False):
    torch.manual_seed(0)
    block = Bottleneck(16, 4)
    state_shapes(
        "Bottleneck(16, 4)",
        block,
        {
            "conv1.weight": (4, 16, 1, 1),
            **_bn("bn1", 4),
            "conv2.weight": (4, 4, 3, 3),
            **_bn("bn2", 4),
            "conv3.weight": (16, 4, 1, 1),
            **_bn("bn3", 16),
        },
        _("conv1 1x1 -> bn1 -> ReLU -> conv2 3x3 -> bn2 -> ReLU -> conv3 1x1 to planes * 4 -> bn3."),
    )
    if getattr(block, "downsample", "missing") is not None:
        raise CheckFailed(
            _("Bottleneck(16, 4) must set downsample = None (16 = 4 * expansion channels, stride 1)")
        )
    if getattr(Bottleneck, "expansion", None) != 4:
        raise CheckFailed(_("Bottleneck.expansion must be 4"))
    down = Bottleneck(16, 8, stride=2)
    state_shapes(
        "Bottleneck(16, 8, stride=2)",
        down,
        {
            "conv1.weight": (8, 16, 1, 1),
            **_bn("bn1", 8),
            "conv2.weight": (8, 8, 3, 3),
            **_bn("bn2", 8),
            "conv3.weight": (32, 8, 1, 1),
            **_bn("bn3", 32),
            "downsample.0.weight": (32, 16, 1, 1),
            **_bn("downsample.1", 32),
        },
    )
    if tuple(down.conv2.stride) != (2, 2) or tuple(down.conv1.stride) != (1, 1):
        raise CheckFailed(
            _(
                "Bottleneck(16, 8, stride=2) has conv1.stride={stride1} and conv2.stride={stride2}: the "
                "stride belongs to conv2 (the 3x3), as in torchvision"
            ).format(stride1=tuple(down.conv1.stride), stride2=tuple(down.conv2.stride))
        )
    down.eval()
    with torch.no_grad():
        shape_is(
            _("Bottleneck(16, 8, stride=2)(x of shape (2, 16, 6, 7))"),
            down(torch.randn(2, 16, 6, 7)),
            (2, 32, 3, 4),
        )
    # conv3's weights 1, other convolutions zero, bn2's bias -1, x of ones: relu(bn2) = 0, so
    # out = relu(0 + 1) = 1.
    _hand_set(
        block, {"conv3.weight": 1.0, "bn1.weight": 1.0, "bn2.weight": 1.0, "bn3.weight": 1.0, "bn2.bias": -1.0}
    )
    with torch.no_grad():
        out = block(torch.ones(1, 16, 3, 3))
    if not torch.allclose(out, torch.ones_like(out)):
        raise CheckFailed(
            _(
                "with conv3's weights 1, the other convolutions zero, bn2's bias -1 and x of ones, "
                "Bottleneck(16, 4) gave {got}, expected 1: a ReLU after bn2 zeroes its -1"
            ).format(got=out.flatten()[0].item())
        )
    passed("Bottleneck", quiet)


LAYER_SHAPES = {
    "layer1": (2, 64, 16, 16),
    "layer2": (2, 128, 8, 8),
    "layer3": (2, 256, 4, 4),
    "layer4": (2, 512, 2, 2),
}


def check_ResNet(ResNet, quiet=False):
    block = sibling(ResNet, "BasicBlock")
    label = _("ResNet(BasicBlock, [1, 1, 1, 1], num_classes=7) on x of shape (2, 3, 64, 64)")
    torch.manual_seed(0)
    model = ResNet(block, [1, 1, 1, 1], num_classes=7)
    seen: dict[str, tuple[int, ...]] = {}
    for name in LAYER_SHAPES:
        model.get_submodule(name).register_forward_hook(
            lambda _m, _i, out, name=name: seen.__setitem__(name, tuple(out.shape))
        )
    model.eval()
    with torch.no_grad():
        shape_is(label, model(torch.randn(2, 3, 64, 64)), (2, 7))
    for name, shape in LAYER_SHAPES.items():
        if seen.get(name) != shape:
            raise CheckFailed(
                _(
                    "{label}: {name} returned shape {got}, expected {shape} (conv1 and maxpool divide "
                    "the size by 4; layer1 keeps it; layer2, layer3 and layer4 each halve it)"
                ).format(label=label, name=name, got=seen.get(name), shape=shape)
            )
    shape_is(f"{label}: fc.weight", model.fc.weight, (7, 512))
    wide = build_light(torch, ResNet, block=sibling(ResNet, "Bottleneck"), layers=[1, 1, 1, 1], num_classes=7)
    shape_is(
        "ResNet(Bottleneck, [1, 1, 1, 1], num_classes=7): layer1[0].conv3.weight",
        wide.layer1[0].conv3.weight,
        (256, 64, 1, 1),
        _("Each layer's blocks get planes * block.expansion channels."),
    )
    shape_is(
        "ResNet(Bottleneck, [1, 1, 1, 1], num_classes=7): fc.weight",
        wide.fc.weight,
        (7, 2048),
        _("fc takes 512 * block.expansion features."),
    )
    passed("ResNet", quiet)


def _network(name, factory, expected_count, first_of_layer2, fc_in):
    model = build_light(torch, factory, num_classes=1000)
    count = sum(p.numel() for p in model.parameters() if p.requires_grad)
    if count != expected_count:
        raise CheckFailed(
            _("{name}() has {count:,} trainable parameters, expected {expected_count:,}").format(
                name=name, count=count, expected_count=expected_count
            )
        )
    got = [len(getattr(model, f"layer{i}")) for i in range(1, 5)]
    if got != [3, 4, 6, 3]:
        raise CheckFailed(
            _("{name}() has {got} blocks in layer1..layer4, expected [3, 4, 6, 3]").format(name=name, got=got)
        )
    conv = model.layer2[0].get_submodule(first_of_layer2)
    if tuple(conv.stride) != (2, 2):
        raise CheckFailed(
            _(
                "{name}(): layer2[0].{first_of_layer2} has stride {stride}, expected (2, 2) (layer2, "
                "layer3 and layer4 start with a stride-2 block)"
            ).format(name=name, first_of_layer2=first_of_layer2, stride=tuple(conv.stride))
        )
    shape_is(f"{name}(num_classes=1000): fc.weight", model.fc.weight, (1000, fc_in))


def check_resnet34(resnet34, quiet=False):
    _network("resnet34", resnet34, 21_797_672, "conv1", 512)
    passed("resnet34", quiet)


def check_resnet50(resnet50, quiet=False):
    _network("resnet50", resnet50, 25_557_032, "conv2", 2048)
    passed("resnet50", quiet)
