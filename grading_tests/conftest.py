"""Fixtures of the hidden grading tests: the implementation under test, the device, profiles.

``impl.<module>`` is the student's module as seen through the sandboxed worker (or the
reference solutions when these tests run on their own, e.g. ``pytest grading_tests``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.internal.conjecture import engine as _hypothesis_engine

from autograder.catalog import TOPICS
from autograder.engine.pipeline import cuda_available
from autograder.engine.properties import SUBMISSION
from autograder.engine.submission import ModuleProblem, Submission

_COMMON = dict(
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=False,
    # Several distinct failures of one property would come back as an ExceptionGroup: the
    # student reads one failure, the smallest, with its example.
    report_multiple_bugs=False,
    suppress_health_check=list(HealthCheck),
    # No "explain" phase: its notes name grader files and lines, which teach the student nothing.
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
)
# Example counts are the knob between thoroughness and time; all profiles are derandomized.
settings.register_profile("grading", max_examples=40, **_COMMON)
settings.register_profile("ci", max_examples=12, **_COMMON)
settings.register_profile("dev", max_examples=4, **_COMMON)
# The mutant self-check only needs to know THAT a property fails: same examples as ci, no shrinking.
settings.register_profile("mutation", **{**_COMMON, "max_examples": 12,
                                          "phases": [Phase.explicit, Phase.reuse, Phase.generate]})
settings.load_profile(os.environ.get("AUTOGRADER_PROFILE", "ci"))

# Shrinking replays the student's code; where each replay is slow, Hypothesis would go on for
# its default five minutes. Hypothesis keeps this limit a module constant for patching (there is
# no setting). The cut changes only which failing input the feedback shows, never the score, and
# honest failures shrink in a few seconds, far inside it. A flood is not shrunk at all
# (compare.PropertyAbort).
SHRINK_SECONDS = 20
_hypothesis_engine.MAX_SHRINKING_SECONDS = SHRINK_SECONDS

DEVICES = ["cpu", pytest.param("cuda", marks=pytest.mark.skipif(not cuda_available(), reason="no CUDA device"))]


@pytest.fixture(scope="session")
def submission(request):
    graded = request.config.stash.get(SUBMISSION, None)  # the engine's (autograder.engine.properties)
    if graded is not None:
        yield graded
        return
    folder = os.environ.get("AUTOGRADER_SUBMISSION") or str(Path(__file__).resolve().parent.parent / "solutions")
    with Submission(folder) as sub:
        yield sub


class Impl:
    """``impl.optimizers`` -> the student's module, or a ModuleProblem explaining why not."""

    def __init__(self, submission: Submission) -> None:
        self._submission = submission

    def __repr__(self) -> str:  # Hypothesis prints it in the falsifying example: keep it stable
        return "impl"

    def __getattr__(self, module: str):
        if module not in TOPICS:
            raise AttributeError(module)
        return self._submission.module(module)


@pytest.fixture
def impl(request, submission):
    # A module that cannot be graded fails here, before Hypothesis draws a single example.
    marker = request.node.get_closest_marker("exercise")
    if marker is not None:
        problem = submission.check_module(marker.args[0])
        if problem:
            raise ModuleProblem(problem)
    submission.begin_test()
    return Impl(submission)


@pytest.fixture(params=DEVICES)
def device(request):
    return request.param
