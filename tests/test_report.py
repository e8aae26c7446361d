"""The class report: counts over students, a PNG, an HTML page that embeds it and escapes."""

from __future__ import annotations

import base64
import json
import os
import random
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.batch.discover import Job
from autograder.batch.report import summarize, write_report
from autograder.batch.settings import RESULTS_DIR, Settings
from autograder.batch.store import make_record, record_name
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

    from autograder.batch.report import render_figure

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


# ---------------------------------------------------------------- a made-up class, any size

HOSTILE = ("<script>document.documentElement.dataset.pwned = 1</script>",
           '"><img src=x onerror="document.documentElement.dataset.pwned = 1">')
ODD = ("王小明", "o'neil & co", "a b%c", *HOSTILE)


def made_up_class(students: int, topics: int, seed: int = 0, names: tuple[str, ...] = (),
                  functions: int = 4, properties: int = 3) -> tuple[dict[str, dict], dict]:
    """Records of ``students`` made-up students (``names`` first) on ``topics`` topics of
    ``functions`` functions with ``properties`` properties each, and what the report must
    count, tallied while drawing:
    per (topic, function, property) [passed, graded, not attempted]; per diagnosis key, its
    students; per topic, each student's percent."""
    from grading_tests.compare import IN_PLACE

    rng = random.Random(seed)
    topic_names = [f"topic{i:02d}" for i in range(topics)]
    settings = Settings(topics=tuple(topic_names), profile="ci")
    everyone = [*names, *(f"student{i:03d}" for i in range(students - len(names)))]
    records: dict[str, dict] = {}
    rates: dict[tuple[str, str, str], list[int]] = {}
    who: dict[str, list[str]] = {}
    percents: dict[str, list[float]] = {t: [] for t in topic_names}
    for student in everyone:
        skill = rng.random()
        results = []
        for topic in topic_names:
            props = []
            for f in range(functions):
                for k in range(properties):
                    draw, function, name = rng.random(), f"f{f}", f"property {k} of f{f}"
                    diagnosis = ""
                    if draw < skill:
                        outcome = Outcome.PASSED
                    elif draw < skill + 0.1:
                        outcome = Outcome.NOT_IMPLEMENTED
                    else:
                        outcome = Outcome.FAILED
                        diagnosis = rng.choice(["", f"misconception {f}", IN_PLACE])
                    tally = rates.setdefault((topic, function, name), [0, 0, 0])
                    tally[0] += outcome is Outcome.PASSED
                    tally[1] += 1
                    tally[2] += outcome is Outcome.NOT_IMPLEMENTED
                    if diagnosis:
                        key = f"{topic}.{function}: {diagnosis}"
                        if student not in who.setdefault(key, []):
                            who[key].append(student)
                    props.append(PropertyResult(topic, function, name, "id", 1.0,
                                                1.0 if outcome is Outcome.PASSED else 0.0,
                                                outcome.status, "", "cpu", diagnosis,
                                                outcome=outcome))
            percents[topic].append(100 * sum(p.score for p in props) / len(props))
            results.append(TopicResult(topic, topic, props))
        records[student] = make_record(Job(student, Path(student), student), settings,
                                       SubmissionResult(student, results).to_dict())
    return records, {"rates": rates, "who": who, "percents": percents, "topics": topic_names}


def test_pass_rates_who_and_distributions_are_counted_from_the_records():
    records, truth = made_up_class(40, 3, seed=1)
    summary = summarize(records, truth["topics"])
    got = {(topic, r.function, r.name): [r.passed, r.graded, r.unattempted]
           for topic, rates in summary.rates.items() for r in rates}
    assert got == truth["rates"]
    assert list(summary.rates) == truth["topics"]
    assert {k: sorted(v) for k, v in summary.who.items()} == {
        k: sorted(v) for k, v in truth["who"].items()}
    assert summary.stated == {k for k in truth["who"] if k.endswith(": changing an argument in place")}
    assert summary.topic_scores.keys() == truth["percents"].keys()
    for topic, percents in truth["percents"].items():
        assert sorted(summary.topic_scores[topic]) == pytest.approx(sorted(percents))


def test_a_property_graded_twice_is_passed_only_when_passed_both_times_and_errors_are_not_graded():
    summary = summarize(klass(), ["optimizers"])
    rates = {r.function: (r.passed, r.graded, r.unattempted, r.rate) for r in summary.rates["optimizers"]}
    # ann passes adam; bob, cid and dan fail it; eve's grading did not finish
    assert rates["update_parameters_with_adam"] == (1, 4, 0, 0.25)
    assert rates["update_parameters_with_momentum"] == (3, 4, 1, 0.75)  # cid: not implemented


def test_the_html_has_each_topics_pass_rates_and_the_stated_mistakes_in_their_own_table(tmp_path):
    from grading_tests.compare import IN_PLACE

    records = klass()
    records["fay"] = record("fay", "failed", "passed", IN_PLACE)
    _, html = write_report(records, tmp_path, ["optimizers"])
    page = html.read_text(encoding="utf-8")
    rates = page[page.index("<h2>Pass rate of each property</h2>"):page.index("<h2>Properties failed")]
    rates = re.sub(r"<td [^>]*>", "<td>", rates)
    assert ("<td>update_parameters_with_adam</td><td>update_parameters_with_adam matches torch</td>"
            "<td>1</td><td>5</td><td>20%</td><td>0</td>") in rates
    assert ("<td>update_parameters_with_momentum</td><td>update_parameters_with_momentum matches "
            "torch</td><td>4</td><td>5</td><td>80%</td><td>1</td>") in rates
    named = page[page.index("<h2>Who hit which misconception</h2>"):page.index("<h2>Who made which")]
    stated = page[page.index("<h2>Who made which"):page.index("<h2>Other causes")]
    assert "Adam without bias correction" in named and IN_PLACE not in named
    assert f"optimizers.update_parameters_with_adam: {IN_PLACE}</td><td>1</td>" in stated
    assert ">fay</a>" in stated and ">bob</a>" not in stated


def _links_and_tags(page: str) -> tuple[list[str], list[tuple[str, dict]], str]:
    from html.parser import HTMLParser

    class Reader(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tags: list[tuple[str, dict]] = []
            self.text: list[str] = []

        def handle_starttag(self, tag, attrs):
            self.tags.append((tag, dict(attrs)))

        def handle_data(self, data):
            self.text.append(data)

    reader = Reader()
    reader.feed(page)
    links = [attrs["href"] for tag, attrs in reader.tags if tag == "a"]
    return links, reader.tags, "".join(reader.text)


def test_every_student_link_leads_to_that_students_stored_result(tmp_path):
    from urllib.parse import unquote

    records, _ = made_up_class(12, 2, seed=2, names=ODD)
    results = tmp_path / RESULTS_DIR
    results.mkdir()
    for student, data in records.items():
        (results / record_name(student)).write_text(json.dumps(data), encoding="utf-8")
    _, html = write_report(records, tmp_path, None)
    links, _, _ = _links_and_tags(html.read_text(encoding="utf-8"))
    assert links
    targets = {unquote(href) for href in links}
    for target in targets:  # relative to the page, as a browser resolves it
        assert "/" in target and not target.startswith(("/", "."))
        data = json.loads((tmp_path / target).read_text(encoding="utf-8"))
        assert data["student"] in records
    assert {json.loads((tmp_path / t).read_text(encoding="utf-8"))["student"] for t in targets} == set(records)


def test_names_and_diagnoses_like_markup_render_as_text(tmp_path):
    records, _ = made_up_class(8, 1, seed=3, names=ODD)
    # a hostile diagnosis and module problem too (both come from what a submission did)
    records[ODD[3]]["topics"][0]["properties"][0].update(
        status="failed", outcome="failed", score=0.0, diagnosis=HOSTILE[1])
    records[ODD[4]]["topics"][0]["problem"] = HOSTILE[0]
    for prop in records[ODD[4]]["topics"][0]["properties"]:
        prop.update(status="failed", outcome="not_gradable", score=0.0)
    _, html = write_report(records, tmp_path, None)
    page = html.read_text(encoding="utf-8")
    _, tags, text = _links_and_tags(page)
    assert {tag for tag, _ in tags} <= {"html", "head", "meta", "title", "style", "body", "h1", "h2",
                                        "h3", "p", "div", "table", "tr", "th", "td", "a", "img"}
    assert [attrs["src"][:22] for tag, attrs in tags if tag == "img"] == ["data:image/png;base64,"] * 2
    assert not any(name.startswith("on") for _, attrs in tags for name in attrs)
    for name in ODD:
        assert name in text, name  # in the students table, as text
    assert f"topic00: {HOSTILE[0]}" in text  # the module's problem, as text
    assert HOSTILE[1] in text


def test_the_embedded_plots_of_300_students_and_20_topics_stay_small(tmp_path):
    from autograder.batch.report import render_distribution

    records, truth = made_up_class(300, 20, seed=4, functions=2, properties=2)
    _, html = write_report(records, tmp_path, truth["topics"])
    page = html.read_text(encoding="utf-8")
    images = re.findall(r'src="data:image/png;base64,([^"]*)"', page)
    assert len(images) == 2 and all(base64.b64decode(i)[:8] == PNG_MAGIC for i in images)
    assert sum(len(i) for i in images) < 300_000
    fig = render_distribution(summarize(records, truth["topics"]))
    panels = [ax for ax in fig.axes if ax.get_visible() and ax.axison]
    assert [ax.get_title().split(":")[0] for ax in panels] == truth["topics"]
    for ax, topic in zip(panels, truth["topics"]):  # one bar per 10%, all students counted
        heights = [bar.get_height() for bar in ax.patches]
        assert len(heights) == 10 and sum(heights) == 300, topic
