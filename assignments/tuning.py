# Generated from the reference solution by `autograder stubs`: fill in each YOUR CODE HERE.
"""Hyperparameter search: sample each hyperparameter on the scale it lives on.

A search space maps a name to a kind and its range, for example
``{"learning_rate": ("log", 1e-4, 1e-1), "beta": ("uniform", 0.8, 0.999),
"hidden_units": ("int", 16, 256), "activation": ("choice", ["relu", "tanh"])}``.
"""

import numpy as np

# The kinds a search space may use: ("log", low, high), ("uniform", low, high),
# ("int", low, high) with both ends included, ("choice", values).
KINDS = ("log", "uniform", "int", "choice")


def sample_log_uniform(low, high, size=None, rng=None):
    """Log-uniform samples: 10**u with u ~ U(log10(low), log10(high)).

    Every decade between low and high gets the same share of the samples
    (as many between 1e-4 and 1e-3 as between 1e-2 and 1e-1).

    Arguments:
    low, high -- the range, 0 < low < high (ValueError otherwise)
    size -- None for one sample, else an int or a shape tuple
    rng -- np.random.Generator to draw from; None means np.random.default_rng()

    Returns:
    a float when size is None, else a float64 array of shape size, every value in [low, high]
    """
    # YOUR CODE HERE
    raise NotImplementedError


def sample_configurations(space, n, rng=None):
    """n independent random configurations drawn from a search space.

    Each name of space is drawn on its own, by its kind:
    ("log", low, high) -- log-uniform in [low, high] (as sample_log_uniform)
    ("uniform", low, high) -- uniform in [low, high]
    ("int", low, high) -- an integer from low to high, BOTH ends included, all equally likely
    ("choice", values) -- one of the values, each equally likely

    Arguments:
    space -- dict name -> (kind, ...) as above; any other kind: ValueError naming it
    n -- the number of configurations
    rng -- np.random.Generator to draw from; None means np.random.default_rng()

    Returns:
    configurations -- list of n dicts, each with every name of space
    """
    # YOUR CODE HERE
    raise NotImplementedError
