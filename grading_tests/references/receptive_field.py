"""The receptive_field topic's references: real convolution output shapes, and an empirical
probe of the field (all-ones convolutions, the gradient of one output pixel)."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def _layer(layer):
    k, s, p, *rest = layer
    return int(k), int(s), int(p), int(rest[0]) if rest else 1


def conv_output_shape(height: int, width: int, kernel_size, stride, padding, dilation, device: str):
    """(H_out, W_out) of an actual ``F.conv2d`` call: the ground truth for conv_output_size."""
    kh, kw = kernel_size
    x = torch.zeros(1, 1, height, width, dtype=torch.float64, device=device)
    w = torch.zeros(1, 1, kh, kw, dtype=torch.float64, device=device)
    out = F.conv2d(x, w, None, stride, padding, dilation)
    return int(out.shape[2]), int(out.shape[3])


def stack_output_length(layers, n: int, device: str) -> int:
    x = torch.zeros(1, 1, n, dtype=torch.float64, device=device)
    for layer in layers:
        k, s, p, d = _layer(layer)
        x = F.conv1d(x, torch.ones(1, 1, k, dtype=torch.float64, device=device), None, s, p, d)
    return int(x.shape[2])


def reference_region(layers, index: int) -> tuple[int, int]:
    """Input range of output ``index`` by composing each layer forward: position u of layer l
    covers [u*s - p, u*s - p + d*(k-1)] of layer l-1. Used only to pick outputs whose field
    lies inside the image; the probe is the ground truth the tests compare with."""
    first = last = index
    for layer in reversed(list(layers)):
        k, s, p, d = _layer(layer)
        first, last = first * s - p, last * s - p + d * (k - 1)
    return first, last


def probe(layers, n: int, indices, device: str) -> dict[int, tuple[int, int] | None]:
    """For each output index of the stack on an input of length ``n``: the first and last input
    index whose value changes it (the bounding box of that output's gradient), or None.

    All weights are ones (average pooling stands in for max pooling), so every path through
    the stack carries a positive weight and no field has cancellations.
    """
    x = torch.zeros(1, 1, n, dtype=torch.float64, device=device, requires_grad=True)
    y = x
    for layer in layers:
        k, s, p, d = _layer(layer)
        y = F.conv1d(y, torch.ones(1, 1, k, dtype=torch.float64, device=device), None, s, p, d)
    boxes: dict[int, tuple[int, int] | None] = {}
    for i in indices:
        (grad,) = torch.autograd.grad(y[0, 0, i], x, retain_graph=True)
        hit = np.flatnonzero(grad[0, 0].cpu().numpy())
        boxes[i] = (int(hit[0]), int(hit[-1])) if hit.size else None
    return boxes
