"""Shared helpers for the grader's own tests."""

from __future__ import annotations

import ast
import functools
import os
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
ASSIGNMENTS = ROOT / "assignments"
GRADING_TESTS = ROOT / "grading_tests"


def graded_topics() -> list[str]:
    """Topics that have a solution and a grading test file: the ones the suite can check."""
    from autograder.catalog import TOPICS

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


@pytest.fixture(scope="session")
def mutant_gradings(tmp_path_factory):
    """Each mutant's full grading, once per test process (``tests.mutant_gradings``)."""
    from tests.mutant_gradings import MutantGradings

    return MutantGradings(tmp_path_factory)


@pytest.fixture(autouse=True, scope="session")
def interpreter_reachable_by_other_uids() -> None:
    """Unjailed workers (root without namespaces) run under a uid of their own: on a machine
    whose Python lives under a private folder (pyenv in /root), let other uids pass through
    (o+x, no listing). Left so: test processes running in parallel may still need it."""
    from autograder.sandbox import jail

    if jail.can_drop_privileges():
        while (blocked := jail.closed_to_others(jail.interpreter_paths())) is not None:
            mode = os.stat(blocked).st_mode
            if mode & 0o001 or not os.path.isdir(blocked):
                break
            os.chmod(blocked, (mode & 0o7777) | 0o001)



# ----------------------------------------------------------------------------- make test's order
# pytest-xdist's own loadgroup reads ``xdist_group`` marks through a node id it rewrites, which
# pytest 9's node ids ignore: ``--dist loadgroup`` here is this scheduler instead, which groups by
# what the test files say.

SHARED_SCOPES = ("module", "class", "package")


@functools.cache
def _test_file(path: str) -> tuple[bool, frozenset[str]]:
    """(whether the file defines a module- or class-scoped fixture, the tests that take the
    session's ``mutant_gradings``) of a test file, read from its source."""
    file = ROOT / path
    try:
        tree = ast.parse(file.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return False, frozenset()
    shared_fixture, graders = False, set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef):
            continue
        for deco in node.decorator_list:
            if isinstance(deco, ast.Call) and ast.unparse(deco.func) in ("pytest.fixture", "fixture"):
                scope = next((k.value for k in deco.keywords if k.arg == "scope"), None)
                shared_fixture |= isinstance(scope, ast.Constant) and scope.value in SHARED_SCOPES
        if node.name.startswith("test_") and "mutant_gradings" in [a.arg for a in node.args.args]:
            graders.add(node.name)
    return shared_fixture, frozenset(graders)


def work_unit(nodeid: str) -> str:
    """The tests xdist hands to one worker together: a file with a module fixture (a graded
    class, a built course) as one unit, so that it is built once, not once per worker; the tests
    of one mutant (same parameters) that share its grading (``mutant_gradings``); else one test."""
    path, _, rest = nodeid.partition("::")
    shared_fixture, graders = _test_file(path)
    if shared_fixture:
        return path
    name, bracket, params = rest.partition("[")
    if bracket and name in graders:
        return f"mutant_gradings[{params}"
    return nodeid


@pytest.hookimpl(optionalhook=True)  # without pytest-xdist: never called
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class SharedWorkScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return work_unit(nodeid)

    return SharedWorkScheduling(config, log)


def _uses_shared_fixture(item: pytest.Item) -> bool:
    info = getattr(item, "_fixtureinfo", None)
    return info is not None and any(defs and defs[-1].scope in SHARED_SCOPES
                                    for defs in info.name2fixturedefs.values())


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests marked slow, and those that build a module fixture, first: handed out first
    (in this order: ``--no-loadscope-reorder``), no long test starts last and ends alone on one
    core. Which tests run, and what each asserts, is unchanged: only their order."""
    first = [item for item in items if item.get_closest_marker("slow") or _uses_shared_fixture(item)]
    chosen = set(map(id, first))
    items[:] = first + [item for item in items if id(item) not in chosen]
