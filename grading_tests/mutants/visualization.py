"""Misconceptions about feature-map plots that the properties must catch."""

import numpy as np
from matplotlib.figure import Figure

from grading_tests.mutants import mutant


@mutant("plot_feature_maps", "the default colour map (viridis) instead of gray")
def plot_default_cmap(feature_maps, titles=None):
    fig = Figure()
    axes = fig.subplots(1, feature_maps.shape[2], squeeze=False)[0]
    for i, ax in enumerate(axes):
        ax.imshow(feature_maps[:, :, i])
        ax.set_xticks([])
        ax.set_yticks([])
        if titles is not None:
            ax.set_title(titles[i])
    return fig


@mutant("plot_feature_maps", "ticks left on")
def plot_with_ticks(feature_maps, titles=None):
    fig = Figure()
    axes = fig.subplots(1, feature_maps.shape[2], squeeze=False)[0]
    for i, ax in enumerate(axes):
        ax.imshow(feature_maps[:, :, i], cmap="gray")
        if titles is not None:
            ax.set_title(titles[i])
    return fig


@mutant("plot_feature_maps", "each map drawn transposed (W, H)")
def plot_transposed(feature_maps, titles=None):
    fig = Figure()
    axes = fig.subplots(1, feature_maps.shape[2], squeeze=False)[0]
    for i, ax in enumerate(axes):
        ax.imshow(feature_maps[:, :, i].T, cmap="gray")
        ax.axis("off")
        if titles is not None:
            ax.set_title(titles[i])
    return fig


@mutant("plot_feature_maps", "the maps shown in reverse order")
def plot_reversed(feature_maps, titles=None):
    fig = Figure()
    axes = fig.subplots(1, feature_maps.shape[2], squeeze=False)[0]
    for i, ax in enumerate(axes):
        ax.imshow(feature_maps[:, :, -1 - i], cmap="gray")
        ax.axis("off")
        if titles is not None:
            ax.set_title(titles[i])
    return fig


@mutant("plot_feature_maps", "titles ignored")
def plot_no_titles(feature_maps, titles=None):
    fig = Figure()
    axes = fig.subplots(1, feature_maps.shape[2], squeeze=False)[0]
    for i, ax in enumerate(axes):
        ax.imshow(feature_maps[:, :, i], cmap="gray")
        ax.set_xticks([])
        ax.set_yticks([])
    return fig


@mutant("plot_feature_maps", "a colour scale fixed to 0..1 (vmin=0, vmax=1) for maps of any range")
def plot_fixed_clim(feature_maps, titles=None):
    fig = Figure()
    axes = fig.subplots(1, feature_maps.shape[2], squeeze=False)[0]
    for i, ax in enumerate(axes):
        ax.imshow(np.asarray(feature_maps)[:, :, i], cmap="gray", vmin=0, vmax=1)
        ax.axis("off")
        if titles is not None:
            ax.set_title(titles[i])
    return fig


@mutant("plot_feature_maps", "plt.show() and no return value")
def plot_returns_nothing(feature_maps, titles=None):
    fig = Figure()
    axes = fig.subplots(1, feature_maps.shape[2], squeeze=False)[0]
    for i, ax in enumerate(axes):
        ax.imshow(feature_maps[:, :, i], cmap="gray")
        ax.axis("off")


@mutant("plot_feature_maps", "plt.show() before returning the figure")
def plot_calls_show(feature_maps, titles=None):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, feature_maps.shape[2], squeeze=False)
    for i, ax in enumerate(axes[0]):
        ax.imshow(feature_maps[:, :, i], cmap="gray")
        ax.axis("off")
        if titles is not None:
            ax.set_title(titles[i])
    plt.show()
    return fig


@mutant("plot_feature_maps", "plt.figure() and then plt.subplots(), which opens a second figure")
def plot_leaves_a_figure_open(feature_maps, titles=None):
    import matplotlib.pyplot as plt

    plt.figure(figsize=(3 * feature_maps.shape[2], 3))
    fig, axes = plt.subplots(1, feature_maps.shape[2], squeeze=False)
    for i, ax in enumerate(axes[0]):
        ax.imshow(feature_maps[:, :, i], cmap="gray")
        ax.set_xticks([])
        ax.set_yticks([])
        if titles is not None:
            ax.set_title(titles[i])
    return fig


@mutant("plot_feature_maps", "a grid of two rows (plt.subplots(2, F)): an empty second row of Axes")
def plot_empty_second_row(feature_maps, titles=None):
    fig = Figure()
    axes = fig.subplots(2, feature_maps.shape[2], squeeze=False)[0]
    for i, ax in enumerate(axes):
        ax.imshow(feature_maps[:, :, i], cmap="gray")
        ax.axis("off")
        if titles is not None:
            ax.set_title(titles[i])
    return fig
