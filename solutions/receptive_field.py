"""Receptive fields: output sizes of convolutions, and which input pixels one output sees.

Works along one axis. A layer is ``(kernel_size, stride, padding)`` or
``(kernel_size, stride, padding, dilation)``; pooling layers count like convolutions.
"""


def _layer(layer):
    """``(k, s, p)`` or ``(k, s, p, d)`` as four ints."""
    if len(layer) == 3:
        k, s, p = layer
        d = 1
    elif len(layer) == 4:
        k, s, p, d = layer
    else:
        raise ValueError(f"a layer is (kernel_size, stride, padding[, dilation]), got {layer!r}")
    return int(k), int(s), int(p), int(d)


def conv_output_size(input_size, kernel_size, stride=1, padding=0, dilation=1):
    """Output length of a convolution (or pooling) along one axis.

    floor((n + 2*padding - dilation*(kernel_size - 1) - 1) / stride) + 1
    """
    ### BEGIN SOLUTION
    return (input_size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1
    ### END SOLUTION


def receptive_field(layers):
    """Receptive field of a stack of layers along one axis.

    With k_eff = dilation*(k - 1) + 1 and jump_0 = 1:
        jump  = product of the strides
        size  = 1 + sum over layers l of (k_eff_l - 1) * jump_{l-1}
        start = sum over layers l of ((k_eff_l - 1)/2 - p_l) * jump_{l-1}
    ``start`` is the input coordinate of the centre of output 0's field (input pixel i
    centred at i), a float. ``receptive_field([])`` is (1, 1, 0.0).

    Returns:
    (size, jump, start)
    """
    ### BEGIN SOLUTION
    size, jump, start = 1, 1, 0.0
    for layer in layers:
        k, s, p, d = _layer(layer)
        k_eff = d * (k - 1) + 1
        size += (k_eff - 1) * jump
        start += ((k_eff - 1) / 2 - p) * jump
        jump *= s
    return size, jump, start
    ### END SOLUTION


def receptive_field_region(layers, index):
    """Inclusive range (first, last) of the input indices that output ``index`` sees.

    It may reach below 0 or past the end of the input (into the padding).
    """
    ### BEGIN SOLUTION
    # Walk back from the output (Araujo et al., Distill 2019): u = s*u - p, v = s*v - p + k_eff - 1.
    first = last = index
    for layer in reversed(list(layers)):
        k, s, p, d = _layer(layer)
        first = s * first - p
        last = s * last - p + d * (k - 1)
    return first, last
    ### END SOLUTION

