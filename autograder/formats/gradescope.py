"""Gradescope's results.json (https://gradescope-autograders.readthedocs.io, "Output format")."""

from __future__ import annotations

import json
from typing import Any

from autograder.results import SubmissionResult


def gradescope_dict(result: SubmissionResult) -> dict[str, Any]:
    tests: list[dict[str, Any]] = []
    for topic in result.topics:
        if not topic.properties and topic.problem:
            tests.append({"name": f"{topic.topic}: module", "score": 0.0, "max_score": 0.0,
                          "status": "failed", "output": topic.problem, "tags": [topic.topic]})
        for prop in topic.properties:
            tests.append({
                "name": f"{topic.topic}.{prop.function}: {prop.name}",
                "score": prop.score,
                "max_score": prop.max_score,
                "status": "passed" if prop.passed else "failed",
                "output": prop.feedback or "passed",
                "tags": [topic.topic, prop.function],
                "visibility": "visible",
            })
    data: dict[str, Any] = {
        "score": result.score,
        "max_score": result.max_score,
        "tests": tests,
        "visibility": "visible",
        "stdout_visibility": "hidden",
    }
    if result.output:
        data["output"] = "What your code printed (truncated):\n" + result.output
    return data


def to_gradescope_json(result: SubmissionResult) -> str:
    return json.dumps(gradescope_dict(result), indent=2) + "\n"
