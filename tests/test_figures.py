"""plt.show() calls and pyplot figures left open, counted by the worker and graded.

Correct plots (pyplot or a bare Figure, axes off or ticks cleared, nothing closed) keep full
marks; one that shows or leaks loses the property about it, with its message; a student who
replaces plt.show, or pyplot's machinery, is still caught; no call sees another's figures.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograder.engine.pipeline import grade_submission
from autograder.engine.submission import Submission
from autograder.sandbox import protocol
from autograder.sandbox.protocol import FigureInfo, PyplotUse
from tests.conftest import SOLUTIONS

PROPERTY = "plot returns its figure without showing it or leaving others open"

# Bodies of plot_feature_maps: each draws the maps correctly; names say what else they do.
DRAW = '''
    for i in range(feature_maps.shape[2]):
        ax = axes[i]
        ax.imshow(feature_maps[:, :, i], cmap="gray")
        ax.axis("off")
        if titles is not None:
            ax.set_title(titles[i])
'''
VARIANTS = {
    "pyplot_subplots": "    fig, axes = plt.subplots(1, feature_maps.shape[2], squeeze=False)\n"
                       "    axes = axes[0]\n" + DRAW + "    return fig\n",
    "pyplot_figure": "    fig = plt.figure(figsize=(3 * feature_maps.shape[2], 3))\n"
                     "    axes = [fig.add_subplot(1, feature_maps.shape[2], i + 1)\n"
                     "            for i in range(feature_maps.shape[2])]\n" + DRAW + "    return fig\n",
    "bare_figure": "    fig = Figure()\n"
                   "    axes = fig.subplots(1, feature_maps.shape[2], squeeze=False)[0]\n" + DRAW
                   + "    return fig\n",
    "closes_a_scratch_figure": "    scratch = plt.figure()\n    plt.close(scratch)\n"
                               "    fig, axes = plt.subplots(1, feature_maps.shape[2], squeeze=False)\n"
                               "    axes = axes[0]\n" + DRAW + "    return fig\n",
    "shows": "    fig, axes = plt.subplots(1, feature_maps.shape[2], squeeze=False)\n"
             "    axes = axes[0]\n" + DRAW + "    plt.show()\n    return fig\n",
    "shows_twice_with_an_imported_show": "    fig, axes = plt.subplots(1, feature_maps.shape[2], squeeze=False)\n"
                                         "    axes = axes[0]\n" + DRAW + "    show()\n    show()\n    return fig\n",
    "leaks_three": "    for _ in range(3):\n        plt.figure()\n"
                   "    fig, axes = plt.subplots(1, feature_maps.shape[2], squeeze=False)\n"
                   "    axes = axes[0]\n" + DRAW + "    return fig\n",
    "leaks_after_closing_all": "    plt.close('all')\n    plt.figure()\n"
                               "    fig, axes = plt.subplots(1, feature_maps.shape[2], squeeze=False)\n"
                               "    axes = axes[0]\n" + DRAW + "    return fig\n",
    "silences_show_then_shows": "    plt.show = lambda *a, **k: None\n"
                                "    fig, axes = plt.subplots(1, feature_maps.shape[2], squeeze=False)\n"
                                "    axes = axes[0]\n" + DRAW + "    plt.show()\n    return fig\n",
    "deletes_show": "    del plt.show\n    fig = Figure()\n"
                    "    axes = fig.subplots(1, feature_maps.shape[2], squeeze=False)[0]\n" + DRAW
                    + "    plt.show()\n    return fig\n",
    "changes_the_module_class": "    plt.__class__ = types.ModuleType\n    plt.show = lambda: None\n"
                                "    fig = Figure()\n"
                                "    axes = fig.subplots(1, feature_maps.shape[2], squeeze=False)[0]\n"
                                + DRAW + "    plt.show()\n    return fig\n",
    "replaces_the_show_property": "    type(plt).show = lambda *a: None\n    fig = Figure()\n"
                                  "    axes = fig.subplots(1, feature_maps.shape[2], squeeze=False)[0]\n"
                                  + DRAW + "    plt.show()\n    return fig\n",
    "hides_its_figures": "    _pylab_helpers.Gcf.figs = collections.OrderedDict()\n    plt.figure()\n"
                         "    fig, axes = plt.subplots(1, feature_maps.shape[2], squeeze=False)\n"
                         "    axes = axes[0]\n" + DRAW + "    return fig\n",
    "raises_after_opening": "    plt.figure()\n    plt.figure()\n    raise ValueError('no maps today')\n",
}
HEADER = '''import collections
import types

import matplotlib.pyplot as plt
from matplotlib import _pylab_helpers
from matplotlib.figure import Figure
from matplotlib.pyplot import show


KEPT = Figure()


def open_figures():
    return list(plt.get_fignums())

'''


def variants_module() -> str:
    defs = [f"def {name}(feature_maps, titles=None):\n{body}" for name, body in VARIANTS.items()]
    return HEADER + "\n\n".join(defs)


@pytest.fixture(scope="module")
def figures(tmp_path_factory):
    """The variants, each callable in one worker: ``figures.<variant>(maps)``."""
    folder = tmp_path_factory.mktemp("figures")
    (folder / "visualization.py").write_text(variants_module(), encoding="utf-8")
    with Submission(folder) as sub:
        yield sub.module("visualization")


MAPS = np.random.default_rng(3).standard_normal((4, 5, 3))


def use_of(figures, name: str) -> PyplotUse:
    fig = getattr(figures, name)(MAPS)
    assert isinstance(fig, FigureInfo), fig
    assert len([ax for ax in fig.data["axes"] if ax["images"]]) == MAPS.shape[2]
    assert fig.pyplot is not None
    return fig.pyplot


@pytest.mark.parametrize("name", ["pyplot_subplots", "pyplot_figure", "bare_figure",
                                  "closes_a_scratch_figure"])
def test_a_correct_plot_shows_nothing_and_leaves_nothing_open(figures, name):
    assert use_of(figures, name) == PyplotUse(0, 0, "")
    assert figures.open_figures() == []


@pytest.mark.parametrize("name,shows,extra", [
    ("shows", 1, 0),
    ("shows_twice_with_an_imported_show", 2, 0),
    ("silences_show_then_shows", 1, 0),
    ("deletes_show", 1, 0),
    ("leaks_three", 0, 3),
    ("leaks_after_closing_all", 0, 1),
])
def test_shows_and_leftover_figures_are_counted(figures, name, shows, extra):
    assert use_of(figures, name) == PyplotUse(shows, extra, "")


@pytest.mark.parametrize("name,what", [
    ("changes_the_module_class", "class of matplotlib.pyplot"),
    ("replaces_the_show_property", "show property"),
    ("hides_its_figures", "Gcf.figs"),
])
def test_replacing_pyplots_machinery_is_reported_and_undone(figures, name, what):
    assert what in use_of(figures, name).tampered
    # Undone for the next call: its show counts, and pyplot's registry is the real one again.
    assert use_of(figures, "shows") == PyplotUse(1, 0, "")
    assert use_of(figures, "leaks_three") == PyplotUse(0, 3, "")


def test_no_call_sees_the_figures_another_left_open(figures):
    use_of(figures, "leaks_three")
    assert figures.open_figures() == []
    with pytest.raises(Exception, match="no maps today"):
        figures.raises_after_opening(MAPS)
    assert figures.open_figures() == []
    assert use_of(figures, "pyplot_subplots") == PyplotUse(0, 0, "")
    # A silenced plt.show lasts one call: the next call's plt.show() is counted.
    use_of(figures, "silences_show_then_shows")
    assert use_of(figures, "shows") == PyplotUse(1, 0, "")


def test_pyplot_imported_past_the_watch_is_reported(make_submission):
    source = '''import sys

from matplotlib.figure import Figure


def plot_feature_maps(feature_maps, titles=None):
    sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "_Finder"]
    import matplotlib.pyplot as plt
    plt.show()
    return Figure()
'''
    with Submission(make_submission(visualization=source)) as sub:
        fig = sub.module("visualization").plot_feature_maps(MAPS)
    assert isinstance(fig, FigureInfo) and fig.pyplot is not None
    assert "past the grader's watch" in fig.pyplot.tampered


def test_a_figure_that_no_call_returned_carries_no_record(figures):
    use_of(figures, "shows")
    kept = figures.KEPT.get()
    assert isinstance(kept, FigureInfo) and kept.pyplot is None


# ---------------------------------------------------------------------------- the wire


def _figure_tree(record):
    return {"$figure": {"$dict": [["axes", []]]}, "pyplot": record}


def test_a_pyplot_record_decodes_to_its_counts():
    record = {"show_calls": 2, "extra_figures": 1, "tampered": ""}
    assert protocol.decode(_figure_tree(record), []) == FigureInfo({"axes": []}, PyplotUse(2, 1, ""))
    assert protocol.decode({"$figure": {"$dict": []}}, []) == FigureInfo({}, None)


@pytest.mark.parametrize("record", [
    {"show_calls": -1, "extra_figures": 0, "tampered": ""},
    {"show_calls": True, "extra_figures": 0, "tampered": ""},
    {"show_calls": 0.5, "extra_figures": 0, "tampered": ""},
    {"show_calls": 0, "extra_figures": 0},
    {"show_calls": 0, "extra_figures": 0, "tampered": "", "more": 1},
    {"show_calls": 0, "extra_figures": 0, "tampered": ["x"]},
    {"show_calls": 0, "extra_figures": 0, "tampered": "x" * (protocol.MAX_STRING + 1)},
    [0, 0, ""],
])
def test_a_malformed_pyplot_record_is_refused(record):
    with pytest.raises(protocol.ProtocolError):
        protocol.decode(_figure_tree(record), [])


# ---------------------------------------------------------------------------- scores


def _graded(make_submission, body: str):
    source = (SOLUTIONS / "visualization.py").read_text(encoding="utf-8")
    source += "\n\nimport matplotlib.pyplot as plt\n\n\ndef plot_feature_maps(feature_maps, titles=None):\n" + body
    result = grade_submission(make_submission(visualization=source), ["visualization"], profile="dev")
    return {p.name: p for p in result.topics[0].properties}, result


@pytest.mark.parametrize("name", ["pyplot_subplots", "pyplot_figure"])
def test_a_correct_pyplot_plot_keeps_full_marks(make_submission, name):
    props, result = _graded(make_submission, VARIANTS[name])
    assert [(n, p.feedback) for n, p in props.items() if not p.passed] == []
    assert result.score == result.max_score > 0


@pytest.mark.parametrize("name,message", [
    ("shows", "plot_feature_maps called plt.show(); the contract says to return the figure without showing it"),
    ("leaks_three", "plot_feature_maps left 3 extra pyplot figures open besides the one it returned; "
                    "create one figure (plt.subplots) and return it"),
    ("silences_show_then_shows", "plot_feature_maps called plt.show();"),
])
def test_showing_or_leaking_loses_that_property_only(make_submission, name, message):
    props, result = _graded(make_submission, VARIANTS[name])
    failed = {n: p for n, p in props.items() if not p.passed}
    assert list(failed) == [PROPERTY], {n: p.feedback for n, p in failed.items()}
    assert message in failed[PROPERTY].feedback
    assert 0 < result.score < result.max_score
