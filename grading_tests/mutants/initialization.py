"""Misconceptions about initialization and standardization that the properties must catch."""

import numpy as np

from grading_tests.mutants import mutant


@mutant("initialize_parameters_zeros", "weights shaped (n_{l-1}, n_l), transposed")
def zeros_transposed(layer_dims):
    return {k: v for l in range(1, len(layer_dims))
            for k, v in ((f"W{l}", np.zeros((layer_dims[l - 1], layer_dims[l]))), (f"b{l}", np.zeros((layer_dims[l], 1))))}


@mutant("initialize_parameters_zeros", "biases as flat (n_l,) vectors")
def zeros_flat_bias(layer_dims):
    return {k: v for l in range(1, len(layer_dims))
            for k, v in ((f"W{l}", np.zeros((layer_dims[l], layer_dims[l - 1]))), (f"b{l}", np.zeros(layer_dims[l])))}


@mutant("initialize_parameters_zeros", "the last layer forgotten (range(1, L) instead of range(1, L + 1))")
def zeros_missing_layer(layer_dims):
    return {k: v for l in range(1, len(layer_dims) - 1)
            for k, v in ((f"W{l}", np.zeros((layer_dims[l], layer_dims[l - 1]))), (f"b{l}", np.zeros((layer_dims[l], 1))))}


@mutant("initialize_parameters_he", "the variance computed with fan_out (layer_dims[l])")
def he_fan_out(layer_dims, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    params = {}
    for l in range(1, len(layer_dims)):
        params[f"W{l}"] = rng.standard_normal((layer_dims[l], layer_dims[l - 1])) * np.sqrt(2 / layer_dims[l])
        params[f"b{l}"] = np.zeros((layer_dims[l], 1))
    return params


@mutant("initialize_parameters_he", "variance 1/fan_in instead of 2/fan_in")
def he_one_over_n(layer_dims, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    params = {}
    for l in range(1, len(layer_dims)):
        params[f"W{l}"] = rng.standard_normal((layer_dims[l], layer_dims[l - 1])) * np.sqrt(1 / layer_dims[l - 1])
        params[f"b{l}"] = np.zeros((layer_dims[l], 1))
    return params


@mutant("initialize_parameters_he", "standard deviation 2/fan_in (no square root)")
def he_no_sqrt(layer_dims, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    params = {}
    for l in range(1, len(layer_dims)):
        params[f"W{l}"] = rng.standard_normal((layer_dims[l], layer_dims[l - 1])) * (2 / layer_dims[l - 1])
        params[f"b{l}"] = np.zeros((layer_dims[l], 1))
    return params


@mutant("initialize_parameters_he", "random non-zero biases")
def he_random_bias(layer_dims, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    params = {}
    for l in range(1, len(layer_dims)):
        params[f"W{l}"] = rng.standard_normal((layer_dims[l], layer_dims[l - 1])) * np.sqrt(2 / layer_dims[l - 1])
        params[f"b{l}"] = rng.standard_normal((layer_dims[l], 1)) * 0.01
    return params


@mutant("initialize_parameters_he", "uniform weights with the right variance")
def he_uniform(layer_dims, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    params = {}
    for l in range(1, len(layer_dims)):
        limit = np.sqrt(6 / layer_dims[l - 1])
        params[f"W{l}"] = rng.uniform(-limit, limit, size=(layer_dims[l], layer_dims[l - 1]))
        params[f"b{l}"] = np.zeros((layer_dims[l], 1))
    return params


@mutant("initialize_parameters_he", "np.random's global generator instead of the rng argument")
def he_global_rng(layer_dims, rng=None):
    params = {}
    for l in range(1, len(layer_dims)):
        params[f"W{l}"] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * np.sqrt(2 / layer_dims[l - 1])
        params[f"b{l}"] = np.zeros((layer_dims[l], 1))
    return params


@mutant("initialize_parameters_xavier", "the course's sqrt(1/fan_in) instead of sqrt(2/(fan_in + fan_out))")
def xavier_lecun(layer_dims, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    params = {}
    for l in range(1, len(layer_dims)):
        params[f"W{l}"] = rng.standard_normal((layer_dims[l], layer_dims[l - 1])) * np.sqrt(1 / layer_dims[l - 1])
        params[f"b{l}"] = np.zeros((layer_dims[l], 1))
    return params


@mutant("initialize_parameters_xavier", "variance 1/(fan_in + fan_out)")
def xavier_half(layer_dims, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    params = {}
    for l in range(1, len(layer_dims)):
        std = np.sqrt(1 / (layer_dims[l - 1] + layer_dims[l]))
        params[f"W{l}"] = rng.standard_normal((layer_dims[l], layer_dims[l - 1])) * std
        params[f"b{l}"] = np.zeros((layer_dims[l], 1))
    return params


@mutant("initialize_parameters_xavier", "uniform weights with the right variance (xavier_uniform_)")
def xavier_uniform(layer_dims, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    params = {}
    for l in range(1, len(layer_dims)):
        limit = np.sqrt(6 / (layer_dims[l - 1] + layer_dims[l]))
        params[f"W{l}"] = rng.uniform(-limit, limit, size=(layer_dims[l], layer_dims[l - 1]))
        params[f"b{l}"] = np.zeros((layer_dims[l], 1))
    return params


@mutant("initialize_parameters_xavier", "a generator with a fixed seed made inside the function")
def xavier_fixed_seed(layer_dims, rng=None):
    rng = np.random.default_rng(0)
    params = {}
    for l in range(1, len(layer_dims)):
        std = np.sqrt(2 / (layer_dims[l - 1] + layer_dims[l]))
        params[f"W{l}"] = rng.standard_normal((layer_dims[l], layer_dims[l - 1])) * std
        params[f"b{l}"] = np.zeros((layer_dims[l], 1))
    return params


@mutant("initialize_parameters_xavier", "biases filled with ones")
def xavier_ones_bias(layer_dims, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    params = {}
    for l in range(1, len(layer_dims)):
        std = np.sqrt(2 / (layer_dims[l - 1] + layer_dims[l]))
        params[f"W{l}"] = rng.standard_normal((layer_dims[l], layer_dims[l - 1])) * std
        params[f"b{l}"] = np.ones((layer_dims[l], 1))
    return params


@mutant("standardize_inputs", "the test set standardized with its own statistics")
def standardize_test_statistics(X_train, X_test, epsilon=1e-8):
    def own(X):
        return (X - X.mean(axis=1, keepdims=True)) / np.sqrt(X.var(axis=1, keepdims=True) + epsilon)
    return own(X_train), own(X_test)


@mutant("standardize_inputs", "the unbiased variance (divided by m - 1)")
def standardize_unbiased(X_train, X_test, epsilon=1e-8):
    mu = X_train.mean(axis=1, keepdims=True)
    s = np.sqrt(X_train.var(axis=1, ddof=1, keepdims=True) + epsilon) if X_train.shape[1] > 1 else np.sqrt(epsilon)
    return (X_train - mu) / s, (X_test - mu) / s


@mutant("standardize_inputs", "epsilon added to the standard deviation instead of the variance")
def standardize_eps_outside(X_train, X_test, epsilon=1e-8):
    mu = X_train.mean(axis=1, keepdims=True)
    s = X_train.std(axis=1, keepdims=True) + epsilon
    return (X_train - mu) / s, (X_test - mu) / s


@mutant("standardize_inputs", "statistics over the features of each example (axis 0) instead of per feature")
def standardize_wrong_axis(X_train, X_test, epsilon=1e-8):
    mu = X_train.mean(axis=0, keepdims=True).mean()
    s = np.sqrt(X_train.var() + epsilon)
    return (X_train - mu) / s, (X_test - mu) / s


@mutant("standardize_inputs", "standardizing X_train in place")
def standardize_in_place(X_train, X_test, epsilon=1e-8):
    mu = X_train.mean(axis=1, keepdims=True)
    s = np.sqrt(X_train.var(axis=1, keepdims=True) + epsilon)
    X_test = (X_test - mu) / s
    X_train -= mu
    X_train /= s
    return X_train, X_test
