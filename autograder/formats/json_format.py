"""The full result as JSON: what batch grading stores per student."""

from __future__ import annotations

import json

from autograder.results import SubmissionResult


def to_json(result: SubmissionResult) -> str:
    return json.dumps(result.to_dict(), indent=2, sort_keys=False) + "\n"
