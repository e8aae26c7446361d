"""Misconceptions about pooling that the properties must catch (and can name).

Mutants use the solution's cache layout ``(x, (KH, KW), (sh, sw), mode)`` and a ``_pair``
helper of the same name and meaning as the solution's.
"""

import numpy as np

from grading_tests.mutants import mutant


def _pair(value):
    if isinstance(value, (tuple, list)):
        return int(value[0]), int(value[1])
    return int(value), int(value)


# ----------------------------------------------------------------------------- pool_forward


@mutant("pool_forward", "stride=None read as stride 1 instead of stride = kernel_size")
def pool_forward_stride_one(x, kernel_size, stride=None, mode="max"):
    if mode not in ("max", "avg"):
        raise ValueError("mode must be max or avg")
    KH, KW = _pair(kernel_size)
    sh, sw = _pair(1 if stride is None else stride)
    N, C, H, W = x.shape
    Ho, Wo = (H - KH) // sh + 1, (W - KW) // sw + 1
    out = np.zeros((N, C, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            win = x[:, :, i * sh:i * sh + KH, j * sw:j * sw + KW]
            out[:, :, i, j] = win.max(axis=(2, 3)) if mode == "max" else win.mean(axis=(2, 3))
    return out, (x, (KH, KW), (sh, sw), mode)


@mutant("pool_forward", 'mode ignored: "avg" pools with the maximum too')
def pool_forward_always_max(x, kernel_size, stride=None, mode="max"):
    if mode not in ("max", "avg"):
        raise ValueError("mode must be max or avg")
    KH, KW = _pair(kernel_size)
    sh, sw = _pair(kernel_size if stride is None else stride)
    N, C, H, W = x.shape
    Ho, Wo = (H - KH) // sh + 1, (W - KW) // sw + 1
    out = np.zeros((N, C, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            out[:, :, i, j] = x[:, :, i * sh:i * sh + KH, j * sw:j * sw + KW].max(axis=(2, 3))
    return out, (x, (KH, KW), (sh, sw), mode)


@mutant("pool_forward", "a pair kernel_size=(KH, KW) read as a KH x KH window")
def pool_forward_square_kernel(x, kernel_size, stride=None, mode="max"):
    if mode not in ("max", "avg"):
        raise ValueError("mode must be max or avg")
    KH = KW = _pair(kernel_size)[0]
    sh, sw = _pair(kernel_size if stride is None else stride)
    N, C, H, W = x.shape
    Ho, Wo = (H - KH) // sh + 1, (W - KW) // sw + 1
    out = np.zeros((N, C, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            win = x[:, :, i * sh:i * sh + KH, j * sw:j * sw + KW]
            out[:, :, i, j] = win.max(axis=(2, 3)) if mode == "max" else win.mean(axis=(2, 3))
    return out, (x, (KH, KW), (sh, sw), mode)


@mutant("pool_forward", "no ValueError for an unknown mode (it silently averages)")
def pool_forward_any_mode(x, kernel_size, stride=None, mode="max"):
    KH, KW = _pair(kernel_size)
    sh, sw = _pair(kernel_size if stride is None else stride)
    N, C, H, W = x.shape
    Ho, Wo = (H - KH) // sh + 1, (W - KW) // sw + 1
    out = np.zeros((N, C, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            win = x[:, :, i * sh:i * sh + KH, j * sw:j * sw + KW]
            out[:, :, i, j] = win.max(axis=(2, 3)) if mode == "max" else win.mean(axis=(2, 3))
    return out, (x, (KH, KW), (sh, sw), mode)


# ----------------------------------------------------------------------------- pool_backward


@mutant("pool_backward", "avg backward without the 1/(KH*KW) factor")
def pool_backward_avg_no_scale(dout, cache):
    x, (KH, KW), (sh, sw), mode = cache
    dx = np.zeros(x.shape)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            rows, cols = slice(i * sh, i * sh + KH), slice(j * sw, j * sw + KW)
            g = dout[:, :, i, j][:, :, None, None]
            if mode == "max":
                win = x[:, :, rows, cols].reshape(x.shape[0], x.shape[1], -1)
                mask = np.zeros_like(win)
                np.put_along_axis(mask, win.argmax(axis=2)[:, :, None], 1.0, axis=2)
                dx[:, :, rows, cols] += mask.reshape(x.shape[0], x.shape[1], KH, KW) * g
            else:
                dx[:, :, rows, cols] += g
    return dx


@mutant("pool_backward", "overlapping windows overwrite dx (= instead of +=)")
def pool_backward_overwrite(dout, cache):
    x, (KH, KW), (sh, sw), mode = cache
    dx = np.zeros(x.shape)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            rows, cols = slice(i * sh, i * sh + KH), slice(j * sw, j * sw + KW)
            g = dout[:, :, i, j][:, :, None, None]
            if mode == "max":
                win = x[:, :, rows, cols].reshape(x.shape[0], x.shape[1], -1)
                mask = np.zeros_like(win)
                np.put_along_axis(mask, win.argmax(axis=2)[:, :, None], 1.0, axis=2)
                dx[:, :, rows, cols] = mask.reshape(x.shape[0], x.shape[1], KH, KW) * g
            else:
                dx[:, :, rows, cols] = g / (KH * KW)
    return dx


@mutant("pool_backward", "max backward sends the gradient to every entry equal to the maximum")
def pool_backward_all_ties(dout, cache):
    x, (KH, KW), (sh, sw), mode = cache
    dx = np.zeros(x.shape)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            rows, cols = slice(i * sh, i * sh + KH), slice(j * sw, j * sw + KW)
            g = dout[:, :, i, j][:, :, None, None]
            win = x[:, :, rows, cols]
            if mode == "max":
                dx[:, :, rows, cols] += (win == win.max(axis=(2, 3), keepdims=True)) * g
            else:
                dx[:, :, rows, cols] += g / (KH * KW)
    return dx


@mutant("pool_backward", "max backward spreads the gradient evenly, as average pooling does")
def pool_backward_max_as_avg(dout, cache):
    x, (KH, KW), (sh, sw), mode = cache
    dx = np.zeros(x.shape)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            g = dout[:, :, i, j][:, :, None, None]
            dx[:, :, i * sh:i * sh + KH, j * sw:j * sw + KW] += g / (KH * KW)
    return dx


# ----------------------------------------------------------------------------- pooling (course)


@mutant("pooling", "the course's output size (H - size + 1)/stride + 1, with a row of zeros")
def pooling_course_size(feature_map, size=2, stride=2):
    pool_out = np.zeros((np.uint16((feature_map.shape[0] - size + 1) / stride + 1),
                         np.uint16((feature_map.shape[1] - size + 1) / stride + 1),
                         feature_map.shape[-1]))
    for map_num in range(feature_map.shape[-1]):
        r2 = 0
        for r in np.arange(0, feature_map.shape[0] - size + 1, stride):
            c2 = 0
            for c in np.arange(0, feature_map.shape[1] - size + 1, stride):
                pool_out[r2, c2, map_num] = np.max([feature_map[r:r + size, c:c + size, map_num]])
                c2 = c2 + 1
            r2 = r2 + 1
    return pool_out


@mutant("pooling", "windows stepped by size instead of stride")
def pooling_step_by_size(feature_map, size=2, stride=2):
    H, W, C = feature_map.shape
    Ho, Wo = (H - size) // stride + 1, (W - size) // stride + 1
    out = np.zeros((Ho, Wo, C))
    for r in range(Ho):
        for c in range(Wo):
            rs, cs = min(r * size, H - size), min(c * size, W - size)
            out[r, c] = feature_map[rs:rs + size, cs:cs + size].max(axis=(0, 1))
    return out
