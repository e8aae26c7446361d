# Generated from the reference solution by `autograder stubs`: fill in each YOUR CODE HERE.
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
    # YOUR CODE HERE
    raise NotImplementedError


def random_crop(img, size, rng=None):
    """Cut a window of ``size`` (int, or (height, width)) at a uniformly random valid corner.

    Every corner (top, left) with 0 <= top <= H - height and 0 <= left <= W - width is
    equally likely; the draws come from ``rng`` (np.random.default_rng() when None).
    A size larger than the image raises ValueError.

    Returns:
    (crop, (top, left)) -- crop is img[top:top+height, left:left+width], (height, width, C)
    """
    # YOUR CODE HERE
    raise NotImplementedError


def crop_and_resize(img, top, left, height, width, out_size):
    """Crop img[top:top+height, left:left+width], then resize it bilinearly to ``out_size``.

    out_size -- int or (out_height, out_width). The resize is exactly
    F.interpolate(mode="bilinear", align_corners=False): output pixel i samples the input at
    (i + 0.5) * in/out - 0.5 (below 0 taken as 0), interpolating its two neighbours per axis.

    Returns:
    (out_height, out_width, C) array
    """
    # YOUR CODE HERE
    raise NotImplementedError
