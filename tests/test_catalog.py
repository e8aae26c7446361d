"""One catalog: every topic it lists is complete, nothing of a topic lives outside it, and a
half-added topic is reported with exactly what it lacks."""

from __future__ import annotations

import shutil

from autograder.catalog import ASSIGNMENTS, TOPICS, missing_parts, parts_without_topic
from tests.conftest import ROOT


def test_every_topic_of_the_catalog_is_complete():
    missing = {name: missing_parts(ROOT, name) for name in TOPICS}
    assert {name: parts for name, parts in missing.items() if parts} == {}


def test_no_topic_file_lives_outside_the_catalog():
    assert parts_without_topic(ROOT) == []


def test_every_assignment_member_is_a_topic_and_every_topic_is_in_one_assignment():
    members = [t for ts in ASSIGNMENTS.values() for t in ts]
    assert sorted(members) == sorted(TOPICS)


def test_a_half_added_topic_is_told_exactly_what_it_lacks(tmp_path, monkeypatch):
    for folder in ("solutions", "assignments", "grading_tests/mutants", "autograder/authoring/text"):
        (tmp_path / folder).mkdir(parents=True)
    shutil.copyfile(ROOT / "solutions" / "conv.py", tmp_path / "solutions" / "saddle.py")
    (tmp_path / "grading_tests" / "test_saddle.py").write_text("def test_nothing():\n    pass\n")
    assert missing_parts(tmp_path, "saddle") == [
        "an entry in autograder/catalog.py TOPICS",
        "membership of exactly one assignment in autograder/catalog.py ASSIGNMENTS (now none)",
        "assignments/saddle.py", "grading_tests/mutants/saddle.py", "autograder/authoring/text/saddle.md",
        "grading_tests/test_saddle.py: a property marked @pytest.mark.exercise",
    ]
    assert parts_without_topic(tmp_path) == ["solutions/saddle.py", "grading_tests/test_saddle.py"]
    # In the catalog and an assignment, it still lacks its generated notebook and the rest.
    monkeypatch.setitem(TOPICS, "saddle", TOPICS["conv"])
    monkeypatch.setitem(ASSIGNMENTS, "landscape", ["saddle"])
    assert missing_parts(tmp_path, "saddle")[:2] == ["assignments/saddle.py", "grading_tests/mutants/saddle.py"]
    assert "source/landscape/saddle.ipynb" in missing_parts(tmp_path, "saddle")
