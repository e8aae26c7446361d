"""Misconceptions about convolution that the properties must catch (and can name).

Mutants take the solution's cache layout ``(x, w, b, (sh, sw), (ph, pw))``; their helpers
(``_pair``, ``zero_pad``) have the same names and meaning as the solution's.
"""

import numpy as np

from grading_tests.mutants import mutant


def _pair(value):
    if isinstance(value, (tuple, list)):
        return int(value[0]), int(value[1])
    return int(value), int(value)


def zero_pad(x, pad):
    ph, pw = _pair(pad)
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))


# ----------------------------------------------------------------------------- zero_pad


@mutant("zero_pad", "padding only after the image (bottom and right), not on both sides")
def zero_pad_one_side(x, pad):
    ph, pw = _pair(pad)
    return np.pad(x, ((0, 0), (0, 0), (0, 2 * ph), (0, 2 * pw)))


@mutant("zero_pad", "padding the H axis with pad_w and the W axis with pad_h")
def zero_pad_swapped(x, pad):
    ph, pw = _pair(pad)
    return np.pad(x, ((0, 0), (0, 0), (pw, pw), (ph, ph)))


# ----------------------------------------------------------------------------- conv_forward


@mutant("conv_forward", "a flipped kernel (a true convolution instead of PyTorch's cross-correlation)")
def conv_forward_flipped(x, w, b, stride=1, padding=0):
    sh, sw = _pair(stride)
    xp = zero_pad(x, padding)
    wf = w[:, :, ::-1, ::-1]
    N, F, KH, KW = x.shape[0], w.shape[0], w.shape[2], w.shape[3]
    Ho, Wo = (xp.shape[2] - KH) // sh + 1, (xp.shape[3] - KW) // sw + 1
    out = np.zeros((N, F, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            win = xp[:, :, i * sh:i * sh + KH, j * sw:j * sw + KW]
            out[:, :, i, j] = np.tensordot(win, wf, axes=([1, 2, 3], [1, 2, 3]))
    return out + (0 if b is None else np.asarray(b).reshape(1, -1, 1, 1)), (x, w, b, (sh, sw), _pair(padding))


@mutant("conv_forward", "windows taken without the stride (window i starts at row i, not i*stride)")
def conv_forward_no_stride_windows(x, w, b, stride=1, padding=0):
    sh, sw = _pair(stride)
    xp = zero_pad(x, padding)
    N, F, KH, KW = x.shape[0], w.shape[0], w.shape[2], w.shape[3]
    Ho, Wo = (xp.shape[2] - KH) // sh + 1, (xp.shape[3] - KW) // sw + 1
    out = np.zeros((N, F, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            win = xp[:, :, i:i + KH, j:j + KW]
            out[:, :, i, j] = np.tensordot(win, w, axes=([1, 2, 3], [1, 2, 3]))
    return out + (0 if b is None else np.asarray(b).reshape(1, -1, 1, 1)), (x, w, b, (sh, sw), _pair(padding))


@mutant("conv_forward", "a pair padding=(pad_h, pad_w) read as pad_h on every side")
def conv_forward_one_padding(x, w, b, stride=1, padding=0):
    sh, sw = _pair(stride)
    ph = _pair(padding)[0]
    xp = zero_pad(x, (ph, ph))
    N, F, KH, KW = x.shape[0], w.shape[0], w.shape[2], w.shape[3]
    Ho, Wo = (xp.shape[2] - KH) // sh + 1, (xp.shape[3] - KW) // sw + 1
    out = np.zeros((N, F, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            win = xp[:, :, i * sh:i * sh + KH, j * sw:j * sw + KW]
            out[:, :, i, j] = np.tensordot(win, w, axes=([1, 2, 3], [1, 2, 3]))
    return out + (0 if b is None else np.asarray(b).reshape(1, -1, 1, 1)), (x, w, b, (sh, sw), (ph, ph))


@mutant("conv_forward", "the bias left out")
def conv_forward_no_bias(x, w, b, stride=1, padding=0):
    sh, sw = _pair(stride)
    xp = zero_pad(x, padding)
    N, F, KH, KW = x.shape[0], w.shape[0], w.shape[2], w.shape[3]
    Ho, Wo = (xp.shape[2] - KH) // sh + 1, (xp.shape[3] - KW) // sw + 1
    out = np.zeros((N, F, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            win = xp[:, :, i * sh:i * sh + KH, j * sw:j * sw + KW]
            out[:, :, i, j] = np.tensordot(win, w, axes=([1, 2, 3], [1, 2, 3]))
    return out, (x, w, b, (sh, sw), _pair(padding))


# ----------------------------------------------------------------------------- conv_backward


@mutant("conv_backward", "db averaged over the batch instead of summed")
def conv_backward_db_mean(dout, cache):
    x, w, b, (sh, sw), (ph, pw) = cache
    xp = zero_pad(x, (ph, pw))
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    Ho, Wo = dout.shape[2:]
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    for i in range(Ho):
        for j in range(Wo):
            win = xp[:, :, i * sh:i * sh + KH, j * sw:j * sw + KW]
            dw += np.tensordot(dout[:, :, i, j], win, axes=([0], [0]))
            dxp[:, :, i * sh:i * sh + KH, j * sw:j * sw + KW] += np.tensordot(dout[:, :, i, j], w, axes=([1], [0]))
    return dxp[:, :, ph:ph + H, pw:pw + W], dw, dout.sum(axis=(0, 2, 3)) / N


@mutant("conv_backward", "dx with = instead of += (overlapping windows overwrite each other)")
def conv_backward_dx_assign(dout, cache):
    x, w, b, (sh, sw), (ph, pw) = cache
    xp = zero_pad(x, (ph, pw))
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    Ho, Wo = dout.shape[2:]
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    for i in range(Ho):
        for j in range(Wo):
            win = xp[:, :, i * sh:i * sh + KH, j * sw:j * sw + KW]
            dw += np.tensordot(dout[:, :, i, j], win, axes=([0], [0]))
            dxp[:, :, i * sh:i * sh + KH, j * sw:j * sw + KW] = np.tensordot(dout[:, :, i, j], w, axes=([1], [0]))
    return dxp[:, :, ph:ph + H, pw:pw + W], dw, dout.sum(axis=(0, 2, 3))


@mutant("conv_backward", "the padding cut off with dx_padded[pad:-pad] (empty when pad is 0)")
def conv_backward_minus_pad_slice(dout, cache):
    x, w, b, (sh, sw), (ph, pw) = cache
    xp = zero_pad(x, (ph, pw))
    F, _, KH, KW = w.shape
    Ho, Wo = dout.shape[2:]
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    for i in range(Ho):
        for j in range(Wo):
            win = xp[:, :, i * sh:i * sh + KH, j * sw:j * sw + KW]
            dw += np.tensordot(dout[:, :, i, j], win, axes=([0], [0]))
            dxp[:, :, i * sh:i * sh + KH, j * sw:j * sw + KW] += np.tensordot(dout[:, :, i, j], w, axes=([1], [0]))
    return dxp[:, :, ph:-ph, pw:-pw], dw, dout.sum(axis=(0, 2, 3))


@mutant("conv_backward", "dw from the first example only (not summed over the batch)")
def conv_backward_dw_first_example(dout, cache):
    x, w, b, (sh, sw), (ph, pw) = cache
    xp = zero_pad(x, (ph, pw))
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    Ho, Wo = dout.shape[2:]
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    for i in range(Ho):
        for j in range(Wo):
            win = xp[:1, :, i * sh:i * sh + KH, j * sw:j * sw + KW]
            dw += np.tensordot(dout[:1, :, i, j], win, axes=([0], [0]))
            dxp[:, :, i * sh:i * sh + KH, j * sw:j * sw + KW] += np.tensordot(dout[:, :, i, j], w, axes=([1], [0]))
    return dxp[:, :, ph:ph + H, pw:pw + W], dw, dout.sum(axis=(0, 2, 3))


@mutant("conv_backward", "dx sent back to windows without the stride (window i at row i)")
def conv_backward_dx_no_stride(dout, cache):
    x, w, b, (sh, sw), (ph, pw) = cache
    xp = zero_pad(x, (ph, pw))
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    Ho, Wo = dout.shape[2:]
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    for i in range(Ho):
        for j in range(Wo):
            win = xp[:, :, i * sh:i * sh + KH, j * sw:j * sw + KW]
            dw += np.tensordot(dout[:, :, i, j], win, axes=([0], [0]))
            dxp[:, :, i:i + KH, j:j + KW] += np.tensordot(dout[:, :, i, j], w, axes=([1], [0]))
    return dxp[:, :, ph:ph + H, pw:pw + W], dw, dout.sum(axis=(0, 2, 3))


@mutant("conv_backward", "dw with a flipped kernel axis (the gradient of a true convolution)")
def conv_backward_dw_flipped(dout, cache):
    x, w, b, (sh, sw), (ph, pw) = cache
    xp = zero_pad(x, (ph, pw))
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    Ho, Wo = dout.shape[2:]
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    for i in range(Ho):
        for j in range(Wo):
            win = xp[:, :, i * sh:i * sh + KH, j * sw:j * sw + KW]
            dw += np.tensordot(dout[:, :, i, j], win, axes=([0], [0]))
            dxp[:, :, i * sh:i * sh + KH, j * sw:j * sw + KW] += np.tensordot(dout[:, :, i, j], w, axes=([1], [0]))
    return dxp[:, :, ph:ph + H, pw:pw + W], dw[:, :, ::-1, ::-1], dout.sum(axis=(0, 2, 3))


# ----------------------------------------------------------------------------- conv (course)


@mutant("conv", "the course's error handling: print a message and sys.exit() instead of raising ValueError")
def conv_course_exit(img, conv_filter):
    import sys  # the solution module does not import it, and the mutant is pasted alone after it

    if img.ndim != conv_filter.ndim - 1:
        print("Error: Number of dimensions in conv filter and image do not match.")
        sys.exit()
    if img.ndim > 2 and img.shape[-1] != conv_filter.shape[-1]:
        print("Error: Number of channels in both image and filter must match.")
        sys.exit()
    if conv_filter.shape[1] != conv_filter.shape[2]:
        print("Error: Filter must be a square matrix.")
        sys.exit()
    if conv_filter.shape[1] % 2 == 0:
        print("Error: Filter must have an odd size.")
        sys.exit()
    K = conv_filter.shape[1]
    im = img if img.ndim == 3 else img[:, :, None]
    fl = conv_filter if conv_filter.ndim == 4 else conv_filter[..., None]
    out = np.zeros((im.shape[0] - K + 1, im.shape[1] - K + 1, fl.shape[0]))
    for r in range(out.shape[0]):
        for c in range(out.shape[1]):
            out[r, c] = np.tensordot(fl, im[r:r + K, c:c + K], axes=([1, 2, 3], [0, 1, 2]))
    return out


@mutant("conv", "only the first channel of a multi-channel image convolved")
def conv_first_channel(img, conv_filter):
    if img.ndim != conv_filter.ndim - 1:
        raise ValueError("img and conv_filter dimensions do not match")
    if img.ndim > 2 and img.shape[-1] != conv_filter.shape[-1]:
        raise ValueError("img and conv_filter channels differ")
    if conv_filter.shape[1] != conv_filter.shape[2] or conv_filter.shape[1] % 2 == 0:
        raise ValueError("conv_filter must be square and odd")
    K = conv_filter.shape[1]
    im = img if img.ndim == 2 else img[:, :, 0]
    fl = conv_filter if conv_filter.ndim == 3 else conv_filter[..., 0]
    out = np.zeros((im.shape[0] - K + 1, im.shape[1] - K + 1, fl.shape[0]))
    for r in range(out.shape[0]):
        for c in range(out.shape[1]):
            out[r, c] = np.tensordot(fl, im[r:r + K, c:c + K], axes=([1, 2], [0, 1]))
    return out


@mutant("conv", "each filter applied transposed (rows and columns of the kernel swapped)")
def conv_transposed_filter(img, conv_filter):
    if img.ndim != conv_filter.ndim - 1:
        raise ValueError("img and conv_filter dimensions do not match")
    if img.ndim > 2 and img.shape[-1] != conv_filter.shape[-1]:
        raise ValueError("img and conv_filter channels differ")
    if conv_filter.shape[1] != conv_filter.shape[2] or conv_filter.shape[1] % 2 == 0:
        raise ValueError("conv_filter must be square and odd")
    K = conv_filter.shape[1]
    im = img if img.ndim == 3 else img[:, :, None]
    fl = (conv_filter if conv_filter.ndim == 4 else conv_filter[..., None]).swapaxes(1, 2)
    out = np.zeros((im.shape[0] - K + 1, im.shape[1] - K + 1, fl.shape[0]))
    for r in range(out.shape[0]):
        for c in range(out.shape[1]):
            out[r, c] = np.tensordot(fl, im[r:r + K, c:c + K], axes=([1, 2, 3], [0, 1, 2]))
    return out


@mutant("conv", "no check that K is odd (an even filter is used anyway)")
def conv_accepts_even(img, conv_filter):
    if img.ndim != conv_filter.ndim - 1:
        raise ValueError("img and conv_filter dimensions do not match")
    if img.ndim > 2 and img.shape[-1] != conv_filter.shape[-1]:
        raise ValueError("img and conv_filter channels differ")
    if conv_filter.shape[1] != conv_filter.shape[2]:
        raise ValueError("conv_filter must be square")
    K = conv_filter.shape[1]
    im = img if img.ndim == 3 else img[:, :, None]
    fl = conv_filter if conv_filter.ndim == 4 else conv_filter[..., None]
    out = np.zeros((im.shape[0] - K + 1, im.shape[1] - K + 1, fl.shape[0]))
    for r in range(out.shape[0]):
        for c in range(out.shape[1]):
            out[r, c] = np.tensordot(fl, im[r:r + K, c:c + K], axes=([1, 2, 3], [0, 1, 2]))
    return out
