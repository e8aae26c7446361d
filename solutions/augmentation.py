"""Data augmentation on single images: mirror, random crop, crop and bilinear resize.

Images are (H, W, C) float arrays. No function changes its input in place.
"""

import numpy as np


def _pair(value):
    """An int or a pair of ints as ``(height, width)``."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"expected an int or a pair, got {value!r}")
        return int(value[0]), int(value[1])
    return int(value), int(value)


def horizontal_flip(img):
    """Mirror an (H, W, C) image left-right (torch.flip along W)."""
    ### BEGIN SOLUTION
    return np.ascontiguousarray(np.asarray(img)[:, ::-1, :])
    ### END SOLUTION


def random_crop(img, size, rng=None):
    """Cut a window of ``size`` (int, or (height, width)) at a uniformly random valid corner.

    Every corner (top, left) with 0 <= top <= H - height and 0 <= left <= W - width is
    equally likely; the draws come from ``rng`` (np.random.default_rng() when None).
    A size larger than the image raises ValueError.

    Returns:
    (crop, (top, left)) -- crop is img[top:top+height, left:left+width], (height, width, C)
    """
    ### BEGIN SOLUTION
    if rng is None:
        rng = np.random.default_rng()
    height, width = _pair(size)
    H, W = img.shape[0], img.shape[1]
    if not (0 < height <= H and 0 < width <= W):
        raise ValueError(f"size {size!r} does not fit in an image of {H}x{W}")
    top = int(rng.integers(0, H - height + 1))
    left = int(rng.integers(0, W - width + 1))
    return img[top:top + height, left:left + width].copy(), (top, left)
    ### END SOLUTION


def crop_and_resize(img, top, left, height, width, out_size):
    """Crop img[top:top+height, left:left+width], then resize it bilinearly to ``out_size``.

    out_size -- int or (out_height, out_width). The resize is exactly
    F.interpolate(mode="bilinear", align_corners=False): output pixel i samples the input at
    (i + 0.5) * in/out - 0.5 (below 0 taken as 0), interpolating its two neighbours per axis.

    Returns:
    (out_height, out_width, C) array
    """
    ### BEGIN SOLUTION
    crop = np.asarray(img, dtype=np.float64)[top:top + height, left:left + width]
    out_h, out_w = _pair(out_size)

    def sample(n_in, n_out):
        src = np.maximum((np.arange(n_out) + 0.5) * (n_in / n_out) - 0.5, 0.0)
        i0 = np.minimum(np.floor(src).astype(int), n_in - 1)
        i1 = np.minimum(i0 + 1, n_in - 1)
        return i0, i1, src - i0

    r0, r1, fr = sample(crop.shape[0], out_h)
    c0, c1, fc = sample(crop.shape[1], out_w)
    fr, fc = fr[:, None, None], fc[None, :, None]
    top_row = crop[r0][:, c0] * (1 - fc) + crop[r0][:, c1] * fc
    bottom_row = crop[r1][:, c0] * (1 - fc) + crop[r1][:, c1] * fc
    return top_row * (1 - fr) + bottom_row * fr
    ### END SOLUTION
