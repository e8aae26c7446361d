"""Output formats. Each reads a ``SubmissionResult`` (or its dict) and nothing else."""

from __future__ import annotations

from collections.abc import Callable

from autograder.results import SubmissionResult

from .gradescope import to_gradescope_json
from .json_format import to_json
from .text import to_text

FORMATS: dict[str, Callable[[SubmissionResult], str]] = {
    "text": to_text,
    "json": to_json,
    "gradescope": to_gradescope_json,
}


def register(name: str, render: Callable[[SubmissionResult], str]) -> None:
    FORMATS[name] = render


def render(result: SubmissionResult, fmt: str) -> str:
    if fmt not in FORMATS:
        _load_optional(fmt)
    if fmt not in FORMATS:
        from autograder.i18n import _

        raise ValueError(_("unknown format {format!r}; known: {formats}").format(
            format=fmt, formats=", ".join(sorted(FORMATS))))
    return FORMATS[fmt](result)


def _load_optional(fmt: str) -> None:
    import importlib

    try:
        importlib.import_module(f"autograder.formats.{fmt}")
    except ImportError:
        pass
