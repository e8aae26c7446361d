"""Pooling: pool_forward against F.max_pool2d / F.avg_pool2d, pool_backward against autograd,
with overlapping and non-overlapping windows, and the course's single-image max pooling.

Inputs are a shuffled range of distinct values, so no window holds a tie (ties have their own
property, following torch on the CPU: the first maximum in row-major order wins).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograder.i18n import _
from grading_tests.compare import check_array, check_unchanged, describe, expect_raises, fail, type_name
from grading_tests.references import pooling as ref
from grading_tests.strategies import distinct_sizes, seeds

M = "pooling"
modes = st.sampled_from(["max", "avg"])


def _pair(value):
    return (value, value) if isinstance(value, int) else tuple(value)


def _mutants(target):
    from grading_tests.mutants import for_module

    return [m for m in for_module(M) if m.target == target]


def _distinct(rng, shape):
    """Values without ties, shuffled, of mixed sign."""
    size = int(np.prod(shape))
    return (rng.permutation(size).reshape(shape) - size / 2) * 0.25 + rng.uniform(0, 0.1, shape)


@st.composite
def pool_cases(draw):
    """(x shape, kernel_size, stride): stride None, smaller than the window (overlap) or not."""
    n, c = draw(distinct_sizes(2, 1, 3))
    kernel = draw(st.one_of(st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3))))
    kh, kw = _pair(kernel)
    stride = draw(st.one_of(st.none(), st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3))))
    h = draw(st.integers(kh, kh + 6))
    w = draw(st.integers(kw, kw + 6))
    if w == h:
        w += 1
    return (n, c, h, w), kernel, stride


def _two(label, value):
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        fail(_("{label}: returned {type_name}; expected a tuple (out, cache)")
             .format(label=label, type_name=type_name(value)))
    return value


def _call_forward(impl, x, kernel, stride, mode):
    """stride=None is left out of the call: the default must mean stride = kernel_size."""
    fn = impl.pooling.pool_forward
    if stride is None:
        return fn.inspect_call(x, kernel, mode=mode)
    return fn.inspect_call(x, kernel, stride, mode)


# ----------------------------------------------------------------------------- pool_forward


@pytest.mark.points(3)
@pytest.mark.exercise(M, "pool_forward")
@pytest.mark.hint("out[n, c, i, j] = max (or mean) of x[n, c, i*sh:i*sh+KH, j*sw:j*sw+KW]; "
                  "stride=None means stride = kernel_size; H_out = (H - KH)//sh + 1")
@given(case=pool_cases(), mode=modes, seed=seeds)
def test_pool_forward_matches_torch_max_and_avg_pool(impl, device, case, mode, seed):
    shape, kernel, stride = case
    x = _distinct(np.random.default_rng(seed), shape)
    context = describe(x=x, kernel_size=kernel, stride=stride, mode=mode)
    call = _call_forward(impl, x, kernel, stride, mode)
    out, _unused = _two("pool_forward", call.value)
    diagnoses = {m.description: (lambda m=m: m.func(x, kernel, stride, mode)[0]) for m in _mutants("pool_forward")}
    check_array(f"pool_forward ({mode})", out, ref.pool_forward(x, kernel, stride, mode, device),
                context=context, diagnoses=diagnoses)
    check_unchanged("x", x, call.args[0], context)


@pytest.mark.points(1)
@pytest.mark.exercise(M, "pool_forward")
@pytest.mark.hint('check mode first: raise ValueError("mode must be \'max\' or \'avg\'...") for anything else')
@given(mode=st.sampled_from(["min", "average", "Max", "sum", ""]), seed=seeds)
def test_pool_forward_rejects_an_unknown_mode(impl, mode, seed):
    x = _distinct(np.random.default_rng(seed), (2, 3, 4, 5))
    expect_raises(f"pool_forward(x, 2, mode={mode!r})", lambda: impl.pooling.pool_forward(x, 2, None, mode),
                  context=describe(x=x, mode=mode), mention="mode")


# ----------------------------------------------------------------------------- pool_backward


def _backward_check(impl, device, x, kernel, stride, mode, dout_rng):
    context = describe(x=x, kernel_size=kernel, stride=stride, mode=mode)
    out, cache = _two("pool_forward", _call_forward(impl, x, kernel, stride, mode).value)
    s = kernel if stride is None else stride
    expected_shape = ref.pool_forward(x, kernel, s, mode, device).shape
    dout = dout_rng.standard_normal(expected_shape)
    dx = impl.pooling.pool_backward(dout, cache)
    # The mutants read the solution's cache layout: (x, (KH, KW), (sh, sw), mode).
    ref_cache = (x, _pair(kernel), _pair(s), mode)
    diagnoses = {m.description: (lambda m=m: m.func(dout, ref_cache)) for m in _mutants("pool_backward")}
    check_array(f"pool_backward ({mode}): dx", dx, ref.pool_backward(x, kernel, s, mode, dout, device),
                context=context + " (pool_backward works from what your pool_forward put in the cache)",
                diagnoses=diagnoses)


@pytest.mark.points(4)
@pytest.mark.exercise(M, "pool_backward")
@pytest.mark.hint("max: each window's dout goes to the position of its maximum; avg: dout/(KH*KW) "
                  "to every entry; use += so that overlapping windows add up")
@given(case=pool_cases(), mode=modes, seed=seeds)
def test_pool_backward_matches_autograd_with_and_without_overlap(impl, device, case, mode, seed):
    shape, kernel, stride = case
    rng = np.random.default_rng(seed)
    x = _distinct(rng, shape)
    _backward_check(impl, device, x, kernel, stride, mode, rng)
    # The same input again with overlapping windows: stride 1 below a window of at least 2.
    kh, kw = _pair(kernel)
    bigger = (max(kh, 2), max(kw, 3)) if kh != kw else (kh + 1, kw + 1)
    x2 = _distinct(rng, (shape[0], shape[1], shape[2] + 2, shape[3] + 2))
    _backward_check(impl, device, x2, bigger, 1, mode, rng)


@pytest.mark.points(1)
@pytest.mark.exercise(M, "pool_backward")
@pytest.mark.hint("on ties only the FIRST maximum of the window (row-major order, as np.argmax "
                  "finds it) receives the gradient, as torch does on the CPU")
@given(seed=seeds, shape=distinct_sizes(2, 5, 8))
def test_max_pool_backward_gives_a_tie_to_the_first_maximum(impl, shape, seed):
    # Windows that do not overlap: how overlapping windows add up is the other property's.
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 2, size=(2, 3, *shape)).astype(np.float64)
    _backward_check(impl, "cpu", x, 2, None, "max", rng)
    _backward_check(impl, "cpu", x, (3, 2), None, "max", rng)


# ----------------------------------------------------------------------------- pooling (course)


@pytest.mark.points(2)
@pytest.mark.exercise(M, "pooling")
@pytest.mark.hint("output floor((H - size)/stride) + 1 per side; the course text's "
                  "(H - size + 1)/stride + 1 adds a row of zeros for some sizes")
@given(size=st.integers(1, 3), stride=st.integers(1, 3), hw=distinct_sizes(2, 3, 9),
       channels=st.integers(1, 3), seed=seeds, defaults=st.booleans())
def test_course_pooling_matches_torch_max_pool_with_the_right_output_size(
        impl, device, size, stride, hw, channels, seed, defaults):
    if defaults:
        size = stride = 2
    h, w = hw
    fmap = _distinct(np.random.default_rng(seed), (h, w, channels))
    context = describe(feature_map=fmap, size=size, stride=stride)
    call = impl.pooling.pooling.inspect_call(fmap) if defaults else impl.pooling.pooling.inspect_call(fmap, size, stride)
    expected = ref.course_pooling(fmap, size, stride, device)
    got = call.value
    course = (int(np.uint16((h - size + 1) / stride + 1)), int(np.uint16((w - size + 1) / stride + 1)), channels)
    if isinstance(got, np.ndarray) and got.shape == course and course != expected.shape:
        fail(_("pooling: shape {shape} expected {shape2}").format(shape=got.shape, shape2=expected.shape), context,
             diagnosis="the course's (H - size + 1)/stride + 1 output size")
    diagnoses = {m.description: (lambda m=m: m.func(fmap, size, stride)) for m in _mutants("pooling")}
    check_array("pooling", got, expected, context=context, diagnoses=diagnoses)
    check_unchanged("feature_map", fmap, call.args[0], context)
