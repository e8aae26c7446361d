"""Misconceptions about optimizers that the properties must catch (and can name)."""

import math

import numpy as np

from grading_tests.mutants import mutant


def _layer_keys(parameters):
    L = len(parameters) // 2
    return [(f"{p}{l}", f"d{p}{l}") for l in range(1, L + 1) for p in ("W", "b")]


@mutant("update_parameters_with_adam", "Adam without bias correction")
def adam_no_bias_correction(parameters, gradients, v, s, t, learning_rate=0.01,
                            beta1=0.9, beta2=0.999, epsilon=1e-8):
    P, V, S = {}, {}, {}
    for k, d in _layer_keys(parameters):
        V[d] = beta1 * v[d] + (1 - beta1) * gradients[d]
        S[d] = beta2 * s[d] + (1 - beta2) * gradients[d] ** 2
        P[k] = parameters[k] - learning_rate * V[d] / (np.sqrt(S[d]) + epsilon)
    return P, V, S


@mutant("update_parameters_with_adam", "epsilon inside the square root")
def adam_epsilon_inside_sqrt(parameters, gradients, v, s, t, learning_rate=0.01,
                             beta1=0.9, beta2=0.999, epsilon=1e-8):
    P, V, S = {}, {}, {}
    for k, d in _layer_keys(parameters):
        V[d] = beta1 * v[d] + (1 - beta1) * gradients[d]
        S[d] = beta2 * s[d] + (1 - beta2) * gradients[d] ** 2
        v_hat, s_hat = V[d] / (1 - beta1**t), S[d] / (1 - beta2**t)
        P[k] = parameters[k] - learning_rate * v_hat / np.sqrt(s_hat + epsilon)
    return P, V, S


@mutant("update_parameters_with_adam", "bias correction with the step number t+1 (t counted from 0)")
def adam_t_off_by_one(parameters, gradients, v, s, t, learning_rate=0.01,
                      beta1=0.9, beta2=0.999, epsilon=1e-8):
    P, V, S = {}, {}, {}
    for k, d in _layer_keys(parameters):
        V[d] = beta1 * v[d] + (1 - beta1) * gradients[d]
        S[d] = beta2 * s[d] + (1 - beta2) * gradients[d] ** 2
        v_hat, s_hat = V[d] / (1 - beta1 ** (t + 1)), S[d] / (1 - beta2 ** (t + 1))
        P[k] = parameters[k] - learning_rate * v_hat / (np.sqrt(s_hat) + epsilon)
    return P, V, S


@mutant("update_parameters_with_adam", "updating the parameters in place")
def adam_in_place(parameters, gradients, v, s, t, learning_rate=0.01,
                  beta1=0.9, beta2=0.999, epsilon=1e-8):
    for k, d in _layer_keys(parameters):
        v[d] = beta1 * v[d] + (1 - beta1) * gradients[d]
        s[d] = beta2 * s[d] + (1 - beta2) * gradients[d] ** 2
        v_hat, s_hat = v[d] / (1 - beta1**t), s[d] / (1 - beta2**t)
        parameters[k] = parameters[k] - learning_rate * v_hat / (np.sqrt(s_hat) + epsilon)
    return parameters, v, s


@mutant("update_parameters_with_momentum", "momentum whose velocity starts from the first gradient (v = beta*v + g)")
def momentum_from_g(parameters, gradients, v, beta, learning_rate):
    P, V = {}, {}
    for k, d in _layer_keys(parameters):
        V[d] = beta * v[d] + gradients[d]
        P[k] = parameters[k] - learning_rate * V[d]
    return P, V


@mutant("update_parameters_with_momentum", "momentum with beta and 1-beta swapped")
def momentum_swapped_beta(parameters, gradients, v, beta, learning_rate):
    P, V = {}, {}
    for k, d in _layer_keys(parameters):
        V[d] = (1 - beta) * v[d] + beta * gradients[d]
        P[k] = parameters[k] - learning_rate * V[d]
    return P, V


@mutant("update_parameters_with_momentum", "a step with the raw gradient instead of the velocity")
def momentum_steps_with_gradient(parameters, gradients, v, beta, learning_rate):
    P, V = {}, {}
    for k, d in _layer_keys(parameters):
        V[d] = beta * v[d] + (1 - beta) * gradients[d]
        P[k] = parameters[k] - learning_rate * gradients[d]
    return P, V


@mutant("update_parameters_with_rmsprop", "epsilon inside the square root")
def rmsprop_epsilon_inside_sqrt(parameters, gradients, s, beta2, learning_rate, epsilon=1e-8):
    P, S = {}, {}
    for k, d in _layer_keys(parameters):
        S[d] = beta2 * s[d] + (1 - beta2) * gradients[d] ** 2
        P[k] = parameters[k] - learning_rate * gradients[d] / np.sqrt(S[d] + epsilon)
    return P, S


@mutant("update_parameters_with_rmsprop", "dividing by s instead of its square root")
def rmsprop_no_sqrt(parameters, gradients, s, beta2, learning_rate, epsilon=1e-8):
    P, S = {}, {}
    for k, d in _layer_keys(parameters):
        S[d] = beta2 * s[d] + (1 - beta2) * gradients[d] ** 2
        P[k] = parameters[k] - learning_rate * gradients[d] / (S[d] + epsilon)
    return P, S


@mutant("random_mini_batches", "a last batch dropped when m is not a multiple of the batch size")
def batches_drop_last(X, Y, mini_batch_size=64, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    order = rng.permutation(X.shape[1])
    X, Y = X[:, order], Y[:, order]
    full = X.shape[1] // mini_batch_size
    return [(X[:, i * mini_batch_size:(i + 1) * mini_batch_size], Y[:, i * mini_batch_size:(i + 1) * mini_batch_size])
            for i in range(full)]


@mutant("random_mini_batches", "X and Y shuffled with two different permutations")
def batches_two_permutations(X, Y, mini_batch_size=64, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    X = X[:, rng.permutation(X.shape[1])]
    Y = Y[:, rng.permutation(Y.shape[1])]
    return [(X[:, i:i + mini_batch_size], Y[:, i:i + mini_batch_size]) for i in range(0, X.shape[1], mini_batch_size)]


@mutant("random_mini_batches", "no shuffling at all")
def batches_unshuffled(X, Y, mini_batch_size=64, rng=None):
    return [(X[:, i:i + mini_batch_size], Y[:, i:i + mini_batch_size]) for i in range(0, X.shape[1], mini_batch_size)]


@mutant("random_mini_batches", "shuffling that ignores the rng argument")
def batches_global_rng(X, Y, mini_batch_size=64, rng=None):
    order = np.random.permutation(X.shape[1])
    X, Y = X[:, order], Y[:, order]
    return [(X[:, i:i + mini_batch_size], Y[:, i:i + mini_batch_size]) for i in range(0, X.shape[1], mini_batch_size)]


@mutant("random_mini_batches", "a biased shuffle (each position swapped with any position)")
def batches_naive_shuffle(X, Y, mini_batch_size=64, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    m = X.shape[1]
    order = list(range(m))
    for i in range(m):
        j = int(rng.integers(0, m))
        order[i], order[j] = order[j], order[i]
    X, Y = X[:, order], Y[:, order]
    return [(X[:, i:i + mini_batch_size], Y[:, i:i + mini_batch_size]) for i in range(0, m, mini_batch_size)]


@mutant("step_decay", "dropping every epoch (no floor of epoch / epochs_drop)")
def step_decay_no_floor(learning_rate0, epoch, drop, epochs_drop):
    return learning_rate0 * drop ** (epoch / epochs_drop)


@mutant("exponential_decay", "exp(-decay_rate * epoch) instead of decay_rate ** epoch")
def exponential_decay_exp(learning_rate0, epoch, decay_rate):
    return learning_rate0 * math.exp(-decay_rate * epoch)


@mutant("inverse_time_decay", "no floor of epoch / time_interval")
def inverse_time_no_floor(learning_rate0, epoch, decay_rate, time_interval=1):
    return learning_rate0 / (1 + decay_rate * epoch / time_interval)


@mutant("cosine_annealing", "the minimum learning rate ignored")
def cosine_ignores_min(learning_rate0, epoch, total_epochs, min_learning_rate=0.0):
    return learning_rate0 * (1 + math.cos(math.pi * epoch / total_epochs)) / 2


@mutant("initialize_momentum", "velocity shaped like the transposed weights")
def momentum_init_transposed(parameters):
    return {("d" + k): np.zeros(p.T.shape) for k, p in parameters.items()}
