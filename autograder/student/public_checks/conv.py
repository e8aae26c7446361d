"""Public checks for conv.py: a 3x4 image holding 1..12 and 2x2 kernels small enough to slide
by hand (cross-correlation, as torch's conv2d: the kernel is not flipped)."""

import copy

import numpy as np

from ._common import CheckFailed, close, passed, raises, shape_is, sibling, unchanged
from ._i18n import _

IMAGE = np.arange(1.0, 13.0).reshape(3, 4)  # [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]
KERNEL = np.array([[1.0, 2.0], [0.0, 0.0]])  # out[i, j] = x[i, j] + 2 x[i, j+1]


def check_zero_pad(zero_pad, quiet=False):
    x = np.array([[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]]])
    before = x.copy()
    close(
        _("zero_pad(x=[[1, 2, 3], [4, 5, 6]] as (1, 1, 2, 3), pad=1) (zeros on both sides of H and W)"),
        zero_pad(x, 1),
        [[[[0, 0, 0, 0, 0], [0, 1, 2, 3, 0], [0, 4, 5, 6, 0], [0, 0, 0, 0, 0]]]],
    )
    close(
        _(
            "zero_pad(x of shape (1, 1, 2, 3), pad=(1, 2)) (pad_h=1 rows above and below, pad_w=2 "
            "columns left and right)"
        ),
        zero_pad(x, (1, 2)),
        [[[[0, 0, 0, 0, 0, 0, 0], [0, 0, 1, 2, 3, 0, 0], [0, 0, 4, 5, 6, 0, 0], [0, 0, 0, 0, 0, 0, 0]]]],
    )
    shape_is(_("zero_pad(x of shape (2, 3, 4, 5), pad=2)"), zero_pad(np.ones((2, 3, 4, 5)), 2), (2, 3, 8, 9))
    unchanged("x", before, x)
    passed("zero_pad", quiet)


def _forward(conv_forward, *args, **kwargs):
    result = conv_forward(*args, **kwargs)
    if not isinstance(result, tuple) or len(result) != 2:
        raise CheckFailed(_("conv_forward must return a tuple (out, cache)"))
    return result


def check_conv_forward(conv_forward, quiet=False):
    x, w, b = IMAGE[None, None], KERNEL[None, None], np.array([0.5])
    before = copy.deepcopy((x, w, b))
    out, _unused = _forward(conv_forward, x, w, b)
    close(
        _(
            "conv_forward(x = 1..12 as (1, 1, 3, 4), w=[[1, 2], [0, 0]], b=[0.5]) (out[i, j] = x[i, j] + "
            "2 x[i, j+1] + b: cross-correlation, the kernel not flipped)"
        ),
        out,
        [[[[5.5, 8.5, 11.5], [17.5, 20.5, 23.5]]]],
    )
    unchanged("x", before[0], x)
    unchanged("w", before[1], w)
    out, _unused = _forward(conv_forward, x, w, b, stride=2)
    close(
        _("conv_forward(..., stride=2) (windows start at rows 0, 2, ... and columns 0, 2, ...)"),
        out,
        [[[[5.5, 11.5]]]],
    )
    out, _unused = _forward(conv_forward, x, w, b, padding=(1, 0))
    close(
        _("conv_forward(..., padding=(1, 0)) (one zero row above and below, no zero column)"),
        out,
        [[[[0.5, 0.5, 0.5], [5.5, 8.5, 11.5], [17.5, 20.5, 23.5], [29.5, 32.5, 35.5]]]],
    )
    # Two channels (the image and a channel of ones), two 1x1 filters, no bias.
    x2 = np.stack([IMAGE, np.ones((3, 4))])[None]
    w2 = np.array([[[[1.0]], [[0.0]]], [[[0.0]], [[3.0]]]])
    out, _unused = _forward(conv_forward, x2, w2, None)
    close(
        _(
            "conv_forward(x of shape (1, 2, 3, 4), w of shape (2, 2, 1, 1), b=None) (filter f reads "
            "every channel c through w[f, c])"
        ),
        out,
        [[IMAGE, np.full((3, 4), 3.0)]],
    )
    passed("conv_forward", quiet)


def check_conv_backward(conv_backward, quiet=False):
    forward = sibling(conv_backward, "conv_forward")
    x, w = IMAGE[None, None], KERNEL[None, None]
    _unused, cache = _forward(forward, x, w, np.array([0.5]))
    result = conv_backward(np.ones((1, 1, 2, 3)), cache)
    if not isinstance(result, tuple) or len(result) != 3:
        raise CheckFailed(_("conv_backward must return (dx, dw, db)"))
    dx, dw, db = result
    label = _("for x = 1..12 as (1, 1, 3, 4), w=[[1, 2], [0, 0]] and dout of ones")
    close(_("db {label} (sum of dout)").format(label=label), db, [6.0])
    close(
        _("dw {label} (dw[p, q] = sum of x over the windows shifted by (p, q))").format(label=label),
        dw,
        [[[[24.0, 30.0], [48.0, 54.0]]]],
    )
    close(
        _("dx {label} (where windows overlap, their contributions add up)").format(label=label),
        dx,
        [[[[1.0, 3.0, 3.0, 2.0], [1.0, 3.0, 3.0, 2.0], [0.0, 0.0, 0.0, 0.0]]]],
    )
    # Two examples: the second one all ones. Gradients of the weights add over the batch.
    xb = np.stack([IMAGE, np.ones((3, 4))])[:, None]
    _unused, cache = _forward(forward, xb, w, np.array([0.5]))
    _unused, dw, db = conv_backward(np.ones((2, 1, 2, 3)), cache)
    close(_("db for a batch of 2 (summed over the batch, not averaged)"), db, [12.0])
    close(_("dw for a batch of 2 (summed over the batch)"), dw, [[[[30.0, 36.0], [54.0, 60.0]]]])
    # Stride 2: two windows, at columns 0 and 2.
    _unused, cache = _forward(forward, x, w, np.array([0.5]), stride=2)
    dx, dw, db = conv_backward(np.ones((1, 1, 1, 2)), cache)
    close(
        _("dx with stride=2 (each window sends w back to where it was taken)"),
        dx,
        [[[[1.0, 2.0, 1.0, 2.0], [0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]]]],
    )
    close(_("dw with stride=2"), dw, [[[[4.0, 6.0], [12.0, 14.0]]]])
    # Padding 1: dx keeps the input's shape (the padding's gradient is cut off).
    _unused, cache = _forward(forward, x, w, None, padding=1)
    dx, dw, _unused = conv_backward(np.ones((1, 1, 4, 5)), cache)
    close(
        _("dx with padding=1 (shape of x, the padding's part left out)"),
        dx,
        [[[[3.0, 3.0, 3.0, 3.0], [3.0, 3.0, 3.0, 3.0], [3.0, 3.0, 3.0, 3.0]]]],
    )
    close(
        _("dw with padding=1 (every shifted window still covers the whole image)"),
        dw,
        [[[[78.0, 78.0], [78.0, 78.0]]]],
    )
    passed("conv_backward", quiet)


def check_conv(conv, quiet=False):
    centre = np.zeros((3, 3))
    centre[1, 1] = 1.0
    above = np.zeros((3, 3))
    above[0, 1] = 1.0
    maps = conv(IMAGE, np.stack([centre, above]))
    close(
        _(
            "conv(img = 1..12 as (3, 4), two 3x3 filters: the centre pixel, the pixel above it) (shape "
            "(H-K+1, W-K+1, F), filters on the last axis, not flipped)"
        ),
        maps,
        [[[6.0, 2.0], [7.0, 3.0]]],
    )
    img = np.stack([IMAGE, np.full((3, 4), 10.0)], axis=-1)
    both = np.stack([centre, above], axis=-1)[None]  # channel 0: centre, channel 1: above
    close(
        _("conv(img of shape (3, 4, 2), conv_filter of shape (1, 3, 3, 2)) (sum over every channel)"),
        conv(img, both),
        [[[16.0], [17.0]]],
    )
    raises(
        _("conv(img of shape (3, 4), conv_filter of shape (1, 3, 3, 2)) (img.ndim != conv_filter.ndim - 1)"),
        ValueError,
        conv,
        IMAGE,
        both,
    )
    raises(_("conv(img with 2 channels, conv_filter with 3)"), ValueError, conv, img, np.ones((1, 3, 3, 3)))
    raises(
        _("conv(img of shape (3, 4), conv_filter of shape (1, 3, 1)) (a filter must be square)"),
        ValueError,
        conv,
        IMAGE,
        np.ones((1, 3, 1)),
    )
    raises(
        _("conv(img of shape (3, 4), conv_filter of shape (1, 2, 2)) (K must be odd)"),
        ValueError,
        conv,
        IMAGE,
        np.ones((1, 2, 2)),
    )
    passed("conv", quiet)
