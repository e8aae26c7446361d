"""Misconception variants of the SPEC functions, one module per topic.

Each mutant is a function decorated with ``@mutant(target, description)``; the self-check
(tests/test_mutants.py) pastes its source into a copy of the reference solution under the
target's name and proves that at least one property of that target fails. Tests also run
mutants on the property's inputs to name a misconception in the feedback (``diagnoses``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Mutant:
    name: str
    target: str
    description: str
    func: Callable[..., Any]


REGISTRY: dict[str, list[Mutant]] = {}


def mutant(target: str, description: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        module = func.__module__.rsplit(".", 1)[-1]
        REGISTRY.setdefault(module, []).append(Mutant(func.__name__, target, description, func))
        func.description = description  # type: ignore[attr-defined]
        return func

    return register


def for_module(module: str) -> list[Mutant]:
    import importlib

    importlib.import_module(f"{__name__}.{module}")
    return REGISTRY.get(module, [])
