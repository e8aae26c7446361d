"""Empty Axes in a returned figure (autograder/sandbox/worker_pyplot.py's empty_axes, graded by the
visualization property "plot shows each map in its own grey axes").

An Axes counts as empty when it is shown with its frame and draws nothing: the second row of
``plt.subplots(2, F)``. A colorbar's Axes, an Axes turned off or hidden, or one with a title of
its own is not empty: correct figures with those keep full marks.
"""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from autograder.engine.pipeline import grade_submission
from autograder.sandbox.worker_pyplot import empty_axes
from grading_tests import compare
from tests.conftest import SOLUTIONS

PROPERTY = "plot shows each map in its own grey axes"


def _figure(rows: int, cols: int, maps: int) -> tuple[Figure, list]:
    fig = Figure()
    axes = list(fig.subplots(rows, cols, squeeze=False).ravel())
    for ax in axes[:maps]:
        ax.imshow(np.eye(3), cmap="gray")
        ax.axis("off")
    return fig, axes


def test_a_grid_larger_than_the_maps_has_its_extra_axes_counted():
    fig, _ = _figure(2, 3, 3)
    assert empty_axes(fig) == 3
    fig, axes = _figure(2, 2, 3)
    assert empty_axes(fig) == 1


def test_colorbars_axes_turned_off_hidden_or_drawn_on_are_not_empty():
    fig, axes = _figure(1, 3, 3)
    fig.colorbar(axes[0].images[0], ax=axes[-1])
    fig.colorbar(axes[1].images[0], cax=fig.add_axes((0.92, 0.1, 0.02, 0.8)))
    assert empty_axes(fig) == 0
    fig, axes = _figure(2, 2, 3)
    axes[3].axis("off")
    assert empty_axes(fig) == 0
    axes[3].axis("on")
    axes[3].set_visible(False)
    assert empty_axes(fig) == 0
    axes[3].set_visible(True)
    axes[3].plot([0, 1], [1, 0])
    assert empty_axes(fig) == 0
    fig, axes = _figure(2, 2, 3)
    axes[3].set_title("legend of the maps")
    assert empty_axes(fig) == 0


def test_a_figure_that_cannot_be_read_has_no_empty_axes():
    assert empty_axes(object()) == 0


VARIANT = '''

def plot_feature_maps(feature_maps, titles=None):
    count = feature_maps.shape[2]
{body}
'''
LAYOUTS = {
    # correct: a colorbar beside each map
    "colorbars": '''    fig = Figure()
    axes = fig.subplots(1, count, squeeze=False)[0]
    for i, ax in enumerate(axes):
        image = ax.imshow(feature_maps[:, :, i], cmap="gray")
        ax.set_xticks([])
        ax.set_yticks([])
        fig.colorbar(image, ax=ax)
        if titles is not None:
            ax.set_title(titles[i])
    return fig''',
    # correct: a square grid, the Axes left over turned off
    "grid_rest_off": '''    import math
    fig = Figure()
    side = math.ceil(math.sqrt(count))
    axes = fig.subplots(side, side, squeeze=False).ravel()
    for i, ax in enumerate(axes):
        ax.axis("off")
        if i < count:
            ax.imshow(feature_maps[:, :, i], cmap="gray")
            if titles is not None:
                ax.set_title(titles[i])
    return fig''',
    # wrong: the Axes left over shown empty
    "grid_rest_shown": '''    fig = Figure()
    axes = fig.subplots(2, count, squeeze=False)
    for i in range(count):
        axes[0][i].imshow(feature_maps[:, :, i], cmap="gray")
        axes[0][i].axis("off")
        if titles is not None:
            axes[0][i].set_title(titles[i])
    return fig''',
}


@pytest.mark.parametrize("layout,passes", [("colorbars", True), ("grid_rest_off", True), ("grid_rest_shown", False)])
def test_the_picture_property_passes_correct_layouts_and_fails_empty_axes(tmp_path, layout, passes):
    source = (SOLUTIONS / "visualization.py").read_text(encoding="utf-8")
    (tmp_path / "visualization.py").write_text(source + VARIANT.format(body=LAYOUTS[layout]), encoding="utf-8")
    result = grade_submission(tmp_path, ["visualization"], profile="ci", functions={"plot_feature_maps"})
    props = {p.name: p for p in result.topics[0].properties}
    if passes:
        assert all(p.passed for p in props.values()), [p.feedback for p in props.values() if not p.passed]
    else:
        failed = props[PROPERTY]
        assert not failed.passed and failed.diagnosis == compare.EMPTY_AXES, failed.feedback
        assert "empty Axes besides the" in failed.feedback
        assert all(p.passed for name, p in props.items() if name != PROPERTY)
