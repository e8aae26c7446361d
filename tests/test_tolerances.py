"""Tolerances per quantity (grading_tests/compare.py): the absolute tolerance scales with the
expected array, so a small quantity wrong by 0.1% fails at every scale, while correct code that
arranges its float64 arithmetic differently (another summation order, einsum, loops) passes."""

from __future__ import annotations

import numpy as np
import pytest

from grading_tests import compare

SCALES = [1e-8, 1e-6, 1e-4, 1e-2, 1.0, 1e2, 1e4, 1e6, 1e8]
SEEDS = range(4)


def _fails(check, *args, **kwargs) -> bool:
    try:
        check(*args, **kwargs)
    except compare.PropertyFailure:
        return True
    return False


def test_an_update_wrong_by_a_relative_1e_3_on_values_of_scale_1e_6_fails():
    rng = np.random.default_rng(0)
    params = rng.uniform(-0.9, 0.9, (4, 3)) * 1e-6
    grads = rng.uniform(-1, 1, (4, 3)) * 1e-6
    lr = 0.1
    expected = params - lr * grads
    got = params - lr * grads * 1.001  # the step 0.1% too long
    wrong = expected * 1.001  # the whole result 0.1% off
    # The absolute atol of 1e-9 this replaces let both through:
    assert np.allclose(got, expected, rtol=1e-7, atol=1e-9)
    assert np.allclose(wrong, expected, rtol=1e-7, atol=1e-9)
    assert _fails(compare.check_array, "W", wrong, expected)
    assert _fails(compare.check_dict, "parameters", {"W1": wrong}, {"W1": expected})
    assert _fails(compare.check_scalar, "lr", 1.001e-6, 1e-6)
    # The step alone, the quantity a parameter update is about, fails at 0.1% too.
    assert _fails(compare.check_array, "W - W_before", got - params, expected - params)


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("tol", ["float64", "loose64", "float32"])
def test_a_relative_error_of_1e_3_fails_at_every_scale(scale, tol):
    rng = np.random.default_rng(1)
    expected = rng.standard_normal((5, 7)) * scale
    assert _fails(compare.check_array, "x", expected * (1 + 1e-3), expected, tol=tol)
    one = expected.copy()
    one[2, 3] *= 1 + 1e-3  # a single entry
    assert _fails(compare.check_array, "x", one, expected, tol=tol)
    assert _fails(compare.check_scalar, "x", float(expected[0, 0]) * (1 + 1e-3), float(expected[0, 0]), tol=tol)


@pytest.mark.parametrize("scale", SCALES)
def test_a_small_entry_wrong_by_more_than_rounding_fails_beside_large_ones(scale):
    expected = np.array([1.0, 1e-3, -0.5]) * scale
    got = expected.copy()
    got[1] *= 1.01  # 1% off on the entry a thousand times smaller than the largest
    assert _fails(compare.check_array, "x", got, expected)


def _sum_loop(x: np.ndarray) -> np.ndarray:
    total = np.zeros(x.shape[1:])
    for row in x[::-1]:  # the other way round
        total = total + row
    return total


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("seed", SEEDS)
def test_sums_in_another_order_pass_at_every_scale(scale, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((257, 6)) * scale  # mixed signs: partial cancellation
    expected = x.sum(axis=0)
    compare.check_array("sum", _sum_loop(x), expected)
    compare.check_array("sum", np.sort(x, axis=0).sum(axis=0), expected)
    compare.check_array("sum", np.cumsum(x, axis=0)[-1], expected)
    compare.check_array("mean", np.mean(x, axis=0), _sum_loop(x) / x.shape[0])
    compare.check_scalar("sum", float(sum(float(v) for v in x.ravel())), float(x.sum()))


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("seed", SEEDS)
def test_einsum_loops_and_matmul_agree_at_every_scale(scale, seed):
    rng = np.random.default_rng(seed)
    dZ = rng.standard_normal((5, 64)) * np.sqrt(scale)
    A = rng.standard_normal((7, 64)) * np.sqrt(scale)
    m = A.shape[1]
    expected = dZ @ A.T / m
    compare.check_array("dW", np.einsum("im,jm->ij", dZ, A) / m, expected)
    compare.check_array("dW", (dZ / m) @ A.T, expected)
    loops = np.zeros((5, 7))
    for i in range(5):
        for j in range(7):
            for k in range(m):
                loops[i, j] += dZ[i, k] * A[j, k] / m
    compare.check_array("dW", loops, expected)
    compare.check_dict("grads", {"dW": loops, "db": dZ.mean(axis=1, keepdims=True)},
                       {"dW": expected, "db": np.sum(dZ, axis=1, keepdims=True) / m})


def _conv_loops(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    out = np.zeros((N, F, H - KH + 1, W - KW + 1))
    for n in range(N):
        for f in range(F):
            for i in range(out.shape[2]):
                for j in range(out.shape[3]):
                    out[n, f, i, j] = np.sum(x[n, :, i:i + KH, j:j + KW] * w[f])
    return out


def _conv_im2col(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    windows = np.lib.stride_tricks.sliding_window_view(x, w.shape[2:], axis=(2, 3))
    return np.einsum("nchwij,fcij->nfhw", windows, w, optimize=True)


@pytest.mark.parametrize("scale", SCALES)
def test_a_convolution_by_loops_and_by_im2col_agree_at_every_scale(scale):
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 3, 6, 5)) * np.sqrt(scale)
    w = rng.standard_normal((4, 3, 3, 2)) * np.sqrt(scale)
    compare.check_array("conv_forward", _conv_im2col(x, w), _conv_loops(x, w))


@pytest.mark.parametrize("scale", SCALES)
def test_entries_near_zero_by_cancellation_pass_beside_large_ones(scale):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 200))
    y = rng.standard_normal((200, 3))
    y[:, 0] -= np.linalg.pinv(x) @ (x @ y[:, 0])  # the first column's results cancel to ~1e-14
    x, y = x * np.sqrt(scale), y * np.sqrt(scale)
    expected = x @ y
    assert np.abs(expected[:, 0]).max() < 1e-9 * np.abs(expected).max()
    got = np.einsum("ik,kj->ij", x[:, ::-1], y[::-1])  # the other summation order
    compare.check_array("x @ y", got, expected)


@pytest.mark.parametrize("scale", SCALES)
def test_two_correct_variances_agree_at_every_scale(scale):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((32, 5)) * scale
    two_pass = np.mean((x - x.mean(axis=0)) ** 2, axis=0)
    compare.check_array("var", np.var(x, axis=0), two_pass)
    compare.check_array("std", np.sqrt(np.mean(x**2, axis=0) - x.mean(axis=0) ** 2), np.sqrt(two_pass))


def test_expected_zeros_accept_exact_zeros_and_reject_any_other_value():
    zeros = np.zeros((3, 2))
    compare.check_array("db", zeros.copy(), zeros)
    assert _fails(compare.check_array, "db", zeros + 1e-12, zeros)
    compare.check_scalar("cost", 0.0, 0.0)


def test_a_huge_student_value_does_not_widen_its_own_tolerance():
    expected = np.array([1e-6, 2e-6])
    assert _fails(compare.check_array, "x", np.array([1e-6, 1e30]), expected)
    assert _fails(compare.check_array, "x", np.array([1.1e-6, 2e-6]), expected)


def test_a_momentum_step_with_the_old_velocity_fails_on_small_gradients_where_parameters_hide_it():
    """grading_tests/test_optimizers checks each step (new minus old parameters) on its own scale:
    with gradients of 1e-6 and learning rate 1e-3 the step is ~1e-10, inside the parameters'
    tolerance, so a step taken before the velocity is updated passes a parameters check alone."""
    from grading_tests.test_optimizers import _check_update

    rng = np.random.default_rng(2)
    params = {"W1": rng.standard_normal((3, 4)), "b1": rng.standard_normal((3, 1))}
    grads = {"dW1": rng.standard_normal((3, 4)) * 1e-6, "db1": rng.standard_normal((3, 1)) * 1e-6}
    beta, lr = 0.9, 1e-3
    v = {k: (1 - beta) * g for k, g in grads.items()}  # from zeros, first step
    expected = {"W1": params["W1"] - lr * v["dW1"], "b1": params["b1"] - lr * v["db1"]}
    stale = dict(params)  # stepped with the old velocity: zeros
    assert not _fails(compare.check_dict, "parameters", stale, expected)
    assert _fails(_check_update, "momentum", 1, params, stale, params, expected, "", {})
    # Another correct arrangement of the same step passes.
    other = {"W1": params["W1"] - (lr * beta * 0.0 + lr * (1 - beta) * grads["dW1"]),
             "b1": params["b1"] + (-lr) * v["db1"]}
    _check_update("momentum", 1, params, other, params, expected, "", {})
