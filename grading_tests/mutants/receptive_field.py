"""Misconceptions about output sizes and receptive fields that the properties must catch."""

from grading_tests.mutants import mutant


def _layer(layer):
    if len(layer) == 3:
        k, s, p = layer
        d = 1
    else:
        k, s, p, d = layer
    return int(k), int(s), int(p), int(d)


# ----------------------------------------------------------------------------- conv_output_size


@mutant("conv_output_size", "dilation ignored (the kernel counted as k wide)")
def output_size_no_dilation(input_size, kernel_size, stride=1, padding=0, dilation=1):
    return (input_size + 2 * padding - kernel_size) // stride + 1


@mutant("conv_output_size", "padding added on one side only (n + p instead of n + 2p)")
def output_size_padding_once(input_size, kernel_size, stride=1, padding=0, dilation=1):
    return (input_size + padding - dilation * (kernel_size - 1) - 1) // stride + 1


@mutant("conv_output_size", "rounding up instead of down")
def output_size_ceil(input_size, kernel_size, stride=1, padding=0, dilation=1):
    return -(-(input_size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride) + 1


# ----------------------------------------------------------------------------- receptive_field


@mutant("receptive_field", "dilation ignored (k instead of d*(k-1)+1)")
def rf_no_dilation(layers):
    size, jump, start = 1, 1, 0.0
    for layer in layers:
        k, s, p, d = _layer(layer)
        size += (k - 1) * jump
        start += ((k - 1) / 2 - p) * jump
        jump *= s
    return size, jump, start


@mutant("receptive_field", "each layer's growth multiplied by the jump after its own stride")
def rf_jump_too_early(layers):
    size, jump, start = 1, 1, 0.0
    for layer in layers:
        k, s, p, d = _layer(layer)
        jump *= s
        k_eff = d * (k - 1) + 1
        size += (k_eff - 1) * jump
        start += ((k_eff - 1) / 2 - p) * jump
    return size, jump, start


@mutant("receptive_field", "start without the padding (the centre of output 0 as if p = 0)")
def rf_start_without_padding(layers):
    size, jump, start = 1, 1, 0.0
    for layer in layers:
        k, s, p, d = _layer(layer)
        k_eff = d * (k - 1) + 1
        size += (k_eff - 1) * jump
        start += (k_eff - 1) / 2 * jump
        jump *= s
    return size, jump, start


@mutant("receptive_field", "kernel sizes summed without the jumps (size = 1 + sum(k_eff - 1))")
def rf_no_jump_in_size(layers):
    size, jump, start = 1, 1, 0.0
    for layer in layers:
        k, s, p, d = _layer(layer)
        k_eff = d * (k - 1) + 1
        size += k_eff - 1
        start += ((k_eff - 1) / 2 - p) * jump
        jump *= s
    return size, jump, start


# ----------------------------------------------------------------------------- region


@mutant("receptive_field_region", "an exclusive end (last + 1), as a Python slice would have it")
def region_exclusive_end(layers, index):
    first = last = index
    for layer in reversed(list(layers)):
        k, s, p, d = _layer(layer)
        first, last = s * first - p, s * last - p + d * (k - 1)
    return first, last + 1


@mutant("receptive_field_region", "the padding ignored (every field shifted right)")
def region_no_padding(layers, index):
    first = last = index
    for layer in reversed(list(layers)):
        k, s, p, d = _layer(layer)
        first, last = s * first, s * last + d * (k - 1)
    return first, last


@mutant("receptive_field_region", "the layers walked from the input side instead of from the output")
def region_wrong_order(layers, index):
    first = last = index
    for layer in list(layers):
        k, s, p, d = _layer(layer)
        first, last = s * first - p, s * last - p + d * (k - 1)
    return first, last
