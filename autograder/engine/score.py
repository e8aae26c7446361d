"""Scoring: the properties' records of a grading become the submission's record, one topic
each, with each notebook's grade-cell points, a topic's one reason where none of it could be
graded, the grader's own errors and the output the student's code printed (cut to a size)."""

from __future__ import annotations

from autograder.catalog import TOPICS
from autograder.engine.notebook_module import scale_to_grade_cells
from autograder.engine.submission import Submission
from autograder.i18n import _
from autograder.results import (
    Outcome,
    PropertyResult,
    SubmissionResult,
    TopicResult,
)
from autograder.sandbox import jail

MAX_OUTPUT = 8000


def score(sub: Submission, results: list[PropertyResult], names: list[str], *, path: str, device: str,
          profile: str) -> SubmissionResult:
    """The record of submission ``sub`` graded on the topics ``names`` with ``results``."""
    result = SubmissionResult(path, device=device, profile=profile, sandboxed=sub.sandboxed,
                              isolation="jail" if sub.sandboxed else
                              ("uid" if jail.can_drop_privileges() else "limits"))
    for name in names:
        props = scale_to_grade_cells([r for r in results if r.topic == name],
                                     sub.cell_points.get(name, {}))
        problem = ""
        if props and all(r.outcome in (Outcome.NOT_GRADABLE, Outcome.BUDGET_EXHAUSTED)
                         for r in props):
            problem = props[0].feedback  # one reason for the whole topic
        elif not props and not sub.has_module(name):
            problem = sub.unread(name) or ""
        result.topics.append(TopicResult(name, TOPICS[name].title, props, problem,
                                         sub.notes.get(name, "")))
    result.fit()  # the topics share the submission's room for feedback
    result.error = "; ".join(sub.grader_errors[n] for n in names if n in sub.grader_errors)
    output = "".join(sub.output)
    if len(output) > MAX_OUTPUT:
        output = output[:MAX_OUTPUT] + "\n" + _("... [{count} more characters cut]").format(
            count=len(output) - MAX_OUTPUT)
    result.output = output
    return result
