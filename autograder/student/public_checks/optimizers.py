"""Public checks for optimizers.py: one or two fixed steps on a tiny 2-3-1 network."""

import copy
import math

import numpy as np

from ._common import CheckFailed, close, passed, same_keys, tiny_network, unchanged
from ._i18n import _

GRAD_KEYS = ["dW1", "db1", "dW2", "db2"]


def _zero_state(label, state, params):
    same_keys(label, state, GRAD_KEYS)
    for key in GRAD_KEYS:
        close(f"{label}[{key!r}]", state[key], np.zeros_like(params[key[1:]]))


def check_initialize_momentum(initialize_momentum, quiet=False):
    params, _unused = tiny_network()
    _zero_state("v", initialize_momentum(params), params)
    passed("initialize_momentum", quiet)


def check_initialize_rmsprop(initialize_rmsprop, quiet=False):
    params, _unused = tiny_network()
    _zero_state("s", initialize_rmsprop(params), params)
    passed("initialize_rmsprop", quiet)


def check_initialize_adam(initialize_adam, quiet=False):
    params, _unused = tiny_network()
    result = initialize_adam(params)
    if not isinstance(result, tuple) or len(result) != 2:
        raise CheckFailed(_("initialize_adam must return a tuple (v, s)"))
    _zero_state("v", result[0], params)
    _zero_state("s", result[1], params)
    passed("initialize_adam", quiet)


def check_update_parameters_with_momentum(update_parameters_with_momentum, quiet=False):
    params, grads = tiny_network()
    v0 = {k: np.zeros_like(g) for k, g in grads.items()}
    before = copy.deepcopy((params, grads, v0))
    new_params, v1 = update_parameters_with_momentum(params, grads, v0, 0.9, 0.1)
    unchanged(_("parameters"), before[0], params)
    unchanged("v", before[2], v0)
    # From zero velocity: v = 0.1 g, so every weight moves by 0.1 * 0.1 g.
    for key in params:
        close(_("v[{key!r}] after one step").format(key="d" + key), v1["d" + key], 0.1 * grads["d" + key])
        close(
            _("parameters[{key!r}] after one step").format(key=key),
            new_params[key],
            params[key] - 0.01 * grads["d" + key],
        )
    # A second step with the same gradient: v = 0.9 * 0.1 g + 0.1 g = 0.19 g.
    params2, v2 = update_parameters_with_momentum(new_params, grads, v1, 0.9, 0.1)
    close(_("v['dW1'] after two steps"), v2["dW1"], 0.19 * grads["dW1"])
    close(_("parameters['W1'] after two steps"), params2["W1"], params["W1"] - 0.029 * grads["dW1"])
    passed("update_parameters_with_momentum", quiet)


def check_update_parameters_with_rmsprop(update_parameters_with_rmsprop, quiet=False):
    params, grads = tiny_network()
    s0 = {k: np.zeros_like(g) for k, g in grads.items()}
    before = copy.deepcopy(params)
    new_params, s1 = update_parameters_with_rmsprop(params, grads, s0, 0.99, 0.01, epsilon=1e-8)
    unchanged(_("parameters"), before, params)
    for key in params:
        g = grads["d" + key]
        close(f"s[{'d' + key!r}]", s1["d" + key], 0.01 * g * g)
        # sqrt(s) = 0.1 |g|, so the step is 0.01 * g / (0.1 |g| + 1e-8) = 0.1 sign(g).
        close(
            _("parameters[{key!r}]").format(key=key),
            new_params[key],
            params[key] - 0.01 * g / (0.1 * abs(g) + 1e-8),
        )
    passed("update_parameters_with_rmsprop", quiet)


def check_update_parameters_with_adam(update_parameters_with_adam, quiet=False):
    params, grads = tiny_network()
    zeros = {k: np.zeros_like(g) for k, g in grads.items()}
    before = copy.deepcopy(params)
    new_params, v1, s1 = update_parameters_with_adam(
        params, grads, zeros, copy.deepcopy(zeros), 1, learning_rate=0.01
    )
    unchanged(_("parameters"), before, params)
    for key in params:
        g = grads["d" + key]
        close(f"v[{'d' + key!r}]", v1["d" + key], 0.1 * g)
        close(f"s[{'d' + key!r}]", s1["d" + key], 0.001 * g * g, rtol=1e-9)
        # Bias correction makes the first step lr * g / (|g| + eps): about lr * sign(g).
        close(
            _("parameters[{key!r}] after step t=1 (bias correction?)").format(key=key),
            new_params[key],
            params[key] - 0.01 * np.sign(g),
            rtol=1e-6,
            atol=1e-9,
        )
    # A gradient as small as epsilon: epsilon added OUTSIDE the square root halves the step.
    tiny = {k: np.full_like(g, 1e-8) for k, g in grads.items()}
    stepped, _unused, _unused = update_parameters_with_adam(
        params, tiny, zeros, copy.deepcopy(zeros), 1, learning_rate=0.01, epsilon=1e-8
    )
    close(
        _("W1 after a 1e-8 gradient (epsilon outside the square root?)"),
        stepped["W1"],
        params["W1"] - 0.005,
        rtol=1e-6,
    )
    passed("update_parameters_with_adam", quiet)


def check_random_mini_batches(random_mini_batches, quiet=False):
    X = np.arange(14.0).reshape(2, 7)
    Y = np.arange(7.0).reshape(1, 7) * 10
    batches = random_mini_batches(X, Y, mini_batch_size=3, rng=np.random.default_rng(0))
    sizes = [b[0].shape[1] for b in batches]
    if sizes != [3, 3, 1]:
        raise CheckFailed(
            _("7 examples in batches of 3 should give sizes [3, 3, 1], got {sizes}").format(sizes=sizes)
        )
    columns = sorted(int(c) for b in batches for c in b[0][0])
    if columns != list(range(7)):
        raise CheckFailed(
            _("every example must appear exactly once; first-row values {columns}").format(columns=columns)
        )
    for xb, yb in batches:
        close(_("Y columns travel with their X columns"), yb, xb[0:1] * 10)
    passed("random_mini_batches", quiet)


def check_step_decay(step_decay, quiet=False):
    close("step_decay(0.1, 25, 0.5, 10)", step_decay(0.1, 25, 0.5, 10), 0.025)
    close("step_decay(0.1, 9, 0.5, 10)", step_decay(0.1, 9, 0.5, 10), 0.1)
    passed("step_decay", quiet)


def check_exponential_decay(exponential_decay, quiet=False):
    close("exponential_decay(0.2, 3, 0.5)", exponential_decay(0.2, 3, 0.5), 0.025)
    passed("exponential_decay", quiet)


def check_inverse_time_decay(inverse_time_decay, quiet=False):
    close("inverse_time_decay(0.3, 4, 1.0)", inverse_time_decay(0.3, 4, 1.0), 0.06)
    close(
        "inverse_time_decay(0.3, 5, 1.0, time_interval=2)",
        inverse_time_decay(0.3, 5, 1.0, time_interval=2),
        0.1,
    )
    passed("inverse_time_decay", quiet)


def check_cosine_annealing(cosine_annealing, quiet=False):
    close(_("cosine_annealing at epoch 0"), cosine_annealing(0.1, 0, 10), 0.1)
    close(_("cosine_annealing half-way"), cosine_annealing(0.1, 5, 10, min_learning_rate=0.02), 0.06)
    close(_("cosine_annealing at the end"), cosine_annealing(0.1, 10, 10), 0.0, atol=1e-12)
    close(
        _("cosine_annealing a third of the way"), cosine_annealing(1.0, 1, 3), (1 + math.cos(math.pi / 3)) / 2
    )
    passed("cosine_annealing", quiet)
