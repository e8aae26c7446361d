"""JUnit XML for CI test reports: a testsuite per topic, a testcase per property.

Points travel as ``<properties>`` (``points``, ``max_points``) on each testcase and the topic
and submission totals on each testsuite, so CI report tools show the score beside each check.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from autograder.formats import register
from autograder.i18n import _, language
from autograder.results import Outcome, SubmissionResult

# Characters XML 1.0 cannot hold even escaped; student output may contain any of them.
_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    return _ILLEGAL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _number(x: float) -> str:
    return f"{x:g}"


def _properties(parent: ET.Element, **values: str) -> None:
    props = ET.SubElement(parent, "properties")
    for name, value in values.items():
        if value == "":
            continue
        ET.SubElement(props, "property", name=name, value=_clean(value))


def _kind(outcome: Outcome, exception: str = "") -> str:
    """A failure's ``type``: a classification CI tools group by, the same in every language
    (the ``message`` and the text are the feedback's, in the grading's language)."""
    with language("en"):
        return outcome.label(exception)


def to_junit(result: SubmissionResult) -> str:
    failures = sum(1 for t in result.topics for p in t.properties
                   if not p.passed and not p.grading_error)
    errors = sum(1 for t in result.topics if t.problem and not t.properties) + sum(
        1 for t in result.topics for p in t.properties if p.grading_error)
    tests = sum(max(1, len(t.properties)) if t.problem else len(t.properties)
                for t in result.topics)
    root = ET.Element("testsuites", name="autograder", tests=str(tests),
                      failures=str(failures), errors=str(errors), time="0")
    for i, topic in enumerate(result.topics):
        suite = ET.SubElement(
            root, "testsuite", name=topic.topic,
            tests=str(len(topic.properties) or (1 if topic.problem else 0)),
            failures=str(sum(1 for p in topic.properties if not p.passed and not p.grading_error)),
            errors=str((1 if topic.problem and not topic.properties else 0)
                       + sum(1 for p in topic.properties if p.grading_error)),
            skipped="0", time="0")
        _properties(suite, title=topic.title, points=_number(topic.score),
                    max_points=_number(topic.max_score),
                    total_points=_number(result.score), total_max_points=_number(result.max_score))
        if topic.problem and not topic.properties:
            case = ET.SubElement(suite, "testcase", classname=topic.topic, name="module",
                                 time="0")
            _properties(case, points="0", max_points="0")
            error = ET.SubElement(case, "error", message=_clean(topic.problem.splitlines()[0]),
                                  type=_kind(Outcome.NOT_GRADABLE))
            error.text = _clean(topic.problem)
        for prop in topic.properties:
            case = ET.SubElement(suite, "testcase", classname=f"{topic.topic}.{prop.function}",
                                 name=_clean(prop.name), time="0")
            _properties(case, points=_number(prop.score), max_points=_number(prop.max_score),
                        device=prop.device, outcome=prop.outcome.value, diagnosis=prop.diagnosis)
            if not prop.passed:
                # A grader fault is the CI's "error" (the check itself broke), not a failure.
                first = (prop.feedback.strip().splitlines() or [_("failed")])[0]
                failure = ET.SubElement(case, "error" if prop.grading_error else "failure",
                                        message=_clean(first),
                                        type=_clean(prop.diagnosis
                                                    or _kind(prop.outcome, prop.exception)))
                failure.text = _clean(prop.full_feedback)
        if i == 0 and result.output:
            out = ET.SubElement(suite, "system-out")
            out.text = _clean(result.output)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


register("junit", to_junit)
