"""Every misconception in grading_tests/mutants is caught by a property of its own function."""

from __future__ import annotations

import ast
import inspect
import textwrap

import pytest

from autograder.engine import grade_submission
from grading_tests.mutants import Mutant, for_module
from tests.conftest import GRADING_TESTS, SOLUTIONS, graded_topics


def all_mutants() -> list[tuple[str, Mutant]]:
    found = []
    for module in graded_topics():
        if (GRADING_TESTS / "mutants" / f"{module}.py").exists():
            found += [(module, m) for m in for_module(module)]
    return found


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


MUTANTS = all_mutants()


def test_every_graded_topic_has_mutants():
    missing = [t for t in graded_topics() if not (GRADING_TESTS / "mutants" / f"{t}.py").exists()]
    assert not missing, f"topics without mutants: {missing}"


@pytest.mark.parametrize("module,mutant", MUTANTS, ids=[f"{m}-{x.name}" for m, x in MUTANTS])
def test_mutant_loses_points_on_its_function(tmp_path, module, mutant):
    (tmp_path / f"{module}.py").write_text(mutated_source(module, mutant), encoding="utf-8")
    result = grade_submission(tmp_path, [module], profile="mutation", functions={mutant.target},
                              exitfirst=True)
    props = result.topics[0].properties
    assert props, f"no property grades {mutant.target}"
    assert not result.topics[0].problem, result.topics[0].problem
    failed = [p for p in props if not p.passed]
    assert failed, f"{mutant.description!r} ({mutant.name}) passes every property of {mutant.target}"
    assert all(p.function == mutant.target for p in props)
