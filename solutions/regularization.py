"""Regularization of a three-layer network: L2 weight decay and inverted dropout.

Network: LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID. ``X`` is ``(n_x, m)``, ``Y`` is
``(1, m)``; ``Wl`` is ``(n_l, n_{l-1})``, ``bl`` is ``(n_l, 1)``. The helpers up to
``compute_cost`` are given (not graded).
"""

import numpy as np


def sigmoid(x):
    """Given: the logistic function, elementwise."""
    return 1 / (1 + np.exp(-x))


def relu(x):
    """Given: max(0, x), elementwise."""
    return np.maximum(0, x)


def forward_propagation(X, parameters):
    """Given: LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID.

    Returns:
    (A3, cache) -- A3 (1, m); cache = (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)
    """
    W1, b1 = parameters["W1"], parameters["b1"]
    W2, b2 = parameters["W2"], parameters["b2"]
    W3, b3 = parameters["W3"], parameters["b3"]
    Z1 = np.dot(W1, X) + b1
    A1 = relu(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = relu(Z2)
    Z3 = np.dot(W3, A2) + b3
    A3 = sigmoid(Z3)
    cache = (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)
    return A3, cache


def compute_cost(A3, Y):
    """Given: mean binary cross-entropy of the predictions A3 (1, m) against labels Y (1, m)."""
    m = Y.shape[1]
    logprobs = np.multiply(-np.log(A3), Y) + np.multiply(-np.log(1 - A3), 1 - Y)
    return float(1.0 / m * np.sum(logprobs))


def compute_cost_with_regularization(A3, Y, parameters, lambd):
    """Cross-entropy plus the L2 penalty: compute_cost(A3, Y) + lambd / (2m) * sum_l ||Wl||_F^2.

    Biases are not regularized.

    Arguments:
    A3 -- predictions (1, m)
    Y -- labels (1, m)
    parameters -- dict "W1", "b1", "W2", "b2", "W3", "b3"
    lambd -- regularization strength (>= 0)

    Returns:
    cost -- a float
    """
    ### BEGIN SOLUTION
    m = Y.shape[1]
    penalty = sum(np.sum(np.square(parameters[f"W{l}"])) for l in (1, 2, 3))
    return float(compute_cost(A3, Y) + lambd / (2 * m) * penalty)
    ### END SOLUTION


def backward_propagation_with_regularization(X, Y, cache, lambd):
    """Backward pass of the L2-regularized cost.

    dWl and dbl are the true gradients of compute_cost_with_regularization (dWl gains
    lambd / m * Wl; biases gain nothing). dZl and dAl follow the course: m times the gradient
    of the mean cost, i.e. dZ3 = A3 - Y, dA2 = W3.T @ dZ3, dZ2 = dA2 * (A2 > 0), ...

    Arguments:
    X -- inputs (n_x, m)
    Y -- labels (1, m)
    cache -- (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) from forward_propagation
    lambd -- regularization strength

    Returns:
    gradients -- dict "dZ3", "dW3", "db3", "dA2", "dZ2", "dW2", "db2", "dA1", "dZ1", "dW1", "db1"
    """
    ### BEGIN SOLUTION
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    dZ3 = A3 - Y
    dW3 = (dZ3 @ A2.T + lambd * W3) / m
    db3 = np.sum(dZ3, axis=1, keepdims=True) / m
    dA2 = W3.T @ dZ3
    dZ2 = dA2 * (Z2 > 0)
    dW2 = (dZ2 @ A1.T + lambd * W2) / m
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    dA1 = W2.T @ dZ2
    dZ1 = dA1 * (Z1 > 0)
    dW1 = (dZ1 @ X.T + lambd * W1) / m
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m
    return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
            "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}
    ### END SOLUTION


def forward_propagation_with_dropout(X, parameters, keep_prob=0.5, rng=None):
    """Forward pass with inverted dropout on A1 and A2 (never on the output A3).

    Each hidden unit of each example is kept with probability keep_prob (mask D = 1) or
    dropped (D = 0); the kept ones are divided by keep_prob. keep_prob = 1 changes nothing.

    Arguments:
    X -- inputs (n_x, m)
    parameters -- dict "W1", "b1", "W2", "b2", "W3", "b3"
    keep_prob -- probability of keeping a unit, in (0, 1]
    rng -- np.random.Generator for the masks; None means np.random.default_rng()

    Returns:
    (A3, cache) -- A3 (1, m);
    cache = (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3), D1 (n_1, m) and D2 (n_2, m)
    the 0/1 masks, A1 and A2 after masking and scaling
    """
    ### BEGIN SOLUTION
    rng = np.random.default_rng() if rng is None else rng
    W1, b1 = parameters["W1"], parameters["b1"]
    W2, b2 = parameters["W2"], parameters["b2"]
    W3, b3 = parameters["W3"], parameters["b3"]
    Z1 = W1 @ X + b1
    D1 = (rng.random(Z1.shape) < keep_prob).astype(np.float64)
    A1 = relu(Z1) * D1 / keep_prob
    Z2 = W2 @ A1 + b2
    D2 = (rng.random(Z2.shape) < keep_prob).astype(np.float64)
    A2 = relu(Z2) * D2 / keep_prob
    Z3 = W3 @ A2 + b3
    A3 = sigmoid(Z3)
    return A3, (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)
    ### END SOLUTION


def backward_propagation_with_dropout(X, Y, cache, keep_prob):
    """Backward pass through the dropout network, reusing the masks of the forward pass.

    As in the course: dZ3 = A3 - Y; dA2 = (W3.T @ dZ3) * D2 / keep_prob (the gradient reaching
    the ReLU output through the mask); dZ2 = dA2 * (Z2 > 0); ... dWl, dbl are the true gradients
    of the mean cross-entropy.

    Arguments:
    X -- inputs (n_x, m)
    Y -- labels (1, m)
    cache -- (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)
    keep_prob -- the keep probability of the forward pass

    Returns:
    gradients -- dict "dZ3", "dW3", "db3", "dA2", "dZ2", "dW2", "db2", "dA1", "dZ1", "dW1", "db1"
    """
    ### BEGIN SOLUTION
    m = X.shape[1]
    (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3) = cache
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
    ### END SOLUTION


def dropout_forward(A, keep_prob, rng=None):
    """Inverted dropout on an array of any shape.

    Each entry is kept with probability keep_prob: out = A * mask / keep_prob.

    Arguments:
    A -- activations, any shape
    keep_prob -- probability of keeping an entry; ValueError unless 0 < keep_prob <= 1
    rng -- np.random.Generator for the mask; None means np.random.default_rng()

    Returns:
    (out, mask) -- out shaped like A; mask the 0/1 keep mask, shaped like A
    """
    ### BEGIN SOLUTION
    if not 0 < keep_prob <= 1:
        raise ValueError(f"keep_prob must be in (0, 1], got {keep_prob}")
    rng = np.random.default_rng() if rng is None else rng
    mask = (rng.random(np.shape(A)) < keep_prob).astype(np.float64)
    return A * mask / keep_prob, mask
    ### END SOLUTION


def dropout_backward(dout, mask, keep_prob):
    """Gradient of inverted dropout: dA = dout * mask / keep_prob.

    Arguments:
    dout -- upstream gradient, shaped like the forward input
    mask -- the 0/1 keep mask of the forward pass
    keep_prob -- the keep probability of the forward pass

    Returns:
    dA -- shaped like dout
    """
    ### BEGIN SOLUTION
    return dout * mask / keep_prob
    ### END SOLUTION
