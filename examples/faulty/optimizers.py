"""A faulty example submission (three classic mistakes) for `make demo`.

Optimizers: momentum, RMSProp, Adam, mini-batches and learning-rate schedules.

Parameters are dicts ``{"W1", "b1", ..., "WL", "bL"}`` of float64 arrays; gradients and
optimizer state use the keys ``"dW1", "db1", ...``. No function changes its inputs in place.
"""

import math

import numpy as np


def _layer_keys(parameters):
    """The parameter names ``W1, b1, ...`` in order, with their gradient names."""
    L = len(parameters) // 2
    return [(f"{p}{l}", f"d{p}{l}") for l in range(1, L + 1) for p in ("W", "b")]


def initialize_momentum(parameters):
    """Velocity for momentum: zeros shaped like each parameter.

    Arguments:
    parameters -- dict of "Wl" (n_l, n_{l-1}) and "bl" (n_l, 1) arrays

    Returns:
    v -- dict of zero arrays with keys "dWl", "dbl", shaped like "Wl", "bl"
    """
    return {dkey: np.zeros_like(parameters[key], dtype=np.float64)
            for key, dkey in _layer_keys(parameters)}


def update_parameters_with_momentum(parameters, gradients, v, beta, learning_rate):
    """One step of gradient descent with momentum.

    v = beta * v + (1 - beta) * g;  W = W - learning_rate * v   (for every W and b)

    Arguments:
    parameters -- dict "Wl", "bl"
    gradients -- dict "dWl", "dbl", shaped like the parameters
    v -- dict "dWl", "dbl": the velocity from the previous step (zeros at first)
    beta -- momentum coefficient in [0, 1)
    learning_rate -- step size

    Returns:
    (parameters, v) -- NEW dicts; the arguments are left unchanged
    """
    new_params, new_v = {}, {}
    for key, dkey in _layer_keys(parameters):
        new_v[dkey] = beta * v[dkey] + gradients[dkey]
        new_params[key] = parameters[key] - learning_rate * new_v[dkey]
    return new_params, new_v


def initialize_rmsprop(parameters):
    """Running average of squared gradients for RMSProp: zeros with keys "dWl", "dbl"."""
    return initialize_momentum(parameters)


def update_parameters_with_rmsprop(parameters, gradients, s, beta2, learning_rate, epsilon=1e-8):
    """One RMSProp step (= torch.optim.RMSprop(alpha=beta2, eps=epsilon)).

    s = beta2 * s + (1 - beta2) * g**2;  W = W - learning_rate * g / (sqrt(s) + epsilon)

    Returns:
    (parameters, s) -- new dicts; the arguments are left unchanged
    """
    new_params, new_s = {}, {}
    for key, dkey in _layer_keys(parameters):
        g = gradients[dkey]
        new_s[dkey] = beta2 * s[dkey] + (1 - beta2) * g**2
        new_params[key] = parameters[key] - learning_rate * g / (np.sqrt(new_s[dkey]) + epsilon)
    return new_params, new_s


def initialize_adam(parameters):
    """Adam's first and second moment estimates: two dicts of zeros, keys "dWl", "dbl".

    Returns:
    (v, s)
    """
    return initialize_momentum(parameters), initialize_momentum(parameters)


def update_parameters_with_adam(parameters, gradients, v, s, t, learning_rate=0.01,
                                beta1=0.9, beta2=0.999, epsilon=1e-8):
    """One Adam step, exactly torch.optim.Adam.

    v = beta1 * v + (1 - beta1) * g;        v_hat = v / (1 - beta1**t)
    s = beta2 * s + (1 - beta2) * g**2;     s_hat = s / (1 - beta2**t)
    W = W - learning_rate * v_hat / (sqrt(s_hat) + epsilon)     (epsilon OUTSIDE the root)

    Arguments:
    t -- this step's number, starting at 1

    Returns:
    (parameters, v, s) -- new dicts; the arguments are left unchanged
    """
    new_params, new_v, new_s = {}, {}, {}
    for key, dkey in _layer_keys(parameters):
        g = gradients[dkey]
        new_v[dkey] = beta1 * v[dkey] + (1 - beta1) * g
        new_s[dkey] = beta2 * s[dkey] + (1 - beta2) * g**2
        v_hat = new_v[dkey] / (1 - beta1**t)
        s_hat = new_s[dkey] / (1 - beta2**t)
        new_params[key] = parameters[key] - learning_rate * v_hat / np.sqrt(s_hat + epsilon)
    return new_params, new_v, new_s


def random_mini_batches(X, Y, mini_batch_size=64, rng=None):
    """Shuffle the examples (columns) with one random permutation and cut them into batches.

    Arguments:
    X -- inputs, shape (n_x, m)
    Y -- labels, shape (1, m) or (C, m)
    mini_batch_size -- examples per batch; the last batch holds the m % mini_batch_size rest
    rng -- np.random.Generator, or None for a fresh default_rng()

    Returns:
    list of (X_batch (n_x, k), Y_batch (C, k)) tuples
    """
    rng = np.random.default_rng() if rng is None else rng
    m = X.shape[1]
    order = rng.permutation(m)
    X_shuffled, Y_shuffled = X[:, order], Y[:, order]
    return [
        (X_shuffled[:, start:start + mini_batch_size], Y_shuffled[:, start:start + mini_batch_size])
        for start in range(0, m - mini_batch_size + 1, mini_batch_size)
    ]


def step_decay(learning_rate0, epoch, drop, epochs_drop):
    """lr0 * drop ** floor(epoch / epochs_drop)  (= StepLR(step_size=epochs_drop, gamma=drop))."""
    return float(learning_rate0 * drop ** math.floor(epoch / epochs_drop))


def exponential_decay(learning_rate0, epoch, decay_rate):
    """lr0 * decay_rate ** epoch  (= ExponentialLR(gamma=decay_rate))."""
    return float(learning_rate0 * decay_rate**epoch)


def inverse_time_decay(learning_rate0, epoch, decay_rate, time_interval=1):
    """lr0 / (1 + decay_rate * floor(epoch / time_interval))."""
    return float(learning_rate0 / (1 + decay_rate * math.floor(epoch / time_interval)))


def cosine_annealing(learning_rate0, epoch, total_epochs, min_learning_rate=0.0):
    """min + (lr0 - min) * (1 + cos(pi * epoch / total_epochs)) / 2, for 0 <= epoch <= total_epochs."""
    cosine = (1 + math.cos(math.pi * epoch / total_epochs)) / 2
    return float(min_learning_rate + (learning_rate0 - min_learning_rate) * cosine)
