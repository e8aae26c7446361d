"""Public checks for visualization.py: the figure drawn for three small feature maps, read back
from its Axes (never shown)."""

import numpy as np

from ._common import CheckFailed, close, passed
from ._i18n import _


def _axes(fig, count, label):
    if fig is None:
        raise CheckFailed(
            _("{label} returned None: return the figure (and never call plt.show())").format(label=label)
        )
    axes = getattr(fig, "axes", None)
    if not isinstance(axes, list) or len(axes) != count:
        found = len(axes) if isinstance(axes, list) else type(fig).__name__
        raise CheckFailed(
            _("{label} should return a Figure with {count} Axes, one per map; found {found}").format(
                label=label, count=count, found=found
            )
        )
    return axes


def check_plot_feature_maps(plot_feature_maps, quiet=False):
    maps = np.arange(60.0).reshape(4, 5, 3)
    before = maps.copy()
    label = _("plot_feature_maps(maps of shape (4, 5, 3), titles=['a', 'b', 'c'])")
    fig = plot_feature_maps(maps, titles=["a", "b", "c"])
    for i, ax in enumerate(_axes(fig, 3, label)):
        if len(ax.images) != 1:
            raise CheckFailed(
                _("{label}: Axes {i} holds {count} images, expected one drawn with imshow").format(
                    label=label, i=i, count=len(ax.images)
                )
            )
        image = ax.images[0]
        close(
            _("the image in Axes {i} (map i is maps[:, :, i], shape (H, W))").format(i=i),
            np.asarray(image.get_array()),
            maps[:, :, i],
        )
        if image.get_cmap().name != "gray":
            raise CheckFailed(
                _("{label}: Axes {i} uses the colour map {cmap!r}, expected 'gray'").format(
                    label=label, i=i, cmap=image.get_cmap().name
                )
            )
        if ax.axison and (len(ax.get_xticks()) or len(ax.get_yticks())):
            raise CheckFailed(
                _("{label}: Axes {i} shows ticks; remove them (empty tick lists or the axis off)").format(
                    label=label, i=i
                )
            )
        if ax.get_title() != "abc"[i]:
            raise CheckFailed(
                _("{label}: Axes {i} is titled {title!r}, expected {expected!r}").format(
                    label=label, i=i, title=ax.get_title(), expected="abc"[i]
                )
            )
    if not np.array_equal(before, maps):
        raise CheckFailed(_("feature_maps was modified in place"))
    plain = _axes(plot_feature_maps(maps[:, :, :2]), 2, _("plot_feature_maps(maps of shape (4, 5, 2))"))
    if any(ax.get_title() for ax in plain):
        raise CheckFailed(_("plot_feature_maps(maps) without titles should leave the Axes untitled"))
    passed("plot_feature_maps", quiet)
