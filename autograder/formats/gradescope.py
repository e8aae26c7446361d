"""Gradescope's results.json (https://gradescope-autograders.readthedocs.io, "Output format").

Who sees what and when (``visibility``, ``stdout_visibility``) and how each output is rendered
(``output_format``) are the course's settings: ``GradescopeOptions``, from ``grading.env``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from autograder.i18n import _
from autograder.results import SubmissionResult

# Gradescope's values, in its words: "hidden" never shown to students, "after_due_date" once the
# due date has passed, "after_published" once the grades are published, "visible" at once.
VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
# The feedback is aligned plain text (arrays, expected vs got): "md" shows it in a code block,
# "ansi" as preformatted text with colours, "text" as it is. Gradescope's "simple_format"
# (its default) and "html" would collapse the alignment or interpret the student's text.
FEEDBACK_FORMATS = ("md", "ansi", "text")

_ESC = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # control characters, ESC included
_RED, _BOLD, _RESET = "\x1b[1;31m", "\x1b[1m", "\x1b[0m"


@dataclass(frozen=True)
class GradescopeOptions:
    visibility: str = "visible"  # of the tests (and the score with them)
    stdout_visibility: str = "hidden"  # run_autograder's log: the grader's, for the staff
    feedback_format: str = "md"
    execution_time: float | None = None  # seconds the grading took, when measured

    def __post_init__(self) -> None:
        for name, value, allowed in (("visibility", self.visibility, VISIBILITIES),
                                     ("stdout_visibility", self.stdout_visibility, VISIBILITIES),
                                     ("feedback_format", self.feedback_format, FEEDBACK_FORMATS)):
            if value not in allowed:
                raise ValueError(_("{name} must be one of {choices}, not {value!r}").format(
                    name=name, choices=", ".join(allowed), value=value))


def formatted(text: str, fmt: str, failed: bool = True) -> str:
    """``text`` (feedback that quotes student data) as Gradescope renders ``fmt``."""
    if fmt == "md":
        # A fence longer than any run of backticks inside: no student text can close it.
        runs = [len(r) for r in re.findall(r"`+", text)]
        fence = "`" * max(3, max(runs, default=0) + 1)
        return f"{fence}text\n{text}\n{fence}"
    if fmt == "ansi":
        lines = _ESC.sub("\N{REPLACEMENT CHARACTER}", text.replace("\t", "    ")).split("\n")
        if failed and lines:
            lines[0] = f"{_RED}{lines[0]}{_RESET}"
        return "\n".join(_bold_hint(line) for line in lines)
    return text


def _bold_hint(line: str) -> str:
    """A hint line (the engine's "Hint: {hint}", in the grading's language) with its label bold."""
    for label in {"Hint:", _("Hint: {hint}").split("{hint}")[0].rstrip()}:
        if label and line.startswith(label):
            return f"{_BOLD}{label}{_RESET}{line[len(label):]}"
    return line


def gradescope_dict(result: SubmissionResult,
                    options: GradescopeOptions | None = None) -> dict[str, Any]:
    opts = options or GradescopeOptions()
    fmt = opts.feedback_format
    tests: list[dict[str, Any]] = []
    for topic in result.topics:
        if not topic.properties and topic.problem:
            tests.append({"name": f"{topic.topic}: module", "score": 0.0, "max_score": 0.0,
                          "status": "failed", "output": formatted(topic.problem, fmt),
                          "output_format": fmt, "tags": [topic.topic],
                          "visibility": opts.visibility})
        for prop in topic.properties:
            tests.append({
                "name": f"{topic.topic}.{prop.function}: {prop.name}",
                "score": prop.score,
                "max_score": prop.max_score,
                "status": "passed" if prop.passed else "failed",
                "output": formatted(prop.full_feedback, fmt) if prop.feedback else _("passed"),
                "output_format": fmt,
                "tags": [topic.topic, prop.function],
                "visibility": opts.visibility,
            })
    data: dict[str, Any] = {
        "score": result.score,
        "max_score": result.max_score,
        "tests": tests,
        "visibility": opts.visibility,
        "stdout_visibility": opts.stdout_visibility,
        "output_format": fmt,
    }
    if opts.execution_time is not None:
        data["execution_time"] = max(0, round(opts.execution_time))
    if result.output:
        data["output"] = _("What your code printed (truncated):") + "\n" + formatted(
            result.output, fmt, failed=False)
    notes = [f"{t.topic}: {t.note}" for t in result.topics if t.note]
    if notes:
        data["output"] = "\n".join(notes) + ("\n\n" + data["output"] if "output" in data else "")
    return data


def to_gradescope_json(result: SubmissionResult, options: GradescopeOptions | None = None) -> str:
    return json.dumps(gradescope_dict(result, options), indent=2) + "\n"
