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
