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
    ### BEGIN SOLUTION
    if not 0 < low < high:
        raise ValueError(f"sample_log_uniform needs 0 < low < high, got low={low!r} and high={high!r}")
    rng = np.random.default_rng() if rng is None else rng
    exponents = rng.uniform(np.log10(low), np.log10(high), size=size)
    if size is None:
        return float(10.0**exponents)
    return 10.0**exponents
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    for name, spec in space.items():
        if spec[0] not in KINDS:
            raise ValueError(f"unknown kind {spec[0]!r} for {name!r}; the kinds are {', '.join(KINDS)}")
    rng = np.random.default_rng() if rng is None else rng
    configurations = []
    for _ in range(n):
        config = {}
        for name, spec in space.items():
            kind = spec[0]
            if kind == "log":
                config[name] = sample_log_uniform(spec[1], spec[2], rng=rng)
            elif kind == "uniform":
                config[name] = float(rng.uniform(spec[1], spec[2]))
            elif kind == "int":
                config[name] = int(rng.integers(spec[1], spec[2], endpoint=True))
            else:
                values = spec[1]
                config[name] = values[int(rng.integers(len(values)))]
        configurations.append(config)
    return configurations
    ### END SOLUTION
