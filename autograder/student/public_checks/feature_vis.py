"""Public checks for feature_vis.py on models small enough to work out by hand: a 1x1 convolution
for activation maximization (its gradient is the same at every pixel) and a linear classifier for
saliency maps (its gradient is the weight row of the class), each behind a batch norm whose eval
mode changes nothing (running mean 0, running variance 1 - eps), so forgetting model.eval() shows."""

import math

import numpy as np
import torch
from torch import nn

from ._common import CheckFailed, close, passed, shape_is
from ._i18n import _

EPS = 1e-5  # BatchNorm2d's default eps


def _values(label, got, shape):
    if not isinstance(got, torch.Tensor):
        raise CheckFailed(
            _("{label}: returned {type}, expected a torch.Tensor").format(label=label, type=type(got).__name__)
        )
    shape_is(label, got, shape)
    return got.detach().cpu().numpy()


def _neutral_bn(channels):
    """A batch norm that is the identity in eval mode (and not in training mode)."""
    bn = nn.BatchNorm2d(channels, eps=EPS)
    bn.running_var = torch.full((channels,), 1 - EPS)
    return bn


def _left_as_it_was(label, model, state):
    if model.training or any(m.training for m in model.modules()):
        raise CheckFailed(
            _("{label}: the model is still in training mode afterwards; call model.eval() first").format(
                label=label
            )
        )
    with_grad = [name for name, p in model.named_parameters() if p.grad is not None]
    if with_grad:
        raise CheckFailed(
            _(
                "{label}: the parameters {with_grad} have a .grad afterwards; take the gradient with "
                "respect to the input only (torch.autograd.grad), or clear them with "
                "model.zero_grad(set_to_none=True)"
            ).format(label=label, with_grad=with_grad)
        )
    for name, value in model.state_dict().items():
        if not torch.equal(value, state[name]):
            raise CheckFailed(
                _("{label}: the model's {name!r} changed; leave the model as it was").format(
                    label=label, name=name
                )
            )


def check_filters_to_images(filters_to_images, quiet=False):
    conv = nn.Conv2d(2, 3, (1, 2), bias=False).double()
    with torch.no_grad():
        conv.weight.copy_(
            torch.tensor(
                [
                    [[[0.0, 2.0]], [[4.0, 8.0]]],  # from 0 to 8
                    [[[3.0, 3.0]], [[3.0, 3.0]]],  # constant
                    [[[-1.0, 1.0]], [[0.0, 0.0]]],  # from -1 to 1
                ],
                dtype=torch.float64,
            )
        )
    # images[f, kh, kw, c] = weight[f, c, kh, kw], scaled by filter f's own minimum and maximum.
    expected = np.array(
        [
            [[[0.0, 0.5], [0.25, 1.0]]],
            [[[0.0, 0.0], [0.0, 0.0]]],
            [[[0.0, 0.5], [1.0, 0.5]]],
        ]
    )
    label = _("filters_to_images(weight of shape (3, 2, 1, 2))")
    got = _values(label, filters_to_images(conv.weight), (3, 1, 2, 2))
    if np.isnan(got).any():
        raise CheckFailed(
            _("{label}: NaN in the images; filter 1 is constant (max - min = 0): give it zeros").format(
                label=label
            )
        )
    close(
        _(
            "{label} (images are (F, KH, KW, C); each filter from its own min to its own max; the "
            "constant filter 1 gives zeros)"
        ).format(label=label),
        got,
        expected,
    )
    passed("filters_to_images", quiet)


def _ascent_model():
    conv = nn.Conv2d(1, 2, 1, bias=False)
    model = nn.Sequential(conv, _neutral_bn(2)).double()
    with torch.no_grad():
        conv.weight.copy_(torch.tensor([2.0, -1.0], dtype=torch.float64).view(2, 1, 1, 1))
    return model


def check_activation_maximization(activation_maximization, quiet=False):
    x0 = torch.arange(8.0, dtype=torch.float64).view(2, 1, 2, 2) / 4
    kept = x0.clone()
    cases = [
        # Channel 1 is -x: its mean's gradient is the same negative number at all 8 entries, so
        # each normalised step moves every entry by -learning_rate / sqrt(8).
        (
            (1,),
            {"steps": 3, "learning_rate": 0.5},
            x0 - 1.5 / math.sqrt(8),
            "channel 1 is -x: each step moves every entry by -0.5 / sqrt(8) (the gradient divided by its "
            "norm over the whole batch)",
        ),
        (
            (0,),
            {},
            x0 + 20 * 0.1 / math.sqrt(8),
            "channel 0 is 2x; with the defaults (steps=20, learning_rate=0.1) every entry rises by 2 / sqrt(8)",
        ),
    ]
    for args, kwargs, expected, why in cases:
        model = _ascent_model()
        state = {k: v.clone() for k, v in model.state_dict().items()}
        shown = ", ".join(["model", "x0", *map(str, args), *(f"{k}={v}" for k, v in kwargs.items())])
        label = f"activation_maximization({shown})"
        result = activation_maximization(model, x0, *args, **kwargs)
        got = _values(label, result, (2, 1, 2, 2))
        close(f"{label} ({why})", got, expected.numpy())
        if result.requires_grad:
            raise CheckFailed(
                _("{label}: the result still requires a gradient; return x.detach()").format(label=label)
            )
        if not torch.equal(x0, kept):
            raise CheckFailed(
                _("{label}: x0 was modified in place; start from a copy (x0.detach().clone())").format(
                    label=label
                )
            )
        _left_as_it_was(label, model, state)
    passed("activation_maximization", quiet)


def check_saliency_map(saliency_map, quiet=False):
    linear = nn.Linear(4, 3, bias=True)
    model = nn.Sequential(_neutral_bn(2), nn.Flatten(), linear).double()
    with torch.no_grad():
        linear.weight.copy_(
            torch.tensor(
                [[1.0, -2.0, 3.0, -4.0], [-5.0, 0.5, 1.0, 1.0], [0.0, 0.0, -1.0, 2.0]], dtype=torch.float64
            )
        )
        linear.bias.copy_(torch.tensor([0.1, 0.2, 0.3], dtype=torch.float64))
    x = torch.tensor([[[[0.5, -1.0]], [[2.0, 0.0]]], [[[1.0, 1.5]], [[-0.5, 1.0]]]], dtype=torch.float64)
    # A linear classifier's score k has the gradient weight[k] (as (C, H, W) = (2, 1, 2)) for any x:
    # class 1 -> |[-5, 0.5]| and |[1, 1]| -> max [5, 1]; class 0 -> |[1, -2]|, |[3, -4]| -> [3, 4].
    expected = np.array([[[5.0, 1.0]], [[3.0, 4.0]]])
    state = {k: v.clone() for k, v in model.state_dict().items()}
    for target, shown in (([1, 0], "[1, 0]"), (torch.tensor([1, 0]), "torch.tensor([1, 0])")):
        label = _("saliency_map(model, x of shape (2, 2, 1, 2), {shown})").format(shown=shown)
        got = _values(label, saliency_map(model, x, target), (2, 1, 2))
        close(
            _(
                "{label} (a linear classifier: the gradient of example i's score is the weight row of "
                "its class target[i]; its absolute value, then the maximum over the 2 channels)"
            ).format(label=label),
            got,
            expected,
        )
        _left_as_it_was(label, model, state)
    passed("saliency_map", quiet)
