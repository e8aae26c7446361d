# Generated from the reference solution by `autograder stubs`: fill in each YOUR CODE HERE.
"""Initialization: zero, He and Xavier weights for a dense network, and input standardization.

``layer_dims`` is ``[n_x, n_1, ..., n_L]``; ``Wl`` is ``(n_l, n_{l-1})`` and ``bl`` is ``(n_l, 1)``.
Inputs ``X`` are ``(n_x, m)``: one example per column.
"""

import numpy as np


def initialize_parameters_zeros(layer_dims):
    """All weights and biases zero (the symmetric start that initialization exists to avoid).

    Arguments:
    layer_dims -- list [n_x, n_1, ..., n_L] of layer sizes

    Returns:
    parameters -- dict "W1" (n_1, n_x), "b1" (n_1, 1), ..., "WL" (n_L, n_{L-1}), "bL" (n_L, 1)
    """
    # YOUR CODE HERE
    raise NotImplementedError


def initialize_parameters_he(layer_dims, rng=None):
    """He (Kaiming) initialization for ReLU layers: Wl ~ N(0, 2 / n_{l-1}), bl = 0.

    Equals torch.nn.init.kaiming_normal_(W, mode="fan_in", nonlinearity="relu"): the variance
    uses the FAN-IN, the number of inputs of the layer (layer_dims[l-1]).

    Arguments:
    layer_dims -- list [n_x, n_1, ..., n_L]
    rng -- np.random.Generator to draw from; None means np.random.default_rng()

    Returns:
    parameters -- dict "Wl" (n_l, n_{l-1}), "bl" (n_l, 1) zeros
    """
    # YOUR CODE HERE
    raise NotImplementedError


def initialize_parameters_xavier(layer_dims, rng=None):
    """Xavier (Glorot) normal initialization: Wl ~ N(0, 2 / (n_{l-1} + n_l)), bl = 0.

    Equals torch.nn.init.xavier_normal_(W): fan_in = n_{l-1}, fan_out = n_l.

    Arguments:
    layer_dims -- list [n_x, n_1, ..., n_L]
    rng -- np.random.Generator to draw from; None means np.random.default_rng()

    Returns:
    parameters -- dict "Wl" (n_l, n_{l-1}), "bl" (n_l, 1) zeros
    """
    # YOUR CODE HERE
    raise NotImplementedError


def standardize_inputs(X_train, X_test, epsilon=1e-8):
    """Standardize every feature (row) with statistics of the TRAINING set only.

    mu = mean over the training examples, var = biased variance (divide by m_train);
    both sets become (X - mu) / sqrt(var + epsilon). The test set never contributes.

    Arguments:
    X_train -- (n_x, m_train) training inputs
    X_test -- (n_x, m_test) test inputs
    epsilon -- added to the variance inside the square root

    Returns:
    (X_train_std, X_test_std) -- new arrays of the same shapes; the inputs are not modified
    """
    # YOUR CODE HERE
    raise NotImplementedError
