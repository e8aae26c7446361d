"""The tuning topic's references: the distributions a correct sampler draws from, as
torch.distributions (float64): their CDFs at the student's samples and their cell probabilities."""

from __future__ import annotations

import math

import numpy as np
import torch
from torch.distributions import AffineTransform, Categorical, ExpTransform, TransformedDistribution, Uniform


def _tensor(x, device: str) -> torch.Tensor:
    return torch.as_tensor(np.asarray(x, dtype=np.float64), dtype=torch.float64, device=device)


def log_uniform(low: float, high: float, device: str) -> TransformedDistribution:
    """10**u with u ~ U(log10(low), log10(high)): the contract's log-uniform."""
    base = Uniform(_tensor(math.log10(low), device), _tensor(math.log10(high), device), validate_args=False)
    return TransformedDistribution(base, [AffineTransform(0.0, math.log(10.0)), ExpTransform()],
                                   validate_args=False)


def log_uniform_cdf(x: np.ndarray, low: float, high: float, device: str) -> np.ndarray:
    """P(X <= x) for the log-uniform on [low, high], at values already inside [low, high]."""
    inside = np.clip(np.asarray(x, dtype=np.float64), low, high)
    return log_uniform(low, high, device).cdf(_tensor(inside, device)).clamp(0.0, 1.0).cpu().numpy()


def uniform_cdf(x: np.ndarray, low: float, high: float, device: str) -> np.ndarray:
    dist = Uniform(_tensor(low, device), _tensor(high, device), validate_args=False)
    inside = np.clip(np.asarray(x, dtype=np.float64), low, high)
    return dist.cdf(_tensor(inside, device)).clamp(0.0, 1.0).cpu().numpy()


def equal_probabilities(count: int, device: str) -> np.ndarray:
    """Each of ``count`` values equally likely (an inclusive int range, or a choice)."""
    return Categorical(logits=torch.zeros(count, dtype=torch.float64, device=device)).probs.cpu().numpy()


def joint_probabilities(first: np.ndarray, second: np.ndarray, device: str) -> np.ndarray:
    """The cells of two independent variables: the outer product of their probabilities."""
    return torch.outer(_tensor(first, device), _tensor(second, device)).cpu().numpy()
