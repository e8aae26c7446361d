"""Misconceptions about batch normalization that the properties must catch.

Each mutant is pasted alone after the solution module: it may use np and ``_feature_view``,
and the backward mutants read the solution's cache ``(x_hat, inv_std, gamma, axes)``. Each holds
one mistake: the rest (the ValueError for a single value per feature) is as the contract says.
"""

import numpy as np

from grading_tests.mutants import mutant


def reference_cache(x, gamma, eps):
    """The solution's training cache for these inputs (for diagnoses computed in the grader)."""
    axes = (0,) + tuple(range(2, x.ndim))
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    inv_std = 1.0 / np.sqrt(var + eps)
    return (x - mean) * inv_std, inv_std, np.asarray(gamma, dtype=np.float64), axes


@mutant("batchnorm_forward", "normalising with the unbiased variance (n - 1)")
def bn_unbiased_normalisation(x, gamma, beta, running_mean, running_var, training=True, momentum=0.1, eps=1e-5):
    axes = (0,) + tuple(range(2, x.ndim))
    view = (1, -1) + (1,) * (x.ndim - 2)
    if not training:
        out = gamma.reshape(view) * (x - running_mean.reshape(view)) / np.sqrt(running_var.reshape(view) + eps)
        return out + beta.reshape(view), running_mean.copy(), running_var.copy(), None
    n = x.size // x.shape[1]
    if n < 2:
        raise ValueError("need more than one value per feature")
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True, ddof=1)
    x_hat = (x - mean) / np.sqrt(var + eps)
    out = gamma.reshape(view) * x_hat + beta.reshape(view)
    new_rm = (1 - momentum) * running_mean + momentum * mean.ravel()
    new_rv = (1 - momentum) * running_var + momentum * var.ravel()
    return out, new_rm, new_rv, (x_hat, 1 / np.sqrt(var + eps), gamma, axes, n)


@mutant("batchnorm_forward", "the biased variance stored in running_var")
def bn_biased_running_var(x, gamma, beta, running_mean, running_var, training=True, momentum=0.1, eps=1e-5):
    axes = (0,) + tuple(range(2, x.ndim))
    view = (1, -1) + (1,) * (x.ndim - 2)
    if not training:
        out = gamma.reshape(view) * (x - running_mean.reshape(view)) / np.sqrt(running_var.reshape(view) + eps)
        return out + beta.reshape(view), running_mean.copy(), running_var.copy(), None
    n = x.size // x.shape[1]
    if n < 2:
        raise ValueError("need more than one value per feature")
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    x_hat = (x - mean) / np.sqrt(var + eps)
    out = gamma.reshape(view) * x_hat + beta.reshape(view)
    new_rm = (1 - momentum) * running_mean + momentum * mean.ravel()
    new_rv = (1 - momentum) * running_var + momentum * var.ravel()
    return out, new_rm, new_rv, (x_hat, 1 / np.sqrt(var + eps), gamma, axes)


@mutant("batchnorm_forward", "eps added to the standard deviation: sqrt(var) + eps")
def bn_eps_outside(x, gamma, beta, running_mean, running_var, training=True, momentum=0.1, eps=1e-5):
    axes = (0,) + tuple(range(2, x.ndim))
    view = (1, -1) + (1,) * (x.ndim - 2)
    if not training:
        out = gamma.reshape(view) * (x - running_mean.reshape(view)) / (np.sqrt(running_var.reshape(view)) + eps)
        return out + beta.reshape(view), running_mean.copy(), running_var.copy(), None
    n = x.size // x.shape[1]
    if n < 2:
        raise ValueError("need more than one value per feature")
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    x_hat = (x - mean) / (np.sqrt(var) + eps)
    out = gamma.reshape(view) * x_hat + beta.reshape(view)
    new_rm = (1 - momentum) * running_mean + momentum * mean.ravel()
    new_rv = (1 - momentum) * running_var + momentum * var.ravel() * n / (n - 1)
    return out, new_rm, new_rv, (x_hat, 1 / (np.sqrt(var) + eps), gamma, axes)


@mutant("batchnorm_forward", "momentum weighting the old running value (momentum * running + (1 - momentum) * batch)")
def bn_momentum_swapped(x, gamma, beta, running_mean, running_var, training=True, momentum=0.1, eps=1e-5):
    axes = (0,) + tuple(range(2, x.ndim))
    view = (1, -1) + (1,) * (x.ndim - 2)
    if not training:
        out = gamma.reshape(view) * (x - running_mean.reshape(view)) / np.sqrt(running_var.reshape(view) + eps)
        return out + beta.reshape(view), running_mean.copy(), running_var.copy(), None
    n = x.size // x.shape[1]
    if n < 2:
        raise ValueError("need more than one value per feature")
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    x_hat = (x - mean) / np.sqrt(var + eps)
    out = gamma.reshape(view) * x_hat + beta.reshape(view)
    new_rm = momentum * running_mean + (1 - momentum) * mean.ravel()
    new_rv = momentum * running_var + (1 - momentum) * var.ravel() * n / (n - 1)
    return out, new_rm, new_rv, (x_hat, 1 / np.sqrt(var + eps), gamma, axes)


@mutant("batchnorm_forward", "the batch statistics used in eval mode")
def bn_eval_uses_batch(x, gamma, beta, running_mean, running_var, training=True, momentum=0.1, eps=1e-5):
    axes = (0,) + tuple(range(2, x.ndim))
    view = (1, -1) + (1,) * (x.ndim - 2)
    n = x.size // x.shape[1]
    if training and n < 2:
        raise ValueError("need more than one value per feature")
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    x_hat = (x - mean) / np.sqrt(var + eps)
    out = gamma.reshape(view) * x_hat + beta.reshape(view)
    if not training:
        return out, running_mean.copy(), running_var.copy(), None
    new_rm = (1 - momentum) * running_mean + momentum * mean.ravel()
    new_rv = (1 - momentum) * running_var + momentum * var.ravel() * n / (n - 1)
    return out, new_rm, new_rv, (x_hat, 1 / np.sqrt(var + eps), gamma, axes)


@mutant("batchnorm_forward", "4-D statistics over the batch axis only (per pixel, not per channel)")
def bn_batch_axis_only(x, gamma, beta, running_mean, running_var, training=True, momentum=0.1, eps=1e-5):
    view = (1, -1) + (1,) * (x.ndim - 2)
    if not training:
        out = gamma.reshape(view) * (x - running_mean.reshape(view)) / np.sqrt(running_var.reshape(view) + eps)
        return out + beta.reshape(view), running_mean.copy(), running_var.copy(), None
    n = x.shape[0]
    if n < 2:
        raise ValueError("need more than one value per feature")
    mean = x.mean(axis=0, keepdims=True)
    var = x.var(axis=0, keepdims=True)
    x_hat = (x - mean) / np.sqrt(var + eps)
    out = gamma.reshape(view) * x_hat + beta.reshape(view)
    mean_c = mean.reshape(mean.shape[1], -1).mean(axis=1)
    var_c = var.reshape(var.shape[1], -1).mean(axis=1)
    new_rm = (1 - momentum) * running_mean + momentum * mean_c
    new_rv = (1 - momentum) * running_var + momentum * var_c * n / (n - 1)
    return out, new_rm, new_rv, (x_hat, 1 / np.sqrt(var + eps), gamma, (0,))


@mutant("batchnorm_forward", "updating the running statistics in place")
def bn_running_in_place(x, gamma, beta, running_mean, running_var, training=True, momentum=0.1, eps=1e-5):
    axes = (0,) + tuple(range(2, x.ndim))
    view = (1, -1) + (1,) * (x.ndim - 2)
    if not training:
        out = gamma.reshape(view) * (x - running_mean.reshape(view)) / np.sqrt(running_var.reshape(view) + eps)
        return out + beta.reshape(view), running_mean, running_var, None
    n = x.size // x.shape[1]
    if n < 2:
        raise ValueError("need more than one value per feature")
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    x_hat = (x - mean) / np.sqrt(var + eps)
    out = gamma.reshape(view) * x_hat + beta.reshape(view)
    running_mean *= 1 - momentum
    running_mean += momentum * mean.ravel()
    running_var *= 1 - momentum
    running_var += momentum * var.ravel() * n / (n - 1)
    return out, running_mean, running_var, (x_hat, 1 / np.sqrt(var + eps), gamma, axes)


@mutant("batchnorm_backward", "dx = dout * gamma / sqrt(var + eps), as if the batch mean and variance were constants")
def bn_backward_naive(dout, cache):
    x_hat, inv_std, gamma, axes = cache
    axes = tuple(axes)
    view = (1, -1) + (1,) * (dout.ndim - 2)
    return dout * gamma.reshape(view) * inv_std, np.sum(dout * x_hat, axis=axes), np.sum(dout, axis=axes)


@mutant("batchnorm_backward", "dx without the variance's term (only the mean's)")
def bn_backward_no_variance_term(dout, cache):
    x_hat, inv_std, gamma, axes = cache
    axes = tuple(axes)
    view = (1, -1) + (1,) * (dout.ndim - 2)
    dx_hat = dout * gamma.reshape(view)
    dx = inv_std * (dx_hat - dx_hat.mean(axis=axes, keepdims=True))
    return dx, np.sum(dout * x_hat, axis=axes), np.sum(dout, axis=axes)


@mutant("batchnorm_backward", "dgamma and dbeta summed over the batch axis only")
def bn_backward_batch_axis_sums(dout, cache):
    x_hat, inv_std, gamma, axes = cache
    axes = tuple(axes)
    view = (1, -1) + (1,) * (dout.ndim - 2)
    dx_hat = dout * gamma.reshape(view)
    dx = inv_std * (dx_hat - dx_hat.mean(axis=axes, keepdims=True)
                    - x_hat * (dx_hat * x_hat).mean(axis=axes, keepdims=True))
    return dx, np.sum(dout * x_hat, axis=0), np.sum(dout, axis=0)
