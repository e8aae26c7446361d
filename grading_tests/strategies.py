"""Hypothesis strategies shared by every topic: seeds, sizes, layer shapes, magnitudes.

Tests draw a seed and sizes here, then build arrays with ``np.random.default_rng(seed)``.
Sizes come out distinct where a swap of two axes would otherwise go unnoticed.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

seeds = st.integers(min_value=0, max_value=2**32 - 1)

# Gradient magnitudes from 1e-6 to 1e2: epsilon placement only shows on the tiny ones.
magnitudes = st.sampled_from([1e-6, 1e-4, 1e-2, 1.0, 1e2])


@st.composite
def distinct_sizes(draw, count: int, min_value: int = 1, max_value: int = 8) -> tuple[int, ...]:
    """``count`` different integers in range (as distinct as the range allows)."""
    pool = list(range(min_value, max_value + 1))
    if len(pool) < count:
        return tuple(draw(st.integers(min_value, max_value)) for _ in range(count))
    return tuple(draw(st.permutations(pool))[:count])


@st.composite
def layer_dims(draw, min_layers: int = 1, max_layers: int = 3, max_units: int = 7) -> list[int]:
    """``[n_x, n_1, ..., n_L]`` for a dense network of 1..max_layers layers."""
    layers = draw(st.integers(min_layers, max_layers))
    return [draw(st.integers(1, max_units)) for _ in range(layers + 1)]


def make_parameters(rng: np.random.Generator, dims: list[int], scale: float = 1.0) -> dict[str, np.ndarray]:
    params = {}
    for l in range(1, len(dims)):
        params[f"W{l}"] = rng.standard_normal((dims[l], dims[l - 1])) * scale
        params[f"b{l}"] = rng.standard_normal((dims[l], 1)) * scale
    return params


def make_gradients(rng: np.random.Generator, params: dict[str, np.ndarray], magnitude: float) -> dict[str, np.ndarray]:
    """Gradients of mixed sign around ``magnitude``, never exactly zero."""
    grads = {}
    for key, value in params.items():
        sign = rng.choice([-1.0, 1.0], size=value.shape)
        grads["d" + key] = sign * magnitude * rng.uniform(0.5, 2.0, size=value.shape)
    return grads


def copy_tree(value):
    """A deep copy of dicts/lists/tuples of arrays, kept to compare inputs after a call."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict):
        return {k: copy_tree(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(copy_tree(v) for v in value)
    return value
