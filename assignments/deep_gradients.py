# Generated from the reference solution by `autograder stubs`: fill in each YOUR CODE HERE.
"""Vanishing and exploding gradients: forward and backward passes of an L-layer network.

Hidden layers are LINEAR -> activation ("relu", "sigmoid" or "tanh"), the output layer is
LINEAR -> SIGMOID, and the cost is the mean binary cross-entropy over the m examples.
``X`` is ``(n_x, m)``, ``Y`` is ``(1, m)``; ``Wl`` is ``(n_l, n_{l-1})``, ``bl`` is ``(n_l, 1)``.
"""

import numpy as np


def deep_forward(X, parameters, activation="relu"):
    """Forward pass: L - 1 hidden layers LINEAR -> activation, then LINEAR -> SIGMOID.

    Arguments:
    X -- inputs (n_x, m)
    parameters -- dict "W1", "b1", ..., "WL", "bL"; L = len(parameters) // 2
    activation -- "relu", "sigmoid" or "tanh" for the hidden layers; another value: ValueError

    Returns:
    (AL, caches) -- AL (1, m) the output probabilities; caches whatever deep_backward needs
    (your own design: a list of per-layer tuples is the usual choice)
    """
    # YOUR CODE HERE
    raise NotImplementedError


def deep_backward(AL, Y, caches, activation="relu"):
    """Backward pass of the mean binary cross-entropy through the network of deep_forward.

    dWl and dbl are exactly the gradients of J = -mean(Y log AL + (1 - Y) log(1 - AL)) with
    respect to Wl and bl (what torch autograd gives). At the output, dZL = (AL - Y) / m.

    Arguments:
    AL -- output probabilities (1, m) from deep_forward
    Y -- labels (1, m), 0 or 1
    caches -- the caches deep_forward returned
    activation -- the hidden layers' activation, as in deep_forward; another value: ValueError

    Returns:
    gradients -- dict with "dW1", "db1", ..., "dWL", "dbL" (shapes of Wl and bl)
    """
    # YOUR CODE HERE
    raise NotImplementedError


def gradient_norms(gradients):
    """Frobenius norm of every weight gradient, in layer order.

    Arguments:
    gradients -- dict "dW1", "db1", ..., "dWL", "dbL"

    Returns:
    norms -- list of L floats [||dW1||_F, ..., ||dWL||_F] (layer 1 first, even past layer 9)
    """
    # YOUR CODE HERE
    raise NotImplementedError
