"""Shared helpers for the grader's own tests."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
ASSIGNMENTS = ROOT / "assignments"
GRADING_TESTS = ROOT / "grading_tests"


def graded_topics() -> list[str]:
    """Topics that have a solution and a grading test file: the ones the suite can check."""
    from autograder.topics import TOPICS

    return [t for t in TOPICS if (SOLUTIONS / f"{t}.py").exists()
            and (GRADING_TESTS / f"test_{t}.py").exists()]


@pytest.fixture
def make_submission(tmp_path):
    """Write modules into a fresh submission folder: make_submission(optimizers="...")."""
    def make(**modules: str) -> Path:
        folder = tmp_path / "submission"
        folder.mkdir(exist_ok=True)
        for name, text in modules.items():
            (folder / f"{name}.py").write_text(text, encoding="utf-8")
        return folder

    return make
