"""The Inception module and the depthwise separable convolution against SPEC's definitions:
state_dict keys and shapes, outputs, input and parameter gradients on random configurations."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grading_tests import modules as tm
from grading_tests.compare import describe
from grading_tests.mutants import for_module
from grading_tests.references import inception as ref
from grading_tests.strategies import distinct_sizes, seeds

M = "inception"
INCEPTION_HINT = ("branch1: 1x1; branch2: 1x1 reduce, ReLU, 3x3 pad 1; branch3: 1x1 reduce, ReLU, 5x5 pad 2; "
                  "branch4: 3x3 max pool stride 1 pad 1, then 1x1; a ReLU after every convolution; "
                  "concatenate along dim 1 in branch order")
DSC_HINT = ("depthwise = Conv2d(in, in, kernel_size, stride, padding, groups=in_channels, bias=bias); "
            "pointwise = Conv2d(in, out, 1, bias=bias); nothing in between")
spatial = st.tuples(st.integers(3, 8), st.integers(3, 8))


def _mutants(target):
    return [m for m in for_module(M) if m.target == target]


def _inception_case(channels, size, batch, seed):
    args = tuple(channels)
    context = describe(InceptionModule=f"InceptionModule{args}", x_shape=(batch, args[0], *size), seed=seed)
    return args, (batch, args[0], *size), context


@pytest.mark.points(1)
@pytest.mark.exercise(M, "InceptionModule")
@pytest.mark.hint(INCEPTION_HINT)
@tm.no_shrink()
@given(channels=distinct_sizes(7, 1, 9), seed=seeds)
def test_inception_module_has_the_specified_state_dict(impl, channels, seed):
    args, _, context = _inception_case(channels, (4, 4), 1, seed)
    tm.grade_keys("InceptionModule", impl.inception.InceptionModule, ref.InceptionModule, args, {}, context)


@pytest.mark.points(3)
@pytest.mark.exercise(M, "InceptionModule")
@tm.no_shrink()
@given(channels=distinct_sizes(7, 1, 9), size=spatial, batch=st.integers(1, 3), seed=seeds)
def test_inception_module_output_and_gradients_match_the_reference(impl, device, channels, size, batch, seed):
    args, x_shape, context = _inception_case(channels, size, batch, seed)
    tm.grade_pass("InceptionModule", impl.inception.InceptionModule, ref.InceptionModule, args,
                  x_shape=x_shape, train=True, device=device, seed=seed, context=context,
                  hint=INCEPTION_HINT, mutants=_mutants("InceptionModule"))


@st.composite
def dsc_configs(draw):
    in_channels, out_channels = draw(distinct_sizes(2, 1, 8))
    kernel = draw(st.sampled_from([1, 3, 5]))
    stride = draw(st.sampled_from([1, 2]))
    padding = draw(st.integers(0, kernel // 2))
    bias = draw(st.booleans())
    use_defaults = draw(st.booleans())
    if use_defaults:  # the SPEC defaults: kernel 3, stride 1, padding 1, no bias
        return (in_channels, out_channels), {}
    return (in_channels, out_channels), {"kernel_size": kernel, "stride": stride, "padding": padding,
                                         "bias": bias}


def _dsc_context(args, kwargs, x_shape, seed):
    call = ", ".join([*map(str, args), *(f"{k}={v}" for k, v in kwargs.items())])
    return describe(DepthwiseSeparableConv=f"DepthwiseSeparableConv({call})", x_shape=x_shape, seed=seed)


@pytest.mark.points(1)
@pytest.mark.exercise(M, "DepthwiseSeparableConv")
@pytest.mark.hint(DSC_HINT)
@tm.no_shrink()
@given(config=dsc_configs(), seed=seeds)
def test_depthwise_separable_conv_has_the_specified_state_dict(impl, config, seed):
    args, kwargs = config
    context = _dsc_context(args, kwargs, None, seed)
    tm.grade_keys("DepthwiseSeparableConv", impl.inception.DepthwiseSeparableConv, ref.DepthwiseSeparableConv,
                  args, kwargs, context)


@pytest.mark.points(2)
@pytest.mark.exercise(M, "DepthwiseSeparableConv")
@tm.no_shrink()
@given(config=dsc_configs(), size=st.tuples(st.integers(5, 9), st.integers(5, 9)), batch=st.integers(1, 3),
       seed=seeds)
def test_depthwise_separable_conv_output_and_gradients_match_the_reference(impl, device, config, size, batch, seed):
    args, kwargs = config
    x_shape = (batch, args[0], *size)
    context = _dsc_context(args, kwargs, x_shape, seed)
    tm.grade_pass("DepthwiseSeparableConv", impl.inception.DepthwiseSeparableConv, ref.DepthwiseSeparableConv,
                  args, kwargs=kwargs, x_shape=x_shape, train=True, device=device, seed=seed, context=context,
                  hint=DSC_HINT, mutants=_mutants("DepthwiseSeparableConv"))
