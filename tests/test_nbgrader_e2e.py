"""The real nbgrader workflow on a temporary course: generate, submit, autograde, export, feedback.

Students hand in the optimizers notebook: the unchanged release, a full solution, one with a
single bug (the course's in-place momentum update), a cheater who monkeypatches NumPy's
comparisons, fakes success messages and edits a grade cell, and a hostile student whose extra
plain cells read the hidden tests and solutions, rewrite the gradebook, overwrite a classmate's
submission and write into this package. Scores must come from the out-of-kernel grading only,
and no student code may run outside a jail: by default no kernel runs at all; opted in, the
kernel runs jailed and every attack fails there while the honest cells' outputs come back.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    proc = subprocess.run([str(BIN / "nbgrader"), *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"
    return proc


def solution_code(cell_source: str) -> str:
    return "\n".join(line for line in cell_source.splitlines()
                     if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line)


def source_of(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


HONEST_CELL = '''\
import os
print("honest cell:", 6 * 7)
print("kernel uid", os.getuid(), "cwd", os.getcwd())
'''

# Opt in to the jailed kernel, after the out-of-kernel grading and before the grades are written.
JAILED_KERNEL_CONFIG = '''
from autograder.nbgrader_grade import JailedKernelRun
c.Autograde.autograde_preprocessors.insert(1, JailedKernelRun)
# Generous: under a loaded CI machine (two test workers) a cell or the kernel's start can take
# long, and a jailed kernel that gives up leaves the added cells without outputs.
c.JailedKernelRun.timeout = 120
c.JailedKernelRun.start_timeout = 120
'''


@dataclass
class Course:
    folder: Path
    release_nb: dict[str, Any]
    solutions: dict[str, str]
    points: dict[str, float]
    autograde_log: str = ""  # the last `nbgrader autograde`'s log, for failure messages

    @property
    def max_score(self) -> float:
        return sum(self.points.values())

    @property
    def init_points(self) -> float:
        return sum(p for g, p in self.points.items() if g.startswith("check_initialize_"))

    def submit(self, student: str, answers: dict[str, str],
               extra: Callable[[dict[str, Any]], None] | None = None) -> None:
        from autograder.authoring.notebooks import dumps

        nb = json.loads(json.dumps(self.release_nb))
        for cell in nb["cells"]:
            grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
            if grade_id in answers:
                cell["source"] = answers[grade_id]
        if extra:
            extra(nb)
        folder = self.folder / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        (folder / f"{NOTEBOOK}.ipynb").write_text(dumps(nb), encoding="utf-8")

    def grade_all(self) -> dict[str, float]:
        self.autograde_log = run(["autograde", ASSIGNMENT, "--create"], self.folder).stderr
        run(["export", "--to", "grades.csv"], self.folder)
        run(["generate_feedback", ASSIGNMENT], self.folder)
        with open(self.folder / "grades.csv", encoding="utf-8") as handle:
            rows = {row["student_id"]: row for row in csv.DictReader(handle)}
        assert {float(row["max_score"]) for row in rows.values()} == {self.max_score}
        return {student: float(row["score"]) for student, row in rows.items()}

    def autograded(self, student: str) -> dict[str, Any]:
        path = self.folder / "autograded" / student / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
        return json.loads(path.read_text(encoding="utf-8"))

    def feedback(self, student: str) -> str:
        path = self.folder / "feedback" / student / ASSIGNMENT / f"{NOTEBOOK}.html"
        return path.read_text(encoding="utf-8")


def make_course(tmp_path: Path, config: str = "") -> Course:
    """A course folder with the optimization assignment generated and released."""
    from autograder.authoring.notebooks import generate
    from autograder.authoring.notebooks import make_course as make_course_folder

    source = tmp_path / "generated"
    source.mkdir()
    shutil.copyfile(ROOT / "source" / "nbgrader_config.py", source / "nbgrader_config.py")
    generate(source, topics=[NOTEBOOK])
    folder = tmp_path / "course"
    make_course_folder(folder, source, [ASSIGNMENT])
    with open(folder / "nbgrader_config.py", "a", encoding="utf-8") as handle:
        handle.write('\nc.GradeOutOfKernel.profile = "dev"\n' + config)

    run(["generate_assignment", ASSIGNMENT, "--create", "--force"], folder)
    released = folder / "release" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    assert "### BEGIN SOLUTION" not in released.read_text(encoding="utf-8")
    source_nb = json.loads((folder / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb").read_text(encoding="utf-8"))
    solutions = {c["metadata"]["nbgrader"]["grade_id"]: solution_code(source_of(c))
                 for c in source_nb["cells"] if c["metadata"].get("nbgrader", {}).get("solution")}
    points = {c["metadata"]["nbgrader"]["grade_id"]: c["metadata"]["nbgrader"]["points"]
              for c in source_nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade")}
    return Course(folder, json.loads(released.read_text(encoding="utf-8")), solutions, points)


# ----------------------------------------------------------------------------- the hostile student


def package_folders() -> list[Path]:
    """Where an installed grader lives: this package and the environment's site-packages."""
    import sysconfig

    import autograder

    return [Path(autograder.__file__).resolve().parent, Path(sysconfig.get_paths()["purelib"])]


def hostile_cells(course: Path, probe: str) -> list[str]:
    """Plain cells a hostile student adds. Each attempt prints ATTACK-OK when it did harm and
    ATTACK-BLOCKED when it could not; none raises, so every attempt runs."""
    secrets = [str(ROOT / "grading_tests"), str(ROOT / "solutions"), str(course / "source"),
               "../../../source"]
    gradebooks = [str(course / "gradebook.db"), "../../../gradebook.db"]
    others = [str(course / "submitted" / "solved" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"),
              f"../../../submitted/solved/{ASSIGNMENT}/{NOTEBOOK}.ipynb",
              str(course / "autograded" / "cheater" / ASSIGNMENT / f"{NOTEBOOK}.ipynb")]
    packages = [str(p) for p in package_folders()]
    read = f'''\
import os
for top in {secrets!r}:
    found = []
    for folder, _, files in os.walk(top):
        for name in files:
            try:
                with open(os.path.join(folder, name), encoding="utf-8", errors="replace") as handle:
                    found.append(handle.read())
            except OSError:
                pass
    if found:
        print("ATTACK-OK read", top)
        print("\\n".join(found))
    else:
        print("ATTACK-BLOCKED read", top)
'''
    gradebook = f'''\
import sqlite3
for path in {gradebooks!r}:
    try:
        db = sqlite3.connect("file:" + path + "?mode=rw", uri=True)
        changed = db.execute("UPDATE grade SET manual_score = 100").rowcount
        db.commit()
        print("ATTACK-OK gradebook", path, changed)
    except Exception as exc:
        print("ATTACK-BLOCKED gradebook", path, type(exc).__name__, exc)
'''
    overwrite = f'''\
for path in {others!r}:
    try:
        with open(path, "r+", encoding="utf-8") as handle:
            handle.write("{{}}")
        print("ATTACK-OK overwrite", path)
    except OSError as exc:
        print("ATTACK-BLOCKED overwrite", path, exc)
'''
    package = f'''\
import os
folders = {packages!r}
try:
    import autograder
    folders.append(os.path.dirname(autograder.__file__))
except Exception as exc:
    print("ATTACK-BLOCKED import autograder", type(exc).__name__)
for folder in folders:
    path = os.path.join(folder, {probe!r})
    try:
        with open(path, "x", encoding="utf-8") as handle:
            handle.write("raise SystemExit('every later grading is mine')\\n")
        print("ATTACK-OK package", path)
    except OSError as exc:
        print("ATTACK-BLOCKED package", path, exc)
'''
    return [read, gradebook, overwrite, package]


def add_cells(sources: list[str]) -> Callable[[dict[str, Any]], None]:
    def extra(nb: dict[str, Any]) -> None:
        for index, text in enumerate(sources):
            nb["cells"].append({"cell_type": "code", "execution_count": None, "metadata": {},
                                "outputs": [], "id": f"hostile-{index}", "source": text})
    return extra


def digest(folder: Path, skip: tuple[str, ...] = ("linker", ".autograder-refused")) -> dict[str, str]:
    """Every submitted file's hash, but for the student whose links are moved aside unread."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.is_symlink() and p.relative_to(folder).parts[0] not in skip}


def submit_links(course: Course, target: str) -> None:
    """A student whose notebook is a link to a classmate's, beside a link to a secret file and
    a FIFO where nbgrader reads the submission's timestamp (it would block there forever)."""
    folder = course.folder / "submitted" / "linker" / ASSIGNMENT
    folder.mkdir(parents=True)
    os.symlink(course.folder / "submitted" / target / ASSIGNMENT / f"{NOTEBOOK}.ipynb",
               folder / f"{NOTEBOOK}.ipynb")
    os.symlink("/etc/shadow", folder / "notes.txt")
    os.mkfifo(folder / "timestamp.txt")


def outputs_of_added_cells(nb: dict[str, Any]) -> tuple[str, list[str]]:
    """The text the cells a student added printed, and the output types they produced."""
    texts, kinds = [], []
    for cell in nb["cells"]:
        if not str(cell.get("id", "")).startswith("hostile-"):
            continue
        for out in cell.get("outputs", []):
            kinds.append(out["output_type"])
            text = out.get("text") or out.get("data", {}).get("text/plain") or ""
            texts.append("".join(text) if isinstance(text, list) else text)
    return "\n".join(texts), kinds


def all_outputs(nb: dict[str, Any]) -> str:
    return json.dumps([cell.get("outputs", []) for cell in nb["cells"]])


def leak_markers(course: Course) -> list[str]:
    """A line of the hidden tests and a line of a solution the hostile student did not write:
    neither may appear in any output or feedback. (Lines without characters HTML escapes.)"""
    release = json.dumps(course.release_nb)

    def plain(line: str) -> bool:
        return len(line) >= 20 and not any(ch in line for ch in "&<>\"'") and line not in release

    tests = (ROOT / "grading_tests" / f"test_{NOTEBOOK}.py").read_text(encoding="utf-8")
    test_line = next(line.strip() for line in tests.splitlines()
                     if line.startswith("def ") and plain(line.strip()))
    solution = course.solutions["update_parameters_with_adam"]
    solution_line = next(line.strip() for line in solution.splitlines()
                         if plain(line.strip()) and not line.strip().startswith(("def ", "#")))
    return [test_line, solution_line]


def hostile_answers(course: Course) -> dict[str, str]:
    """Honest initializers only: the answer cells earn the initializers' points, no more."""
    return {g: code for g, code in course.solutions.items() if g.startswith("initialize_")}


def assert_nothing_harmed(course: Course, submitted_before: dict[str, str], probe: str,
                          students: list[str]) -> None:
    assert digest(course.folder / "submitted") == submitted_before, "a submitted file changed"
    db = sqlite3.connect(f"file:{course.folder / 'gradebook.db'}?mode=ro", uri=True)
    try:
        tampered = db.execute("SELECT COUNT(*) FROM grade WHERE manual_score IS NOT NULL").fetchone()[0]
    finally:
        db.close()
    assert tampered == 0, "the gradebook's manual scores were written"
    for folder in package_folders():
        assert not (folder / probe).exists(), f"a file was written into {folder}"
    markers = leak_markers(course)
    for student in students:
        shown = all_outputs(course.autograded(student)) + course.feedback(student)
        for marker in markers:
            assert marker not in shown, f"hidden text {marker!r} reached {student}'s notebook or feedback"


def remove_probes(probe: str) -> None:
    for folder in package_folders():
        (folder / probe).unlink(missing_ok=True)


@pytest.mark.slow
def test_nbgrader_workflow_grades_outside_the_kernel_and_runs_no_student_code(tmp_path):
    course = make_course(tmp_path)
    solutions, points = course.solutions, course.points
    course.submit("release", {})
    course.submit("solved", solutions)
    course.submit("onebug", {**solutions, "update_parameters_with_momentum": BUGGY_MOMENTUM})

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

    course.submit("cheater", cheats, tamper)
    probe = f"_hostile_probe_{os.getpid()}_default.py"
    course.submit("hostile", hostile_answers(course),
                  add_cells([HONEST_CELL, *hostile_cells(course.folder, probe)]))
    submit_links(course, "solved")
    submitted_before = digest(course.folder / "submitted")

    try:
        scores = course.grade_all()
        assert scores == {
            # A linked notebook is never read: moved aside, graded 0 with the reason.
            "linker": 0.0,
            "release": 0.0,
            "solved": course.max_score,
            # Right values, modified arguments: only "leaves its arguments unchanged" (1 point) fails.
            "onebug": course.max_score - 1.0,
            # Only the honest initializers count; NumPy patches and fake prints earn nothing.
            "cheater": course.init_points,
            # The same for the hostile student, whose added cells never ran.
            "hostile": course.init_points,
        }
        assert_nothing_harmed(course, submitted_before, probe, list(scores))
    finally:
        remove_probes(probe)
    # No kernel ran: the cells a student added have no outputs at all.
    text, kinds = outputs_of_added_cells(course.autograded("hostile"))
    assert kinds == [] and "honest cell" not in text

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course.folder / 'gradebook.db'}") as gb:
        bug = gb.find_grade("check_update_parameters_with_momentum", NOTEBOOK, ASSIGNMENT, "onebug")
        assert bug.auto_score == points["check_update_parameters_with_momentum"] - 1.0
        for grade_id in points:
            if not grade_id.startswith("check_initialize_"):
                assert gb.find_grade(grade_id, NOTEBOOK, ASSIGNMENT, "cheater").auto_score == 0.0

    html = course.feedback("onebug")
    # Readable offline: no MathJax from a CDN (the formulas are text), long lines wrap.
    assert not re.search(r"<script[^>]*(mathjax|cdn)", html, re.IGNORECASE) and "$$" not in html
    assert "β₁" in html and "white-space: pre-wrap" in html
    assert "Hidden tests for update_parameters_with_momentum" in html
    assert "momentum returns new dicts and leaves its arguments unchanged" in html
    assert "FAIL" in html and "modified" in html
    assert "Hidden tests for update_parameters_with_adam: 0 / " in course.feedback("cheater")
    assert "optimizers.ipynb is a symbolic link" in course.feedback("linker")
    refused = course.folder / "submitted" / ".autograder-refused" / "linker" / ASSIGNMENT
    assert sorted(p.name for p in refused.iterdir()) == ["notes.txt", f"{NOTEBOOK}.ipynb", "timestamp.txt"]


@pytest.mark.slow
def test_opted_in_kernel_runs_jailed_so_added_cells_harm_nothing_and_show_outputs(tmp_path):
    from autograder.sandbox.jail import namespaces_available

    if not namespaces_available():
        pytest.skip("the jailed kernel needs Linux namespaces (root and unshare); without them "
                    "JailedKernelRun runs no kernel at all")
    course = make_course(tmp_path, JAILED_KERNEL_CONFIG)
    probe = f"_hostile_probe_{os.getpid()}_jailed.py"
    course.submit("hostile", hostile_answers(course),
                  add_cells([HONEST_CELL, *hostile_cells(course.folder, probe)]))
    course.submit("solved", course.solutions)
    submitted_before = digest(course.folder / "submitted")

    try:
        scores = course.grade_all()
        assert scores == {"hostile": course.init_points, "solved": course.max_score}
        assert_nothing_harmed(course, submitted_before, probe, list(scores))
    finally:
        remove_probes(probe)

    nb = course.autograded("hostile")
    text, kinds = outputs_of_added_cells(nb)
    # The kernel ran, jailed: as its own uid, in the private copy of the notebook's folder.
    assert "honest cell: 42" in text, f"the jailed kernel left no outputs; autograde said:\n{course.autograde_log[-3000:]}"
    assert "cwd /notebook" in text and "kernel uid 0 " not in text
    assert "error" not in kinds, text
    for attack in ("read", "gradebook", "overwrite", "package"):
        assert f"ATTACK-BLOCKED {attack}" in text, text
    assert "ATTACK-OK" not in text, text
    # The notebook's own cells ran too (the experiment cell imports the course's helpers).
    assert "The experiment is skipped while nbgrader runs this notebook." in all_outputs(nb)
    assert "honest cell: 42" in course.feedback("hostile")


# --------------------------------------------------------------- the other notebooks, in Chinese

# The notebooks of the later topics, in two assignments, built in Chinese and graded in Chinese:
# the real generate_assignment / autograde / generate_feedback on each of them.
LATER_NOTEBOOKS = {"optimization": ["landscape", "deep_gradients", "tuning"],
                   "architectures": ["inception", "feature_vis"]}
# A forward difference instead of a central one: right to first order only, so the gradient
# property fails while the other functions of the notebook keep their points.
FORWARD_DIFFERENCE = '''\
def numerical_gradient(f, x, h=1e-5):
    x = np.array(x, dtype=np.float64)
    g = np.zeros_like(x)
    for i in range(x.size):
        step = np.zeros_like(x)
        step[i] = h
        g[i] = (f(x + step) - f(x)) / h
    return g
'''
CJK = re.compile(r"[\u4e00-\u9fff]")
# Labels of the English feedback that must not appear in the Chinese one.
ENGLISH_LABELS = ("Hidden tests for", "points", "FAIL", "expected", "Reproduce", "diagnosis", "for input", "values differ", "largest difference", "Hint", "matches torch autograd", "instead of central ones", "both ways",
                  # nbgrader's own page labels (offline.html.j2 translates them on a Chinese page)
                  "Grade cell", "Student's answer", "Comments")


@pytest.mark.slow
def test_the_later_notebooks_in_chinese_go_through_nbgrader_with_chinese_feedback(tmp_path):
    from nbgrader.api import Gradebook

    from autograder.authoring.notebooks import dumps, generate
    from autograder.authoring.notebooks import make_course as make_course_folder

    source = tmp_path / "generated"
    source.mkdir()
    shutil.copyfile(ROOT / "source" / "nbgrader_config.py", source / "nbgrader_config.py")
    generate(source, topics=[t for topics in LATER_NOTEBOOKS.values() for t in topics], lang="zh")
    folder = tmp_path / "course"
    make_course_folder(folder, source, list(LATER_NOTEBOOKS))
    with open(folder / "nbgrader_config.py", "a", encoding="utf-8") as handle:
        handle.write('\nc.GradeOutOfKernel.profile = "dev"\nc.GradeOutOfKernel.lang = "zh"\n')

    points: dict[tuple[str, str], float] = {}
    for assignment, notebooks in LATER_NOTEBOOKS.items():
        run(["generate_assignment", assignment, "--create", "--force"], folder)
        for notebook in notebooks:
            released = json.loads((folder / "release" / assignment / f"{notebook}.ipynb").read_text(encoding="utf-8"))
            original = json.loads((folder / "source" / assignment / f"{notebook}.ipynb").read_text(encoding="utf-8"))
            assert CJK.search(json.dumps([c["source"] for c in released["cells"] if c["cell_type"] == "markdown"],
                                         ensure_ascii=False))
            solutions = {c["metadata"]["nbgrader"]["grade_id"]: solution_code(source_of(c))
                         for c in original["cells"] if c["metadata"].get("nbgrader", {}).get("solution")}
            points[assignment, notebook] = sum(c["metadata"]["nbgrader"]["points"] for c in original["cells"]
                                               if c["metadata"].get("nbgrader", {}).get("grade"))
            answers = {"release": {}, "solved": solutions}
            if notebook == "landscape":
                answers["onebug"] = {**solutions, "numerical_gradient": FORWARD_DIFFERENCE}
            for student, cells in answers.items():
                nb = json.loads(json.dumps(released))
                for cell in nb["cells"]:
                    grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
                    if grade_id in cells:
                        cell["source"] = cells[grade_id]
                target = folder / "submitted" / student / assignment
                target.mkdir(parents=True, exist_ok=True)
                (target / f"{notebook}.ipynb").write_text(dumps(nb), encoding="utf-8")
        run(["autograde", assignment, "--create"], folder)
        run(["generate_feedback", assignment], folder)

    with Gradebook(f"sqlite:///{folder / 'gradebook.db'}") as gb:
        scores = {(student, assignment, notebook): gb.find_submission_notebook(notebook, assignment, student).score
                  for assignment, notebooks in LATER_NOTEBOOKS.items() for notebook in notebooks
                  for student in ("release", "solved")}
        onebug = gb.find_submission_notebook("landscape", "optimization", "onebug").score
        gradient = gb.find_grade("check_numerical_gradient", "landscape", "optimization", "onebug")
        gradient_max = gradient.max_score
        gradient_got = gradient.auto_score
    for (student, assignment, notebook), score in scores.items():
        expected = points[assignment, notebook] if student == "solved" else 0.0
        assert score == expected, f"{student}'s {notebook}: {score} of {points[assignment, notebook]}"
    assert gradient_got < gradient_max and onebug == points["optimization", "landscape"] - (gradient_max - gradient_got)

    html = (folder / "feedback" / "onebug" / "optimization" / "landscape.html").read_text(encoding="utf-8")
    feedback = re.sub(r"<[^>]+>", " ", html)
    assert "numerical_gradient" in feedback and CJK.search(feedback)
    english = [label for label in ENGLISH_LABELS if label in feedback]
    assert english == [], f"English labels in the Chinese feedback: {english}"
