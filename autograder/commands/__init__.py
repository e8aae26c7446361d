"""One module per ``autograder`` sub-command."""

from __future__ import annotations

import os


def absolute(path: str) -> str:
    """An argparse ``type`` for every path argument: the path as the caller means it, against
    the folder the command was started in, whatever folder grading runs in later (the batch's
    grading processes, the workers, ``cd`` in a script)."""
    return os.path.abspath(os.path.expanduser(path))
