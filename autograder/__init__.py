"""dl-autograder: Hypothesis property grading of deep-learning exercises against PyTorch.

The public API::

    from autograder import grade_submission, Outcome
    result = grade_submission("submissions/alice", ["optimizers"], profile="grading")
    result.score, result.max_score, [p.outcome for t in result.topics for p in t.properties]

``grade_submission`` (``autograder.engine.pipeline``) returns a ``SubmissionResult`` of
``TopicResult`` of ``PropertyResult`` records (``autograder.results``), each with an ``Outcome``.
The package reads as its pipeline: ``catalog`` (topics, assignments, profiles, devices),
``engine/`` (load -> properties -> score), ``sandbox/`` (where student code runs),
``formats/`` (JSON, Gradescope, JUnit, text), ``batch/`` (a whole class), ``authoring/``
(instructor tooling, never imported while grading), ``student/`` (what ships to students),
``commands/`` behind ``cli``, and nbgrader's preprocessors in ``nbgrader_grade`` and
``nbgrader_feedback``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from autograder.results import Outcome, PropertyResult, SubmissionResult, TopicResult

if TYPE_CHECKING:
    from autograder.engine.pipeline import grade_submission

__version__ = "0.1.0"
__all__ = ["Outcome", "PropertyResult", "SubmissionResult", "TopicResult", "grade_submission"]


def __getattr__(name: str) -> Any:
    # The engine (pytest, Hypothesis) loads on first use: ``import autograder`` stays light.
    if name == "grade_submission":
        from autograder.engine.pipeline import grade_submission

        return grade_submission
    raise AttributeError(f"module 'autograder' has no attribute {name!r}")
