"""Public checks for augmentation.py: tiny images holding 0, 1, 2, ... so that a mirror, a crop
and a bilinear resize can be worked out by hand."""

import numpy as np

from ._common import CheckFailed, close, passed, raises, shape_is, unchanged
from ._i18n import _


def check_horizontal_flip(horizontal_flip, quiet=False):
    img = np.arange(12.0).reshape(2, 3, 2)  # pixel (i, j) holds channels (6i + 2j, 6i + 2j + 1)
    before = img.copy()
    close(
        _("horizontal_flip(img = 0..11 as (2, 3, 2)) (columns reversed; rows and channels kept)"),
        horizontal_flip(img),
        [[[4, 5], [2, 3], [0, 1]], [[10, 11], [8, 9], [6, 7]]],
    )
    unchanged(_("img"), before, img)
    passed("horizontal_flip", quiet)


def check_random_crop(random_crop, quiet=False):
    img = np.arange(20.0).reshape(4, 5, 1)
    before = img.copy()
    corners = set()
    rng = np.random.default_rng(0)
    for _unused in range(200):
        result = random_crop(img, (2, 3), rng=rng)
        if not isinstance(result, tuple) or len(result) != 2:
            raise CheckFailed(_("random_crop must return a tuple (crop, (top, left))"))
        crop, corner = result
        shape_is(_("the crop of random_crop(img of shape (4, 5, 1), size=(2, 3))"), crop, (2, 3, 1))
        top, left = (int(v) for v in corner)
        if not (0 <= top <= 2 and 0 <= left <= 2):
            raise CheckFailed(
                _(
                    "random_crop(img of shape (4, 5, 1), size=(2, 3)) returned the corner {corner}: top "
                    "must lie in 0..2 and left in 0..2 so the window fits"
                ).format(corner=corner)
            )
        close(
            _(
                "the crop at (top, left) = {corner} (img[top:top+2, left:left+3]; the corner as (top, left))"
            ).format(corner=(top, left)),
            crop,
            img[top : top + 2, left : left + 3],
        )
        corners.add((top, left))
    if len(corners) != 9:
        missing = sorted({(t, l) for t in range(3) for l in range(3)} - corners)
        raise CheckFailed(
            _(
                "200 crops of size (2, 3) from a 4x5 image never started at {missing}: every corner 0 <= "
                "top <= H - height, 0 <= left <= W - width must be possible"
            ).format(missing=missing)
        )
    for seed in range(7, 13):  # 12 corners: a draw that ignores rng matches 6 times by luck 1 in 3e6
        first = random_crop(img, 2, rng=np.random.default_rng(seed))
        again = random_crop(img, 2, rng=np.random.default_rng(seed))
        shape_is(_("the crop of random_crop(img, size=2)"), first[0], (2, 2, 1))
        if tuple(first[1]) != tuple(again[1]):
            raise CheckFailed(
                _("two calls with np.random.default_rng({seed}) gave different corners: draw from rng").format(
                    seed=seed
                )
            )
    unchanged(_("img"), before, img)
    raises(
        _("random_crop(img of shape (4, 5, 1), size=6)"),
        ValueError,
        random_crop,
        img,
        6,
        rng=np.random.default_rng(0),
    )
    passed("random_crop", quiet)


def check_crop_and_resize(crop_and_resize, quiet=False):
    img = np.array([[0.0, 1.0], [2.0, 3.0]])[:, :, None]
    before = img.copy()
    # Output pixel i samples (i + 0.5) * 2 / 4 - 0.5 = -0.25 (taken as 0), 0.25, 0.75, 1.25 (the last pixel).
    w = np.array([0.0, 0.25, 0.75, 1.0])
    close(
        _(
            "crop_and_resize(img=[[0, 1], [2, 3]], 0, 0, 2, 2, out_size=4) (bilinear, "
            "align_corners=False: pixel i samples (i + 0.5) * in / out - 0.5, below 0 taken as 0)"
        ),
        crop_and_resize(img, 0, 0, 2, 2, 4),
        (2 * w[:, None] + w[None, :])[:, :, None],
    )
    big = np.arange(16.0).reshape(4, 4, 1)
    close(
        _(
            "crop_and_resize(img = 0..15 as (4, 4, 1), 0, 0, 4, 4, out_size=2) (samples at 0.5 and 2.5: "
            "the mean of each 2x2 block)"
        ),
        crop_and_resize(big, 0, 0, 4, 4, 2),
        [[[2.5], [4.5]], [[10.5], [12.5]]],
    )
    close(
        _(
            "crop_and_resize(img = 0..15 as (4, 4, 1), top=1, left=0, height=2, width=3, out_size=(2, "
            "3)) (the crop img[1:3, 0:3], unchanged at its own size)"
        ),
        crop_and_resize(big, 1, 0, 2, 3, (2, 3)),
        [[[4.0], [5.0], [6.0]], [[8.0], [9.0], [10.0]]],
    )
    unchanged(_("img"), before, img)
    passed("crop_and_resize", quiet)
