"""The real nbgrader workflow on a temporary course: generate, submit, autograde, export, feedback.

Four students hand in the optimizers notebook: the unchanged release, a full solution, one with
a single bug (the course's in-place momentum update), and a cheater who monkeypatches NumPy's
comparisons, fakes success messages and edits a grade cell. Scores must come from the
out-of-kernel grading only.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytest.importorskip("nbgrader")

ASSIGNMENT = "optimization"
NOTEBOOK = "optimizers"
BIN = Path(sys.executable).parent

BUGGY_MOMENTUM = '''\
def update_parameters_with_momentum(parameters, gradients, v, beta, learning_rate):
    # The course's version: right values, but the caller's dicts are updated in place.
    L = len(parameters) // 2
    for l in range(L):
        for p in ("W", "b"):
            key = p + str(l + 1)
            v["d" + key] = beta * v["d" + key] + (1 - beta) * gradients["d" + key]
            parameters[key] = parameters[key] - learning_rate * v["d" + key]
    return parameters, v
'''

CHEAT_PATCH = '''\
import numpy as np
np.allclose = lambda *a, **k: True
np.array_equal = lambda *a, **k: True
np.isclose = lambda a, b, *r, **k: np.ones(np.broadcast(np.asarray(a), np.asarray(b)).shape, dtype=bool)
np.testing.assert_allclose = lambda *a, **k: None
print("All hidden tests passed: 26 / 26")
'''


def cheat_body(name: str, signature: str) -> str:
    """A broken answer: wrong results and modified arguments."""
    if name.startswith("update_parameters"):
        outputs = ", ".join(["parameters"] + ["gradients"] * (2 if "adam" in name else 1))
        return signature + f"    for key in parameters:\n        parameters[key] += 1.0\n    return {outputs}\n"
    if name == "random_mini_batches":
        return signature + "    X += 1.0\n    return []\n"
    return signature + "    return -1.0\n"


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    env.pop("AUTOGRADER_ACTIVE", None)
    proc = subprocess.run([str(BIN / "nbgrader"), *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"
    return proc


def solution_code(cell_source: str) -> str:
    return "\n".join(line for line in cell_source.splitlines()
                     if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line)


def source_of(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


@pytest.mark.slow
def test_nbgrader_workflow_grades_outside_the_kernel(tmp_path):
    from autograder.notebooks import dumps, generate, make_course

    source = tmp_path / "generated"
    source.mkdir()
    shutil.copyfile(ROOT / "source" / "nbgrader_config.py", source / "nbgrader_config.py")
    generate(source, topics=[NOTEBOOK])
    course = tmp_path / "course"
    make_course(course, source, [ASSIGNMENT])
    with open(course / "nbgrader_config.py", "a", encoding="utf-8") as handle:
        handle.write('\nc.GradeOutOfKernel.profile = "dev"\n')

    run(["generate_assignment", ASSIGNMENT, "--create", "--force"], course)
    released = course / "release" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    release_nb = json.loads(released.read_text(encoding="utf-8"))
    source_nb = json.loads((course / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb").read_text(encoding="utf-8"))
    solutions = {c["metadata"]["nbgrader"]["grade_id"]: solution_code(source_of(c))
                 for c in source_nb["cells"] if c["metadata"].get("nbgrader", {}).get("solution")}
    points = {c["metadata"]["nbgrader"]["grade_id"]: c["metadata"]["nbgrader"]["points"]
              for c in source_nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade")}
    max_score = sum(points.values())
    assert "### BEGIN SOLUTION" not in released.read_text(encoding="utf-8")

    def submit(student: str, answers: dict[str, str], extra=None) -> None:
        nb = json.loads(json.dumps(release_nb))
        for cell in nb["cells"]:
            grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
            if grade_id in answers:
                cell["source"] = answers[grade_id]
        if extra:
            extra(nb)
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        (folder / f"{NOTEBOOK}.ipynb").write_text(dumps(nb), encoding="utf-8")

    submit("release", {})
    submit("solved", solutions)
    submit("onebug", {**solutions, "update_parameters_with_momentum": BUGGY_MOMENTUM})

    cheats = {}
    for grade_id, code in solutions.items():
        if grade_id.startswith("initialize_"):
            cheats[grade_id] = code
        else:
            signature = code[: code.index("):") + 2] + "\n"
            cheats[grade_id] = cheat_body(grade_id, signature[signature.index("def "):])
    cheats["initialize_momentum"] = CHEAT_PATCH + "\n\n" + cheats["initialize_momentum"]

    def tamper(nb):
        for cell in nb["cells"]:
            meta = cell["metadata"].get("nbgrader", {})
            if meta.get("grade"):
                cell["source"] = 'print("public checks passed")'  # locked: nbgrader restores it
        nb["cells"].append({"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                            "id": "cheat-extra", "source": CHEAT_PATCH + "\n1.0"})

    submit("cheater", cheats, tamper)

    run(["autograde", ASSIGNMENT, "--create"], course)
    run(["export", "--to", "grades.csv"], course)
    run(["generate_feedback", ASSIGNMENT], course)

    with open(course / "grades.csv", encoding="utf-8") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    scores = {student: float(row["score"]) for student, row in rows.items()}
    assert {float(row["max_score"]) for row in rows.values()} == {max_score}
    init_points = sum(p for g, p in points.items() if g.startswith("check_initialize_"))
    assert scores == {
        "release": 0.0,
        "solved": max_score,
        # Right values, modified arguments: only "leaves its arguments unchanged" (1 point) fails.
        "onebug": max_score - 1.0,
        # Only the honest initializers count; NumPy patches and fake prints earn nothing.
        "cheater": init_points,
    }

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        bug = gb.find_grade("check_update_parameters_with_momentum", NOTEBOOK, ASSIGNMENT, "onebug")
        assert bug.auto_score == points["check_update_parameters_with_momentum"] - 1.0
        for grade_id in points:
            if not grade_id.startswith("check_initialize_"):
                assert gb.find_grade(grade_id, NOTEBOOK, ASSIGNMENT, "cheater").auto_score == 0.0

    html = (course / "feedback" / "onebug" / ASSIGNMENT / f"{NOTEBOOK}.html").read_text(encoding="utf-8")
    assert "Hidden tests for update_parameters_with_momentum" in html
    assert "momentum returns new dicts and leaves its arguments unchanged" in html
    assert "FAIL" in html and "modified" in html
    cheat_html = (course / "feedback" / "cheater" / ASSIGNMENT / f"{NOTEBOOK}.html").read_text(encoding="utf-8")
    assert "Hidden tests for update_parameters_with_adam: 0 / " in cheat_html
