"""The class report: counts over students, a PNG, an HTML page that embeds it and escapes."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.batch import RESULTS_DIR, Job, Settings, make_record, record_name
from autograder.report import summarize, write_report
from autograder.results import PropertyResult, SubmissionResult, TopicResult

SETTINGS = Settings(topics=("optimizers",), profile="ci")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def record(student: str, adam: str, momentum: str, diagnosis: str = "") -> dict:
    def prop(function: str, status: str, points: float, diag: str = "") -> PropertyResult:
        return PropertyResult("optimizers", function, f"{function} matches torch", "id", points,
                              points if status == "passed" else 0.0, status, "", "cpu", diag)

    result = SubmissionResult(student, [TopicResult("optimizers", "Optimizers", [
        prop("update_parameters_with_adam", adam, 4.0, diagnosis),
        prop("update_parameters_with_adam", adam, 2.0, diagnosis),  # same misconception again
        prop("update_parameters_with_momentum", momentum, 3.0,
             "not implemented" if momentum == "failed" else ""),
    ])])
    return make_record(Job(student, Path(student), student), SETTINGS, result.to_dict())


def klass() -> dict[str, dict]:
    records = {
        "ann": record("ann", "passed", "passed"),
        "bob": record("bob", "failed", "passed", "Adam without bias correction"),
        "cid": record("cid", "failed", "failed", "Adam without bias correction"),
        "dan": record("dan", "failed", "passed", "<script>alert(1)</script>"),
    }
    records["eve"] = make_record(Job("eve", Path("eve"), "eve"), SETTINGS, None, "killed")
    return records


def test_counts_are_per_student_and_errors_are_kept_apart():
    summary = summarize(klass(), ["optimizers"])
    assert (summary.students, summary.graded, summary.errors) == (5, 4, ["eve"])
    assert summary.misconceptions[0] == (
        "optimizers.update_parameters_with_adam: Adam without bias correction", 2)
    assert dict(summary.failing)[
        "optimizers.update_parameters_with_adam: update_parameters_with_adam matches torch"] == 3
    # Missing work is a cause, not a wrong answer: it is not among the failing properties.
    assert not any("momentum" in name for name, _ in summary.failing)
    assert ("not implemented", 1) in summary.causes
    assert sorted(summary.totals) == pytest.approx([0.0, 100 / 3, 100 / 3, 100.0])
    assert summary.topic_means["optimizers"] == sum(summary.totals) / 4


def test_png_and_html_are_written_and_the_html_embeds_and_escapes(tmp_path):
    png, html = write_report(klass(), tmp_path, ["optimizers"])
    assert png.read_bytes()[:8] == PNG_MAGIC
    page = html.read_text(encoding="utf-8")
    start = page.index("data:image/png;base64,") + len("data:image/png;base64,")
    embedded = base64.b64decode(page[start: page.index('"', start)])
    assert embedded == png.read_bytes()
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "Adam without bias correction" in page


def test_report_command_rebuilds_the_csv_and_report_from_the_json_files(tmp_path):
    results = tmp_path / RESULTS_DIR
    results.mkdir()
    for student, data in klass().items():
        (results / record_name(student)).write_text(json.dumps(data))
    done = subprocess.run([sys.executable, "-m", "autograder.cli", "report", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = (tmp_path / "grades.csv").read_text().splitlines()
    assert lines[0] == "student,optimizers,total,max_total,status"
    assert [line.split(",")[0] for line in lines[1:]] == ["ann", "bob", "cid", "dan", "eve"]
    assert lines[1].split(",")[1:4] == ["9", "9", "9"]
    assert lines[5].endswith("error: killed")
    assert (tmp_path / "report.png").read_bytes()[:8] == PNG_MAGIC
