"""The landscape topic's references: the given functions written again in torch (the TRUE ones,
never the student's copies), their exact gradients and Hessians from torch.autograd, and the
kind of a critical point from torch.linalg.eigvalsh. float64 throughout, on ``device``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

TorchFunction = Callable[[torch.Tensor], torch.Tensor]


def saddle(x: torch.Tensor) -> torch.Tensor:
    return x[0] ** 2 - x[1] ** 2


def monkey_saddle(x: torch.Tensor) -> torch.Tensor:
    return x[0] ** 3 - 3 * x[0] * x[1] ** 2


def rosenbrock(x: torch.Tensor) -> torch.Tensor:
    return torch.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


GIVEN: dict[str, TorchFunction] = {"saddle": saddle, "monkey_saddle": monkey_saddle, "rosenbrock": rosenbrock}


def quadratic(A: np.ndarray, b: np.ndarray, device: str) -> TorchFunction:
    """``Quadratic(A, b)``: 0.5 * x @ A @ x + b @ x."""
    At = torch.tensor(A, dtype=torch.float64, device=device)
    bt = torch.tensor(b, dtype=torch.float64, device=device)

    def f(x: torch.Tensor) -> torch.Tensor:
        return 0.5 * x @ At @ x + bt @ x

    return f


def _point(x: np.ndarray, device: str, grad: bool = False) -> torch.Tensor:
    return torch.tensor(np.asarray(x, dtype=np.float64), dtype=torch.float64, device=device, requires_grad=grad)


def gradient(f: TorchFunction, x: np.ndarray, device: str) -> np.ndarray:
    point = _point(x, device, grad=True)
    (g,) = torch.autograd.grad(f(point), point)
    return g.detach().cpu().numpy()


def hessian(f: TorchFunction, x: np.ndarray, device: str) -> np.ndarray:
    H = torch.autograd.functional.hessian(f, _point(x, device))
    return H.detach().cpu().numpy()


def eigenvalues(H: np.ndarray, device: str) -> np.ndarray:
    return torch.linalg.eigvalsh(torch.tensor(H, dtype=torch.float64, device=device)).cpu().numpy()


def classify(H: np.ndarray, tol: float, device: str) -> str:
    eig = torch.linalg.eigvalsh(torch.tensor(H, dtype=torch.float64, device=device))
    positive, negative = eig > tol, eig < -tol
    if bool(positive.all()):
        return "minimum"
    if bool(negative.all()):
        return "maximum"
    if bool(positive.any()) and bool(negative.any()):
        return "saddle"
    return "degenerate"


def as_numpy(f: TorchFunction) -> Callable[[Any], float]:
    """The trusted function for NumPy callers in the grader (the mutants that name a mistake)."""

    def call(x: Any) -> float:
        return float(f(torch.as_tensor(np.asarray(x, dtype=np.float64), dtype=torch.float64)))

    return call
