"""Misconceptions about deep forward and backward passes and per-layer gradient norms.

Each mutant is pasted alone after the solution module: it may use np. The backward mutants read
the solution's caches, a list of (A_prev, W, b, Z) per layer; ``reference_caches`` builds them
for the grader's diagnoses (never from a student's caches).
"""

import numpy as np

from grading_tests.mutants import mutant

ACTIVATIONS = ("relu", "sigmoid", "tanh")


def reference_caches(X, parameters, activation):
    """(AL, caches) in the solution's layout, computed in the grader from trusted inputs."""
    L = len(parameters) // 2
    A, caches = X, []
    for l in range(1, L + 1):
        W, b = parameters[f"W{l}"], parameters[f"b{l}"]
        Z = W @ A + b
        caches.append((A, W, b, Z))
        if l == L or activation == "sigmoid":
            A = 1 / (1 + np.exp(-Z))
        elif activation == "tanh":
            A = np.tanh(Z)
        else:
            A = np.maximum(Z, 0)
    return A, caches


# ----------------------------------------------------------------------------- deep_forward


@mutant("deep_forward", "the hidden layers always use sigmoid, whatever activation says")
def forward_always_sigmoid(X, parameters, activation="relu"):
    if activation not in ("relu", "sigmoid", "tanh"):
        raise ValueError(f"unknown activation {activation!r}")
    L = len(parameters) // 2
    A = X
    for l in range(1, L + 1):
        Z = parameters[f"W{l}"] @ A + parameters[f"b{l}"]
        A = 1 / (1 + np.exp(-Z))
    return A, []


@mutant("deep_forward", "the output layer uses the hidden activation instead of sigmoid")
def forward_output_hidden_activation(X, parameters, activation="relu"):
    if activation not in ("relu", "sigmoid", "tanh"):
        raise ValueError(f"unknown activation {activation!r}")
    L = len(parameters) // 2
    A = X
    for l in range(1, L + 1):
        Z = parameters[f"W{l}"] @ A + parameters[f"b{l}"]
        if activation == "sigmoid":
            A = 1 / (1 + np.exp(-Z))
        elif activation == "tanh":
            A = np.tanh(Z)
        else:
            A = np.maximum(Z, 0)
    return A, []


@mutant("deep_forward", "the hidden activation applied to the output too, before its sigmoid")
def forward_activation_before_output_sigmoid(X, parameters, activation="relu"):
    if activation not in ("relu", "sigmoid", "tanh"):
        raise ValueError(f"unknown activation {activation!r}")
    L = len(parameters) // 2
    A = X
    for l in range(1, L + 1):
        Z = parameters[f"W{l}"] @ A + parameters[f"b{l}"]
        if activation == "sigmoid":
            A = 1 / (1 + np.exp(-Z))
        elif activation == "tanh":
            A = np.tanh(Z)
        else:
            A = np.maximum(Z, 0)
    return 1 / (1 + np.exp(-A)), []


@mutant("deep_forward", "the biases of the hidden layers left out")
def forward_no_hidden_bias(X, parameters, activation="relu"):
    if activation not in ("relu", "sigmoid", "tanh"):
        raise ValueError(f"unknown activation {activation!r}")
    L = len(parameters) // 2
    A = X
    for l in range(1, L):
        Z = parameters[f"W{l}"] @ A
        if activation == "sigmoid":
            A = 1 / (1 + np.exp(-Z))
        elif activation == "tanh":
            A = np.tanh(Z)
        else:
            A = np.maximum(Z, 0)
    ZL = parameters[f"W{L}"] @ A + parameters[f"b{L}"]
    return 1 / (1 + np.exp(-ZL)), []


@mutant("deep_forward", "tanh written as 2 * sigmoid(Z) - 1 (that is tanh(Z / 2))")
def forward_tanh_from_sigmoid(X, parameters, activation="relu"):
    if activation not in ("relu", "sigmoid", "tanh"):
        raise ValueError(f"unknown activation {activation!r}")
    L = len(parameters) // 2
    A = X
    for l in range(1, L + 1):
        Z = parameters[f"W{l}"] @ A + parameters[f"b{l}"]
        if l == L or activation == "sigmoid":
            A = 1 / (1 + np.exp(-Z))
        elif activation == "tanh":
            A = 2 / (1 + np.exp(-Z)) - 1
        else:
            A = np.maximum(Z, 0)
    return A, []


@mutant("deep_forward", "an unknown activation treated as relu instead of raising ValueError")
def forward_no_check(X, parameters, activation="relu"):
    L = len(parameters) // 2
    A = X
    for l in range(1, L + 1):
        Z = parameters[f"W{l}"] @ A + parameters[f"b{l}"]
        if l == L or activation == "sigmoid":
            A = 1 / (1 + np.exp(-Z))
        elif activation == "tanh":
            A = np.tanh(Z)
        else:
            A = np.maximum(Z, 0)
    return A, []


@mutant("deep_forward", "Zl and Al stored in the caller's parameters dict")
def forward_caches_in_parameters(X, parameters, activation="relu"):
    if activation not in ("relu", "sigmoid", "tanh"):
        raise ValueError(f"unknown activation {activation!r}")
    L = len(parameters) // 2
    A = X
    for l in range(1, L + 1):
        Z = parameters[f"W{l}"] @ A + parameters[f"b{l}"]
        if l == L or activation == "sigmoid":
            A = 1 / (1 + np.exp(-Z))
        elif activation == "tanh":
            A = np.tanh(Z)
        else:
            A = np.maximum(Z, 0)
        parameters[f"Z{l}"], parameters[f"A{l}"] = Z, A
    return A, parameters


# ----------------------------------------------------------------------------- deep_backward


@mutant("deep_backward", "the gradients of the summed cost (no division by m)")
def backward_summed_cost(AL, Y, caches, activation="relu"):
    if activation not in ("relu", "sigmoid", "tanh"):
        raise ValueError(f"unknown activation {activation!r}")
    L = len(caches)
    gradients = {}
    dZ = AL - Y
    for l in range(L, 0, -1):
        A_prev, W, b, Z = caches[l - 1]
        gradients[f"dW{l}"] = dZ @ A_prev.T
        gradients[f"db{l}"] = np.sum(dZ, axis=1, keepdims=True)
        if l > 1:
            Z_prev = caches[l - 2][3]
            dA = W.T @ dZ
            if activation == "relu":
                dZ = dA * (Z_prev > 0)
            elif activation == "tanh":
                dZ = dA * (1 - np.tanh(Z_prev) ** 2)
            else:
                s = 1 / (1 + np.exp(-Z_prev))
                dZ = dA * s * (1 - s)
    return gradients


@mutant("deep_backward", "db summed without keepdims: shape (n_l,) instead of (n_l, 1)")
def backward_db_flat(AL, Y, caches, activation="relu"):
    if activation not in ("relu", "sigmoid", "tanh"):
        raise ValueError(f"unknown activation {activation!r}")
    m = AL.shape[1]
    L = len(caches)
    gradients = {}
    dZ = (AL - Y) / m
    for l in range(L, 0, -1):
        A_prev, W, b, Z = caches[l - 1]
        gradients[f"dW{l}"] = dZ @ A_prev.T
        gradients[f"db{l}"] = np.sum(dZ, axis=1)
        if l > 1:
            Z_prev = caches[l - 2][3]
            dA = W.T @ dZ
            if activation == "relu":
                dZ = dA * (Z_prev > 0)
            elif activation == "tanh":
                dZ = dA * (1 - np.tanh(Z_prev) ** 2)
            else:
                s = 1 / (1 + np.exp(-Z_prev))
                dZ = dA * s * (1 - s)
    return gradients


@mutant("deep_backward", "the ReLU derivative taken from the gradient (dA > 0) instead of Z > 0")
def backward_relu_of_gradient(AL, Y, caches, activation="relu"):
    if activation not in ("relu", "sigmoid", "tanh"):
        raise ValueError(f"unknown activation {activation!r}")
    m = AL.shape[1]
    L = len(caches)
    gradients = {}
    dZ = (AL - Y) / m
    for l in range(L, 0, -1):
        A_prev, W, b, Z = caches[l - 1]
        gradients[f"dW{l}"] = dZ @ A_prev.T
        gradients[f"db{l}"] = np.sum(dZ, axis=1, keepdims=True)
        if l > 1:
            Z_prev = caches[l - 2][3]
            dA = W.T @ dZ
            if activation == "relu":
                dZ = dA * (dA > 0)
            elif activation == "tanh":
                dZ = dA * (1 - np.tanh(Z_prev) ** 2)
            else:
                s = 1 / (1 + np.exp(-Z_prev))
                dZ = dA * s * (1 - s)
    return gradients


@mutant("deep_backward", "the tanh derivative written 1 - Z**2 instead of 1 - tanh(Z)**2")
def backward_tanh_of_z(AL, Y, caches, activation="relu"):
    if activation not in ("relu", "sigmoid", "tanh"):
        raise ValueError(f"unknown activation {activation!r}")
    m = AL.shape[1]
    L = len(caches)
    gradients = {}
    dZ = (AL - Y) / m
    for l in range(L, 0, -1):
        A_prev, W, b, Z = caches[l - 1]
        gradients[f"dW{l}"] = dZ @ A_prev.T
        gradients[f"db{l}"] = np.sum(dZ, axis=1, keepdims=True)
        if l > 1:
            Z_prev = caches[l - 2][3]
            dA = W.T @ dZ
            if activation == "relu":
                dZ = dA * (Z_prev > 0)
            elif activation == "tanh":
                dZ = dA * (1 - Z_prev**2)
            else:
                s = 1 / (1 + np.exp(-Z_prev))
                dZ = dA * s * (1 - s)
    return gradients


@mutant("deep_backward", "the sigmoid derivative written Z * (1 - Z) instead of s * (1 - s) with s = sigmoid(Z)")
def backward_sigmoid_of_z(AL, Y, caches, activation="relu"):
    if activation not in ("relu", "sigmoid", "tanh"):
        raise ValueError(f"unknown activation {activation!r}")
    m = AL.shape[1]
    L = len(caches)
    gradients = {}
    dZ = (AL - Y) / m
    for l in range(L, 0, -1):
        A_prev, W, b, Z = caches[l - 1]
        gradients[f"dW{l}"] = dZ @ A_prev.T
        gradients[f"db{l}"] = np.sum(dZ, axis=1, keepdims=True)
        if l > 1:
            Z_prev = caches[l - 2][3]
            dA = W.T @ dZ
            if activation == "relu":
                dZ = dA * (Z_prev > 0)
            elif activation == "tanh":
                dZ = dA * (1 - np.tanh(Z_prev) ** 2)
            else:
                dZ = dA * Z_prev * (1 - Z_prev)
    return gradients


@mutant("deep_backward", "the sigmoid derivative used in every hidden layer, whatever activation says")
def backward_always_sigmoid_derivative(AL, Y, caches, activation="relu"):
    if activation not in ("relu", "sigmoid", "tanh"):
        raise ValueError(f"unknown activation {activation!r}")
    m = AL.shape[1]
    L = len(caches)
    gradients = {}
    dZ = (AL - Y) / m
    for l in range(L, 0, -1):
        A_prev, W, b, Z = caches[l - 1]
        gradients[f"dW{l}"] = dZ @ A_prev.T
        gradients[f"db{l}"] = np.sum(dZ, axis=1, keepdims=True)
        if l > 1:
            s = 1 / (1 + np.exp(-caches[l - 2][3]))
            dZ = (W.T @ dZ) * s * (1 - s)
    return gradients


@mutant("deep_backward", "the output's AL - Y multiplied once more by the sigmoid derivative AL * (1 - AL)")
def backward_output_sigmoid_twice(AL, Y, caches, activation="relu"):
    if activation not in ("relu", "sigmoid", "tanh"):
        raise ValueError(f"unknown activation {activation!r}")
    m = AL.shape[1]
    L = len(caches)
    gradients = {}
    dZ = (AL - Y) * AL * (1 - AL) / m
    for l in range(L, 0, -1):
        A_prev, W, b, Z = caches[l - 1]
        gradients[f"dW{l}"] = dZ @ A_prev.T
        gradients[f"db{l}"] = np.sum(dZ, axis=1, keepdims=True)
        if l > 1:
            Z_prev = caches[l - 2][3]
            dA = W.T @ dZ
            if activation == "relu":
                dZ = dA * (Z_prev > 0)
            elif activation == "tanh":
                dZ = dA * (1 - np.tanh(Z_prev) ** 2)
            else:
                s = 1 / (1 + np.exp(-Z_prev))
                dZ = dA * s * (1 - s)
    return gradients


@mutant("deep_backward", "an unknown activation treated as relu instead of raising ValueError")
def backward_no_check(AL, Y, caches, activation="relu"):
    m = AL.shape[1]
    L = len(caches)
    gradients = {}
    dZ = (AL - Y) / m
    for l in range(L, 0, -1):
        A_prev, W, b, Z = caches[l - 1]
        gradients[f"dW{l}"] = dZ @ A_prev.T
        gradients[f"db{l}"] = np.sum(dZ, axis=1, keepdims=True)
        if l > 1:
            Z_prev = caches[l - 2][3]
            dA = W.T @ dZ
            if activation == "tanh":
                dZ = dA * (1 - np.tanh(Z_prev) ** 2)
            elif activation == "sigmoid":
                s = 1 / (1 + np.exp(-Z_prev))
                dZ = dA * s * (1 - s)
            else:
                dZ = dA * (Z_prev > 0)
    return gradients


@mutant("deep_backward", "dZ = AL; dZ -= Y changes the caller's AL in place")
def backward_changes_al(AL, Y, caches, activation="relu"):
    if activation not in ("relu", "sigmoid", "tanh"):
        raise ValueError(f"unknown activation {activation!r}")
    m = AL.shape[1]
    L = len(caches)
    gradients = {}
    dZ = AL
    dZ -= Y
    dZ /= m
    for l in range(L, 0, -1):
        A_prev, W, b, Z = caches[l - 1]
        gradients[f"dW{l}"] = dZ @ A_prev.T
        gradients[f"db{l}"] = np.sum(dZ, axis=1, keepdims=True)
        if l > 1:
            Z_prev = caches[l - 2][3]
            dA = W.T @ dZ
            if activation == "relu":
                dZ = dA * (Z_prev > 0)
            elif activation == "tanh":
                dZ = dA * (1 - np.tanh(Z_prev) ** 2)
            else:
                s = 1 / (1 + np.exp(-Z_prev))
                dZ = dA * s * (1 - s)
    return gradients


# ----------------------------------------------------------------------------- gradient_norms


@mutant("gradient_norms", "the layers taken in the order of the sorted keys (dW1, dW10, dW11, dW2, ...)")
def norms_sorted_keys(gradients):
    return [float(np.linalg.norm(gradients[k])) for k in sorted(gradients) if k.startswith("dW")]


@mutant("gradient_norms", "squared norms (the square root left out)")
def norms_squared(gradients):
    L = len(gradients) // 2
    return [float(np.sum(gradients[f"dW{l}"] ** 2)) for l in range(1, L + 1)]


@mutant("gradient_norms", "the output layer first (backward order)")
def norms_output_first(gradients):
    L = len(gradients) // 2
    return [float(np.linalg.norm(gradients[f"dW{l}"])) for l in range(L, 0, -1)]


@mutant("gradient_norms", "the bias gradients' norms listed too")
def norms_with_biases(gradients):
    L = len(gradients) // 2
    return [float(np.linalg.norm(gradients[f"{k}{l}"])) for l in range(1, L + 1) for k in ("dW", "db")]


@mutant("gradient_norms", "the spectral norm (largest singular value) instead of the Frobenius norm")
def norms_spectral(gradients):
    L = len(gradients) // 2
    return [float(np.linalg.norm(gradients[f"dW{l}"], 2)) for l in range(1, L + 1)]


@mutant("gradient_norms", "the norms of dbl instead of dWl")
def norms_of_biases(gradients):
    L = len(gradients) // 2
    return [float(np.linalg.norm(gradients[f"db{l}"])) for l in range(1, L + 1)]


@mutant("gradient_norms", "the root mean square of each dWl (divided by its number of entries)")
def norms_root_mean_square(gradients):
    L = len(gradients) // 2
    return [float(np.sqrt(np.mean(gradients[f"dW{l}"] ** 2))) for l in range(1, L + 1)]
