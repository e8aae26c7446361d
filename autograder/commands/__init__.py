"""One module per ``autograder`` sub-command."""

from __future__ import annotations

import argparse
import os


def absolute(path: str) -> str:
    """An argparse ``type`` for every path argument: the path as the caller means it, against
    the folder the command was started in, whatever folder grading runs in later (the batch's
    grading processes, the workers, ``cd`` in a script)."""
    return os.path.abspath(os.path.expanduser(path))


def add_language_argument(p: argparse.ArgumentParser, what: str = "the feedback") -> None:
    """--lang: the language of what the command writes for people (``autograder.i18n``)."""
    from autograder.i18n import ENV, LANGUAGES

    p.add_argument("--lang", default=None, choices=list(LANGUAGES),
                   help=f"the language of {what}: en (English) or zh (Chinese) (default: ${ENV} or en)")
