"""The pooling topic's references: ``F.max_pool2d``, ``F.avg_pool2d`` and autograd, in float64."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def _pool(mode: str):
    if mode == "max":
        return F.max_pool2d
    if mode == "avg":
        return F.avg_pool2d
    raise ValueError(mode)


def pool_forward(x, kernel_size, stride, mode: str, device: str) -> np.ndarray:
    xt = torch.tensor(x, dtype=torch.float64, device=device)
    return _pool(mode)(xt, kernel_size, stride).cpu().numpy().copy()


def pool_backward(x, kernel_size, stride, mode: str, dout, device: str) -> np.ndarray:
    xt = torch.tensor(x, dtype=torch.float64, device=device, requires_grad=True)
    out = _pool(mode)(xt, kernel_size, stride)
    (out * torch.tensor(dout, dtype=torch.float64, device=device)).sum().backward()
    return xt.grad.cpu().numpy().copy()


def course_pooling(feature_map, size: int, stride: int, device: str) -> np.ndarray:
    x = torch.tensor(feature_map, dtype=torch.float64, device=device).permute(2, 0, 1)[None]
    return F.max_pool2d(x, size, stride)[0].permute(1, 2, 0).cpu().numpy().copy()
