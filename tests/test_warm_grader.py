"""Gradings one after another in one process (nbgrader's in-process grading does this; a warm
grader would): no state of one submission reaches the next. A, then B (faulty, then hostile),
then A again: A's records are identical, with the per-process reference cache filled by B."""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder.engine.pipeline import grade_submission

ROOT = Path(__file__).resolve().parents[1]
TOPICS = ["optimizers", "resnet"]
RESNET = (ROOT / "solutions" / "resnet.py").read_text(encoding="utf-8")
OPTIMIZERS = (ROOT / "solutions" / "optimizers.py").read_text(encoding="utf-8")
HOSTILE = """
import gc, os, sys
# Code of a student that looks for the grader's state: it runs in the worker, alone.
for obj in gc.get_objects():
    if type(obj).__name__ in ("OrderedDict", "dict") and len(obj) > 0:
        try:
            obj.clear()
        except Exception:
            pass
sys.modules.pop("grading_tests.reference_cache", None)
os.environ["AUTOGRADER_REFERENCE_CACHE"] = "/tmp"
"""


def record(folder: Path) -> dict:
    data = grade_submission(folder, TOPICS, profile="dev").to_dict()
    data.pop("submission", None)
    return data


@pytest.mark.slow
def test_a_b_a_in_one_process_grades_a_identically(make_submission, tmp_path):
    a = make_submission(optimizers=OPTIMIZERS, resnet=RESNET)
    faulty = tmp_path / "faulty"
    faulty.mkdir()
    (faulty / "optimizers.py").write_text(OPTIMIZERS.replace("(1 - beta1**t)", "(1 - beta1)"), encoding="utf-8")
    (faulty / "resnet.py").write_text(RESNET.replace("return self.relu(out + identity)", "return self.relu(out)"),
                                      encoding="utf-8")
    hostile = tmp_path / "hostile"
    hostile.mkdir()
    (hostile / "optimizers.py").write_text(HOSTILE + OPTIMIZERS, encoding="utf-8")
    (hostile / "resnet.py").write_text(HOSTILE + RESNET.replace("return self.relu(out + identity)",
                                                                 "return self.relu(out - identity)"), encoding="utf-8")
    first = record(a)
    assert first["score"] == first["max_score"]
    b_faulty = record(faulty)
    b_hostile = record(hostile)
    assert b_faulty["score"] < b_faulty["max_score"] and b_hostile["score"] < b_hostile["max_score"]
    assert record(a) == first
    assert record(faulty) == b_faulty  # and B again, after A


@pytest.mark.slow
def test_a_warm_grading_process_grades_a_b_a_as_fresh_processes_do(make_submission, tmp_path):
    """The batch's warm grader (``grade-batch``): one process grades A, a faulty B, a hostile B
    and A again, and each record is the one a process of its own gives."""
    from autograder.batch.discover import Job
    from autograder.batch.local import Graders, grade_in_child
    from autograder.batch.settings import Settings

    a = make_submission(optimizers=OPTIMIZERS, resnet=RESNET)
    faulty, hostile = tmp_path / "faulty", tmp_path / "hostile"
    faulty.mkdir()
    hostile.mkdir()
    (faulty / "optimizers.py").write_text(OPTIMIZERS.replace("(1 - beta1**t)", "(1 - beta1)"), encoding="utf-8")
    (hostile / "optimizers.py").write_text(HOSTILE + OPTIMIZERS, encoding="utf-8")
    (hostile / "resnet.py").write_text(HOSTILE + RESNET, encoding="utf-8")
    settings = Settings(topics=tuple(TOPICS), profile="dev", device="cpu")
    scratch = tmp_path / "scratch"
    graders = Graders()
    try:
        warm = [grade_in_child(Job(folder.name, folder, folder.name), settings, scratch, graders=graders)
                for folder in (a, faulty, hostile, a)]
        [grader] = graders._idle  # one process graded all four
        assert grader.jobs == 4 and grader.alive()
    finally:
        graders.close_all()
    fresh = [grade_in_child(Job(folder.name, folder, folder.name), settings, scratch)
             for folder in (a, faulty, hostile)]
    assert warm[0]["score"] == warm[0]["max_score"] and warm[1]["score"] < warm[1]["max_score"]
    assert warm[:3] == fresh and warm[3] == warm[0]
    assert not grader.folder.exists()  # closed: its folder went with it


def test_after_a_timeout_or_a_death_the_next_submission_gets_a_fresh_grading_process(tmp_path):
    from autograder.batch.discover import Job
    from autograder.batch.local import Graders, grade_in_child
    from autograder.batch.settings import Settings

    slow, fine = tmp_path / "slow", tmp_path / "fine"
    slow.mkdir()
    fine.mkdir()
    (slow / "optimizers.py").write_text("import time\ntime.sleep(60)\n")
    (fine / "optimizers.py").write_text(OPTIMIZERS, encoding="utf-8")
    settings = Settings(topics=("optimizers",), profile="ci", device="cpu",
                        functions=("step_decay",), submission_timeout=1.0)
    graders = Graders()
    try:
        first = grade_in_child(Job("slow", slow, "slow"), settings, tmp_path / "s", graders=graders)
        assert first["status"] == "error" and "longer than 1 s" in first["error"]
        assert graders._idle == []  # the process that ran out of time was killed, not kept
        ok = replace_timeout(settings, 300.0)
        second = grade_in_child(Job("fine", fine, "fine"), ok, tmp_path / "s", graders=graders)
        assert second["status"] == "graded" and second["score"] == second["max_score"] > 0
        [grader] = graders._idle
        grader.proc.kill()  # dies between two submissions: the next one is not charged for it
        grader.proc.wait()
        third = grade_in_child(Job("fine", fine, "fine"), ok, tmp_path / "s", graders=graders)
        assert third == second
        assert graders._idle and graders._idle[0] is not grader
    finally:
        graders.close_all()


def replace_timeout(settings, seconds):
    from dataclasses import replace

    return replace(settings, submission_timeout=seconds)
