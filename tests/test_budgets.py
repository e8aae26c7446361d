"""Time budgets: a correct submission that paces itself just under every per-call limit still
ends within its topic's and its submission's wall-clock budgets, with the reason; every path
(CLI, batch, nbgrader, Gradescope) carries the budgets."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from autograder import cli
from autograder.batch.child import build_parser as child_parser
from autograder.batch.local import serve_command
from autograder.batch.settings import Settings
from autograder.engine import pipeline as engine
from autograder.engine.budget import SUBMISSION_BUDGET, TOPIC_BUDGET, BudgetExhausted, Budgets
from autograder.engine.pipeline import grade_submission
from autograder.formats.text import to_text
from autograder.results import Outcome, PropertyResult, SubmissionResult, TopicResult
from tests.conftest import SOLUTIONS

# The grader's own work after a budget ends (stopping the worker, one reference computation,
# pytest's bookkeeping) may overrun it by this much; a paced run without budgets takes minutes.
SLACK = 4.0
PACE = """

import functools as _functools
import time as _time


def _paced(function):
    @_functools.wraps(function)
    def paced(*args, **kwargs):
        _time.sleep({seconds})
        return function(*args, **kwargs)
    return paced


for _name, _value in list(globals().items()):
    if callable(_value) and getattr(_value, "__module__", "") == __name__ and _name[0] != "_":
        globals()[_name] = _paced(_value)
"""


def paced(topic: str, seconds: float) -> str:
    """The reference solution of ``topic`` with a sleep at the start of every public function."""
    return (SOLUTIONS / f"{topic}.py").read_text() + PACE.format(seconds=seconds)


@pytest.fixture
def topic_starts(monkeypatch) -> dict[str, float]:
    """When each topic's clock started, as the engine's budgets saw it."""
    starts: dict[str, float] = {}

    class Recording(Budgets):
        def start_topic(self, topic: str) -> None:
            starts.setdefault(topic, time.monotonic())
            super().start_topic(topic)

    monkeypatch.setattr(engine, "Budgets", Recording)
    return starts


def cut(topic: TopicResult) -> list[PropertyResult]:
    return [p for p in topic.properties if p.outcome is Outcome.BUDGET_EXHAUSTED]


def test_a_paced_topic_takes_at_most_its_budget_and_grading_goes_on(make_submission, topic_starts):
    folder = make_submission(optimizers=paced("optimizers", 0.5),
                             initialization=(SOLUTIONS / "initialization.py").read_text())
    started = time.monotonic()
    result = grade_submission(folder, ["optimizers", "initialization"], profile="ci",
                              call_timeout=2, topic_budget=8, submission_budget=None)
    assert time.monotonic() - started < 90  # hang guard only
    optimizers, initialization = result.topics
    assert topic_starts["initialization"] - topic_starts["optimizers"] <= 8 + SLACK
    stopped = cut(optimizers)
    assert stopped, "the budget never ran out: pace the submission more"
    assert stopped[-1] is optimizers.properties[-1]  # the cut lasts to the end of the topic
    first = optimizers.properties.index(stopped[0])
    assert stopped == optimizers.properties[first:]
    for prop in stopped:
        assert prop.score == 0 and not prop.passed
        assert prop.feedback.startswith("time budget for optimizers (8 s) used up")
        assert "Hint:" not in prop.feedback
    assert initialization.score == initialization.max_score > 0
    assert not cut(initialization)
    text = to_text(result)
    assert text.count("!! time budget for optimizers (8 s) used up") == 1


def test_the_submission_budget_stops_every_topic_after_it(make_submission, topic_starts):
    folder = make_submission(optimizers=paced("optimizers", 0.5),
                             initialization=(SOLUTIONS / "initialization.py").read_text())
    started = time.monotonic()
    result = grade_submission(folder, ["optimizers", "initialization"], profile="ci",
                              call_timeout=2, topic_budget=None, submission_budget=8)
    # The submission's clock starts before pytest collects the tests: the whole grading counts.
    assert time.monotonic() - started <= 8 + SLACK
    optimizers, initialization = result.topics
    assert cut(optimizers) and cut(optimizers)[-1] is optimizers.properties[-1]
    message = "time budget for this submission (8 s) used up"
    assert cut(optimizers)[0].feedback.startswith(message)
    assert initialization.score == 0 and len(cut(initialization)) == len(initialization.properties)
    assert initialization.problem.startswith(message)
    assert message in to_text(result)


def test_an_import_slower_than_the_topic_budget_is_cut_at_the_budget(make_submission):
    folder = make_submission(
        optimizers="import time\ntime.sleep(20)\n" + (SOLUTIONS / "optimizers.py").read_text())
    started = time.monotonic()
    topic = grade_submission(folder, ["optimizers"], profile="ci", call_timeout=10,
                             topic_budget=3, submission_budget=None).topics[0]
    assert time.monotonic() - started < 3 + SLACK + 10  # the import's own limit would be 30 s
    assert topic.score == 0 and len(cut(topic)) == len(topic.properties)
    assert topic.problem.startswith("time budget for optimizers (3 s) used up")


@pytest.mark.slow
def test_an_honest_submission_is_not_affected_by_the_default_budgets():
    result = grade_submission(SOLUTIONS, ["optimizers", "initialization"], profile="ci")
    assert not [p.nodeid for t in result.topics for p in cut(t)]
    assert result.score == result.max_score > 0


def test_the_earliest_deadline_gives_the_reason_and_a_new_topic_restarts_its_clock():
    assert Budgets(None, None).limit(5.0) == 5.0 and Budgets(0, 0).left() is None
    budgets = Budgets(topic=0.05, submission=100)
    budgets.start_topic("optimizers")
    assert 0 < budgets.limit(5.0) <= 0.05
    time.sleep(0.06)
    with pytest.raises(BudgetExhausted, match=r"time budget for optimizers \(0.05 s\) used up"):
        budgets.check()
    budgets.start_topic("optimizers")  # the same topic again: its clock goes on
    with pytest.raises(BudgetExhausted):
        budgets.limit(5.0)
    budgets.start_topic("conv")
    budgets.check()
    whole = Budgets(topic=100, submission=0.01)
    whole.start_topic("conv")
    time.sleep(0.02)
    with pytest.raises(BudgetExhausted, match=r"this submission \(0.01 s\)"):
        whole.check()


def test_the_text_report_names_a_partial_cut_once_and_lists_no_feedback_for_it():
    message = "time budget for optimizers (120 s) used up: this and the rest score 0"
    props = [PropertyResult("optimizers", "step_decay", "a", "a", 1, 1, "passed"),
             PropertyResult("optimizers", "step_decay", "b", "b", 1, 0, "failed", message,
                            outcome=Outcome.BUDGET_EXHAUSTED),
             PropertyResult("optimizers", "cosine_annealing", "c", "c", 1, 0, "failed", message,
                            outcome=Outcome.BUDGET_EXHAUSTED)]
    text = to_text(SubmissionResult("s", [TopicResult("optimizers", "Optimizers", props)]))
    assert text.count(message) == 1 and "Feedback on failing properties" not in text


# ---------------------------------------------------------------------------- every path


@pytest.fixture
def graded_with(monkeypatch) -> dict[str, object]:
    """The keyword arguments the next grade_submission call gets (it grades nothing)."""
    seen: dict[str, object] = {}

    def fake(path, topics=None, **kwargs):
        seen.update(kwargs)
        return SubmissionResult(str(path), [TopicResult("optimizers", "Optimizers")])

    monkeypatch.setattr(engine, "grade_submission", fake)
    return seen


def test_grade_passes_its_budget_options_and_defaults_to_the_engines(graded_with, tmp_path, capsys):
    assert cli.main(["grade", str(tmp_path), "--topics", "optimizers", "--device", "cpu",
                     "--topic-budget", "30", "--submission-budget", "90"]) == 0
    assert (graded_with["topic_budget"], graded_with["submission_budget"]) == (30, 90)
    assert cli.main(["grade", str(tmp_path), "--topics", "optimizers", "--device", "cpu"]) == 0
    assert graded_with["topic_budget"] == TOPIC_BUDGET
    assert graded_with["submission_budget"] == SUBMISSION_BUDGET
    capsys.readouterr()


def test_batch_settings_carry_the_budgets_into_the_fingerprint_and_the_child():
    base = Settings(topics=("optimizers",))
    assert (base.topic_budget, base.submission_budget) == (TOPIC_BUDGET, SUBMISSION_BUDGET)
    other = Settings(topics=("optimizers",), topic_budget=30, submission_budget=90)
    assert other.fingerprint() != base.fingerprint()  # stored results are graded again
    assert Settings.from_dict(other.to_dict()) == other
    cmd = serve_command(other)
    args = child_parser().parse_args(cmd[cmd.index("autograder.batch.child") + 1:])
    assert (args.topic_budget, args.submission_budget) == (30, 90)


def test_grade_batch_passes_its_budget_options_into_the_settings(monkeypatch, tmp_path, capsys):
    from autograder.batch import run as batch

    seen: list[Settings] = []

    def fake_run_batch(submissions, output, settings, **kwargs):
        seen.append(settings)
        return batch.BatchSummary(Path(output))

    monkeypatch.setattr(batch, "run_batch", fake_run_batch)
    assert cli.main(["grade-batch", str(tmp_path), "--topics", "optimizers",
                     "--topic-budget", "30", "--submission-budget", "90"]) == 0
    assert (seen[0].topic_budget, seen[0].submission_budget) == (30, 90)
    capsys.readouterr()


def test_nbgrader_traits_reach_the_engine(graded_with):
    pytest.importorskip("nbgrader")
    import nbformat
    from traitlets.config import Config

    from autograder.nbgrader_grade import GradeOutOfKernel

    config = Config()
    config.GradeOutOfKernel.topic_budget = 30.0
    config.GradeOutOfKernel.submission_budget = 90.0
    assert GradeOutOfKernel().topic_budget == TOPIC_BUDGET
    preprocessor = GradeOutOfKernel(config=config)
    resources = {"nbgrader": {"notebook": "optimizers", "assignment": "no-such-assignment"}}
    preprocessor.preprocess(nbformat.v4.new_notebook(), resources)
    assert (graded_with["topic_budget"], graded_with["submission_budget"]) == (30, 90)


def test_the_gradescope_bundle_writes_the_budgets_and_run_autograder_passes_them(tmp_path):
    from autograder.commands.gradescope_bundle import build_bundle

    bundle = tmp_path / "autograder.zip"
    build_bundle(bundle, ["optimizers"], profile="ci", topic_budget=30, submission_budget=90)
    root = tmp_path / "autograder"
    with zipfile.ZipFile(bundle) as archive:
        env = archive.read("grading.env").decode()
        archive.extract("grading.env", root / "source")
        archive.extract("run_autograder", root)
    assert "TOPIC_BUDGET=30\n" in env and "SUBMISSION_BUDGET=90\n" in env
    (root / "submission").mkdir()
    (root / "submission" / "optimizers.py").write_text("x = 1\n")
    # A stand-in python: records the grade command's arguments, runs anything else for real.
    argv_file = tmp_path / "argv.json"
    fake = tmp_path / "python"
    fake.write_text(f"""#!{sys.executable}
import json, os, sys
if sys.argv[1:3] == ["-m", "autograder.cli"]:
    json.dump(sys.argv[3:], open({str(argv_file)!r}, "w"))
    out = sys.argv[sys.argv.index("--output") + 1]
    json.dump({{"score": 0.0, "tests": []}}, open(out, "w"))
    sys.exit(0)
os.execv(sys.executable, [sys.executable, *sys.argv[1:]])
""")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    script = root / "run_autograder"
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    env_vars = dict(os.environ, AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=str(fake))
    done = subprocess.run([str(script)], capture_output=True, text=True, env=env_vars,
                          timeout=120, cwd=root)
    assert done.returncode == 0, done.stderr[-3000:]
    argv = json.loads(argv_file.read_text())
    assert argv[argv.index("--topic-budget") + 1] == "30"
    assert argv[argv.index("--submission-budget") + 1] == "90"


def test_the_gradescope_defaults_end_inside_gradescopes_ten_minutes():
    from autograder.commands import gradescope_bundle

    assert gradescope_bundle.SUBMISSION_BUDGET + 30 <= 600
    assert gradescope_bundle.TOPIC_BUDGET <= gradescope_bundle.SUBMISSION_BUDGET
