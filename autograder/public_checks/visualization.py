"""Public checks for visualization.py: the figure drawn for three small feature maps, read back
from its Axes (never shown)."""

import numpy as np

from ._common import CheckFailed, close, passed


def _axes(fig, count, label):
    if fig is None:
        raise CheckFailed(f"{label} returned None: return the figure (and never call plt.show())")
    axes = getattr(fig, "axes", None)
    if not isinstance(axes, list) or len(axes) != count:
        found = len(axes) if isinstance(axes, list) else type(fig).__name__
        raise CheckFailed(f"{label} should return a Figure with {count} Axes, one per map; found {found}")
    return axes


def check_plot_feature_maps(plot_feature_maps, quiet=False):
    maps = np.arange(60.0).reshape(4, 5, 3)
    before = maps.copy()
    label = "plot_feature_maps(maps of shape (4, 5, 3), titles=['a', 'b', 'c'])"
    fig = plot_feature_maps(maps, titles=["a", "b", "c"])
    for i, ax in enumerate(_axes(fig, 3, label)):
        if len(ax.images) != 1:
            raise CheckFailed(
                f"{label}: Axes {i} holds {len(ax.images)} images, expected one drawn with imshow"
            )
        image = ax.images[0]
        close(
            f"the image in Axes {i} (map i is maps[:, :, i], shape (H, W))",
            np.asarray(image.get_array()),
            maps[:, :, i],
        )
        if image.get_cmap().name != "gray":
            raise CheckFailed(
                f"{label}: Axes {i} uses the colour map {image.get_cmap().name!r}, expected 'gray'"
            )
        if ax.axison and (len(ax.get_xticks()) or len(ax.get_yticks())):
            raise CheckFailed(f"{label}: Axes {i} shows ticks; remove them (empty tick lists or the axis off)")
        if ax.get_title() != "abc"[i]:
            raise CheckFailed(f"{label}: Axes {i} is titled {ax.get_title()!r}, expected {'abc'[i]!r}")
    if not np.array_equal(before, maps):
        raise CheckFailed("feature_maps was modified in place")
    plain = _axes(plot_feature_maps(maps[:, :, :2]), 2, "plot_feature_maps(maps of shape (4, 5, 2))")
    if any(ax.get_title() for ax in plain):
        raise CheckFailed("plot_feature_maps(maps) without titles should leave the Axes untitled")
    passed("plot_feature_maps", quiet)
