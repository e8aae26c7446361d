"""A misconception pasted into its solution module, and its grading shared by the tests that
judge it (``test_mutants`` and ``test_diagnoses``): one grading per mutant and test process
(``make test`` runs a mutant's tests in one worker: ``conftest.work_unit``)."""

from __future__ import annotations

import ast
import inspect
import textwrap
from pathlib import Path

import pytest

from autograder.engine.pipeline import grade_submission
from autograder.results import SubmissionResult
from grading_tests.mutants import Mutant
from tests.conftest import SOLUTIONS

PROFILE = "mutation"


def mutated_source(module: str, mutant: Mutant) -> str:
    """The reference module with the target redefined by the mutant's code (decorators dropped)."""
    source = textwrap.dedent(inspect.getsource(mutant.func))
    node = ast.parse(source).body[0]
    assert isinstance(node, (ast.FunctionDef, ast.ClassDef))
    lines = source.splitlines()[node.lineno - 1 : node.end_lineno]
    keyword = "class" if isinstance(node, ast.ClassDef) else "def"
    lines[0] = lines[0].replace(f"{keyword} {mutant.name}", f"{keyword} {mutant.target}", 1)
    reference = (SOLUTIONS / f"{module}.py").read_text(encoding="utf-8")
    return reference + "\n\n# --- mutant: " + mutant.description + "\n" + "\n".join(lines) + "\n"


class MutantGradings:
    """Every property of a mutant's function, graded once (profile ``mutation``): the grading is
    derandomized, so each test that judges the mutant reads the same result."""

    def __init__(self, folders: pytest.TempPathFactory) -> None:
        self._folders = folders
        self._results: dict[tuple[str, str], SubmissionResult] = {}

    def grade(self, module: str, mutant: Mutant, *, exitfirst: bool = False) -> SubmissionResult:
        """Every property of the mutant's function (kept for the next test that asks), or with
        ``exitfirst`` those up to the first failure (not kept: no other test reads it)."""
        key = (module, mutant.name)
        if not exitfirst and key in self._results:
            return self._results[key]
        folder = self._folders.mktemp(f"mutant-{module}")
        (folder / f"{module}.py").write_text(mutated_source(module, mutant), encoding="utf-8")
        result = grade_submission(Path(folder), [module], profile=PROFILE, functions={mutant.target},
                                  exitfirst=exitfirst)
        if not exitfirst:
            self._results[key] = result
        return result
