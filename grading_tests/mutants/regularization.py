"""Misconceptions about L2 regularization and dropout that the properties must catch.

Each mutant is pasted alone after the solution module: it may use np, relu, sigmoid, compute_cost.
"""

import numpy as np

from grading_tests.mutants import mutant


# Copies of the given helpers, for the grader's diagnoses; a pasted mutant uses the module's own.
def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def relu(x):
    return np.maximum(0, x)


def compute_cost(A3, Y):
    return float(-np.mean(Y * np.log(A3) + (1 - Y) * np.log(1 - A3)))


@mutant("compute_cost_with_regularization", "lambd/m instead of lambd/(2m) in the cost")
def cost_no_half(A3, Y, parameters, lambd):
    m = Y.shape[1]
    penalty = sum(np.sum(parameters[f"W{l}"] ** 2) for l in (1, 2, 3))
    return compute_cost(A3, Y) + lambd / m * penalty


@mutant("compute_cost_with_regularization", "the biases regularized too")
def cost_with_biases(A3, Y, parameters, lambd):
    m = Y.shape[1]
    penalty = sum(np.sum(v**2) for v in parameters.values())
    return compute_cost(A3, Y) + lambd / (2 * m) * penalty


@mutant("compute_cost_with_regularization", "the penalty not divided by m")
def cost_no_m(A3, Y, parameters, lambd):
    penalty = sum(np.sum(parameters[f"W{l}"] ** 2) for l in (1, 2, 3))
    return compute_cost(A3, Y) + lambd / 2 * penalty


@mutant("backward_propagation_with_regularization", "lambd/(2m) * W in the gradient instead of lambd/m * W")
def backward_half_lambda(X, Y, cache, lambd):
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    dZ3 = A3 - Y
    dW3 = dZ3 @ A2.T / m + lambd / (2 * m) * W3
    db3 = np.sum(dZ3, axis=1, keepdims=True) / m
    dA2 = W3.T @ dZ3
    dZ2 = dA2 * (A2 > 0)
    dW2 = dZ2 @ A1.T / m + lambd / (2 * m) * W2
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    dA1 = W2.T @ dZ2
    dZ1 = dA1 * (A1 > 0)
    dW1 = dZ1 @ X.T / m + lambd / (2 * m) * W1
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m
    return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
            "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}


@mutant("backward_propagation_with_regularization", "the biases regularized too (dbl gains lambd/m * bl)")
def backward_bias_decay(X, Y, cache, lambd):
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    dZ3 = A3 - Y
    dW3 = (dZ3 @ A2.T + lambd * W3) / m
    db3 = (np.sum(dZ3, axis=1, keepdims=True) + lambd * b3) / m
    dA2 = W3.T @ dZ3
    dZ2 = dA2 * (A2 > 0)
    dW2 = (dZ2 @ A1.T + lambd * W2) / m
    db2 = (np.sum(dZ2, axis=1, keepdims=True) + lambd * b2) / m
    dA1 = W2.T @ dZ2
    dZ1 = dA1 * (A1 > 0)
    dW1 = (dZ1 @ X.T + lambd * W1) / m
    db1 = (np.sum(dZ1, axis=1, keepdims=True) + lambd * b1) / m
    return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
            "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}


@mutant("backward_propagation_with_regularization", "lambd * W not divided by m")
def backward_lambda_not_over_m(X, Y, cache, lambd):
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    dZ3 = A3 - Y
    dW3 = dZ3 @ A2.T / m + lambd * W3
    db3 = np.sum(dZ3, axis=1, keepdims=True) / m
    dA2 = W3.T @ dZ3
    dZ2 = dA2 * (A2 > 0)
    dW2 = dZ2 @ A1.T / m + lambd * W2
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    dA1 = W2.T @ dZ2
    dZ1 = dA1 * (A1 > 0)
    dW1 = dZ1 @ X.T / m + lambd * W1
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m
    return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
            "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}


@mutant("backward_propagation_with_regularization", "the ReLU derivative taken from the gradient (dA > 0) instead of Z > 0")
def backward_relu_of_gradient(X, Y, cache, lambd):
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    dZ3 = A3 - Y
    dW3 = (dZ3 @ A2.T + lambd * W3) / m
    db3 = np.sum(dZ3, axis=1, keepdims=True) / m
    dA2 = W3.T @ dZ3
    dZ2 = np.maximum(dA2, 0)
    dW2 = (dZ2 @ A1.T + lambd * W2) / m
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    dA1 = W2.T @ dZ2
    dZ1 = np.maximum(dA1, 0)
    dW1 = (dZ1 @ X.T + lambd * W1) / m
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m
    return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
            "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}


@mutant("forward_propagation_with_dropout", "no 1/keep_prob scaling of the kept units")
def dropout_net_no_scaling(X, parameters, keep_prob=0.5, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    W1, b1, W2, b2, W3, b3 = (parameters[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    Z1 = W1 @ X + b1
    D1 = rng.random(Z1.shape) < keep_prob
    A1 = relu(Z1) * D1
    Z2 = W2 @ A1 + b2
    D2 = rng.random(Z2.shape) < keep_prob
    A2 = relu(Z2) * D2
    Z3 = W3 @ A2 + b3
    A3 = sigmoid(Z3)
    return A3, (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)


@mutant("forward_propagation_with_dropout", "keeping a unit when rand > keep_prob")
def dropout_net_greater(X, parameters, keep_prob=0.5, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    W1, b1, W2, b2, W3, b3 = (parameters[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    Z1 = W1 @ X + b1
    D1 = (rng.random(Z1.shape) > keep_prob).astype(int)
    A1 = relu(Z1) * D1 / keep_prob
    Z2 = W2 @ A1 + b2
    D2 = (rng.random(Z2.shape) > keep_prob).astype(int)
    A2 = relu(Z2) * D2 / keep_prob
    Z3 = W3 @ A2 + b3
    A3 = sigmoid(Z3)
    return A3, (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)


@mutant("forward_propagation_with_dropout", "dropout applied to the output A3 too")
def dropout_net_drops_output(X, parameters, keep_prob=0.5, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    W1, b1, W2, b2, W3, b3 = (parameters[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    Z1 = W1 @ X + b1
    D1 = rng.random(Z1.shape) < keep_prob
    A1 = relu(Z1) * D1 / keep_prob
    Z2 = W2 @ A1 + b2
    D2 = rng.random(Z2.shape) < keep_prob
    A2 = relu(Z2) * D2 / keep_prob
    Z3 = W3 @ A2 + b3
    A3 = sigmoid(Z3) * (rng.random(Z3.shape) < keep_prob) / keep_prob
    return A3, (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)


@mutant("forward_propagation_with_dropout", "one mask per unit shared by every example")
def dropout_net_shared_mask(X, parameters, keep_prob=0.5, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    W1, b1, W2, b2, W3, b3 = (parameters[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    Z1 = W1 @ X + b1
    D1 = np.broadcast_to(rng.random((Z1.shape[0], 1)) < keep_prob, Z1.shape).copy()
    A1 = relu(Z1) * D1 / keep_prob
    Z2 = W2 @ A1 + b2
    D2 = np.broadcast_to(rng.random((Z2.shape[0], 1)) < keep_prob, Z2.shape).copy()
    A2 = relu(Z2) * D2 / keep_prob
    Z3 = W3 @ A2 + b3
    A3 = sigmoid(Z3)
    return A3, (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)


@mutant("forward_propagation_with_dropout", "the masks drawn from np.random, ignoring rng")
def dropout_net_global_rng(X, parameters, keep_prob=0.5, rng=None):
    W1, b1, W2, b2, W3, b3 = (parameters[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    Z1 = W1 @ X + b1
    D1 = np.random.binomial(1, keep_prob, size=Z1.shape)
    A1 = relu(Z1) * D1 / keep_prob
    Z2 = W2 @ A1 + b2
    D2 = np.random.binomial(1, keep_prob, size=Z2.shape)
    A2 = relu(Z2) * D2 / keep_prob
    Z3 = W3 @ A2 + b3
    A3 = sigmoid(Z3)
    return A3, (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)


@mutant("backward_propagation_with_dropout", "a new mask drawn in the backward pass")
def dropout_back_new_mask(X, Y, cache, keep_prob):
    m = X.shape[1]
    (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3) = cache
    D1 = np.random.rand(*D1.shape) < keep_prob
    D2 = np.random.rand(*D2.shape) < keep_prob
    dZ3 = A3 - Y
    dW3 = dZ3 @ A2.T / m
    db3 = np.sum(dZ3, axis=1, keepdims=True) / m
    dA2 = (W3.T @ dZ3) * D2 / keep_prob
    dZ2 = dA2 * (Z2 > 0)
    dW2 = dZ2 @ A1.T / m
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    dA1 = (W2.T @ dZ2) * D1 / keep_prob
    dZ1 = dA1 * (Z1 > 0)
    dW1 = dZ1 @ X.T / m
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m
    return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
            "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}


@mutant("backward_propagation_with_dropout", "the masked gradients not divided by keep_prob")
def dropout_back_no_scaling(X, Y, cache, keep_prob):
    m = X.shape[1]
    (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3) = cache
    dZ3 = A3 - Y
    dW3 = dZ3 @ A2.T / m
    db3 = np.sum(dZ3, axis=1, keepdims=True) / m
    dA2 = (W3.T @ dZ3) * D2
    dZ2 = dA2 * (Z2 > 0)
    dW2 = dZ2 @ A1.T / m
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    dA1 = (W2.T @ dZ2) * D1
    dZ1 = dA1 * (Z1 > 0)
    dW1 = dZ1 @ X.T / m
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m
    return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
            "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}


@mutant("backward_propagation_with_dropout", "the masks ignored in the backward pass")
def dropout_back_no_mask(X, Y, cache, keep_prob):
    m = X.shape[1]
    (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3) = cache
    dZ3 = A3 - Y
    dW3 = dZ3 @ A2.T / m
    db3 = np.sum(dZ3, axis=1, keepdims=True) / m
    dA2 = W3.T @ dZ3 / keep_prob
    dZ2 = dA2 * (Z2 > 0)
    dW2 = dZ2 @ A1.T / m
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    dA1 = W2.T @ dZ2 / keep_prob
    dZ1 = dA1 * (Z1 > 0)
    dW1 = dZ1 @ X.T / m
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m
    return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
            "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}


@mutant("dropout_forward", "no check of keep_prob")
def dropout_forward_no_check(A, keep_prob, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    mask = rng.random(A.shape) < keep_prob
    return A * mask / keep_prob, mask


@mutant("dropout_forward", "keeping an entry when rand > keep_prob")
def dropout_forward_greater(A, keep_prob, rng=None):
    if not 0 < keep_prob <= 1:
        raise ValueError("keep_prob must be in (0, 1]")
    rng = np.random.default_rng() if rng is None else rng
    mask = rng.random(A.shape) > keep_prob
    return A * mask / keep_prob, mask


@mutant("dropout_forward", "no 1/keep_prob scaling")
def dropout_forward_no_scaling(A, keep_prob, rng=None):
    if not 0 < keep_prob <= 1:
        raise ValueError("keep_prob must be in (0, 1]")
    rng = np.random.default_rng() if rng is None else rng
    mask = rng.random(A.shape) < keep_prob
    return A * mask, mask


@mutant("dropout_forward", "masking A in place")
def dropout_forward_in_place(A, keep_prob, rng=None):
    if not 0 < keep_prob <= 1:
        raise ValueError("keep_prob must be in (0, 1]")
    rng = np.random.default_rng() if rng is None else rng
    mask = rng.random(A.shape) < keep_prob
    A *= mask / keep_prob
    return A, mask


@mutant("dropout_forward", "a mask from np.random's global generator, ignoring the rng argument")
def dropout_forward_global_rng(A, keep_prob, rng=None):
    if not 0 < keep_prob <= 1:
        raise ValueError("keep_prob must be in (0, 1]")
    mask = np.random.random_sample(A.shape) < keep_prob
    return A * mask / keep_prob, mask


@mutant("dropout_backward", "no 1/keep_prob scaling")
def dropout_backward_no_scaling(dout, mask, keep_prob):
    return dout * mask


@mutant("dropout_backward", "multiplying by keep_prob instead of dividing")
def dropout_backward_times_keep(dout, mask, keep_prob):
    return dout * mask * keep_prob
