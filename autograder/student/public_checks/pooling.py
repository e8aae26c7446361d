"""Public checks for pooling.py: small maps holding 1, 2, 3, ... so that every window's maximum
and mean, and where each gradient goes, can be read off by hand."""

import numpy as np

from ._common import CheckFailed, close, passed, raises, shape_is, sibling, unchanged
from ._i18n import _

IMAGE = np.arange(1.0, 13.0).reshape(3, 4)  # [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]


def _forward(pool_forward, *args, **kwargs):
    result = pool_forward(*args, **kwargs)
    if not isinstance(result, tuple) or len(result) != 2:
        raise CheckFailed(_("pool_forward must return a tuple (out, cache)"))
    return result


def check_pool_forward(pool_forward, quiet=False):
    x = IMAGE[None, None]
    before = x.copy()
    out, _unused = _forward(pool_forward, x, 2)
    close(
        _(
            "pool_forward(x = 1..12 as (1, 1, 3, 4), kernel_size=2) (stride=None means stride 2; the "
            "last row left over)"
        ),
        out,
        [[[[6.0, 8.0]]]],
    )
    out, _unused = _forward(pool_forward, x, 2, mode="avg")
    close(_('pool_forward(x, kernel_size=2, mode="avg") (the mean of each window)'), out, [[[[3.5, 5.5]]]])
    out, _unused = _forward(pool_forward, x, 2, stride=1)
    close(
        _("pool_forward(x, kernel_size=2, stride=1) (overlapping windows)"),
        out,
        [[[[6.0, 7.0, 8.0], [10.0, 11.0, 12.0]]]],
    )
    out, _unused = _forward(pool_forward, x, (1, 2))
    close(
        _("pool_forward(x, kernel_size=(1, 2)) (windows 1 row high and 2 columns wide, stride (1, 2))"),
        out,
        [[[[2.0, 4.0], [6.0, 8.0], [10.0, 12.0]]]],
    )
    out, _unused = _forward(pool_forward, np.ones((2, 3, 5, 7)), 2, stride=(1, 3))
    shape_is(
        _("pool_forward(x of shape (2, 3, 5, 7), kernel_size=2, stride=(1, 3))"),
        out,
        (2, 3, 4, 2),
        _("H_out = floor((H - KH) / stride_h) + 1, W alike."),
    )
    unchanged("x", before, x)
    raises('pool_forward(x, 2, mode="min")', ValueError, pool_forward, x, 2, mode="min")
    passed("pool_forward", quiet)


def check_pool_backward(pool_backward, quiet=False):
    forward = sibling(pool_backward, "pool_forward")
    x = IMAGE[None, None]
    _unused, cache = _forward(forward, x, 2, stride=1)
    dx = pool_backward(np.ones((1, 1, 2, 3)), cache)
    close(
        _(
            "dx of max pooling (x = 1..12 as (1, 1, 3, 4), kernel_size=2, stride=1, dout of ones) (each "
            "window's gradient goes to its maximum, its bottom-right entry)"
        ),
        dx,
        [[[[0.0, 0.0, 0.0, 0.0], [0.0, 1.0, 1.0, 1.0], [0.0, 1.0, 1.0, 1.0]]]],
    )
    _unused, cache = _forward(forward, x, 2, stride=1, mode="avg")
    dx = pool_backward(np.ones((1, 1, 2, 3)), cache)
    close(
        _(
            "dx of average pooling (kernel_size=2, stride=1, dout of ones) (1/4 of each window's "
            "gradient to each entry; overlapping windows add up)"
        ),
        dx,
        [[[[0.25, 0.5, 0.5, 0.25], [0.5, 1.0, 1.0, 0.5], [0.25, 0.5, 0.5, 0.25]]]],
    )
    ties = np.ones((1, 1, 2, 2))
    _unused, cache = _forward(forward, ties, 2)
    close(
        _(
            "dx of max pooling over a 2x2 window of equal values, dout=[[[[3]]]] (all to the FIRST "
            "maximum in row-major order, as torch)"
        ),
        pool_backward(np.full((1, 1, 1, 1), 3.0), cache),
        [[[[3.0, 0.0], [0.0, 0.0]]]],
    )
    passed("pool_backward", quiet)


def check_pooling(pooling, quiet=False):
    fmap = np.stack([IMAGE, -IMAGE], axis=-1)  # (3, 4, 2)
    close(
        _(
            "pooling(feature_map of shape (3, 4, 2): 1..12 and its negative) (max per channel, output "
            "(1, 2, 2))"
        ),
        pooling(fmap),
        [[[6.0, -1.0], [8.0, -3.0]]],
    )
    square = np.arange(25.0).reshape(5, 5, 1)
    close(
        _("pooling(0..24 as (5, 5, 1), size=2, stride=2) (floor((5 - 2) / 2) + 1 = 2 per side)"),
        pooling(square),
        [[[6.0], [8.0]], [[16.0], [18.0]]],
    )
    seven = np.arange(49.0).reshape(7, 7, 1)
    close(
        _("pooling(0..48 as (7, 7, 1), size=3, stride=2) (overlapping windows start every 2 pixels: 0, 2, 4)"),
        pooling(seven, 3, 2),
        [[[16.0], [18.0], [20.0]], [[30.0], [32.0], [34.0]], [[44.0], [46.0], [48.0]]],
    )
    passed("pooling", quiet)
