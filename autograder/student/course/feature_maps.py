"""Notebook-ready demo: the course's two edge filters on matplotlib's bundled sample photo.

The convolution and the plotting come in as arguments, so the same demo runs a student's
``conv`` / ``plot_feature_maps`` or the reference ones; nothing here computes a convolution.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

try:  # in the grader's package
    from ..public_checks._i18n import N_, chart_fonts, chart_text
except ImportError:  # the copy beside the notebooks, next to their public_checks/ (same language)
    from public_checks._i18n import N_, chart_fonts, chart_text  # type: ignore[no-redef]

SAMPLE_IMAGE = "grace_hopper.jpg"

# The course's first layer: a vertical-edge and a horizontal-edge filter, (F, K, K) = (2, 3, 3).
EDGE_FILTERS = np.array(
    [
        [[-1.0, 0.0, 1.0], [-1.0, 0.0, 1.0], [-1.0, 0.0, 1.0]],
        [[1.0, 1.0, 1.0], [0.0, 0.0, 0.0], [-1.0, -1.0, -1.0]],
    ]
)


class ShownTitles(Sequence[str]):
    """Titles looked up in the notebooks' language each time they are read (when a plot draws
    them), not once at import."""

    def __init__(self, *messages: str) -> None:
        self.messages = messages

    def __len__(self) -> int:
        return len(self.messages)

    def __getitem__(self, index):  # an int -> a str, a slice -> a list
        if isinstance(index, slice):
            return [chart_text(m) for m in self.messages[index]]
        return chart_text(self.messages[index])

    def __iter__(self) -> Iterator[str]:
        return (chart_text(m) for m in self.messages)

    def __repr__(self) -> str:
        return repr(list(self))


EDGE_TITLES = ShownTitles(N_("L1-Map1 (vertical edges)"), N_("L1-Map2 (horizontal edges)"))


def sample_image(downsample: int = 4) -> np.ndarray:
    """matplotlib's bundled sample photo as a grey (H, W) float64 image in [0, 1].

    ``downsample`` averages blocks of that many pixels per side, so that loop-based
    student code finishes in seconds (the photo is 600 x 512 at full size).
    """
    import matplotlib.image
    from matplotlib import cbook

    path = cbook.get_sample_data(SAMPLE_IMAGE, asfileobj=False)
    rgb = matplotlib.image.imread(str(path))
    grey = np.asarray(rgb, dtype=np.float64)[..., :3].mean(axis=2)
    if grey.max() > 1.0:
        grey /= 255.0
    if downsample > 1:
        h, w = (grey.shape[0] // downsample) * downsample, (grey.shape[1] // downsample) * downsample
        grey = grey[:h, :w].reshape(h // downsample, downsample, w // downsample, downsample).mean(axis=(1, 3))
    return grey


def edge_filter_demo(
    conv: Callable[[np.ndarray, np.ndarray], np.ndarray],
    plot_feature_maps: Callable[..., Any],
    path: str | Path,
    *,
    downsample: int = 4,
) -> np.ndarray:
    """Run ``conv(image, EDGE_FILTERS)`` on the sample photo, plot the two feature maps with
    ``plot_feature_maps(maps, EDGE_TITLES)`` and save that figure to ``path``.

    Returns the feature maps, (H - 2, W - 2, 2).
    """
    image = sample_image(downsample)
    maps = np.asarray(conv(image, EDGE_FILTERS.copy()))
    expected = (image.shape[0] - 2, image.shape[1] - 2, 2)
    if maps.shape != expected:
        raise ValueError(f"conv returned feature maps of shape {maps.shape}; expected {expected}")
    fig = chart_fonts(plot_feature_maps(maps, list(EDGE_TITLES)))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)  # no-op for a Figure that pyplot does not manage
    return maps
