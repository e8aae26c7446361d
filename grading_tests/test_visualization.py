"""Feature-map plots, graded by inspecting the returned Figure (Agg backend, in the worker):
one Axes per map showing that map in grey, no ticks, and the given titles in order.

The worker also counts, during each call, the plt.show() calls and the pyplot figures left open
besides the one returned (``FigureInfo.pyplot``); the SPEC allows neither.

The picture is what counts: an image counts as showing a map when its colours, after the
image's own colour limits, are the map's (so imshow of the map itself and of a min-max
normalized copy both pass).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograder.i18n import _
from autograder.sandbox.protocol import FigureInfo
from grading_tests.compare import (
    EMPTY_AXES,
    FIGURE_LEFT_OPEN,
    MPL_DEFAULT,
    PYPLOT_SHOW,
    check_array,
    describe,
    fail,
    listing,
    returned_mistake,
    short,
    type_name,
)
from grading_tests.strategies import distinct_sizes, seeds

M = "visualization"
GREYS = ("gray", "grey")
DEFAULT_CMAP = "viridis"  # matplotlib's rcParams["image.cmap"]: imshow without cmap=
words = st.sampled_from(["edges", "L1-Map1", "vertical", "ReLU", "pool", "Sobel x", "map"])


def _maps(seed, shape):
    rng = np.random.default_rng(seed)
    maps = rng.standard_normal(shape)
    maps[0, 0, :] = 3.0 + rng.uniform(0, 1, shape[2])  # every map has its own clear maximum
    return maps


def _returned(impl, maps, titles=None) -> FigureInfo:
    fig = impl.visualization.plot_feature_maps(maps) if titles is None else \
        impl.visualization.plot_feature_maps(maps, titles)
    if not isinstance(fig, FigureInfo):
        fail(_("plot_feature_maps: returned {type_name}; expected a matplotlib Figure")
             .format(type_name=type_name(fig)),
             describe(feature_maps=maps),
             "build it with fig, axes = plt.subplots(1, F) (or Figure()) and return fig",
             mistake=returned_mistake(fig))
    return fig


def _figure(impl, maps, titles=None):
    return _returned(impl, maps, titles).data


def _image_axes(info, maps):
    """The Axes that hold images, one per map, each with exactly one image."""
    count = maps.shape[2]
    panels = [ax for ax in info.get("axes", []) if ax.get("images")]
    context = describe(feature_maps=maps)
    if len(panels) != count:
        fail(_("plot_feature_maps: {count} Axes show an image; expected one per map ({count2})")
             .format(count=len(panels), count2=count),
             context, "one subplot per map: for i in range(F): axes[i].imshow(feature_maps[:, :, i], ...)")
    for i, ax in enumerate(panels):
        if len(ax["images"]) != 1:
            fail(_("plot_feature_maps: Axes {i} holds {count} images; expected 1")
                 .format(i=i, count=len(ax['images'])), context)
        if not ax.get("visible", True):
            fail(_("plot_feature_maps: Axes {i} is hidden (set_visible(False)); hide its ticks "
                    "instead")
                 .format(i=i),
                 context)
    return panels


def _picture(data, clim):
    """What a colour map sees: the data scaled by the image's colour limits into [0, 1]."""
    low, high = clim if clim and None not in clim else (np.nanmin(data), np.nanmax(data))
    if high == low:
        return np.zeros_like(data)
    return np.clip((data - low) / (high - low), 0.0, 1.0)


@pytest.mark.points(2)
@pytest.mark.exercise(M, "plot_feature_maps")
@pytest.mark.hint('axes[i].imshow(feature_maps[:, :, i], cmap="gray"): map i in Axes i, in order, '
                  "the (H, W) slice as it is (not transposed)")
@given(shape=distinct_sizes(3, 1, 6), seed=seeds)
def test_plot_shows_each_map_in_its_own_grey_axes(impl, shape, seed):
    maps = _maps(seed, shape)
    fig = _returned(impl, maps)
    panels = _image_axes(fig.data, maps)
    for i, ax in enumerate(panels):
        image = ax["images"][0]
        context = describe(feature_maps=maps, axes=i)
        data = image.get("data")
        if not isinstance(data, np.ndarray):
            fail(_("plot_feature_maps: Axes {i} has an image without data").format(i=i), context)
        if data.ndim != 2:
            fail(_("plot_feature_maps: Axes {i} shows an image of shape {shape}; expected one map "
                    "{shape2} (H, W)")
                 .format(i=i, shape=data.shape, shape2=maps.shape[:2]), context)
        # Another map's picture in this Axes shows as "the expected picture of map j".
        others = {f"picture of map {j}": _picture(maps[:, :, j], None) for j in range(maps.shape[2]) if j != i}
        check_array(_("plot_feature_maps: Axes {i}, the picture (data scaled by its colour limits)")
                    .format(i=i),
                    _picture(data, image.get("clim")), _picture(maps[:, :, i], None), tol="loose64",
                    context=context, others=others)
        if image.get("cmap") not in GREYS:
            fail(_('plot_feature_maps: Axes {i} uses the colour map {value}; expected "gray"')
                 .format(i=i, value=short(image.get("cmap"))),
                 context, 'pass cmap="gray" to imshow (the default colour map is viridis)',
                 mistake=MPL_DEFAULT if image.get("cmap") == DEFAULT_CMAP else "")
    use = fig.pyplot
    if use is not None and use.empty_axes:
        fail(_("plot_feature_maps: the figure has {empty_axes} empty Axes besides the {count} "
                "that show the maps; the contract asks for one Axes per map")
             .format(empty_axes=use.empty_axes, count=len(panels)), describe(feature_maps=maps),
             "create exactly F Axes (plt.subplots(1, F)), or turn off or remove the ones left over "
             "(ax.axis('off'), fig.delaxes(ax))", mistake=EMPTY_AXES)


@pytest.mark.points(1)
@pytest.mark.exercise(M, "plot_feature_maps")
@pytest.mark.hint("ax.set_xticks([]) and ax.set_yticks([]) on every Axes, or ax.axis('off')")
@given(shape=distinct_sizes(3, 1, 6), seed=seeds)
def test_plot_has_no_ticks(impl, shape, seed):
    maps = _maps(seed, shape)
    for i, ax in enumerate(_image_axes(_figure(impl, maps), maps)):
        if not ax.get("axis_on", True):
            continue
        for name in ("x", "y"):
            if ax.get(f"{name}ticks") and ax.get(f"{name}axis_visible", True):
                fail(_("plot_feature_maps: Axes {i} has {name} ticks at {value}")
                     .format(i=i, name=name, value=ax[f'{name}ticks'][:6]),
                     describe(feature_maps=maps, axes=i), mistake=MPL_DEFAULT)


@pytest.mark.points(1)
@pytest.mark.exercise(M, "plot_feature_maps")
@pytest.mark.hint("axes[i].set_title(titles[i]) when titles is given")
@given(shape=distinct_sizes(3, 1, 6), seed=seeds, data=st.data())
def test_plot_titles_each_map_in_order(impl, shape, seed, data):
    maps = _maps(seed, shape)
    titles = [f"{data.draw(words, label='word')} {i + 1}" for i in range(shape[2])]
    panels = _image_axes(_figure(impl, maps, titles), maps)
    got = [ax.get("title", "") for ax in panels]
    if got != titles:
        untitled = all(title == "" for title in got)
        reordered = not untitled and sorted(got, key=str) == sorted(titles)
        fail(_("plot_feature_maps: titles {items}; expected {titles}")
             .format(items=listing(got, sort=False), titles=titles),
             describe(feature_maps=maps, titles=titles), mistake=MPL_DEFAULT if untitled else "",
             relation="the right titles in another order (titles[i] on another map's Axes?)" if reordered else "")


def _showed(count: int) -> str:
    if count == 1:
        return "plot_feature_maps called plt.show(); the contract says to return the figure without showing it"
    return (f"plot_feature_maps called plt.show() {count} times; the contract says to return the figure "
            "without showing it")


def _left_open(count: int) -> str:
    if count == 1:
        return ("plot_feature_maps left 1 extra pyplot figure open besides the one it returned; "
                "create one figure (plt.subplots) and return it")
    return (f"plot_feature_maps left {count} extra pyplot figures open besides the one it returned; "
            "create one figure (plt.subplots) and return it")


@pytest.mark.points(1)
@pytest.mark.exercise(M, "plot_feature_maps")
@pytest.mark.hint("return the figure and let the caller show or save it: no plt.show() inside the "
                  "function, and plt.close(other) for any other figure it opens (or open none)")
@given(shape=distinct_sizes(3, 1, 6), seed=seeds, titled=st.booleans())
def test_plot_returns_its_figure_without_showing_it_or_leaving_others_open(impl, shape, seed, titled):
    maps = _maps(seed, shape)
    titles = [f"map {i + 1}" for i in range(shape[2])] if titled else None
    use = _returned(impl, maps, titles).pyplot
    context = describe(feature_maps=maps, titles=titles)
    if use is None:
        fail(_("plot_feature_maps: the grader got no record of what the call did with pyplot"), context)
    if use.tampered:
        fail(_("plot_feature_maps changed pyplot's own machinery ({value}), so the grader "
                "cannot tell whether it shows figures or leaves them open")
             .format(value=short(use.tampered, 300)), context,
             "draw into a figure and return it; leave matplotlib's functions and classes as they are")
    if use.show_calls:
        fail(_showed(use.show_calls), context, mistake=PYPLOT_SHOW)
    if use.extra_figures:
        fail(_left_open(use.extra_figures), context, mistake=FIGURE_LEFT_OPEN)
