"""The generic relation finder (grading_tests/relations.py): each relation on synthetic arrays,
none between unrelated ones, and the line a failing check_array shows."""

from __future__ import annotations

import numpy as np
import pytest

from grading_tests import compare
from grading_tests.relations import MAX_VALUES, relation, scalar_relation, shape_relation

RNG = np.random.default_rng(20261201)
E = RNG.standard_normal((3, 4, 5, 6))  # distinct sizes: every axis swap changes the layout


def test_a_factor_of_one_half_is_named():
    assert relation(E * 0.5, E).startswith("every value is the expected one times 0.5 (a factor of 1/2")


def test_a_factor_of_two_is_named():
    assert "times 2 (a factor of 2" in relation(E * 2, E)


def test_a_flipped_sign_is_named():
    assert "sign flipped" in relation(-E, E)


def test_a_count_such_as_m_is_named_as_an_integer():
    assert "divided by 7" in relation(E / 7, E)
    assert "times 12" in relation(E * 12, E)


def test_a_factor_the_property_knows_is_named_by_its_name():
    kp = 0.8123
    assert "times keep_prob = 0.8123 (got = expected * keep_prob)" in relation(E * kp, E, {"keep_prob": kp})
    assert "divided by keep_prob" in relation(E / kp, E, {"keep_prob": kp})
    assert "got = expected * 1 - beta" in relation(E * 0.1, E, {"1 - beta": 0.1})


def test_an_unnamed_constant_factor_is_reported_with_its_value():
    assert "a constant factor 0.8123" in relation(E * 0.8123, E)


def test_a_constant_offset_is_reported():
    assert "plus 0.25 (off by a constant" in relation(E + 0.25, E)
    assert "minus 3" in relation(E - 3, E)


def test_all_zeros_are_reported():
    assert "every value is 0" in relation(np.zeros_like(E), E)


def test_a_constant_where_zeros_are_expected_is_reported():
    assert "every value is 1, where every expected value is 0" in relation(np.ones((3, 1)), np.zeros((3, 1)))
    assert relation(RNG.standard_normal((3, 1)), np.zeros((3, 1))) == ""


def test_a_transpose_is_reported_with_the_shape_swapped_or_square():
    x = RNG.standard_normal((4, 6))
    assert relation(x.T.copy(), x) == "the expected array transposed (rows and columns swapped)"
    sq = RNG.standard_normal((5, 5))
    assert relation(sq.T.copy(), sq) == "the expected array transposed (rows and columns swapped)"
    assert "expected.transpose(0, 2, 3, 1)" in relation(E.transpose(0, 2, 3, 1).copy(), E)


def test_two_axes_of_equal_length_swapped_are_reported():
    x = RNG.standard_normal((2, 3, 5, 5))
    assert "expected.transpose(0, 1, 3, 2)" in relation(x.transpose(0, 1, 3, 2).copy(), x)


def test_a_reshape_is_reported():
    assert "in the shape (12, 30)" in relation(E.reshape(12, 30), E)


def test_extra_entries_around_the_expected_values_are_located():
    padded = np.pad(E, ((0, 0), (0, 0), (0, 0), (1, 1)))
    assert relation(padded, E).startswith("got[:, :, :, 1:7] holds the expected values and the rest is extra")
    assert "got[:, 0:4] holds" in relation(np.concatenate([E, E[:, :1]], axis=1), E)
    stride_one = RNG.standard_normal((3, 2, 6, 5))
    assert "got[:, :, ::2] holds" in relation(stride_one, stride_one[:, :, ::2]) \
        and "a stride of 1" in relation(stride_one, stride_one[:, :, ::2])


def test_a_part_left_out_is_located():
    assert "only part of the expected array, expected[:, 1:4]" in relation(E[:, 1:], E)


def test_a_sum_over_too_few_or_too_many_axes_is_reported():
    per_example = E.sum(axis=0)
    total = E.sum(axis=(0, 2, 3))
    assert "got summed over the axes (1, 2) gives the expected values (a sum over too few" in relation(per_example, total)
    assert "the expected array summed over the axes (1, 2) (a sum over too many" in relation(total, per_example)
    assert "averaged over the axes (0,)" in relation(E.mean(axis=0, keepdims=True), E)
    assert relation(np.zeros((4, 3)), np.zeros(3)) == ""  # zeros fit anything: no relation


def test_a_shift_by_one_along_an_axis_is_reported():
    assert "shifted by one along axis 2 (got[i] = expected[i - 1]" in relation(np.roll(E, 1, axis=2), E)
    shifted = E.copy()
    shifted[:, :-1] = E[:, 1:]
    assert "shifted by one along axis 1 (got[i] = expected[i + 1]" in relation(shifted, E)


def test_a_flipped_kernel_is_reported():
    assert "flipped along the last two axes" in relation(np.flip(E, (2, 3)).copy(), E)
    assert "flipped along axis 3" in relation(np.flip(E, 3).copy(), E)


def test_the_right_values_in_another_order_are_reported():
    got = RNG.permutation(E.ravel()).reshape(E.shape)
    assert "the right values in another order" in relation(got, E)


def test_nan_or_inf_where_finite_values_are_expected_is_reported():
    got = E.copy()
    got[1, 2, 3, 4] = np.nan
    text = relation(got, E)
    assert "NaN at 1 of 360 entries (the first at (1, 2, 3, 4))" in text and "other entries are right" in text
    got[0, 0, 0, 0] = np.inf
    assert "inf or NaN at 2" in relation(got, E) or "NaN or inf at 2" in relation(got, E)
    expected = E.copy()
    expected[0, 1, 0, 0] = np.inf
    assert "finite values at 1 of 360 entries" in relation(E, expected)


def test_only_one_channel_wrong_is_located():
    got = E.copy()
    got[:, 2] *= 2
    text = relation(got, E)
    assert text.startswith("only the entries [:, 2] are wrong (index 2 along axis 1)")
    assert "there, each is the expected one times 2" in text


def test_only_the_first_row_wrong_is_located():
    got = E.copy()
    got[0] += RNG.standard_normal(E.shape[1:])
    assert "index 0 along axis 0 (the first)" in relation(got, E)


def test_only_the_border_wrong_is_located():
    got = E.copy()
    got[..., 0, :] += 1
    got[..., -1, :] += 1
    got[..., :, 0] += 1
    assert "only entries on the border" in relation(got, E)


def test_one_wrong_entry_is_located():
    got = E.copy()
    got[2, 1, 4, 0] = 7.0
    assert "only one entry is wrong, at (2, 1, 4, 0)" in relation(got, E)


def test_wrong_only_where_zero_is_expected_is_reported():
    expected = np.where(E > 0, E, 0.0)
    got = expected + (expected == 0) * RNG.uniform(0.1, 1.0, E.shape)
    assert "wrong only where the expected value is 0" in relation(got, expected)
    dropped = np.where(RNG.random(E.shape) < 0.3, 0.0, E)
    assert "0 at" in relation(dropped, E) and "where the expected value is not" in relation(dropped, E)
    other_mask = np.where(RNG.random(E.shape) < 0.3, 0.0, E)
    assert "wrong only where one of the two is 0" in relation(other_mask, expected)
    masks = (RNG.random(E.shape) < 0.5).astype(float), (RNG.random(E.shape) < 0.5).astype(float)
    assert relation(*masks) == ""  # two different masks: nothing more to say than that they differ


def test_another_result_in_the_place_of_this_one_is_reported():
    other = RNG.standard_normal(E.shape)
    assert "the expected db1" in relation(other, E, others={"db1": other})


def test_a_scalar_gets_only_named_factors():
    assert "times 2" in scalar_relation(2.4, 1.2)
    assert "divided by m = 64" in scalar_relation(1.2 / 64, 1.2, {"m": 64})
    assert scalar_relation(1.3, 1.2) == ""  # one number fits any factor: an unnamed one says nothing
    assert "inf where a finite value" in scalar_relation(float("inf"), 1.2)


@pytest.mark.parametrize("seed", range(25))
def test_unrelated_random_arrays_have_no_relation(seed):
    rng = np.random.default_rng(seed)
    shape = tuple(int(n) for n in rng.integers(1, 7, size=rng.integers(1, 5)))
    e = rng.standard_normal(shape) * 10.0 ** rng.integers(-8, 9)
    g = rng.standard_normal(shape) * 10.0 ** rng.integers(-8, 9)
    assert relation(g, e) == ""
    assert relation(e + 1e-3 * np.abs(e) * rng.standard_normal(shape), e) == ""  # noise, no pattern
    longer = tuple(n + 2 if k == 0 else n for k, n in enumerate(shape))
    assert relation(rng.standard_normal(longer), e) == ""  # no window of it is the expected array
    assert relation(rng.standard_normal(shape + (3,)), e) == ""  # nor its sum over an axis


def test_odd_input_gives_no_relation_and_never_raises():
    assert relation(np.array(["a", "b"]), np.ones(2)) == ""
    assert relation(np.ones(MAX_VALUES + 1), np.zeros(MAX_VALUES + 1)) == ""
    assert relation(np.ones((2, 3)), np.ones((4, 5))) == ""
    assert relation(np.zeros(0), np.zeros(0)) == ""
    assert relation(np.full(3, np.nan), np.full(3, np.nan)) == ""
    assert scalar_relation(float("nan"), float("nan")) == ""


def test_check_array_shows_the_relation_when_no_named_misconception_matches():
    with pytest.raises(compare.PropertyFailure) as info:
        compare.check_array("dW", E * 0.5, E, diagnoses={"a mutant": E * 3})
    assert "\n  looks like: every value is the expected one times 0.5" in str(info.value)
    assert info.value.diagnosis == "" and "0.5" in info.value.relation


def test_a_named_misconception_keeps_priority_over_the_relation():
    with pytest.raises(compare.PropertyFailure) as info:
        compare.check_array("dW", E * 0.5, E, diagnoses={"dW halved": E * 0.5})
    assert info.value.diagnosis == "dW halved" and "looks like" not in str(info.value)


def test_check_dict_names_a_swapped_key_and_passes_known_factors():
    expected = {"dW1": RNG.standard_normal((3, 2)), "db1": RNG.standard_normal((3, 2))}
    swapped = {"dW1": expected["db1"], "db1": expected["dW1"]}
    with pytest.raises(compare.PropertyFailure, match="looks like: every value is the expected 'db1'"):
        compare.check_dict("grads", swapped, expected)
    scaled = {k: v * 0.3 for k, v in expected.items()}
    with pytest.raises(compare.PropertyFailure, match="times keep_prob = 0.3"):
        compare.check_dict("grads", scaled, expected, factors={"keep_prob": 0.3})


def test_check_array_names_a_transposed_result_of_the_swapped_shape():
    x = RNG.standard_normal((4, 6))
    with pytest.raises(compare.PropertyFailure, match="looks like: the expected array transposed"):
        compare.check_array("W", x.T.copy(), x)


REG_OFF = '''

_plain_backward = backward_propagation_with_regularization


def backward_propagation_with_regularization(X, Y, cache, lambd):
    return {key: 2.0 * value for key, value in _plain_backward(X, Y, cache, lambd).items()}
'''


def test_a_regularization_submission_off_by_a_factor_is_told_so(make_submission):
    from autograder.engine.pipeline import grade_submission
    from tests.conftest import SOLUTIONS

    source = (SOLUTIONS / "regularization.py").read_text(encoding="utf-8") + REG_OFF
    result = grade_submission(make_submission(regularization=source), ["regularization"],
                              profile="dev", functions={"backward_propagation_with_regularization"})
    failed = [p for p in result.topics[0].properties if not p.passed]
    assert failed, "doubling every gradient must fail"
    assert any("looks like: every value is the expected one times 2" in p.feedback for p in failed), \
        [p.feedback for p in failed]


# ----------------------------------------------------------------------------- shapes


def test_a_wrong_shape_is_related_to_the_expected_one():
    assert shape_relation((3, 2), (2, 3)) == "the expected shape transposed (rows and columns swapped)"
    assert "without its axes of length 1" in shape_relation((4,), (4, 1))
    assert "with extra axes of length 1" in shape_relation((1, 4, 1), (4,))
    assert "without axis 0 of length 3" in shape_relation((4, 5), (3, 4, 5))
    assert "an extra axis 0 of length 3" in shape_relation((3, 4, 5), (4, 5))
    assert "the expected sizes in another order (3, 5, 4)" in shape_relation((3, 5, 4), (3, 4, 5))
    assert "axis 2 has length 0" in shape_relation((2, 1, 0, 0), (2, 1, 1, 2))


def test_an_unrelated_shape_gets_no_shape_relation():
    assert shape_relation((3, 4, 5, 5), (3, 4, 5, 4)) == ""  # one size off: nothing it says about why
    assert shape_relation((2, 3), (2, 3)) == ""
    assert shape_relation((0, 3), (0, 2)) == ""  # both empty
    assert shape_relation((7,), (2, 3)) == ""


def test_check_array_shows_a_shape_relation_when_the_values_say_nothing():
    expected = RNG.standard_normal((4, 1))
    with pytest.raises(compare.PropertyFailure, match="looks like: the expected shape without its axes") as info:
        compare.check_array("db", RNG.standard_normal(4), expected)
    assert info.value.diagnosis == ""


def test_check_array_names_a_misconception_of_another_shape():
    expected = RNG.standard_normal((2, 5, 3))
    wrong = RNG.standard_normal((2, 3, 5))
    with pytest.raises(compare.PropertyFailure) as info:
        compare.check_array("out", wrong.copy(), expected, diagnoses={"padding on the wrong axis": wrong,
                                                                      "another": expected})
    assert info.value.diagnosis == "padding on the wrong axis"
    assert "this is exactly what padding on the wrong axis gives" in str(info.value)


def test_a_result_that_is_no_array_states_its_kind_of_mistake():
    with pytest.raises(compare.PropertyFailure) as info:
        compare.check_array("dW", None, E)
    assert info.value.diagnosis == compare.NO_RETURN
    with pytest.raises(compare.PropertyFailure) as info:
        compare.check_array("dW", [1.0, 2.0], E)
    assert info.value.diagnosis == compare.WRONG_TYPE
    with pytest.raises(compare.PropertyFailure) as info:
        compare.check_scalar("cost", None, 1.0)
    assert info.value.diagnosis == compare.NO_RETURN


def test_check_dict_states_keys_that_differ():
    with pytest.raises(compare.PropertyFailure) as info:
        compare.check_dict("grads", {"dW2": E}, {"dW1": E})
    assert info.value.diagnosis == compare.DICT_KEYS


def test_every_stated_mistake_is_a_distinct_sentence():
    assert len(set(compare.STATED_MISTAKES)) == len(compare.STATED_MISTAKES)
    assert all(m and m[0].islower() for m in compare.STATED_MISTAKES)
