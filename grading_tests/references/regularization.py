"""The regularization topic's references: the three-layer network in torch (float64), its
binary cross-entropy + L2 cost, and every gradient from autograd."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

CACHE_NAMES = ("Z1", "A1", "W1", "b1", "Z2", "A2", "W2", "b2", "Z3", "A3", "W3", "b3")
DROPOUT_CACHE_NAMES = ("Z1", "D1", "A1", "W1", "b1", "Z2", "D2", "A2", "W2", "b2", "Z3", "A3", "W3", "b3")
GRADIENT_KEYS = ("dZ3", "dW3", "db3", "dA2", "dZ2", "dW2", "db2", "dA1", "dZ1", "dW1", "db1")


def _t(a, device, grad=False):
    return torch.tensor(np.asarray(a, dtype=np.float64), dtype=torch.float64, device=device, requires_grad=grad)


def _np(t):
    return t.detach().cpu().numpy().copy()


def cost(A3, Y, parameters, lambd, device) -> float:
    """F.binary_cross_entropy (mean) + lambd/(2m) * sum of the squared weights."""
    a3, y = _t(A3, device), _t(Y, device)
    m = Y.shape[1]
    penalty = sum(torch.sum(_t(parameters[f"W{l}"], device) ** 2) for l in (1, 2, 3))
    return float(F.binary_cross_entropy(a3, y) + lambd / (2 * m) * penalty)


def run(X, Y, parameters, device, lambd=0.0, masks=None, keep_prob=1.0):
    """Forward pass (with the given dropout masks, if any) and autograd backward.

    Returns (values, gradients): ``values`` maps cache names to arrays; ``gradients`` holds
    dWl, dbl of the mean cost + L2, and m times the gradient for dZl and dAl (the course's
    convention), where dAl is taken at the ReLU output, before any dropout mask.
    """
    m = X.shape[1]
    x, y = _t(X, device), _t(Y, device)
    p = {k: _t(v, device, grad=True) for k, v in parameters.items()}
    values, inner = {}, {}
    a = x
    for l in (1, 2):
        z = p[f"W{l}"] @ a + p[f"b{l}"]
        z.retain_grad()
        r = torch.relu(z)
        r.retain_grad()
        if masks is not None:
            mask = _t(masks[l - 1], device)
            values[f"D{l}"] = masks[l - 1]
            a = r * mask / keep_prob
        else:
            a = r
        inner[f"Z{l}"], inner[f"A{l}"] = z, r
        values[f"Z{l}"], values[f"A{l}"] = _np(z), _np(a)
    z3 = p["W3"] @ a + p["b3"]
    z3.retain_grad()
    a3 = torch.sigmoid(z3)
    values["Z3"], values["A3"] = _np(z3), _np(a3)
    for k, v in parameters.items():
        values[k] = np.array(v, dtype=np.float64)
    # BCE written from Z3 (log-sigmoid) so that the reference stays exact for saturated units.
    bce = -torch.mean(F.logsigmoid(z3) * y + F.logsigmoid(-z3) * (1 - y))
    total = bce + lambd / (2 * m) * sum(torch.sum(p[f"W{l}"] ** 2) for l in (1, 2, 3))
    total.backward()
    grads = {"dZ3": _np(z3.grad) * m}
    for l in (1, 2):
        grads[f"dZ{l}"] = _np(inner[f"Z{l}"].grad) * m
        grads[f"dA{l}"] = _np(inner[f"A{l}"].grad) * m
    for l in (1, 2, 3):
        grads[f"dW{l}"] = _np(p[f"W{l}"].grad)
        grads[f"db{l}"] = _np(p[f"b{l}"].grad)
    return values, {k: grads[k] for k in GRADIENT_KEYS}


def dropout_backward(dout, mask, keep_prob, device):
    a = torch.zeros(np.shape(dout), dtype=torch.float64, device=device, requires_grad=True)
    out = a * _t(mask, device) / keep_prob
    out.backward(_t(dout, device))
    return _np(a.grad)


def dropout_apply(A, mask, keep_prob, device):
    return _np(_t(A, device) * _t(mask, device) / keep_prob)
