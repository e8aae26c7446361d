"""Outcomes are values: each one comes from a real submission, survives JSON, and a record
stored before outcomes existed still loads with the right one; ``diagnosis`` only ever names a
misconception, so the class report counts only real ones."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from autograder.batch.discover import Job
from autograder.batch.report import summarize
from autograder.batch.settings import Settings
from autograder.batch.store import make_record, valid_record
from autograder.engine.pipeline import grade_submission
from autograder.formats import render
from autograder.results import Outcome, PropertyResult, SubmissionResult, TopicResult
from tests.conftest import GRADING_TESTS, SOLUTIONS

FUNCTION = "exponential_decay"
MUTANT = "exp(-decay_rate * epoch) instead of decay_rate ** epoch"  # grading_tests/mutants
HEAD = "import math\nimport os\n\n\ndef exponential_decay(learning_rate0, epoch, decay_rate):\n"
BODIES = {
    Outcome.PASSED: "    return float(learning_rate0 * decay_rate**epoch)\n",
    Outcome.NOT_IMPLEMENTED: "    # YOUR CODE HERE\n    raise NotImplementedError\n",
    Outcome.RAISED: "    raise ValueError('no decay today')\n",
    Outcome.CRASHED: "    os._exit(3)\n",
    Outcome.FAILED: "    return learning_rate0 * math.exp(-decay_rate * epoch)\n",
}


def grade(folder: Path, **kwargs: Any) -> PropertyResult:
    """The one property of ``exponential_decay``, graded from ``folder``."""
    kwargs.setdefault("profile", "dev")
    result = grade_submission(folder, ["optimizers"], functions={FUNCTION}, **kwargs)
    (prop,) = result.topics[0].properties
    return prop


def submission(make_submission, body: str) -> Path:
    return make_submission(optimizers=HEAD + body)


@pytest.mark.parametrize("outcome", list(BODIES), ids=lambda o: o.value)
def test_each_kind_of_code_gives_its_outcome_and_only_a_misconception_is_a_diagnosis(
        make_submission, outcome):
    prop = grade(submission(make_submission, BODIES[outcome]),
                 profile="ci" if outcome is Outcome.FAILED else "dev")
    assert prop.outcome is outcome, prop.feedback
    assert prop.status == outcome.status and prop.passed == (outcome is Outcome.PASSED)
    assert prop.diagnosis == (MUTANT if outcome is Outcome.FAILED else "")
    assert prop.exception == ("ValueError" if outcome is Outcome.RAISED else "")
    # The student reads the same words as before outcomes existed.
    words = {Outcome.NOT_IMPLEMENTED: "not implemented yet (the function raises NotImplementedError)",
             Outcome.RAISED: "your code raised ValueError: no decay today",
             Outcome.CRASHED: "ended the grading process: the process exited with code 3",
             Outcome.FAILED: f"diagnosis: this is exactly what {MUTANT} gives"}
    if outcome in words:
        assert words[outcome] in prop.feedback


def graded_by_cli(folder: Path, out: Path, *options: str) -> dict[str, Any]:
    """``autograder grade --format json`` of ``exponential_decay``: the one property's record
    (a fresh process: hidden tests of another folder cannot be imported beside ours)."""
    done = subprocess.run([sys.executable, "-m", "autograder.cli", "grade", str(folder),
                           "--topics", "optimizers", "--functions", FUNCTION, "--profile", "dev",
                           "--device", "cpu", *options, "--format", "json", "-o", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert out.exists(), done.stderr[-3000:]
    data = json.loads(out.read_text())
    (prop,) = data["topics"][0]["properties"]
    assert PropertyResult(**prop).outcome is Outcome(prop["outcome"])
    return prop


def test_an_infinite_loop_with_a_short_timeout_times_out(tmp_path, make_submission):
    folder = submission(make_submission, "    while True:\n        pass\n")
    prop = graded_by_cli(folder, tmp_path / "result.json", "--timeout", "1")
    assert (prop["outcome"], prop["status"], prop["diagnosis"]) == ("timed_out", "failed", "")
    assert "did not return within 1 s" in prop["feedback"]


def test_a_syntax_error_is_not_gradable_and_says_so_once(make_submission):
    folder = make_submission(optimizers="def exponential_decay(:\n")
    result = grade_submission(folder, ["optimizers"], functions={FUNCTION}, profile="dev")
    topic = result.topics[0]
    assert [p.outcome for p in topic.properties] == [Outcome.NOT_GRADABLE]
    assert topic.properties[0].diagnosis == "" and "syntax" in topic.problem.lower()


def test_a_tiny_budget_leaves_the_property_unrun(make_submission):
    prop = grade(submission(make_submission, BODIES[Outcome.PASSED]), topic_budget=1e-6)
    assert (prop.outcome, prop.status, prop.diagnosis) == (Outcome.BUDGET_EXHAUSTED, "failed", "")
    assert "time budget" in prop.feedback


def test_a_fault_of_the_grader_is_a_grader_error(tmp_path):
    hidden = tmp_path / "grading_tests"
    shutil.copytree(GRADING_TESTS, hidden, ignore=shutil.ignore_patterns("__pycache__"))
    with open(hidden / "references" / "optimizers.py", "a") as handle:
        handle.write('\n\ndef scheduled_lr(*args, **kwargs):\n'
                     '    raise RuntimeError("the reference is broken")\n')
    prop = graded_by_cli(SOLUTIONS, tmp_path / "result.json", "--tests", str(hidden))
    assert (prop["outcome"], prop["status"], prop["diagnosis"]) == ("grader_error", "error", "")
    assert prop["feedback"].startswith("grading error (not your code): ")


def every_outcome() -> SubmissionResult:
    props = [PropertyResult("optimizers", FUNCTION, outcome.value, f"t::{outcome.value}", 1.0,
                            1.0 if outcome is Outcome.PASSED else 0.0, outcome.status,
                            "" if outcome is Outcome.PASSED else f"it {outcome.value}",
                            diagnosis=MUTANT if outcome is Outcome.FAILED else "",
                            outcome=outcome,
                            exception="ValueError" if outcome is Outcome.RAISED else "")
             for outcome in Outcome]
    return SubmissionResult("sub", [TopicResult("optimizers", "Optimizers", props)])


def test_records_round_trip_through_json_with_the_outcome_as_its_value():
    result = every_outcome()
    data = json.loads(render(result, "json"))
    stored = [p["outcome"] for p in data["topics"][0]["properties"]]
    assert stored == [o.value for o in Outcome] and all(type(v) is str for v in stored)
    again = SubmissionResult.from_dict(data)
    assert again == result and again.to_dict() == result.to_dict()
    assert [p.outcome for p in again.topics[0].properties] == list(Outcome)


def test_a_record_with_an_unknown_or_contradictory_outcome_is_not_taken_as_graded():
    settings = Settings(topics=("optimizers",), profile="ci")
    job = Job("ann", Path("ann"), "ann")
    for change in ({"outcome": "vanished"}, {"outcome": "passed", "status": "failed"}):
        data = make_record(job, settings, every_outcome().to_dict())
        data["topics"][0]["properties"][1].update(change)
        assert not valid_record(data, "ann", settings)
        with pytest.raises(ValueError):
            SubmissionResult.from_dict(data)


# How the first versions stored each kind of failure: the outcome in the diagnosis.
LEGACY = [  # status, diagnosis, feedback -> outcome, diagnosis, exception
    ("passed", "", "", Outcome.PASSED, "", ""),
    ("failed", "", "W1 differs", Outcome.FAILED, "", ""),
    ("failed", "Adam without bias correction", "W1 differs", Outcome.FAILED,
     "Adam without bias correction", ""),
    ("failed", "not implemented", "not implemented yet (the function raises NotImplementedError)",
     Outcome.NOT_IMPLEMENTED, "", ""),
    ("failed", "raised ValueError", "your code raised ValueError: no", Outcome.RAISED, "",
     "ValueError"),
    ("failed", "crashed or timed out",
     "calling optimizers.f did not return within 1 s (an infinite loop, or far too slow); it was "
     "stopped", Outcome.TIMED_OUT, "", ""),
    ("failed", "crashed or timed out", "calling optimizers.f ended the grading process: the "
     "process exited with code 3 (os._exit, sys.exit from a thread, or a crash)",
     Outcome.CRASHED, "", ""),
    ("failed", "module not gradable", "optimizers.py was not submitted", Outcome.NOT_GRADABLE, "",
     ""),
    ("failed", "budget exhausted", "time budget for optimizers (1 s) used up",
     Outcome.BUDGET_EXHAUSTED, "", ""),
    ("error", "grading error", "grading error (not your code): RuntimeError: broken",
     Outcome.GRADER_ERROR, "", ""),
]


def legacy_record() -> dict[str, Any]:
    """A batch record as the version before outcomes stored it: no outcome, no exception."""
    props = [{"topic": "optimizers", "function": f"f{i}", "name": f"p{i}", "nodeid": f"t::{i}",
              "max_score": 1.0, "score": 1.0 if status == "passed" else 0.0, "status": status,
              "feedback": feedback, "device": "cpu", "diagnosis": diagnosis, "reproduce": ""}
             for i, (status, diagnosis, feedback, *_) in enumerate(LEGACY)]
    topic = {"topic": "optimizers", "title": "Optimizers", "properties": props, "problem": "",
             "note": "", "score": 1.0, "max_score": float(len(props))}
    return {"submission": "ann", "topics": [topic], "device": "cpu", "profile": "ci",
            "output": "", "sandboxed": True, "isolation": "jail", "error": "", "score": 1.0,
            "max_score": float(len(props)), "student": "ann", "status": "error",
            "cause": "grader",
            "settings": Settings(topics=("optimizers",), profile="ci").fingerprint()}


def test_a_record_stored_without_outcomes_loads_with_the_right_ones():
    data = legacy_record()
    assert valid_record(data, "ann", Settings(topics=("optimizers",), profile="ci"))
    props = SubmissionResult.from_dict(data).topics[0].properties
    assert [(p.outcome, p.diagnosis, p.exception) for p in props] == [
        (outcome, diagnosis, exception) for *_, outcome, diagnosis, exception in LEGACY]
    assert [p.status for p in props] == [status for status, *_ in LEGACY]


def test_the_class_report_counts_only_real_misconceptions_of_old_and_new_records():
    old = legacy_record()
    old["status"] = "graded"  # its grader error aside, counted like any graded record
    new = make_record(Job("bob", Path("bob"), "bob"), Settings(topics=("optimizers",)),
                      every_outcome().to_dict())
    new["status"] = "graded"
    summary = summarize({"ann": old, "bob": new}, ["optimizers"])
    assert summary.misconceptions == [
        (f"optimizers.{FUNCTION}: {MUTANT}", 1), ("optimizers.f2: Adam without bias correction", 1)]
    assert summary.who == {f"optimizers.{FUNCTION}: {MUTANT}": ["bob"],
                           "optimizers.f2: Adam without bias correction": ["ann"]}
    causes = dict(summary.causes)
    assert causes["raised ValueError"] == 2 and causes["timed out"] == 2
    assert causes["crashed"] == 2 and causes["not implemented"] == 2
    assert "property failed" not in causes and "passed" not in causes


def test_formats_choose_by_outcome():
    result = every_outcome()
    text = render(result, "text")
    assert f"Not implemented yet: optimizers.{FUNCTION}" in text
    shown = text[text.index("Feedback on failing properties"):]
    for outcome in Outcome:
        listed = f"] {outcome.value}\n" in shown
        assert listed == (outcome not in (Outcome.PASSED, Outcome.NOT_IMPLEMENTED,
                                          Outcome.NOT_GRADABLE, Outcome.BUDGET_EXHAUSTED)), outcome
    assert "  !! it budget_exhausted" in text and "ERR!" in text
    root = ET.fromstring(render(result, "junit").encode("utf-8"))
    types = {case.get("name"): [(child.tag, child.get("type")) for child in case
                                if child.tag in ("failure", "error")]
             for case in root.iter("testcase")}
    assert types == {
        "passed": [], "failed": [("failure", MUTANT)],
        "not_implemented": [("failure", "not implemented")],
        "raised": [("failure", "raised ValueError")], "crashed": [("failure", "crashed")],
        "timed_out": [("failure", "timed out")],
        "not_gradable": [("failure", "module not gradable")],
        "budget_exhausted": [("failure", "budget exhausted")],
        "grader_error": [("error", "grading error")]}
