"""The conv topic's references: ``F.conv2d`` and autograd, in float64."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def _t(a, device: str, grad: bool = False) -> torch.Tensor:
    return torch.tensor(np.asarray(a), dtype=torch.float64, device=device, requires_grad=grad)


def _np(t: torch.Tensor) -> np.ndarray:
    return t.detach().cpu().numpy().copy()


def zero_pad(x: np.ndarray, pad, device: str) -> np.ndarray:
    ph, pw = (pad, pad) if isinstance(pad, int) else pad
    return _np(F.pad(_t(x, device), (pw, pw, ph, ph)))


def conv_forward(x, w, b, stride, padding, device: str) -> np.ndarray:
    bias = None if b is None else _t(b, device)
    return _np(F.conv2d(_t(x, device), _t(w, device), bias, stride, padding))


def conv_backward(x, w, b, stride, padding, dout, device: str):
    """(dx, dw, db) of sum(conv2d(x, w, b) * dout); db is None when b is None."""
    xt, wt = _t(x, device, True), _t(w, device, True)
    bt = None if b is None else _t(b, device, True)
    out = F.conv2d(xt, wt, bt, stride, padding)
    (out * _t(dout, device)).sum().backward()
    return _np(xt.grad), _np(wt.grad), None if bt is None else _np(bt.grad)


def course_conv(img, conv_filter, device: str) -> np.ndarray:
    """The course's ``conv`` on (H, W[, C]) with (F, K, K[, C]) filters, through F.conv2d."""
    img, filt = np.asarray(img), np.asarray(conv_filter)
    if img.ndim == 2:
        img, filt = img[:, :, None], filt[..., None]
    x = _t(img, device).permute(2, 0, 1)[None]
    w = _t(filt, device).permute(0, 3, 1, 2)
    return _np(F.conv2d(x, w)[0].permute(1, 2, 0))
