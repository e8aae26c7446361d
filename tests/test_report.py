"""The class report: counts over students, a PNG, an HTML page that embeds it and escapes."""

from __future__ import annotations

import base64
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.batch import RESULTS_DIR, Job, Settings, make_record, record_name
from autograder.report import summarize, write_report
from autograder.results import Outcome, PropertyResult, SubmissionResult, TopicResult

SETTINGS = Settings(topics=("optimizers",), profile="ci")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def record(student: str, adam: str, momentum: str, diagnosis: str = "") -> dict:
    def prop(function: str, status: str, points: float, diag: str = "",
             outcome: Outcome | None = None) -> PropertyResult:
        outcome = outcome or Outcome(status)
        return PropertyResult("optimizers", function, f"{function} matches torch", "id", points,
                              points if status == "passed" else 0.0, status, "", "cpu", diag,
                              outcome=outcome)

    result = SubmissionResult(student, [TopicResult("optimizers", "Optimizers", [
        prop("update_parameters_with_adam", adam, 4.0, diagnosis),
        prop("update_parameters_with_adam", adam, 2.0, diagnosis),  # same misconception again
        prop("update_parameters_with_momentum", momentum, 3.0,
             outcome=Outcome.NOT_IMPLEMENTED if momentum == "failed" else None),
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


LONG = ("update_parameters_with_adam leaves the parameters it was given unchanged and returns new "
        "dictionaries for every layer")


def untidy_class() -> dict[str, dict]:
    """Long property names, a student out of time and one who submitted nothing."""
    def prop(name: str, status: str, diagnosis: str = "",
             outcome: Outcome | None = None) -> PropertyResult:
        return PropertyResult("optimizers", "update_parameters_with_adam", name, "id", 1.0,
                              1.0 if status == "passed" else 0.0, status, "", "cpu", diagnosis,
                              outcome=outcome or Outcome(status))

    results = {
        "fay": SubmissionResult("fay", [TopicResult("optimizers", "Optimizers", [
            prop(LONG, "failed", "Adam without bias correction"), prop("adam matches", "passed"),
            prop("adam again", "failed", outcome=Outcome.BUDGET_EXHAUSTED)])]),
        "gus": SubmissionResult("gus", [TopicResult("optimizers", "Optimizers", [
            prop(LONG, "failed", outcome=Outcome.NOT_GRADABLE)],
            "optimizers.py was not submitted")]),
        "hal": SubmissionResult("hal", [TopicResult("optimizers", "Optimizers", [
            prop(LONG, "failed", "Adam without bias correction"), prop("adam matches", "passed"),
            prop("adam again", "passed")])]),
    }
    return {s: make_record(Job(s, Path(s), s), SETTINGS, r.to_dict()) for s, r in results.items()}


def test_the_histogram_counts_whole_students_and_no_label_is_cut():
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from autograder.report import render_figure

    fig = render_figure(summarize(untidy_class(), ["optimizers"]))
    FigureCanvasAgg(fig).draw()
    hist = fig.axes[0]
    low, high = hist.get_ylim()
    ticks = [t for t in hist.get_yticks() if low <= t <= high]
    assert ticks and all(float(t).is_integer() for t in ticks)
    renderer = fig.canvas.get_renderer()
    labels = [t for ax in fig.axes[2:] for t in ax.get_yticklabels() if t.get_text()]
    assert LONG in [t.get_text().replace("\n", " ") .split(": ", 1)[-1] for t in labels]
    for label in labels:  # whole, and inside the figure
        box = label.get_window_extent(renderer)
        assert box.x0 >= 0 and box.y0 >= 0 and box.x1 <= fig.bbox.x1 and box.y1 <= fig.bbox.y1


def test_the_html_lists_every_student_who_hit_each_misconception_and_why_some_did_not_finish(tmp_path):
    records = {**klass(), **untidy_class()}
    _, html = write_report(records, tmp_path, ["optimizers"])
    page = html.read_text(encoding="utf-8")
    students = page[page.index("<h2>Students</h2>"):]
    for student in records:
        assert f'<a href="results/{record_name(student)}">{student}</a>' in students
    assert "<td>9 / 9</td><td>9 / 9</td><td>100.0%</td><td>graded</td>" in students  # ann
    who = page[page.index("<h2>Who hit which misconception</h2>"):page.index("<h2>Other causes")]
    row = who[who.index("Adam without bias correction"):].split("</tr>")[0]
    assert [name for name in records if f">{name}</a>" in row] == ["bob", "cid", "fay", "hal"]
    unfinished = page[page.index("<h2>Did not finish</h2>"):page.index("<h2>Students</h2>")]
    assert "grading did not finish: killed" in unfinished  # eve
    assert "optimizers: optimizers.py was not submitted" in unfinished  # gus
    assert "time budget used up, not run (1 property: update_parameters_with_adam)" in unfinished
    assert "not implemented (1 property: update_parameters_with_momentum)" in unfinished  # cid
    assert ">ann</a>" not in unfinished and ">hal</a>" not in unfinished


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o640), (0o002, 0o660), (0o077, 0o600)])
def test_results_and_reports_are_readable_by_the_course_group_as_the_umask_allows(tmp_path, umask, mode):
    from autograder.files import write_atomic

    previous = os.umask(umask)
    try:
        write_atomic(tmp_path / "grades.csv", "student\n")
        png, html = write_report(klass(), tmp_path, ["optimizers"])
    finally:
        os.umask(previous)
    for path in (tmp_path / "grades.csv", png, html):
        info = path.stat()
        assert stat.S_IMODE(info.st_mode) == mode, path.name
        assert info.st_gid == tmp_path.stat().st_gid
