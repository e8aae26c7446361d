"""Whose fault an exception in the worker is: the student's code, or the grader's own.

Every call into the student's code goes through a ``student_code()`` block: what it raises
is the student's. Whatever raises outside one (the grader's imports, its helpers, a request it
cannot read, encoding its own values) is a grading error for the staff, never "your code raised".
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


class StudentRaised(BaseException):  # noqa: N818 - it carries an exception, it is not one
    """What the student's code raised (``exc``), carried out of its ``student_code()`` block.

    Not an ``Exception``: no ``except Exception`` of the grader's own code on the way out
    can take it for one of its own failures."""

    def __init__(self, exc: BaseException) -> None:
        super().__init__(type(exc).__name__)
        self.exc = exc


@contextlib.contextmanager
def student_code() -> Iterator[None]:
    """Around a call into the student's code (import, call, attribute, their module's methods)."""
    try:
        yield
    except StudentRaised:
        raise
    except BaseException as exc:  # noqa: BLE001 - SystemExit and friends are the student's too
        raise StudentRaised(exc) from exc


@dataclass(frozen=True)
class StudentValue:
    """A reply value the student's code made: encoding it runs their code (a tuple subclass's
    ``__iter__``, a tensor subclass's ``detach``), so what that raises is theirs too."""

    value: Any
