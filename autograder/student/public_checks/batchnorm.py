"""Public checks for batchnorm.py: batches whose mean and variance are round numbers, so that
every output, running statistic and gradient is worked out by hand."""

import math

import numpy as np

from ._common import CheckFailed, close, passed, raises, shape_is, sibling, unchanged
from ._i18n import _


def _forward(batchnorm_forward, *args, **kwargs):
    result = batchnorm_forward(*args, **kwargs)
    if not isinstance(result, tuple) or len(result) != 4:
        raise CheckFailed(_("batchnorm_forward must return (out, running_mean, running_var, cache)"))
    return result


def check_batchnorm_forward(batchnorm_forward, quiet=False):
    # Feature 0: 1, 2, 3, 4 (mean 2.5, biased variance 1.25, unbiased 5/3);
    # feature 1: 0, 0, 4, 4 (mean 2, biased variance 4, unbiased 16/3).
    x = np.array([[1.0, 0.0], [2.0, 0.0], [3.0, 4.0], [4.0, 4.0]])
    gamma, beta = np.array([2.0, 0.5]), np.array([1.0, -1.0])
    rm, rv = np.array([0.0, 1.0]), np.array([1.0, 2.0])
    kept = [a.copy() for a in (x, gamma, beta, rm, rv)]
    out, new_mean, new_var, _unused = _forward(
        batchnorm_forward, x, gamma, beta, rm, rv, training=True, momentum=0.1
    )
    s0, s1 = math.sqrt(1.25 + 1e-5), math.sqrt(4 + 1e-5)
    expected = [
        [2 * -1.5 / s0 + 1, 0.5 * -2 / s1 - 1],
        [2 * -0.5 / s0 + 1, 0.5 * -2 / s1 - 1],
        [2 * 0.5 / s0 + 1, 0.5 * 2 / s1 - 1],
        [2 * 1.5 / s0 + 1, 0.5 * 2 / s1 - 1],
    ]
    label = "batchnorm_forward(x=[[1, 0], [2, 0], [3, 4], [4, 4]], training=True)"
    close(
        _("out of {label} (normalise with the biased variance: divide by N)").format(label=label), out, expected
    )
    close(
        _("running_mean of {label} ((1 - momentum) * running + momentum * batch mean)").format(label=label),
        new_mean,
        [0.9 * 0 + 0.1 * 2.5, 0.9 * 1 + 0.1 * 2],
    )
    close(
        _("running_var of {label} (the UNBIASED batch variance goes in, as torch does)").format(label=label),
        new_var,
        [0.9 * 1 + 0.1 * 5 / 3, 0.9 * 2 + 0.1 * 16 / 3],
    )
    for name, before, after in zip(
        ("x", "gamma", "beta", "running_mean", "running_var"), kept, (x, gamma, beta, rm, rv)
    ):
        unchanged(name, before, after)
    # eps inside the square root: var + eps = 1.25 + 2.75 = 4, so x_hat = (x - 2.5) / 2.
    out, *_unused = _forward(batchnorm_forward, x, np.ones(2), np.zeros(2), rm, rv, training=True, eps=2.75)
    close(
        _("feature 0 of out with eps=2.75 (sqrt(var + eps), not sqrt(var) + eps)"),
        out[:, 0],
        [-0.75, -0.25, 0.25, 0.75],
    )
    # Eval mode: the running statistics, returned unchanged.
    out, m2, v2, _unused = _forward(
        batchnorm_forward, x, gamma, beta, np.array([1.0, 2.0]), np.array([4.0, 0.25]), training=False, eps=0.0
    )
    close(
        _(
            "out with training=False, running_mean=[1, 2], running_var=[4, 0.25], eps=0 (use the running "
            "statistics)"
        ),
        out,
        [[1.0, -3.0], [2.0, -3.0], [3.0, 1.0], [4.0, 1.0]],
    )
    close(_("running_mean with training=False (unchanged)"), m2, [1.0, 2.0])
    close(_("running_var with training=False (unchanged)"), v2, [4.0, 0.25])
    # (N, C, H, W): channel 0 holds 1..4 and channel 1 holds 0, 4, 4, 0 spread over N, H and W.
    x4 = np.array([[[[1.0, 2.0]], [[0.0, 4.0]]], [[[3.0, 4.0]], [[4.0, 0.0]]]])
    out, new_mean, new_var, _unused = _forward(
        batchnorm_forward,
        x4,
        np.ones(2),
        np.zeros(2),
        np.zeros(2),
        np.ones(2),
        training=True,
        momentum=1.0,
        eps=0.0,
    )
    shape_is(_("out for x of shape (2, 2, 1, 2)"), out, (2, 2, 1, 2))
    close(
        _("out for x of shape (2, 2, 1, 2) (statistics per channel over N, H and W)"),
        out,
        [
            [[[-1.5 / math.sqrt(1.25), -0.5 / math.sqrt(1.25)]], [[-1.0, 1.0]]],
            [[[0.5 / math.sqrt(1.25), 1.5 / math.sqrt(1.25)]], [[1.0, -1.0]]],
        ],
    )
    close(_("running_mean for x of shape (2, 2, 1, 2) with momentum=1"), new_mean, [2.5, 2.0])
    close(_("running_var for x of shape (2, 2, 1, 2) with momentum=1"), new_var, [5 / 3, 16 / 3])
    raises(
        _("batchnorm_forward in training on x of shape (1, 2) (one value per feature has no variance)"),
        ValueError,
        batchnorm_forward,
        np.array([[1.0, 2.0]]),
        np.ones(2),
        np.zeros(2),
        np.zeros(2),
        np.ones(2),
    )
    passed("batchnorm_forward", quiet)


def check_batchnorm_backward(batchnorm_backward, quiet=False):
    forward = sibling(batchnorm_backward, "batchnorm_forward")
    # Feature 0: -1, 0, 1 and feature 1: 5, 6, 7 both have variance 2/3; with eps = 1/3 the
    # standard deviation is 1, so x_hat = [-1, 0, 1] in both.
    # dx = gamma / (N sigma) * (N dout - sum(dout) - x_hat * sum(dout * x_hat)).
    x = np.array([[-1.0, 5.0], [0.0, 6.0], [1.0, 7.0]])
    gamma = np.array([2.0, 1.0])
    *_unused, cache = _forward(
        forward, x, gamma, np.zeros(2), np.zeros(2), np.ones(2), training=True, eps=1 / 3
    )
    dout = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    before = dout.copy()
    result = batchnorm_backward(dout, cache)
    if not isinstance(result, tuple) or len(result) != 3:
        raise CheckFailed(_("batchnorm_backward must return (dx, dgamma, dbeta)"))
    dx, dgamma, dbeta = result
    label = _("for x=[[-1, 5], [0, 6], [1, 7]], gamma=[2, 1], eps=1/3, dout=[[1, 0], [0, 1], [0, 0]]")
    close(_("dbeta {label} (sum of dout over the batch)").format(label=label), dbeta, [1.0, 1.0])
    close(_("dgamma {label} (sum of dout * x_hat)").format(label=label), dgamma, [-1.0, 0.0])
    close(
        _("dx {label} (the batch mean and variance depend on x too)").format(label=label),
        dx,
        [[2 / 3, -1 / 3], [-2 / 3, 2 / 3], [0.0, -1 / 3]],
    )
    unchanged(_("dout"), before, dout)
    # (N, C, H, W): the same feature 0 spread along W; gradients per channel.
    x4 = np.array([[[[-1.0, 0.0, 1.0]]]])
    *_unused, cache = _forward(
        forward, x4, np.array([2.0]), np.zeros(1), np.zeros(1), np.ones(1), training=True, eps=1 / 3
    )
    dx, dgamma, dbeta = batchnorm_backward(np.array([[[[1.0, 0.0, 0.0]]]]), cache)
    close(_("dx for x of shape (1, 1, 1, 3)"), dx, [[[[2 / 3, -2 / 3, 0.0]]]])
    close(_("dgamma for x of shape (1, 1, 1, 3) (one value per channel: sum over N, H and W)"), dgamma, [-1.0])
    close(_("dbeta for x of shape (1, 1, 1, 3) (one value per channel: sum over N, H and W)"), dbeta, [1.0])
    passed("batchnorm_backward", quiet)
