"""Convolution: zero_pad against F.pad, conv_forward against F.conv2d, conv_backward against
autograd, and the course's single-image conv against F.conv2d, with its four ValueErrors.

Sizes are distinct (C != F, H != W, KH != KW) so swapped axes show; every example also runs
with padding 0 (the course's ``x[pad:-pad]`` slice is empty there), and strides are often
chosen so that they do not divide the padded size.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograder.i18n import _
from grading_tests.compare import check_array, check_unchanged, describe, expect_raises, fail, type_name
from grading_tests.references import conv as ref
from grading_tests.strategies import distinct_sizes, seeds

M = "conv"


def _pair(value):
    return (value, value) if isinstance(value, int) else tuple(value)


def _mutants(target):
    from grading_tests.mutants import for_module

    return [m for m in for_module(M) if m.target == target]


def _two(label, value):
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        fail(_("{label}: returned {type_name}; expected a tuple (out, cache)")
             .format(label=label, type_name=type_name(value)))
    return value


int_or_pair = st.one_of(st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3)))
paddings = st.one_of(st.integers(0, 2), st.tuples(st.integers(0, 2), st.integers(0, 2)))


@st.composite
def conv_cases(draw, min_batch: int = 1):
    """(x shape, w shape, stride, padding): distinct sizes, strides often leaving a remainder."""
    n = draw(st.integers(min_batch, 3))
    c, f = draw(distinct_sizes(2, 1, 4))
    kh, kw = draw(distinct_sizes(2, 1, 4))
    stride, padding = draw(int_or_pair), draw(paddings)
    (sh, sw), (ph, pw) = _pair(stride), _pair(padding)
    h = draw(st.integers(kh, kh + 7))  # at least KH: each case also runs with padding 0
    w = draw(st.integers(kw, kw + 7))
    if w == h:
        w += 1
    if draw(st.booleans()):  # make the stride leave rows (columns) it cannot reach
        if sh > 1 and (h + 2 * ph - kh) % sh == 0:
            h += 1
        if sw > 1 and (w + 2 * pw - kw) % sw == 0:
            w = w + 1 if w + 1 != h else w + sw + 1
    return (n, c, h, w), (f, c, kh, kw), stride, padding


def _arrays(seed, xs, ws, bias=True):
    rng = np.random.default_rng(seed)
    x, w = rng.standard_normal(xs), rng.standard_normal(ws)
    b = rng.standard_normal(ws[0]) if bias else None
    return rng, x, w, b


# ----------------------------------------------------------------------------- zero_pad


@pytest.mark.points(1)
@pytest.mark.exercise(M, "zero_pad")
@pytest.mark.hint("np.pad(x, ((0, 0), (0, 0), (pad_h, pad_h), (pad_w, pad_w))): zeros on both "
                  "sides of H and of W, nothing on N and C")
@given(shape=distinct_sizes(4, 1, 6), pad=paddings, seed=seeds)
def test_zero_pad_matches_torch_pad_on_both_sides_of_h_and_w(impl, device, shape, pad, seed):
    x = np.random.default_rng(seed).standard_normal(shape)
    context = describe(x=x, pad=pad)
    call = impl.conv.zero_pad.inspect_call(x, pad)
    diagnoses = {m.description: (lambda m=m: m.func(x, pad)) for m in _mutants("zero_pad")}
    check_array("zero_pad", call.value, ref.zero_pad(x, pad, device), context=context, diagnoses=diagnoses)
    check_unchanged("x", x, call.args[0], context)


# ----------------------------------------------------------------------------- conv_forward


def _forward_check(impl, device, x, w, b, stride, padding, use_defaults=False):
    context = describe(x=x, w=w, b=None if b is None else b, stride=stride, padding=padding)
    if use_defaults:
        call = impl.conv.conv_forward.inspect_call(x, w, b, stride=stride)
    else:
        call = impl.conv.conv_forward.inspect_call(x, w, b, stride, padding)
    out, _unused = _two("conv_forward", call.value)
    diagnoses = {m.description: (lambda m=m: m.func(x.copy(), w.copy(), b, stride, padding)[0])
                 for m in _mutants("conv_forward")}
    check_array("conv_forward: out", out, ref.conv_forward(x, w, b, stride, padding, device),
                context=context, diagnoses=diagnoses)
    for name, before, after in zip(("x", "w", "b"), (x, w, b), call.args):
        if before is not None:
            check_unchanged(name, before, after, context)


@pytest.mark.points(4)
@pytest.mark.exercise(M, "conv_forward")
@pytest.mark.hint("out[n, f, i, j] = b[f] + sum(x_pad[n, :, i*sh:i*sh+KH, j*sw:j*sw+KW] * w[f]): "
                  "no kernel flip, windows start at i*stride, H_out = (H + 2*pad_h - KH)//sh + 1")
@given(case=conv_cases(), seed=seeds, bias=st.booleans())
def test_conv_forward_matches_torch_conv2d(impl, device, case, seed, bias):
    xs, ws, stride, padding = case
    _unused, x, w, b = _arrays(seed, xs, ws)
    _forward_check(impl, device, x, w, b, stride, padding)  # a bias in every example
    if not bias:
        _forward_check(impl, device, x, w, None, stride, padding)
    if padding != 0:
        _forward_check(impl, device, x, w, b, stride, 0, use_defaults=True)


# ----------------------------------------------------------------------------- conv_backward


def _backward_check(impl, device, rng, x, w, b, stride, padding):
    context = describe(x=x, w=w, b=b, stride=stride, padding=padding)
    out, cache = _two("conv_forward", impl.conv.conv_forward(x, w, b, stride, padding))
    expected_out = ref.conv_forward(x, w, b, stride, padding, device)
    dout = rng.standard_normal(expected_out.shape)
    result = impl.conv.conv_backward(dout, cache)
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        fail(_("conv_backward: returned {type_name}; expected a tuple (dx, dw, db)")
             .format(type_name=type_name(result)), context)
    # The mutants read the solution's cache layout: (x, w, b, (sh, sw), (ph, pw)).
    ref_cache = (x, w, b, _pair(stride), _pair(padding))
    diagnoses = {m.description: m.func(dout, ref_cache) for m in _mutants("conv_backward")}
    expected = ref.conv_backward(x, w, b, stride, padding, dout, device)
    note = " (conv_backward works from what your conv_forward put in the cache)"
    for i, name in enumerate(("dx", "dw", "db")):
        check_array(f"conv_backward: {name}", result[i], expected[i], context=context + note,
                    diagnoses={k: v[i] for k, v in diagnoses.items()})


@pytest.mark.points(4)
@pytest.mark.exercise(M, "conv_backward")
@pytest.mark.hint("dw and db sum over the whole batch; each window adds (+=) dout[n, f, i, j] * w[f] "
                  "into dx_pad at rows i*sh..i*sh+KH; cut the padding with "
                  "dx_pad[:, :, ph:ph+H, pw:pw+W] (x[pad:-pad] is empty when pad is 0)")
@given(case=conv_cases(min_batch=2), seed=seeds)
def test_conv_backward_matches_autograd(impl, device, case, seed):
    xs, ws, stride, padding = case
    rng, x, w, b = _arrays(seed, xs, ws)
    _backward_check(impl, device, rng, x, w, b, stride, padding)
    if padding != 0:
        _backward_check(impl, device, rng, x, w, b, stride, 0)


# ----------------------------------------------------------------------------- conv (course)


@st.composite
def course_cases(draw):
    k = draw(st.sampled_from([1, 3, 5]))
    f = draw(st.integers(1, 4))
    channels = draw(st.sampled_from([None, 1, 2, 3]))
    h = draw(st.integers(k, k + 6))
    w = draw(st.integers(k, k + 6).filter(lambda v: v != h))
    return h, w, channels, f, k


@pytest.mark.points(3)
@pytest.mark.exercise(M, "conv")
@pytest.mark.hint("feature_maps[r, c, f] = sum(img[r:r+K, c:c+K] * conv_filter[f]), summed over the "
                  "channels too; output (H-K+1, W-K+1, F)")
@given(case=course_cases(), seed=seeds)
def test_course_conv_matches_torch_conv2d_on_grey_and_colour_images(impl, device, case, seed):
    h, w, channels, f, k = case
    rng = np.random.default_rng(seed)
    img = rng.standard_normal((h, w) if channels is None else (h, w, channels))
    filt = rng.standard_normal((f, k, k) if channels is None else (f, k, k, channels))
    context = describe(img=img, conv_filter=filt)
    call = impl.conv.conv.inspect_call(img, filt)
    diagnoses = {m.description: (lambda m=m: m.func(img, filt)) for m in _mutants("conv")}
    check_array("conv", call.value, ref.course_conv(img, filt, device), context=context,
                diagnoses=diagnoses)
    check_unchanged("img", img, call.args[0], context)
    check_unchanged("conv_filter", filt, call.args[1], context)


@pytest.mark.points(1)
@pytest.mark.exercise(M, "conv")
@pytest.mark.hint("raise ValueError(...) naming the argument; the course's print + sys.exit() "
                  "stops the whole program instead of reporting the error")
@given(seed=seeds, f=st.integers(1, 3), channels=st.integers(2, 3))
def test_course_conv_raises_value_error_for_its_four_invalid_cases(impl, seed, f, channels):
    rng = np.random.default_rng(seed)
    grey, colour = rng.standard_normal((9, 8)), rng.standard_normal((9, 8, channels))
    cases = [
        ("a grey (H, W) image with (F, K, K, C) filters", grey, rng.standard_normal((f, 3, 3, channels)), None),
        ("an (H, W, C) image with (F, K, K) filters", colour, rng.standard_normal((f, 3, 3)), None),
        ("filters with another channel count than the image", colour,
         rng.standard_normal((f, 3, 3, channels + 1)), None),
        ("a filter that is not square", colour, rng.standard_normal((f, 3, 5, channels)), "conv_filter"),
        ("a filter of even size", colour, rng.standard_normal((f, 4, 4, channels)), "conv_filter"),
        ("a grey filter of even size", grey, rng.standard_normal((f, 2, 2)), "conv_filter"),
    ]
    for what, img, filt, mention in cases:
        expect_raises(_("conv with {what}").format(what=what), lambda img=img, filt=filt: impl.conv.conv(img, filt),
                      context=describe(img=img, conv_filter=filt), mention=mention)
