"""Public checks for densenet.py: the layers' shapes, what each block returns, outputs for
weights set by hand (eval mode: a fresh BatchNorm passes its input through, plus its bias),
and DenseNet-121's parameter count."""

import torch

from ._common import CheckFailed, build_light, passed, shape_is, state_shapes
from ._i18n import _


def _bn(prefix, channels):
    return {
        f"{prefix}.weight": (channels,),
        f"{prefix}.bias": (channels,),
        f"{prefix}.running_mean": (channels,),
        f"{prefix}.running_var": (channels,),
        f"{prefix}.num_batches_tracked": (),
    }


def _layer(prefix, features, growth, bn_size):
    return {
        **_bn(f"{prefix}norm1", features),
        f"{prefix}conv1.weight": (bn_size * growth, features, 1, 1),
        **_bn(f"{prefix}norm2", bn_size * growth),
        f"{prefix}conv2.weight": (growth, bn_size * growth, 3, 3),
    }


def check_DenseLayer(DenseLayer, quiet=False):
    torch.manual_seed(0)
    layer = DenseLayer(6, 4, bn_size=2)
    state_shapes(
        "DenseLayer(6, growth_rate=4, bn_size=2)",
        layer,
        _layer("", 6, 4, 2),
        _(
            "norm1 -> relu1 -> conv1 1x1 to bn_size * growth_rate -> norm2 -> relu2 -> conv2 3x3 to "
            "growth_rate."
        ),
    )
    layer.eval()
    with torch.no_grad():
        shape_is(
            _("DenseLayer(6, 4, bn_size=2)(x of shape (2, 6, 5, 7))"),
            layer(torch.randn(2, 6, 5, 7)),
            (2, 4, 5, 7),
            _("A DenseLayer returns its growth_rate NEW channels only; the block concatenates."),
        )
    passed("DenseLayer", quiet)


def check_DenseBlock(DenseBlock, quiet=False):
    torch.manual_seed(0)
    block = DenseBlock(2, 6, 2, 4)
    state_shapes(
        "DenseBlock(num_layers=2, num_input_features=6, bn_size=2, growth_rate=4)",
        block,
        {**_layer("denselayer1.", 6, 4, 2), **_layer("denselayer2.", 10, 4, 2)},
        _("Layer i sees num_input_features + (i - 1) * growth_rate channels."),
    )
    block.eval()
    x = torch.randn(2, 6, 5, 7)
    with torch.no_grad():
        out = block(x)
    shape_is(_("DenseBlock(2, 6, 2, 4)(x of shape (2, 6, 5, 7))"), out, (2, 14, 5, 7), _("6 + 2 * 4 channels."))
    if not torch.equal(out[:, :6], x):
        raise CheckFailed(
            _(
                "the first 6 channels of DenseBlock(2, 6, 2, 4)(x) should be x itself: return cat([x, "
                "new_1, ..., new_N], 1), the input first"
            )
        )
    passed("DenseBlock", quiet)


def check_Transition(Transition, quiet=False):
    torch.manual_seed(0)
    trans = Transition(8, 4)
    state_shapes(
        "Transition(8, 4)",
        trans,
        {**_bn("norm", 8), "conv.weight": (4, 8, 1, 1)},
        _("norm -> relu -> conv 1x1 (no bias) -> pool."),
    )
    trans.eval()
    with torch.no_grad():
        shape_is(
            _("Transition(8, 4)(x of shape (2, 8, 6, 7))"),
            trans(torch.randn(2, 8, 6, 7)),
            (2, 4, 3, 3),
            _("Average pooling 2, stride 2, rounding down."),
        )
        # conv copies channel 0 into every output; channel 0 holds [[1, 2], [3, 4]]: the average is 2.5.
        trans.conv.weight.zero_()
        trans.conv.weight[:, 0] = 1.0
        x = torch.zeros(1, 8, 2, 2)
        x[0, 0] = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
        pooled = trans(x).flatten()[0].item()
        trans.norm.bias.fill_(-10.0)  # every normalised value below 0: the ReLU after the norm zeroes it
        negative = trans(x).abs().max().item()
    if abs(pooled - 2.5 / (1 + 1e-5) ** 0.5) > 1e-4:
        raise CheckFailed(
            _(
                "a Transition whose conv copies channel 0 = [[1, 2], [3, 4]] gave {pooled}, expected 2.5 "
                "(about): AVERAGE pooling over 2x2"
            ).format(pooled=pooled)
        )
    if negative > 1e-6:
        raise CheckFailed(
            _(
                "with norm's bias -10, Transition(8, 4) gave outputs up to {negative}, expected 0: the "
                "ReLU comes after the norm"
            ).format(negative=negative)
        )
    passed("Transition", quiet)


def check_DenseNet(DenseNet, quiet=False):
    torch.manual_seed(0)
    label = "DenseNet(growth_rate=4, block_config=(1, 1), num_init_features=8, bn_size=2, num_classes=3)"
    model = DenseNet(growth_rate=4, block_config=(1, 1), num_init_features=8, bn_size=2, num_classes=3)
    names = [name for name, _unused in model.features.named_children()]
    expected = ["conv0", "norm0", "relu0", "pool0", "denseblock1", "transition1", "denseblock2", "norm5"]
    if names != expected:
        raise CheckFailed(
            _("{label}: features holds {names}, expected {expected}").format(
                label=label, names=names, expected=expected
            )
        )
    # 8 -> block 1 -> 12 -> transition halves -> 6 -> block 2 -> 10.
    shape_is(
        f"{label}: features.transition1.conv.weight",
        model.features.transition1.conv.weight,
        (6, 12, 1, 1),
        _("A transition halves the channels."),
    )
    shape_is(f"{label}: features.norm5.weight", model.features.norm5.weight, (10,))
    shape_is(f"{label}: classifier.weight", model.classifier.weight, (3, 10))
    model.eval()
    with torch.no_grad():
        shape_is(
            _("{label} on x of shape (2, 3, 32, 32)").format(label=label),
            model(torch.randn(2, 3, 32, 32)),
            (2, 3),
        )
        # norm5 outputs -5 everywhere; the final ReLU makes it 0, so the scores are the classifier's bias.
        model.features.norm5.weight.zero_()
        model.features.norm5.bias.fill_(-5.0)
        model.classifier.weight.fill_(1.0)
        model.classifier.bias.copy_(torch.tensor([1.0, 2.0, 3.0]))
        scores = model(torch.randn(1, 3, 32, 32))[0].tolist()
    if [round(v, 6) for v in scores] != [1.0, 2.0, 3.0]:
        raise CheckFailed(
            _(
                "with norm5 giving -5 everywhere and classifier weights 1, {label} scored {scores}, "
                "expected the bias [1, 2, 3]: a ReLU after norm5, then average pooling and the classifier"
            ).format(label=label, scores=scores)
        )
    passed("DenseNet", quiet)


def check_densenet121(densenet121, quiet=False):
    model = build_light(torch, densenet121, num_classes=1000)
    count = sum(p.numel() for p in model.parameters() if p.requires_grad)
    if count != 7_978_856:
        raise CheckFailed(
            _(
                "densenet121() has {count:,} trainable parameters, expected 7,978,856 (growth 32, blocks "
                "(6, 12, 24, 16), 64 initial features, bn_size 4)"
            ).format(count=count)
        )
    shape_is("densenet121(): features.norm5.weight", model.features.norm5.weight, (1024,))
    shape_is(
        "densenet121(): features.transition1.conv.weight",
        model.features.transition1.conv.weight,
        (128, 256, 1, 1),
        _("A transition halves the channels."),
    )
    shape_is("densenet121(num_classes=1000): classifier.weight", model.classifier.weight, (1000, 1024))
    passed("densenet121", quiet)
