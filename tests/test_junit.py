"""--format junit: one testcase per property, points in properties, any text kept parseable."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from autograder.formats import render
from autograder.results import Outcome, PropertyResult, SubmissionResult, TopicResult

HOSTILE = "bad \x00 bytes \x1b[31m <tag> & ]]> \ud800 end"


def sample() -> SubmissionResult:
    props = [
        PropertyResult("optimizers", "update_parameters_with_adam", "adam matches torch adam",
                       "t::a", 4.0, 4.0, "passed"),
        PropertyResult("optimizers", "step_decay", "step decay matches step lr", "t::b", 1.0,
                       0.0, "failed", "lr: expected 0.5, got 0.25\n" + HOSTILE,
                       diagnosis="dividing by the wrong epoch"),
        PropertyResult("optimizers", "cosine_annealing", "cosine annealing matches", "t::c", 2.0,
                       0.0, "failed", "not implemented yet", outcome=Outcome.NOT_IMPLEMENTED),
    ]
    return SubmissionResult("sub", [
        TopicResult("optimizers", "Optimizers", props),
        TopicResult("conv", "Convolution", [], "conv.py has a syntax error on line 3\n  def ("),
    ], output=HOSTILE)


def test_each_property_is_a_testcase_with_its_points():
    root = ET.fromstring(render(sample(), "junit").encode("utf-8"))
    assert root.tag == "testsuites"
    cases = root.findall("./testsuite[@name='optimizers']/testcase")
    assert [c.get("classname") for c in cases] == [
        "optimizers.update_parameters_with_adam", "optimizers.step_decay",
        "optimizers.cosine_annealing"]
    points = [{p.get("name"): p.get("value") for p in c.iter("property")} for c in cases]
    assert [(p["points"], p["max_points"]) for p in points] == [("4", "4"), ("0", "1"), ("0", "2")]
    assert [c.find("failure") is None for c in cases] == [True, False, False]
    failure = cases[1].find("failure")
    assert failure is not None
    assert failure.get("message") == "lr: expected 0.5, got 0.25"
    assert failure.get("type") == "dividing by the wrong epoch"
    assert "<tag> & ]]>" in (failure.text or "")


def test_counts_and_totals_add_up():
    result = sample()
    root = ET.fromstring(render(result, "junit").encode("utf-8"))
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("4", "2", "1")
    suite = root.find("./testsuite[@name='optimizers']")
    assert suite is not None
    values = {p.get("name"): p.get("value") for p in suite.find("properties") or []}
    assert values["points"] == f"{result.topics[0].score:g}"
    assert values["total_max_points"] == f"{result.max_score:g}"


def test_an_ungradable_module_is_an_error_testcase():
    root = ET.fromstring(render(sample(), "junit").encode("utf-8"))
    case = root.find("./testsuite[@name='conv']/testcase")
    assert case is not None and case.get("name") == "module"
    error = case.find("error")
    assert error is not None and error.get("message") == "conv.py has a syntax error on line 3"


def test_characters_xml_cannot_hold_are_escaped_not_dropped():
    text = render(sample(), "junit")
    root = ET.fromstring(text.encode("utf-8"))  # would raise on a raw NUL or lone surrogate
    out = root.find("./testsuite/system-out")
    assert out is not None and out.text is not None
    assert "\\x00" in out.text and "\\x1b" in out.text and "\\xd800" in out.text
    assert "\x00" not in text
