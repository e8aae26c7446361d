"""How one property ended, read from what it raised: the student's failure (an ``Outcome``, the
feedback text, the misconception it shows) or the grader's own fault, which is never the
student's. The engine's plugin records a ``PropertyResult`` from this verdict."""

from __future__ import annotations

import re
import textwrap
from typing import NamedTuple

from autograder.engine.budget import BudgetExhausted
from autograder.engine.submission import ModuleProblem
from autograder.i18n import _
from autograder.results import (
    Outcome,
)
from autograder.sandbox.blame import StudentRaised
from autograder.sandbox.client import (
    GraderFault,
    NotImplementedYet,
    StudentAbort,
    StudentCodeError,
    WorkerFailure,
    WorkerTimeout,
)

_NAMES_INPUT = re.compile(r"^\s*for input: ", re.MULTILINE)


# What a property raises because of the student's work. Anything else it raises is the grader's
# own failure: a reference, a comparison, a fixture, the worker's own code (GraderFault).
STUDENT_OUTCOMES = (ModuleProblem, BudgetExhausted, NotImplementedYet, StudentCodeError,
                    WorkerFailure, AssertionError, StudentAbort)


class ReportedAtOnce(StudentAbort):  # noqa: N818 - it carries a failure, it is not one
    """A failure of an example, ended at once where nothing would be shrunk (the "mutation"
    profile): Hypothesis would otherwise run the whole failing example again to report it,
    doubling the time of every failed property. It carries the failure as it was raised."""

    def __init__(self, failure: BaseException) -> None:
        super().__init__(str(failure))
        self.failure = failure


# The profiles whose failures are never shrunk (grading_tests/conftest.py: "mutation").
NO_SHRINK_PROFILES = ("mutation",)


def _leaves(exc: BaseException) -> list[BaseException]:
    if isinstance(exc, ReportedAtOnce):
        return _leaves(exc.failure)
    inner = getattr(exc, "exceptions", None)  # an exception group (Hypothesis' FlakyFailure)
    if isinstance(inner, tuple) and inner and all(isinstance(e, BaseException) for e in inner):
        return [leaf for e in inner for leaf in _leaves(e)]
    return [exc]


def grader_fault(exc: BaseException) -> BaseException | None:
    """The grader's own failure among what a property raised; None when all of it is the student's."""
    for leaf in _leaves(exc):
        if isinstance(leaf, (GraderFault, StudentRaised)) or not isinstance(leaf, STUDENT_OUTCOMES):
            return leaf
    return None


def _grading_error(fault: BaseException) -> str:
    """Feedback for a grader fault: what failed, for the staff (no hidden test's source)."""
    if isinstance(fault, GraderFault):
        detail = fault.message + ("\n" + fault.traceback.rstrip() if fault.traceback else "")
    else:  # StudentRaised here: the worker's helpers, run by the grader on a reference, failed
        inner = fault.exc if isinstance(fault, StudentRaised) else fault
        detail = f"{type(inner).__name__}: {inner}"
    return _("grading error (not your code): {detail}\n"
             "This property could not be graded; the course staff have to look into it.").format(detail=detail)


class Verdict(NamedTuple):
    """What a failing property's record says: its feedback, how it ended, the misconception it
    shows ("" when none is named) and the type the student's code raised (outcome RAISED)."""

    text: str
    outcome: Outcome
    diagnosis: str = ""
    exception: str = ""


# Failures that neither a hint nor a reproducer helps with: no call of the student's explains
# them (nothing ran, or the grader itself failed).
NOTHING_TO_EXPLAIN = (Outcome.NOT_GRADABLE, Outcome.BUDGET_EXHAUSTED, Outcome.NOT_IMPLEMENTED,
                      Outcome.GRADER_ERROR)


def student_feedback(exc: BaseException) -> Verdict:
    """The verdict on an exception a property raised; its outcome is ``GRADER_ERROR`` when the
    grader itself failed."""
    notes = [n for n in getattr(exc, "__notes__", []) if isinstance(n, str)]
    drawn = [_drawn(n) for n in notes if not n.startswith("You can reproduce")]
    example = "\n".join(d for d in drawn if d.strip())
    fault = grader_fault(exc)
    if fault is not None:
        text = _grading_error(fault)
        if example:
            text += "\n" + _("Failing input:") + "\n" + _indent(example)
        return Verdict(text, Outcome.GRADER_ERROR)
    exc = _leaves(exc)[0]  # of a group of the student's failures, the first
    diagnosis = str(getattr(exc, "diagnosis", "") or "")
    exception = ""
    if isinstance(exc, ModuleProblem):
        return Verdict(str(exc), Outcome.NOT_GRADABLE)
    if isinstance(exc, BudgetExhausted):
        return Verdict(str(exc), Outcome.BUDGET_EXHAUSTED)
    if isinstance(exc, NotImplementedYet):
        return Verdict(_("not implemented yet (the function raises NotImplementedError)"),
                       Outcome.NOT_IMPLEMENTED)
    if isinstance(exc, StudentCodeError):
        text = _("your code raised {type}: {message}").format(type=exc.type_name, message=exc.message)
        if exc.traceback:
            text += "\n" + exc.traceback.rstrip()
        outcome, exception = Outcome.RAISED, exc.type_name
    elif isinstance(exc, WorkerFailure):
        text = str(exc)
        outcome = Outcome.TIMED_OUT if isinstance(exc, WorkerTimeout) else Outcome.CRASHED
    elif isinstance(exc, (AssertionError, StudentAbort)):  # StudentAbort: a failure not shrunk
        text = str(exc).strip() or _("a property does not hold")
        outcome = Outcome.FAILED
    else:  # grader_fault takes every other exception: kept in case STUDENT_OUTCOMES grows
        return Verdict(_("grading error ({type}): {error}").format(type=type(exc).__name__, error=exc),
                       Outcome.GRADER_ERROR)
    # A property that names its input (compare.fail's "for input:", in the exercise's words)
    # already shows the smallest example: Hypothesis' own note would repeat it in the test's.
    if example and not isinstance(exc, WorkerFailure) and not _NAMES_INPUT.search(text):
        text += "\n" + _("Smallest failing input Hypothesis found:") + "\n" + _indent(example)
    return Verdict(text, outcome, diagnosis, exception)


def _drawn(note: str) -> str:
    """The drawn inputs of a Hypothesis note, without the test's name and brackets (the
    grader's words) and without the fixtures (the same for every example)."""
    lines = note.splitlines()
    if lines and re.match(r"(Failing test case|Falsifying example): \w+\($", lines[0]):
        lines = lines[1:-1] if lines[-1].strip() == ")" else lines[1:]
        lines = textwrap.dedent("\n".join(lines)).splitlines()
    return "\n".join(line.rstrip(",") for line in lines
                     if not re.match(r"\s*(impl|device)=", line))


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


