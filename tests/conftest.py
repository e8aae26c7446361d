"""Shared helpers for the grader's own tests."""

from __future__ import annotations

import os
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


@pytest.fixture(autouse=True, scope="session")
def interpreter_reachable_by_other_uids() -> None:
    """Unjailed workers (root without namespaces) run under a uid of their own: on a machine
    whose Python lives under a private folder (pyenv in /root), let other uids pass through
    (o+x, no listing). Left so: test processes running in parallel may still need it."""
    from autograder import sandbox

    if sandbox.can_drop_privileges():
        while (blocked := sandbox.closed_to_others(sandbox.interpreter_paths())) is not None:
            mode = os.stat(blocked).st_mode
            if mode & 0o001 or not os.path.isdir(blocked):
                break
            os.chmod(blocked, (mode & 0o7777) | 0o001)
