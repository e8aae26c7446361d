# Generated from the reference solution by `autograder stubs`: fill in each YOUR CODE HERE.
"""Batch normalization forward and backward for dense ``(N, D)`` and convolutional ``(N, C, H, W)`` inputs.

Statistics are per feature (axis 1) over every other axis, exactly as
``torch.nn.functional.batch_norm``; ``gamma``, ``beta`` and the running statistics are ``(D,)`` or ``(C,)``.
"""

import numpy as np


def _feature_view(v, ndim):
    """A per-feature vector (C,) shaped to broadcast against an (N, C, ...) array."""
    return np.reshape(v, (1, -1) + (1,) * (ndim - 2))


def batchnorm_forward(x, gamma, beta, running_mean, running_var, training=True, momentum=0.1, eps=1e-5):
    """Batch normalization, exactly torch.nn.functional.batch_norm.

    training=True: normalize with the batch mean and the BIASED batch variance (divide by the
    number n of values per feature), out = gamma * (x - mean) / sqrt(var + eps) + beta, and update
    running_mean = (1 - momentum) * running_mean + momentum * mean,
    running_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)  (UNBIASED).
    A feature with a single value (n = 1) raises ValueError.
    training=False: normalize with running_mean and running_var; they come back unchanged.

    Arguments:
    x -- (N, D) or (N, C, H, W)
    gamma, beta -- scale and shift, (D,) or (C,)
    running_mean, running_var -- (D,) or (C,); not modified in place
    training -- batch statistics (True) or running statistics (False)
    momentum -- weight of the new batch in the running statistics
    eps -- added to the variance inside the square root

    Returns:
    (out, running_mean, running_var, cache) -- out shaped like x; new running statistics;
    cache for batchnorm_backward (may be None when training=False)
    """
    # YOUR CODE HERE
    raise NotImplementedError


def batchnorm_backward(dout, cache):
    """Gradients of sum(out * dout) for a training-mode batchnorm_forward.

    Arguments:
    dout -- upstream gradient, shaped like x
    cache -- what batchnorm_forward returned with training=True

    Returns:
    (dx, dgamma, dbeta) -- dx shaped like x; dgamma, dbeta (D,) or (C,)
    """
    # YOUR CODE HERE
    raise NotImplementedError
