"""The deep_gradients topic's references: the L-layer network in torch (float64), autograd's
gradients of its mean binary cross-entropy, and torch.linalg's Frobenius norms."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

ACTIVATIONS = {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}


def _t(a, device, grad=False):
    return torch.tensor(np.asarray(a, dtype=np.float64), dtype=torch.float64, device=device, requires_grad=grad)


def _np(t):
    return t.detach().cpu().numpy().copy()


def _logits(x, p, activation):
    """The output layer's pre-activation ZL; hidden layers LINEAR -> activation."""
    L = len(p) // 2
    a = x
    for l in range(1, L):
        a = ACTIVATIONS[activation](p[f"W{l}"] @ a + p[f"b{l}"])
    return p[f"W{L}"] @ a + p[f"b{L}"]


def hidden_pre_activations(X, parameters, activation, device) -> list[np.ndarray]:
    """Z1 .. Z(L-1), the values the hidden activation is applied to."""
    p = {k: _t(v, device) for k, v in parameters.items()}
    L = len(p) // 2
    a, found = _t(X, device), []
    for l in range(1, L):
        z = p[f"W{l}"] @ a + p[f"b{l}"]
        found.append(_np(z))
        a = ACTIVATIONS[activation](z)
    return found


def forward(X, parameters, activation, device) -> np.ndarray:
    """AL (1, m) = sigmoid(ZL)."""
    p = {k: _t(v, device) for k, v in parameters.items()}
    return _np(torch.sigmoid(_logits(_t(X, device), p, activation)))


def gradients(X, Y, parameters, activation, device) -> dict[str, np.ndarray]:
    """dWl, dbl of the mean binary cross-entropy, from autograd (taken from ZL, so that the
    reference stays exact where the output saturates; F.logsigmoid costs 15 ms a call here)."""
    p = {k: _t(v, device, grad=True) for k, v in parameters.items()}
    z = _logits(_t(X, device), p, activation)
    cost = F.binary_cross_entropy_with_logits(z, _t(Y, device))
    cost.backward()
    L = len(p) // 2
    grads = {}
    for l in range(1, L + 1):
        grads[f"dW{l}"] = _np(p[f"W{l}"].grad)
        grads[f"db{l}"] = _np(p[f"b{l}"].grad)
    return grads


def norms(gradients, device) -> list[float]:
    """[||dW1||_F, ..., ||dWL||_F] with torch.linalg.matrix_norm."""
    L = sum(1 for k in gradients if k.startswith("dW"))
    return [float(torch.linalg.matrix_norm(_t(gradients[f"dW{l}"], device), ord="fro")) for l in range(1, L + 1)]
