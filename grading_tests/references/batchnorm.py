"""The batchnorm topic's references: torch.nn.functional.batch_norm (float64) and its autograd."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def _t(a, device, grad=False):
    return torch.tensor(np.asarray(a, dtype=np.float64), dtype=torch.float64, device=device, requires_grad=grad)


def forward(x, gamma, beta, running_mean, running_var, training, momentum, eps, device):
    """(out, running_mean, running_var) exactly as F.batch_norm leaves them."""
    rm, rv = _t(running_mean, device), _t(running_var, device)
    out = F.batch_norm(_t(x, device), rm, rv, _t(gamma, device), _t(beta, device),
                       training=training, momentum=momentum, eps=eps)
    return out.cpu().numpy(), rm.cpu().numpy(), rv.cpu().numpy()


def backward(x, gamma, beta, dout, eps, device):
    """(dx, dgamma, dbeta): gradients of sum(out * dout) for a training-mode batch norm."""
    xt, g, b = _t(x, device, True), _t(gamma, device, True), _t(beta, device, True)
    out = F.batch_norm(xt, None, None, g, b, training=True, eps=eps)
    out.backward(_t(dout, device))
    return tuple(t.grad.detach().cpu().numpy() for t in (xt, g, b))
