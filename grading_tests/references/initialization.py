"""The initialization topic's references: torch.nn.init's zeros, kaiming_normal_, xavier_normal_
(their standard deviations) and torch's mean / biased variance for standardization."""

from __future__ import annotations

import math

import numpy as np
import torch


def zeros(layer_dims: list[int], device: str) -> dict[str, np.ndarray]:
    params = {}
    for l in range(1, len(layer_dims)):
        for name, shape in ((f"W{l}", (layer_dims[l], layer_dims[l - 1])), (f"b{l}", (layer_dims[l], 1))):
            t = torch.nn.init.zeros_(torch.empty(shape, dtype=torch.float64, device=device))
            params[name] = t.cpu().numpy()
    return params


def _fans(shape: tuple[int, int]) -> tuple[int, int]:
    # A course weight (n_l, n_{l-1}) has torch.nn.Linear's layout (out_features, in_features).
    return torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))  # type: ignore[attr-defined]


def weight_std(kind: str, shape: tuple[int, int]) -> float:
    """The standard deviation torch's initializer draws a weight of this shape with."""
    fan_in, fan_out = _fans(shape)
    if kind == "he":
        return torch.nn.init.calculate_gain("relu") / math.sqrt(fan_in)
    if kind == "xavier":
        return torch.nn.init.calculate_gain("linear") * math.sqrt(2.0 / (fan_in + fan_out))
    raise ValueError(kind)


def standardize(X_train: np.ndarray, X_test: np.ndarray, epsilon: float, device: str):
    train = torch.tensor(X_train, dtype=torch.float64, device=device)
    test = torch.tensor(X_test, dtype=torch.float64, device=device)
    mu = train.mean(dim=1, keepdim=True)
    var = train.var(dim=1, correction=0, keepdim=True)
    scale = torch.sqrt(var + epsilon)
    return ((train - mu) / scale).cpu().numpy(), ((test - mu) / scale).cpu().numpy()
