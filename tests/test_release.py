"""Source notebooks are generated from the solutions; the student bundle leaks nothing."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from autograder.authoring.notebooks import ASSIGNMENTS, generate, split_module
from autograder.authoring.stubs import BEGIN, END
from autograder.catalog import TOPICS
from tests.conftest import ROOT, SOLUTIONS, graded_topics


def test_every_spec_module_belongs_to_one_assignment():
    listed = [t for topics in ASSIGNMENTS.values() for t in topics]
    assert sorted(listed) == sorted(TOPICS) and len(listed) == len(set(listed))


def test_committed_source_notebooks_equal_what_generation_gives():
    stale = generate(ROOT / "source", check=True)
    assert not stale, f"run `autograder notebooks`: stale {stale}"


def test_solution_cells_hold_the_solution_code_exactly_once():
    for path in SOLUTIONS.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        chunks = split_module(text, path.name)
        joined = "\n".join(c.code for c in chunks)
        assert joined.count(BEGIN) == text.count(BEGIN) and joined.count(END) == text.count(END)
        for chunk in chunks:
            assert (BEGIN in chunk.code) == (chunk.kind == "solution"), (path.name, chunk.name)


def test_notebooks_cover_every_solution_module():
    for topic in TOPICS:
        if (SOLUTIONS / f"{topic}.py").exists():
            assignment = next(a for a, ts in ASSIGNMENTS.items() if topic in ts)
            nb = json.loads((ROOT / "source" / assignment / f"{topic}.ipynb").read_text(encoding="utf-8"))
            kinds = [c["metadata"].get("nbgrader", {}) for c in nb["cells"]]
            assert any(k.get("solution") for k in kinds), topic
            # A grade cell per graded function once the topic's hidden tests exist.
            if topic in graded_topics():
                assert any(k.get("grade") and k.get("points", 0) > 0 for k in kinds), topic


@pytest.mark.slow
def test_release_bundle_has_no_solution_marker_hidden_test_or_answer(tmp_path):
    pytest.importorskip("nbgrader")
    out = tmp_path / "bundle"
    proc = subprocess.run([sys.executable, "-m", "autograder.cli", "release", str(out),
                           "--assignments", "optimization"], cwd=ROOT, capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    # Every shipped function was graded as each exercise of the release: none scored.
    assert "answer check: round" in proc.stderr and "LEAK" not in proc.stderr, proc.stderr[-3000:]
    files = [p for p in out.rglob("*") if p.is_file()]
    assert (out / "modules" / "optimizers.py").exists()
    assert (out / "notebooks" / "optimization" / "optimizers.ipynb").exists()
    assert (out / "public_checks" / "optimizers.py").exists()
    assert (out / "course" / "experiments.py").exists()
    assert (out / "public_checks" / "locale" / "zh_CN" / "LC_MESSAGES" / "public_checks.mo").exists()
    # Stubs share names with hidden references (visualization.py): compare contents, not names.
    hidden = {p.read_bytes() for p in (ROOT / "grading_tests").rglob("*.py") if p.stat().st_size > 200}
    for path in files:
        assert not path.name.startswith("test_"), path
        text = path.read_bytes().decode("utf-8", "replace")
        for needle in ("### BEGIN SOLUTION", "### END SOLUTION", "BEGIN HIDDEN TESTS", "grading_tests",
                       "pytest.mark.points", "solutions/"):
            assert needle not in text, f"{path} holds {needle!r}"
        assert path.read_bytes() not in hidden, f"{path} is a copy of a hidden grading file"
    # nbgrader stubbed every answer cell; the public checks run on the stubs and say TODO.
    proc = subprocess.run([sys.executable, "-m", "public_checks", "modules/optimizers.py"], cwd=out,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and "not implemented yet" in proc.stdout


def test_check_command_passes_the_solution_and_flags_the_stub(tmp_path, capsys):
    from autograder.cli import main

    assert main(["check", str(SOLUTIONS / "optimizers.py")]) == 0
    assert main(["check", str(ROOT / "assignments" / "optimizers.py")]) == 1
    assert "not implemented yet" in capsys.readouterr().out
