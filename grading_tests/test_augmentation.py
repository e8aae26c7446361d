"""Augmentation: horizontal_flip against torch.flip, random_crop as a uniformly random valid
window drawn from the rng argument, crop_and_resize against F.interpolate (bilinear,
align_corners=False) when enlarging and shrinking.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograder.i18n import _
from grading_tests.compare import (
    NOT_UNIFORM,
    OUT_OF_RANGE,
    RNG_IGNORED,
    TOLERANCES,
    WRONG_TYPE,
    check_array,
    check_unchanged,
    describe,
    expect_raises,
    fail,
    returned_mistake,
    short,
    type_name,
)
from grading_tests.references import augmentation as ref
from grading_tests.strategies import distinct_sizes, seeds

M = "augmentation"


def _mutants(target):
    from grading_tests.mutants import for_module

    return [m for m in for_module(M) if m.target == target]


def _image(seed, shape):
    return np.random.default_rng(seed).standard_normal(shape)


# ----------------------------------------------------------------------------- horizontal_flip


@pytest.mark.points(1)
@pytest.mark.exercise(M, "horizontal_flip")
@pytest.mark.hint("mirror the W axis (axis 1 of (H, W, C)): img[:, ::-1, :]")
@given(shape=distinct_sizes(3, 1, 7), seed=seeds)
def test_horizontal_flip_matches_torch_flip_on_the_width_axis(impl, device, shape, seed):
    img = _image(seed, shape)
    context = describe(img=img)
    call = impl.augmentation.horizontal_flip.inspect_call(img)
    diagnoses = {m.description: (lambda m=m: m.func(img)) for m in _mutants("horizontal_flip")}
    check_array("horizontal_flip", call.value, ref.horizontal_flip(img, device), context=context,
                diagnoses=diagnoses)
    check_unchanged("img", img, call.args[0], context)


# ----------------------------------------------------------------------------- random_crop


def _crop(impl, img, size, seed, *, unchanged=False):
    """(crop, corner, context) of one call; ``unchanged``: also that img is left as it was."""
    context = describe(img=img, size=size, rng=f"default_rng({seed})")
    call = impl.augmentation.random_crop.inspect_call(img, size, np.random.default_rng(seed))
    value = call.value
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        fail(_("random_crop: returned {type_name}; expected (crop, (top, left))")
             .format(type_name=type_name(value)), context,
             mistake=returned_mistake(value))
    crop, corner = value
    if not isinstance(corner, (tuple, list)) or len(corner) != 2 or \
            not all(isinstance(v, (int, np.integer)) for v in corner):
        fail(_("random_crop: corner {value}; expected a pair of ints (top, left)")
             .format(value=short(corner)), context,
             mistake=WRONG_TYPE)
    if unchanged:
        check_unchanged("img", img, call.args[0], context)
    return crop, (int(corner[0]), int(corner[1])), context


def _window_corner(img, crop, height, width):
    """Where ``crop`` lies in ``img`` as a valid (height, width) window, or None. The image's values
    are distinct normal draws, so a window is recognised even in another dtype (that is the
    valid-corner property's to judge)."""
    if not isinstance(crop, np.ndarray) or crop.shape != (height, width, *img.shape[2:]) \
            or crop.dtype.kind not in "fiu":
        return None
    for top in range(img.shape[0] - height + 1):
        for left in range(img.shape[1] - width + 1):
            if np.allclose(img[top:top + height, left:left + width], crop, **TOLERANCES["float32"]):
                return top, left
    return None


@pytest.mark.points(2)
@pytest.mark.exercise(M, "random_crop")
@pytest.mark.hint("top = rng.integers(0, H - height + 1), left = rng.integers(0, W - width + 1); "
                  "crop = img[top:top+height, left:left+width]")
@given(shape=distinct_sizes(3, 1, 8), data=st.data(), seed=seeds)
def test_random_crop_returns_the_window_at_a_valid_corner(impl, shape, data, seed):
    h, w, _unused = shape
    height, width = data.draw(st.integers(1, h), label="height"), data.draw(st.integers(1, w), label="width")
    size = height if height == width and data.draw(st.booleans(), label="as int") else (height, width)
    img = _image(seed, shape)
    crop, (top, left), context = _crop(impl, img, size, seed, unchanged=True)
    if not (0 <= top <= h - height and 0 <= left <= w - width):
        swapped = 0 <= left <= h - height and 0 <= top <= w - width
        fail(_("random_crop: corner (top={top}, left={left}) is out of range; valid: 0 <= top "
                "<= {value}, 0 <= left <= {value2}")
             .format(top=top, left=left, value=h - height, value2=w - width), context, mistake=OUT_OF_RANGE,
             relation="a valid corner (left, top) returned as (top, left): the two swapped?" if swapped else "")
    check_array("random_crop: crop", crop, img[top:top + height, left:left + width], context=context,
                hint="the crop must be img[top:top+height, left:left+width] for the corner you return")


@pytest.mark.points(1)
@pytest.mark.exercise(M, "random_crop")
@pytest.mark.hint("draw from the rng argument (rng.integers), never from np.random or random")
@given(shape=distinct_sizes(3, 4, 9), seed=seeds)
def test_random_crop_draws_from_its_rng_argument(impl, shape, seed):
    img = _image(seed, shape)
    size = (shape[0] - 2, shape[1] - 3)
    first = _crop(impl, img, size, seed)[1]
    again = _crop(impl, img, size, seed)[1]
    if first != again:
        fail(_("random_crop: two generators in the same state gave corners {first} and {again}")
             .format(first=first, again=again),
             describe(img=img, size=size, seed=seed), mistake=RNG_IGNORED)
    corners = {_crop(impl, img, size, seed + k)[1] for k in range(1, 9)}
    if len(corners | {first}) == 1:
        fail(_("random_crop: nine different generators all gave the corner {first}").format(first=first),
             describe(img=img, size=size), "the corner must be random", mistake=RNG_IGNORED)


@pytest.mark.points(2)
@pytest.mark.exercise(M, "random_crop")
@pytest.mark.hint("rng.integers(low, high) excludes high: use H - height + 1 to reach the last corner")
def test_random_crop_reaches_every_corner_equally_often(impl):
    # Only how the windows are spread: each crop counts where it lies in the image, and a crop
    # that is no valid window (or a corner reported wrongly) is the valid-corner property's.
    # 4 x 4 = 16 corners, 1200 draws: chi-square with 15 d.o.f. above 60 has p < 1e-6 (at least
    # 80 windows, 5 expected per corner, for the chi-square to hold). The crop's height is less
    # than half the image's, so that a corner range of H % height + 1 (which equals H - height + 1
    # when height > H / 2) shows.
    img = _image(7, (5, 7, 2))
    counts: Counter[tuple[int, int]] = Counter()
    master = np.random.default_rng(20261129)
    for _unused in range(1200):
        corner = _window_corner(img, _crop(impl, img, (2, 4), int(master.integers(2**32)))[0], 2, 4)
        if corner is not None:
            counts[corner] += 1
    windows = sum(counts.values())
    if windows < 80:
        fail(_("random_crop: only {windows} of 1200 crops are 2x4 windows of the image: too few "
                "to judge how the corners are spread (image 5x7, crop 2x4)")
             .format(windows=windows))
    valid = {(t, left) for t in range(4) for left in range(4)}
    missing = sorted(valid - set(counts))
    if missing:
        fail(_("random_crop: corners never drawn {missing} in {windows} crops (image 5x7, crop "
                "2x4)")
             .format(missing=missing, windows=windows),
             mistake=NOT_UNIFORM)
    chi2 = sum((counts[c] - windows / 16) ** 2 / (windows / 16) for c in valid)
    if chi2 > 60:
        fail(_("random_crop: corners are not uniform (chi-square {chi2:.0f} on 15 degrees of "
                "freedom): {items}")
             .format(chi2=chi2, items=dict(sorted(counts.items()))), mistake=NOT_UNIFORM)


@pytest.mark.points(1)
@pytest.mark.exercise(M, "random_crop")
@given(shape=distinct_sizes(3, 2, 6), seed=seeds, taller=st.booleans())
def test_random_crop_rejects_a_size_larger_than_the_image(impl, shape, seed, taller):
    img = _image(seed, shape)
    size = (shape[0] + 1, shape[1]) if taller else (shape[0], shape[1] + 2)
    expect_raises(_("random_crop with size {size} on a {shape}x{shape2} image")
                  .format(size=size, shape=shape[0], shape2=shape[1]),
                  lambda: impl.augmentation.random_crop(img, size, np.random.default_rng(seed)),
                  context=describe(img=img, size=size), mention="size")


# ----------------------------------------------------------------------------- crop_and_resize


@pytest.mark.points(3)
@pytest.mark.exercise(M, "crop_and_resize")
@pytest.mark.hint("output pixel i samples the crop at (i + 0.5) * in/out - 0.5 (negative -> 0), "
                  "mixing the two neighbouring rows (then columns) by the fractional part; "
                  "the last row/column repeats at the edge")
@given(shape=distinct_sizes(3, 2, 9), data=st.data(), seed=seeds)
def test_crop_and_resize_matches_bilinear_interpolate(impl, device, shape, data, seed):
    h, w, _unused = shape
    top, left = data.draw(st.integers(0, h - 1), label="top"), data.draw(st.integers(0, w - 1), label="left")
    height = data.draw(st.integers(1, h - top), label="height")
    width = data.draw(st.integers(1, w - left), label="width")
    out_h = data.draw(st.integers(1, 12), label="out_h")
    out_w = data.draw(st.integers(1, 12).filter(lambda v: v != out_h), label="out_w")
    out_size = out_h if data.draw(st.booleans(), label="square") else (out_h, out_w)
    img = _image(seed, shape)
    args = (img, top, left, height, width, out_size)
    context = describe(img=img, top=top, left=left, height=height, width=width, out_size=out_size)
    call = impl.augmentation.crop_and_resize.inspect_call(*args)
    diagnoses = {m.description: (lambda m=m: m.func(*args)) for m in _mutants("crop_and_resize")}
    check_array("crop_and_resize", call.value, ref.crop_and_resize(*args, device), context=context,
                diagnoses=diagnoses)
    check_unchanged("img", img, call.args[0], context)
