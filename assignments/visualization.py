# Generated from the reference solution by `autograder stubs`: fill in each YOUR CODE HERE.
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
    # YOUR CODE HERE
    raise NotImplementedError
