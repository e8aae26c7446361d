"""Filters as images, activation maximization and saliency maps in float64 torch, on the same
seeded model the worker builds from the same layer descriptions (``worker_torch.seeded_model``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from autograder.sandbox import worker_torch


def model(spec: list[list[Any]], seed: int, device: str) -> torch.nn.Module:
    """The worker's model for ``spec`` and ``seed``: same layers, same float64 weights."""
    worker_torch.honest_numerics()
    return worker_torch.seeded_model(spec, seed, device)


def tensor(values: np.ndarray, device: str) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float64 if values.dtype.kind == "f" else torch.int64,
                        device=torch.device(device))


def filters_to_images(weight: torch.Tensor) -> torch.Tensor:
    """Each filter scaled by its own smallest and largest weight (amin / amax over C, KH, KW)."""
    w = weight.detach().to(torch.float64)
    low = w.amin(dim=(1, 2, 3), keepdim=True)
    high = w.amax(dim=(1, 2, 3), keepdim=True)
    span = high - low
    images = (w - low) / span.clamp_min(torch.finfo(w.dtype).tiny)
    images = images.masked_fill(span == 0, 0.0)
    return images.movedim(1, -1)


def activation_maximization(model: torch.nn.Module, x0: torch.Tensor, channel: int, steps: int = 20,
                            learning_rate: float = 0.1) -> torch.Tensor:
    """Each step: backward of the channel's mean activation into a fresh leaf, then a step of
    length ``learning_rate`` along the whole tensor's normalised gradient."""
    model.eval()
    frozen = [p.requires_grad_(False) for p in model.parameters()]
    try:
        x = x0.detach().clone()
        for _ in range(steps):
            leaf = x.clone().requires_grad_(True)
            model(leaf)[:, channel].mean().backward()
            g = leaf.grad
            assert g is not None
            x = x + learning_rate * g / (torch.linalg.vector_norm(g) + 1e-8)
    finally:
        for p in frozen:
            p.requires_grad_(True)
    return x


def saliency_map(model: torch.nn.Module, x: torch.Tensor, target: Any) -> torch.Tensor:
    """Example by example: the gradient of its own target score, largest absolute value over C."""
    model.eval()
    maps = []
    for i in range(x.shape[0]):
        leaf = x[i : i + 1].detach().clone().requires_grad_(True)
        score = model(leaf)[0, int(target[i])]
        (g,) = torch.autograd.grad(score, leaf)
        maps.append(g[0].abs().max(dim=0).values)
    return torch.stack(maps)
