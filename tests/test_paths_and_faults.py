"""The README's commands as written: relative paths from the caller's folder, honest exit
statuses, and a fault of the grader's own reported as a grading error, never as the student's,
and graded again on the next batch run."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from autograder.batch.discover import Job
from autograder.batch.local import timeout_cause
from autograder.batch.settings import Settings
from autograder.batch.store import make_record, retry_on_rerun
from autograder.formats import render
from autograder.results import Outcome, SubmissionResult
from autograder.sandbox.client import GraderFault, StudentCodeError, Worker
from tests.conftest import GRADING_TESTS, SOLUTIONS

FAST = ["--topics", "optimizers", "--functions", "exponential_decay", "--profile", "dev",
        "--device", "cpu"]

# Injected into a copy of the hidden tests: a reference that raises (the grader's own code,
# in the grader), and a property whose request makes the worker's own helpers import torch,
# which a NumPy worker cannot (the grader's own import failing in the worker).
BROKEN_REFERENCE = '''

def scheduled_lr(*args, **kwargs):
    raise RuntimeError("the reference is broken")
'''
BROKEN_WORKER_IMPORT = '''

@pytest.mark.points(1)
@pytest.mark.exercise(M, "exponential_decay")
def test_the_workers_own_helpers_cannot_import_torch(submission, impl):
    impl.optimizers.exponential_decay(0.1, 1, 0.5)
    submission.request("optimizers", {"op": "torch", "action": "call_on_layers", "spec": [],
                                      "module": "optimizers", "name": "exponential_decay"})
'''


def autograder(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "autograder.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def grade_sheet(path: Path) -> dict[str, dict[str, str]]:
    return {r["student"]: r for r in csv.DictReader(io.StringIO(path.read_text()))}


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A caller's folder: ``class/carol/optimizers.py`` (the solution) and nothing else."""
    (tmp_path / "class" / "carol").mkdir(parents=True)
    shutil.copy(SOLUTIONS / "optimizers.py", tmp_path / "class" / "carol" / "optimizers.py")
    return tmp_path


@pytest.mark.slow
def test_relative_paths_grade_and_a_submission_that_cannot_be_graded_makes_the_exit_status_1(course):
    done = autograder(course, "grade-batch", "class", "-o", "out", *FAST, "--no-progress")
    assert done.returncode == 0, done.stderr[-3000:]
    assert grade_sheet(course / "out" / "grades.csv")["carol"]["status"] == "graded"
    assert grade_sheet(course / "out" / "grades.csv")["carol"]["total"] == "1"
    assert "0 could not be graded" in done.stderr

    done = autograder(course, "grade", "class/carol", "-o", "results.json", "--format", "json", *FAST)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads((course / "results.json").read_text())
    assert result["score"] == result["max_score"] == 1

    (course / "out" / "report.png").unlink()
    done = autograder(course, "report", "out")
    assert done.returncode == 0, done.stderr[-3000:]
    assert (course / "out" / "report.png").exists()

    # A folder that is a link is refused unread: the submission's own error, kept as final
    # (only --retry-errors grades it again), yet the batch says it is not all graded.
    (course / "class" / "eve").symlink_to(course / "class" / "carol")
    done = autograder(course, "grade-batch", "class", "-o", "out", *FAST, "--no-progress", "--no-report")
    assert done.returncode == 1, done.stderr[-3000:]
    assert "1 could not be graded" in done.stderr and "grading failed: eve" in done.stderr
    assert grade_sheet(course / "out" / "grades.csv")["eve"]["status"].startswith(
        "error: eve is a symbolic link")
    assert json.loads((course / "out" / "results" / "eve.json").read_text())["cause"] == "submission"
    done = autograder(course, "grade-batch", "class", "-o", "out", *FAST, "--no-progress",
                      "--no-report", "--exit-zero")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "grading failed: eve" not in done.stderr  # not graded again: kept as final
    assert "1 error(s) of the submissions' own kept as final" in done.stderr


@pytest.mark.slow
def test_a_fault_of_the_grader_is_a_grading_error_and_the_next_batch_run_grades_it_again(course):
    hidden = course / "hidden" / "grading_tests"
    shutil.copytree(GRADING_TESTS, hidden, ignore=shutil.ignore_patterns("__pycache__"))
    with open(hidden / "references" / "optimizers.py", "a") as handle:
        handle.write(BROKEN_REFERENCE)
    with open(hidden / "test_optimizers.py", "a") as handle:
        handle.write(BROKEN_WORKER_IMPORT)

    first = autograder(course, "grade-batch", "class", "-o", "out", "--tests", "hidden/grading_tests",
                       *FAST, "--no-progress", "--no-report")
    assert first.returncode == 1, first.stderr[-3000:]
    assert "1 could not be graded" in first.stderr
    record = json.loads((course / "out" / "results" / "carol.json").read_text())
    assert (record["status"], record["cause"]) == ("error", "grader")
    assert record["error"].startswith("2 properties could not be graded: grading error (not your code)")
    assert grade_sheet(course / "out" / "grades.csv")["carol"]["status"].startswith("error: 2 properties")
    result = SubmissionResult.from_dict(record)
    props = {p.name: p for p in result.topics[0].properties}
    assert len(props) == 2
    for prop in props.values():
        assert (prop.status, prop.outcome, prop.diagnosis, prop.score) == (
            "error", Outcome.GRADER_ERROR, "", 0)
        assert prop.feedback.startswith("grading error (not your code): ")
        assert "your code raised" not in prop.feedback and "Hint:" not in prop.feedback
    assert "RuntimeError: the reference is broken" in props[
        "exponential decay matches exponential lr"].feedback
    assert "in the grader's own code: ImportError: " in props[
        "the workers own helpers cannot import torch"].feedback
    text = render(result, "text")
    assert "ERR!" in text and "GRADING ERROR: 2 properties" in text
    assert "your code" not in text.replace("not your code", "")
    junit = render(result, "junit")
    assert junit.count("<error ") == 2 and "<failure " not in junit

    again = autograder(course, "grade-batch", "class", "-o", "out", "--tests", "hidden/grading_tests",
                       *FAST, "--no-progress", "--no-report", "--exit-zero")
    assert again.returncode == 0, again.stderr[-3000:]
    assert "1 graded now, 0 already done" in again.stderr  # not kept as final


def test_the_worker_tags_its_own_failures_and_leaves_the_students_theirs(make_submission):
    folder = make_submission(optimizers="def f():\n    raise KeyError('mine')\n")
    with Worker(folder, call_timeout=20) as worker:
        with pytest.raises(GraderFault, match="the worker knows no request"):
            worker.request({"op": "no such request"})
        with pytest.raises(GraderFault, match="in the grader's own code: KeyError"):
            worker.request({"op": "call", "root": 12345, "path": "x"})  # a handle it never gave
        with pytest.raises(StudentCodeError) as raised:
            worker.request({"op": "call", "root": "optimizers", "path": "f"})
        assert raised.value.type_name == "KeyError" and "mine" in raised.value.message
        assert "worker.py" not in raised.value.traceback and "blame.py" not in raised.value.traceback


def test_whose_error_it_is_decides_whether_the_next_run_grades_it_again():
    settings = Settings(topics=("optimizers",))  # budgets of 120 s and 600 s, timeout 1800 s
    assert timeout_cause(settings) == "grader"  # the budgets should have ended it long before
    assert timeout_cause(replace(settings, submission_budget=0, topic_budget=0)) == "submission"
    assert timeout_cause(replace(settings, submission_timeout=700)) == "submission"
    job = Job("ann", Path("."), "ann")
    crashed = make_record(job, settings, None, "the grading process exited with code 1")
    refused = make_record(job, settings, None, "ann is a symbolic link", "submission")
    assert (crashed["cause"], refused["cause"]) == ("grader", "submission")
    assert retry_on_rerun(crashed) and not retry_on_rerun(refused)
    assert retry_on_rerun(refused, retry_errors=True)
    legacy = {**crashed, "cause": None}  # a record from before causes: graded again
    assert retry_on_rerun(legacy)
