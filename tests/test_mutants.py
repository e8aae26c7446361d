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


# One mistake, one penalty: a mutant may fail only the properties about its mistake (their
# names, as the feedback shows them). Functions graded by a single property need no entry.
VALUES = "matches torch"
UNCHANGED = "returns new dicts and leaves its arguments unchanged"
ABOUT_ITS_MISTAKE = {
    "optimizers": {
        "adam_no_bias_correction": {VALUES}, "adam_epsilon_inside_sqrt": {VALUES},
        "adam_t_off_by_one": {VALUES}, "adam_in_place": {UNCHANGED},
        "momentum_from_g": {VALUES}, "momentum_swapped_beta": {VALUES},
        "momentum_steps_with_gradient": {VALUES},
        "rmsprop_epsilon_inside_sqrt": {VALUES}, "rmsprop_no_sqrt": {VALUES},
        "batches_drop_last": {"partition the examples"},
        "batches_two_permutations": {"partition the examples"},
        "batches_unshuffled": {"come from the rng argument", "every ordering"},
        "batches_global_rng": {"come from the rng argument"},
        "batches_naive_shuffle": {"every ordering"},
    },
}
FOCUSED = [(module, m) for module, m in MUTANTS if m.name in ABOUT_ITS_MISTAKE.get(module, {})]


def test_every_mutant_of_a_listed_module_says_what_it_is_about():
    import re

    for module, names in ABOUT_ITS_MISTAKE.items():
        tests = (GRADING_TESTS / f"test_{module}.py").read_text(encoding="utf-8")
        graded = re.findall(r'@pytest\.mark\.exercise\(M, "(\w+)"\)', tests)
        several = {f for f in graded if graded.count(f) > 1}
        unlisted = [m.name for m in for_module(module) if m.target in several and m.name not in names]
        assert unlisted == [], f"say which properties these {module} mutants may fail: {unlisted}"
        assert set(names) <= {m.name for m in for_module(module)}, "a listed mutant is gone"


@pytest.mark.parametrize("module,mutant", FOCUSED, ids=[f"{m}-{x.name}" for m, x in FOCUSED])
def test_a_mutant_loses_points_only_on_the_properties_about_its_mistake(tmp_path, module, mutant):
    (tmp_path / f"{module}.py").write_text(mutated_source(module, mutant), encoding="utf-8")
    result = grade_submission(tmp_path, [module], profile="mutation", functions={mutant.target})
    allowed = ABOUT_ITS_MISTAKE[module][mutant.name]
    failed = [p.name for p in result.topics[0].properties if not p.passed]
    assert failed, f"{mutant.name} passes every property of {mutant.target}"
    wrong = [name for name in failed if not any(a in name for a in allowed)]
    assert wrong == [], f"{mutant.description!r} also loses points on {wrong}"
