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
    ### BEGIN SOLUTION
    if activation not in ("relu", "sigmoid", "tanh"):
        raise ValueError(f"activation must be 'relu', 'sigmoid' or 'tanh', got {activation!r}")
    depth = len(parameters) // 2
    A = X
    caches = []
    for l in range(1, depth + 1):
        W, b = parameters[f"W{l}"], parameters[f"b{l}"]
        Z = W @ A + b
        caches.append((A, W, b, Z))
        if l == depth or activation == "sigmoid":
            A = 1 / (1 + np.exp(-Z))
        elif activation == "tanh":
            A = np.tanh(Z)
        else:
            A = np.maximum(Z, 0)
    return A, caches
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    if activation not in ("relu", "sigmoid", "tanh"):
        raise ValueError(f"activation must be 'relu', 'sigmoid' or 'tanh', got {activation!r}")
    m = AL.shape[1]
    L = len(caches)
    gradients = {}
    dZ = (AL - Y) / m
    for l in range(L, 0, -1):
        A_prev, W, _, _ = caches[l - 1]
        gradients[f"dW{l}"] = dZ @ A_prev.T
        gradients[f"db{l}"] = np.sum(dZ, axis=1, keepdims=True)
        if l > 1:  # the gradient reaching the layer below, through its activation
            dA_prev = W.T @ dZ
            Z_prev = caches[l - 2][3]
            if activation == "relu":
                dZ = dA_prev * (Z_prev > 0)
            elif activation == "tanh":
                dZ = dA_prev * (1 - np.tanh(Z_prev) ** 2)
            else:
                s = 1 / (1 + np.exp(-Z_prev))
                dZ = dA_prev * s * (1 - s)
    return gradients
    ### END SOLUTION


def gradient_norms(gradients):
    """Frobenius norm of every weight gradient, in layer order.

    Arguments:
    gradients -- dict "dW1", "db1", ..., "dWL", "dbL"

    Returns:
    norms -- list of L floats [||dW1||_F, ..., ||dWL||_F] (layer 1 first, even past layer 9)
    """
    ### BEGIN SOLUTION
    L = sum(1 for key in gradients if key.startswith("dW"))
    return [float(np.sqrt(np.sum(np.square(gradients[f"dW{l}"])))) for l in range(1, L + 1)]
    ### END SOLUTION
