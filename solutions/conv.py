"""Convolution from scratch: zero padding, a vectorized forward and backward pass in PyTorch's
``(N, C, H, W)`` layout, and the course's single-image ``conv`` on ``(H, W, C)`` images.

Every function computes a cross-correlation, exactly as ``torch.nn.functional.conv2d``.
No function changes its inputs in place.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def _pair(value):
    """An int or a pair of ints as ``(along H, along W)``."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"expected an int or a pair, got {value!r}")
        return int(value[0]), int(value[1])
    return int(value), int(value)


def zero_pad(x, pad):
    """Pad the H and W axes of a batch of images with zeros.

    Arguments:
    x -- (N, C, H, W) array
    pad -- int, or (pad_h, pad_w): zeros added on BOTH sides of H (pad_h) and of W (pad_w)

    Returns:
    x_padded -- (N, C, H + 2*pad_h, W + 2*pad_w) array
    """
    ### BEGIN SOLUTION
    ph, pw = _pair(pad)
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), mode="constant")
    ### END SOLUTION


def conv_forward(x, w, b, stride=1, padding=0):
    """Forward pass of a convolution layer, exactly ``F.conv2d(x, w, b, stride, padding)``.

    out[n, f, i, j] = b[f] + sum over c, p, q of
                      x_padded[n, c, i*stride_h + p, j*stride_w + q] * w[f, c, p, q]

    Arguments:
    x -- input (N, C, H, W)
    w -- weights (F, C, KH, KW)
    b -- biases (F,), or None for no bias
    stride -- int or (stride_h, stride_w)
    padding -- int or (pad_h, pad_w): zeros around H and W

    Returns:
    out -- (N, F, H_out, W_out), H_out = floor((H + 2*pad_h - KH) / stride_h) + 1 (W alike)
    cache -- whatever conv_backward needs
    """
    ### BEGIN SOLUTION
    sh, sw = _pair(stride)
    ph, pw = _pair(padding)
    KH, KW = w.shape[2], w.shape[3]
    xp = zero_pad(x, (ph, pw))
    # windows[n, c, i, j, p, q] = xp[n, c, i*sh + p, j*sw + q]: a strided view, no copy yet.
    windows = sliding_window_view(xp, (KH, KW), axis=(2, 3))[:, :, ::sh, ::sw]
    N, C, Ho, Wo = windows.shape[:4]
    # im2col: one column per output pixel, then a single matrix product (as torch does).
    cols = windows.transpose(1, 4, 5, 0, 2, 3).reshape(C * KH * KW, N * Ho * Wo)
    out = (w.reshape(w.shape[0], -1) @ cols).reshape(-1, N, Ho, Wo).transpose(1, 0, 2, 3)
    if b is not None:
        out = out + np.asarray(b, dtype=np.float64).reshape(1, -1, 1, 1)
    cache = (x, w, b, (sh, sw), (ph, pw))
    return np.ascontiguousarray(out, dtype=np.float64), cache
    ### END SOLUTION


def conv_backward(dout, cache):
    """Backward pass of a convolution layer: the gradients of sum(out * dout).

    Arguments:
    dout -- upstream gradient (N, F, H_out, W_out)
    cache -- from conv_forward

    Returns:
    dx -- (N, C, H, W), dw -- (F, C, KH, KW), db -- (F,)
    """
    ### BEGIN SOLUTION
    x, w, b, (sh, sw), (ph, pw) = cache
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    Ho, Wo = dout.shape[2], dout.shape[3]
    xp = zero_pad(x, (ph, pw))
    windows = sliding_window_view(xp, (KH, KW), axis=(2, 3))[:, :, ::sh, ::sw]
    cols = windows.transpose(1, 4, 5, 0, 2, 3).reshape(C * KH * KW, N * Ho * Wo)
    dout_rows = dout.transpose(1, 0, 2, 3).reshape(F, N * Ho * Wo)
    dw = (dout_rows @ cols.T).reshape(F, C, KH, KW)
    db = dout.sum(axis=(0, 2, 3))
    # What each window sends back to its KH*KW input pixels; overlapping windows add up.
    dcols = (w.reshape(F, -1).T @ dout_rows).reshape(C, KH, KW, N, Ho, Wo)
    dxp = np.zeros((C, N) + xp.shape[2:])
    for p in range(KH):
        for q in range(KW):
            dxp[:, :, p:p + sh * (Ho - 1) + 1:sh, q:q + sw * (Wo - 1) + 1:sw] += dcols[:, p, q]
    dxp = dxp.transpose(1, 0, 2, 3)
    dx = dxp[:, :, ph:ph + H, pw:pw + W]
    return np.ascontiguousarray(dx), dw, db
    ### END SOLUTION


def conv(img, conv_filter):
    """The course's single-image convolution (stride 1, no padding, cross-correlation).

    Arguments:
    img -- (H, W) grey image or (H, W, C) image
    conv_filter -- (F, K, K) filters for a grey image, (F, K, K, C) for a C-channel image;
                   K odd

    Returns:
    feature_maps -- (H - K + 1, W - K + 1, F)

    Raises ValueError (naming the argument) when img.ndim != conv_filter.ndim - 1, when the
    channels differ, when a filter is not square, or when K is even.
    """
    ### BEGIN SOLUTION
    img = np.asarray(img, dtype=np.float64)
    conv_filter = np.asarray(conv_filter, dtype=np.float64)
    if img.ndim not in (2, 3) or img.ndim != conv_filter.ndim - 1:
        raise ValueError(f"img has {img.ndim} dimensions and conv_filter {conv_filter.ndim}: "
                         "expected (H, W) with (F, K, K), or (H, W, C) with (F, K, K, C)")
    if img.ndim == 3 and img.shape[-1] != conv_filter.shape[-1]:
        raise ValueError(f"img has {img.shape[-1]} channels but conv_filter has {conv_filter.shape[-1]}")
    if conv_filter.shape[1] != conv_filter.shape[2]:
        raise ValueError(f"conv_filter must be square, got {conv_filter.shape[1]}x{conv_filter.shape[2]}")
    if conv_filter.shape[1] % 2 == 0:
        raise ValueError(f"conv_filter must have an odd size, got {conv_filter.shape[1]}")
    if img.ndim == 2:
        img, conv_filter = img[:, :, None], conv_filter[..., None]
    x = img.transpose(2, 0, 1)[None]            # (1, C, H, W)
    w = conv_filter.transpose(0, 3, 1, 2)       # (F, C, K, K)
    out, _ = conv_forward(x, w, None)
    return np.ascontiguousarray(out[0].transpose(1, 2, 0))
    ### END SOLUTION
