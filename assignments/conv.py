# Generated from the reference solution by `autograder stubs`: fill in each YOUR CODE HERE.
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
    # YOUR CODE HERE
    raise NotImplementedError


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
    # YOUR CODE HERE
    raise NotImplementedError


def conv_backward(dout, cache):
    """Backward pass of a convolution layer: the gradients of sum(out * dout).

    Arguments:
    dout -- upstream gradient (N, F, H_out, W_out)
    cache -- from conv_forward

    Returns:
    dx -- (N, C, H, W), dw -- (F, C, KH, KW), db -- (F,)
    """
    # YOUR CODE HERE
    raise NotImplementedError


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
    # YOUR CODE HERE
    raise NotImplementedError
