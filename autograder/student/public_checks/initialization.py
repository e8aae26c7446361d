"""Public checks for initialization.py: shapes, zero biases, the scale of the weights."""

import numpy as np

from ._common import CheckFailed, close, passed, same_keys
from ._i18n import _

DIMS = [300, 200, 3]


def _shapes(params, dims=DIMS):
    same_keys(_("parameters"), params, ["W1", "b1", "W2", "b2"])
    for l in range(1, len(dims)):
        close(f"b{l}", params[f"b{l}"], np.zeros((dims[l], 1)))
        if np.shape(params[f"W{l}"]) != (dims[l], dims[l - 1]):
            raise CheckFailed(
                _("W{l}: shape {shape}, expected {expected}").format(
                    l=l, shape=np.shape(params[f"W{l}"]), expected=(dims[l], dims[l - 1])
                )
            )


def check_initialize_parameters_zeros(initialize_parameters_zeros, quiet=False):
    params = initialize_parameters_zeros(DIMS)
    _shapes(params)
    close("W1", params["W1"], np.zeros((200, 300)))
    passed("initialize_parameters_zeros", quiet)


def _std_check(name, params, expected_std):
    _shapes(params)
    std = float(np.std(params["W1"]))
    if abs(std - expected_std) > 0.1 * expected_std:
        raise CheckFailed(
            _("{name}: W1 has standard deviation {std:.4f}, expected about {expected_std:.4f}").format(
                name=name, std=std, expected_std=expected_std
            )
        )


def check_initialize_parameters_he(initialize_parameters_he, quiet=False):
    _std_check("He", initialize_parameters_he(DIMS, rng=np.random.default_rng(0)), (2 / 300) ** 0.5)
    passed("initialize_parameters_he", quiet)


def check_initialize_parameters_xavier(initialize_parameters_xavier, quiet=False):
    _std_check("Xavier", initialize_parameters_xavier(DIMS, rng=np.random.default_rng(0)), (2 / 500) ** 0.5)
    passed("initialize_parameters_xavier", quiet)


def check_standardize_inputs(standardize_inputs, quiet=False):
    X_train = np.array([[1.0, 2.0, 3.0, 4.0], [10.0, 10.0, 30.0, 30.0]])
    X_test = np.array([[2.5], [20.0]])
    train_copy, test_copy = X_train.copy(), X_test.copy()
    a, b = standardize_inputs(X_train, X_test)
    close(
        "X_train_std",
        a,
        [[-1.3416407865, -0.4472135955, 0.4472135955, 1.3416407865], [-1, -1, 1, 1]],
        rtol=1e-6,
        atol=1e-6,
    )
    close(_("X_test_std (training statistics!)"), b, [[0.0], [0.0]], atol=1e-6)
    close(_("X_train (unchanged)"), X_train, train_copy)
    close(_("X_test (unchanged)"), X_test, test_copy)
    passed("standardize_inputs", quiet)
