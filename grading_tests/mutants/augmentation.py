"""Misconceptions about data augmentation that the properties must catch (and can name)."""

import numpy as np

from grading_tests.mutants import mutant


def _pair(value):
    if isinstance(value, (tuple, list)):
        return int(value[0]), int(value[1])
    return int(value), int(value)


@mutant("horizontal_flip", "flipping up-down (axis 0) instead of left-right")
def flip_vertical(img):
    return img[::-1].copy()


@mutant("horizontal_flip", "flipping the channel axis")
def flip_channels(img):
    return img[:, :, ::-1].copy()


@mutant("random_crop", "rng.integers(0, H - height) misses the last corner")
def crop_misses_last_corner(img, size, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    height, width = _pair(size)
    H, W = img.shape[:2]
    if height > H or width > W:
        raise ValueError("size is larger than the image")
    top = int(rng.integers(0, max(H - height, 1)))
    left = int(rng.integers(0, max(W - width, 1)))
    return img[top:top + height, left:left + width].copy(), (top, left)


@mutant("random_crop", "drawing from np.random instead of the rng argument")
def crop_global_random(img, size, rng=None):
    height, width = _pair(size)
    H, W = img.shape[:2]
    if height > H or width > W:
        raise ValueError("size is larger than the image")
    top = int(np.random.randint(0, H - height + 1))
    left = int(np.random.randint(0, W - width + 1))
    return img[top:top + height, left:left + width].copy(), (top, left)


@mutant("random_crop", "the returned corner swapped: (left, top)")
def crop_corner_swapped(img, size, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    height, width = _pair(size)
    H, W = img.shape[:2]
    if height > H or width > W:
        raise ValueError("size is larger than the image")
    top = int(rng.integers(0, H - height + 1))
    left = int(rng.integers(0, W - width + 1))
    return img[top:top + height, left:left + width].copy(), (left, top)


@mutant("random_crop", "a crop that can run past the image (corner drawn up to H - 1)")
def crop_past_the_edge(img, size, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    height, width = _pair(size)
    H, W = img.shape[:2]
    if height > H or width > W:
        raise ValueError("size is larger than the image")
    top, left = int(rng.integers(0, H)), int(rng.integers(0, W))
    return img[top:top + height, left:left + width].copy(), (top, left)


@mutant("crop_and_resize", "align_corners=True sampling (i * (in-1)/(out-1))")
def resize_align_corners(img, top, left, height, width, out_size):
    crop = img[top:top + height, left:left + width]
    out_h, out_w = _pair(out_size)

    def sample(n_in, n_out):
        src = np.arange(n_out) * ((n_in - 1) / (n_out - 1) if n_out > 1 else 0.0)
        i0 = np.minimum(np.floor(src).astype(int), n_in - 1)
        return i0, np.minimum(i0 + 1, n_in - 1), src - i0

    r0, r1, fr = sample(crop.shape[0], out_h)
    c0, c1, fc = sample(crop.shape[1], out_w)
    fr, fc = fr[:, None, None], fc[None, :, None]
    rows = crop[r0] * (1 - fr) + crop[r1] * fr
    return rows[:, c0] * (1 - fc) + rows[:, c1] * fc


@mutant("crop_and_resize", "source coordinates below 0 not clamped to 0 when enlarging")
def resize_no_clamp(img, top, left, height, width, out_size):
    crop = img[top:top + height, left:left + width]
    out_h, out_w = _pair(out_size)

    def sample(n_in, n_out):
        src = (np.arange(n_out) + 0.5) * (n_in / n_out) - 0.5
        i0 = np.clip(np.floor(src).astype(int), 0, n_in - 1)
        return i0, np.minimum(i0 + 1, n_in - 1), src - np.floor(src)

    r0, r1, fr = sample(crop.shape[0], out_h)
    c0, c1, fc = sample(crop.shape[1], out_w)
    fr, fc = fr[:, None, None], fc[None, :, None]
    rows = crop[r0] * (1 - fr) + crop[r1] * fr
    return rows[:, c0] * (1 - fc) + rows[:, c1] * fc


@mutant("crop_and_resize", "nearest-neighbour resizing instead of bilinear")
def resize_nearest(img, top, left, height, width, out_size):
    crop = img[top:top + height, left:left + width]
    out_h, out_w = _pair(out_size)
    rows = np.floor(np.arange(out_h) * crop.shape[0] / out_h).astype(int)
    cols = np.floor(np.arange(out_w) * crop.shape[1] / out_w).astype(int)
    return crop[rows][:, cols].copy()


@mutant("crop_and_resize", "height and width of the crop swapped")
def resize_swapped_crop(img, top, left, height, width, out_size):
    crop = img[top:top + width, left:left + height]
    out_h, out_w = _pair(out_size)

    def sample(n_in, n_out):
        src = np.maximum((np.arange(n_out) + 0.5) * (n_in / n_out) - 0.5, 0.0)
        i0 = np.minimum(np.floor(src).astype(int), n_in - 1)
        return i0, np.minimum(i0 + 1, n_in - 1), src - i0

    r0, r1, fr = sample(crop.shape[0], out_h)
    c0, c1, fc = sample(crop.shape[1], out_w)
    fr, fc = fr[:, None, None], fc[None, :, None]
    rows = crop[r0] * (1 - fr) + crop[r1] * fr
    return rows[:, c0] * (1 - fc) + rows[:, c1] * fc
