"""The package's layers stay apart: grading (engine, sandbox) never loads instructor tooling
(authoring) or the class tools (batch, commands), and what ships to students (student) needs
nothing of the grader, so a release can copy it alone."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "autograder"
SOLUTIONS = ROOT / "solutions"


def imports(folder: Path) -> dict[str, set[str]]:
    """Every module each file of ``folder`` imports, at its top or inside a function."""
    found: dict[str, set[str]] = {}
    for path in sorted(folder.rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
        found[str(path.relative_to(ROOT))] = names
    return found


def reaching(folder: str, forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    return {f: sorted(n for n in names if n.startswith(forbidden))
            for f, names in imports(PACKAGE / folder).items() if any(n.startswith(forbidden) for n in names)}


def test_the_engine_imports_no_instructor_tooling_class_tools_or_student_files():
    assert reaching("engine", ("autograder.authoring", "autograder.batch", "autograder.commands",
                               "autograder.student")) == {}


def test_the_sandbox_imports_no_engine_or_tooling_and_of_the_student_files_only_the_public_checks():
    # The worker runs the public checks for `autograder check`: student code, in the jail.
    found = reaching("sandbox", ("autograder.authoring", "autograder.batch", "autograder.commands",
                                 "autograder.engine", "autograder.student", "grading_tests"))
    assert found == {"autograder/sandbox/worker.py": ["autograder.student.public_checks",
                                                      "autograder.student.public_checks.run_checks"]}


def test_what_ships_to_students_imports_nothing_of_the_grader():
    assert reaching("student", ("autograder", "grading_tests", "hypothesis")) == {}


def test_a_grading_loads_no_instructor_tooling_and_no_class_tools():
    code = ("import json, sys\n"
            "from autograder import grade_submission\n"
            f"r = grade_submission({str(SOLUTIONS)!r}, ['optimizers'], profile='dev')\n"
            "print(json.dumps([r.score, sorted(m for m in sys.modules if m.startswith(\n"
            "    ('autograder.authoring', 'autograder.batch', 'autograder.commands')))]))\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=600, check=True)
    score, loaded = json.loads(out.stdout.strip().splitlines()[-1])
    assert score > 0 and loaded == []
