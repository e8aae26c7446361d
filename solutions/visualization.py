"""Feature-map plots: one grey panel per map, as the course draws its convolution outputs.

The figure is built and returned, never shown, so that it can be saved or inspected.
"""

import numpy as np
from matplotlib.figure import Figure


def plot_feature_maps(feature_maps, titles=None):
    """Draw each feature map in its own Axes.

    Arguments:
    feature_maps -- (H, W, F) array, as returned by conv
    titles -- None, or a list of F strings: titles[i] titles map i

    Returns:
    fig -- a matplotlib.figure.Figure with one Axes per map, in order: the map drawn with
           imshow and the "gray" colour map, no ticks, the title when given.
           Never calls plt.show().
    """
    ### BEGIN SOLUTION
    maps = np.asarray(feature_maps, dtype=np.float64)
    count = maps.shape[2]
    fig = Figure(figsize=(3 * count, 3))
    axes = fig.subplots(1, count, squeeze=False)[0]
    for i, ax in enumerate(axes):
        ax.imshow(maps[:, :, i], cmap="gray")
        ax.set_xticks([])
        ax.set_yticks([])
        if titles is not None:
            ax.set_title(titles[i])
    return fig
    ### END SOLUTION
