"""Pooling from scratch: max and average pooling forward and backward in PyTorch's
``(N, C, H, W)`` layout, and the course's single-image max ``pooling`` on ``(H, W, C)`` maps.

No padding; output sizes round down, as ``F.max_pool2d`` and ``F.avg_pool2d`` do by default.
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


def pool_forward(x, kernel_size, stride=None, mode="max"):
    """Forward pass of a pooling layer.

    out[n, c, i, j] = max (or mean) of x[n, c, i*stride_h : i*stride_h + KH,
                                          j*stride_w : j*stride_w + KW]

    Arguments:
    x -- input (N, C, H, W)
    kernel_size -- int or (KH, KW)
    stride -- int or (stride_h, stride_w); None means stride = kernel_size
    mode -- "max" (= F.max_pool2d) or "avg" (= F.avg_pool2d); anything else: ValueError

    Returns:
    out -- (N, C, H_out, W_out), H_out = floor((H - KH) / stride_h) + 1 (W alike)
    cache -- whatever pool_backward needs
    """
    ### BEGIN SOLUTION
    if mode not in ("max", "avg"):
        raise ValueError(f'mode must be "max" or "avg", got {mode!r}')
    KH, KW = _pair(kernel_size)
    sh, sw = _pair(kernel_size if stride is None else stride)
    windows = sliding_window_view(x, (KH, KW), axis=(2, 3))[:, :, ::sh, ::sw]
    if mode == "max":
        out = windows.max(axis=(4, 5))
    else:
        out = windows.mean(axis=(4, 5))
    cache = (x, (KH, KW), (sh, sw), mode)
    return np.ascontiguousarray(out, dtype=np.float64), cache
    ### END SOLUTION


def pool_backward(dout, cache):
    """Backward pass of a pooling layer: the gradient of sum(out * dout) with respect to x.

    max: each window's whole gradient goes to its maximum (the first one in row-major order
         when several entries tie, as torch does on the CPU);
    avg: each window's gradient is spread evenly over its KH*KW entries.
    Where windows overlap, their contributions add up.

    Arguments:
    dout -- upstream gradient (N, C, H_out, W_out)
    cache -- from pool_forward

    Returns:
    dx -- (N, C, H, W)
    """
    ### BEGIN SOLUTION
    x, (KH, KW), (sh, sw), mode = cache
    Ho, Wo = dout.shape[2], dout.shape[3]
    windows = sliding_window_view(x, (KH, KW), axis=(2, 3))[:, :, ::sh, ::sw]
    if mode == "max":
        flat = windows.reshape(windows.shape[:4] + (KH * KW,))
        winner = flat.argmax(axis=-1)  # the first maximum in row-major order
    dx = np.zeros(x.shape)
    for p in range(KH):
        for q in range(KW):
            if mode == "max":
                share = dout * (winner == p * KW + q)
            else:
                share = dout / (KH * KW)
            dx[:, :, p:p + sh * (Ho - 1) + 1:sh, q:q + sw * (Wo - 1) + 1:sw] += share
    return dx
    ### END SOLUTION


def pooling(feature_map, size=2, stride=2):
    """The course's single-image max pooling.

    Arguments:
    feature_map -- (H, W, C)
    size -- window side
    stride -- step between windows

    Returns:
    pooled -- (floor((H - size) / stride) + 1, floor((W - size) / stride) + 1, C)
    """
    ### BEGIN SOLUTION
    x = np.asarray(feature_map, dtype=np.float64).transpose(2, 0, 1)[None]
    out, _ = pool_forward(x, size, stride, "max")
    return np.ascontiguousarray(out[0].transpose(1, 2, 0))
    ### END SOLUTION
