"""Batch normalization against torch.nn.functional.batch_norm and its autograd: 2-D and 4-D
inputs, training and eval, running statistics over several calls; small batches and tiny
variances so that an unbiased-for-biased variance or an epsilon outside the root shows."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograder.i18n import _
from grading_tests.compare import check_array, check_unchanged, describe, expect_raises, fail
from grading_tests.references import batchnorm as ref
from grading_tests.strategies import copy_tree, distinct_sizes, seeds

M = "batchnorm"
momenta = st.sampled_from([0.1, 0.3, 0.75])
epsilons = st.sampled_from([1e-5, 1e-3])


def _mutants(target):
    from grading_tests.mutants import for_module

    return [m for m in for_module(M) if m.target == target]


@st.composite
def bn_inputs(draw, min_batch: int = 2, min_n: int = 1):
    """x (N, D) or (N, C, H, W) with per-feature offsets and scales down to 1e-4 (variances far
    below eps), gamma, beta, and running statistics (C,). N * H * W >= min_batch, N >= min_n."""
    four_d = draw(st.booleans())
    if four_d:
        n, c, h, w = draw(distinct_sizes(4, 1, 5))
        n = max(n, min_batch) if h * w == 1 else max(n, min_n)
        shape = (n, c, h, w)
    else:
        n, c = draw(distinct_sizes(2, min_batch, 7))
        shape = (n, c)
    rng = np.random.default_rng(draw(seeds))
    view = (1, c) + (1,) * (len(shape) - 2)
    scales = (10.0 ** rng.uniform(-4, 0.5, size=c)).reshape(view)
    offsets = rng.uniform(-3, 3, size=c).reshape(view)
    x = offsets + scales * rng.standard_normal(shape)
    gamma = rng.uniform(0.5, 2.0, size=c) * rng.choice([-1.0, 1.0], size=c)
    beta = rng.standard_normal(c)
    running_mean = rng.standard_normal(c) * 0.5
    running_var = rng.uniform(0.5, 2.0, size=c)
    return x, gamma, beta, running_mean, running_var


def _unpack(label, value, count, context=""):
    if not isinstance(value, (tuple, list)) or len(value) != count:
        got = f"a {type(value).__name__} of {len(value)}" if isinstance(value, (tuple, list)) else type(value).__name__
        fail(_("{label}: returned {got}; expected a tuple of {count} values")
             .format(label=label, got=got, count=count), context)
    return value


def _lazy(fn, *args, index):
    def value():
        return fn(*copy_tree(args))[index]

    return value


def _check_forward(impl, device, inputs, training, momentum, eps, context, checked):
    """One call; of the returned (out, running_mean, running_var, cache) the ``checked`` ones
    ("out", "running") against torch: each property judges only what it is named for."""
    x, gamma, beta, rm, rv = inputs
    args = (x, gamma, beta, rm, rv, training, momentum, eps)
    call = impl.batchnorm.batchnorm_forward.inspect_call(*copy_tree(args))
    out, new_rm, new_rv, cache = _unpack("batchnorm_forward", call.value, 4, context)
    exp_out, exp_rm, exp_rv = ref.forward(x, gamma, beta, rm, rv, training, momentum, eps, device)
    mutants = _mutants("batchnorm_forward")
    for label, got, expected, index in (("out", out, exp_out, 0), ("running_mean", new_rm, exp_rm, 1),
                                        ("running_var", new_rv, exp_rv, 2)):
        if ("out" if index == 0 else "running") in checked:
            diagnoses = {m.description: _lazy(m.func, *args, index=index) for m in mutants}
            check_array(f"batchnorm_forward: {label}", got, expected, context=context, diagnoses=diagnoses)
    return out, new_rm, new_rv, cache


@pytest.mark.points(4)
@pytest.mark.exercise(M, "batchnorm_forward")
@pytest.mark.hint("statistics per feature (axis 1) over every other axis (0, or 0, 2, 3); normalise with the BIASED "
                  "variance: (x - mean) / sqrt(var + eps), eps inside the root; running_var gets the UNBIASED "
                  "variance var * n / (n - 1); running = (1 - momentum) * running + momentum * batch")
@given(inputs=bn_inputs(), momentum=momenta, eps=epsilons)
def test_training_forward_matches_torch_batch_norm(impl, device, inputs, momentum, eps):
    context = describe(x=inputs[0], training=True, momentum=momentum, eps=eps)
    _check_forward(impl, device, inputs, True, momentum, eps, context, {"out"})


@pytest.mark.points(2)
@pytest.mark.exercise(M, "batchnorm_forward")
@pytest.mark.hint("feed each call's returned running_mean and running_var into the next call")
@given(inputs=bn_inputs(), momentum=momenta, calls=st.integers(2, 4), seed=seeds)
def test_running_statistics_follow_torch_over_several_calls(impl, device, inputs, momentum, calls, seed):
    x, gamma, beta, rm, rv = inputs
    rng = np.random.default_rng(seed)
    for step in range(calls):
        batch = x * rng.uniform(0.5, 2.0) + rng.standard_normal() if step else x
        context = describe(x=batch, training=True, momentum=momentum, call=step + 1, of_calls=calls)
        _unused, rm, rv, _unused = _check_forward(impl, device, (batch, gamma, beta, rm, rv), True, momentum, 1e-5, context,
                                      {"running"})


@pytest.mark.points(2)
@pytest.mark.exercise(M, "batchnorm_forward")
@pytest.mark.hint("training=False: normalise with running_mean and running_var (not the batch's statistics) "
                  "and return them unchanged")
@given(inputs=bn_inputs(min_batch=1), momentum=momenta, eps=epsilons)
def test_eval_forward_uses_the_running_statistics_and_keeps_them(impl, device, inputs, momentum, eps):
    context = describe(x=inputs[0], training=False, momentum=momentum, eps=eps)
    _check_forward(impl, device, inputs, False, momentum, eps, context, {"out", "running"})


@pytest.mark.points(1)
@pytest.mark.exercise(M, "batchnorm_forward")
# A batch of two or more: whichever axes a student's statistics run over, there is a value to
# normalise with (one that raises for N = 1 is the value properties' concern).
@given(inputs=bn_inputs(min_n=2), training=st.booleans(), momentum=momenta)
def test_batchnorm_forward_leaves_its_arguments_unchanged(impl, inputs, training, momentum):
    x, gamma, beta, rm, rv = inputs
    args = (x, gamma, beta, rm, rv, training, momentum, 1e-5)
    context = describe(x=x, training=training, momentum=momentum)
    call = impl.batchnorm.batchnorm_forward.inspect_call(*copy_tree(args))
    for name, before, after in zip(["x", "gamma", "beta", "running_mean", "running_var"], args, call.args):
        check_unchanged(name, before, after, context)
    # Only that, of a real answer: the values are the other properties'.
    out, new_rm, new_rv, _unused = _unpack("batchnorm_forward", call.value, 4, context)
    for label, got, shape in (("out", out, x.shape), ("running_mean", new_rm, rm.shape),
                              ("running_var", new_rv, rv.shape)):
        if not isinstance(got, np.ndarray) or got.shape != shape:
            found = got.shape if isinstance(got, np.ndarray) else type(got).__name__
            fail(_("batchnorm_forward: {label} is {found}; expected a new np.ndarray of shape "
                    "{shape}")
                 .format(label=label, found=found, shape=shape), context)
    if np.array_equal(out, x):  # gamma is never 1 and beta never 0 here
        fail(_("batchnorm_forward: out equals x: nothing was normalised"), context)


@pytest.mark.points(1)
@pytest.mark.exercise(M, "batchnorm_forward")
@pytest.mark.hint("in training, a feature with a single value (N * H * W == 1) has no variance: raise ValueError")
@given(c=st.integers(1, 5), four_d=st.booleans(), seed=seeds)
def test_training_forward_rejects_a_single_value_per_feature(impl, c, four_d, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((1, c, 1, 1) if four_d else (1, c))
    args = (x, np.ones(c), np.zeros(c), np.zeros(c), np.ones(c), True)
    expect_raises("batchnorm_forward", lambda: impl.batchnorm.batchnorm_forward(*args),
                  context=describe(x=x, training=True))


@pytest.mark.points(4)
@pytest.mark.exercise(M, "batchnorm_backward")
@pytest.mark.hint("with x_hat = (x - mean) / sqrt(var + eps): dbeta = sum(dout), dgamma = sum(dout * x_hat) over "
                  "every axis but 1; dx = gamma / sqrt(var + eps) * (dout - mean(dout) - x_hat * mean(dout * x_hat)): "
                  "the mean and the variance depend on x too")
@given(inputs=bn_inputs(), eps=epsilons, seed=seeds)
def test_backward_matches_autograd_of_torch_batch_norm(impl, device, inputs, eps, seed):
    x, gamma, beta, rm, rv = inputs
    dout = np.random.default_rng(seed).standard_normal(x.shape)
    context = describe(x=x, dout=dout, eps=eps)
    forward = impl.batchnorm.batchnorm_forward(x, gamma, beta, rm, rv, True, 0.1, eps)
    cache = _unpack("batchnorm_forward", forward, 4, context)[3]
    if hasattr(cache, "handle"):
        cache = cache.handle  # an object the worker keeps: pass it back by reference
    result = impl.batchnorm.batchnorm_backward(dout.copy(), cache)
    dx, dgamma, dbeta = _unpack("batchnorm_backward", result, 3, context)
    expected = ref.backward(x, gamma, beta, dout, eps, device)
    # The mutants get the reference solution's cache, computed here from the same inputs.
    from grading_tests.mutants.batchnorm import reference_cache

    for label, got, exp, index in (("dx", dx, expected[0], 0), ("dgamma", dgamma, expected[1], 1),
                                   ("dbeta", dbeta, expected[2], 2)):
        diagnoses = {m.description: (lambda m=m, i=index: m.func(dout.copy(), reference_cache(x, gamma, eps))[i])
                     for m in _mutants("batchnorm_backward")}
        check_array(f"batchnorm_backward: {label}", got, exp, tol="loose64", context=context, diagnoses=diagnoses)
