"""A submitted notebook is graded the same on every path: nbgrader, ``grade-batch`` on nbgrader's
course folder, ``grade`` on a folder holding it, and Gradescope's ``run_autograder``; every
path builds the module from the answer cells with ``autograder.engine.notebook_module``. A file that
is no notebook gets its reason on each path, never a silent 0.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.batch.discover import Job
from autograder.batch.settings import Settings
from autograder.batch.store import make_record
from autograder.engine.notebook_module import (
    MissingTemplate,
    NotebookProblem,
    cell_score,
    load_template,
    module_from_notebook,
    parse_notebook,
    scale_to_grade_cells,
    without_answers,
)
from autograder.engine.submission import Submission
from autograder.results import PropertyResult
from tests.conftest import ROOT
from tests.test_nbgrader_e2e import BUGGY_MOMENTUM  # the course's in-place momentum

pytest.importorskip("nbgrader")

BIN = Path(sys.executable).parent
NOT_JSON = "{ this is not a notebook"
# A correct answer in a cell the student added: never part of the graded module.
EXTRA_CELL = '''\
def step_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    return learning_rate0 / (1 + decay_rate * (epoch_num // time_interval))
'''


# ----------------------------------------------------------------------------- the shared function


def code(source: str, grade_id: str | None = None, **flags: bool) -> dict:
    meta = {"nbgrader": {"grade_id": grade_id, "grade": False, "solution": False, "locked": False,
                         **flags}} if grade_id else {}
    return {"cell_type": "code", "metadata": meta, "source": source, "outputs": [],
            "execution_count": None}


def notebook(*cells: dict) -> dict:
    return {"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


TEMPLATE = notebook(
    code("import numpy as np", "given_1", locked=True),
    code("def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION", "f", solution=True),
    code("check(f)", "check_f", grade=True, locked=True, points=2.0),
    code("def g(x):\n    raise NotImplementedError", "g", solution=True),
    code("check(g)", "check_g", grade=True, locked=True, points=3.0),
)


def test_answer_cells_are_replaced_by_the_submitted_cell_with_the_same_grade_id():
    submitted = notebook(
        code("def g(x):\n    return 2 * x", "g", solution=True),  # order of the submission: ignored
        code("import os  # edited locked cell", "given_1", locked=True),
        code("def f(x):\n    return x + 1", "f", solution=True),
        code("print('grade cell edited')", "check_f", grade=True, locked=True, points=2.0),
    )
    assert module_from_notebook(submitted, "optimizers", TEMPLATE) == (
        "import numpy as np\n\n\ndef f(x):\n    return x + 1\n\n\ndef g(x):\n    return 2 * x\n")


def test_a_deleted_answer_cell_is_left_out_of_the_module():
    submitted = notebook(code("def g(x):\n    return 2 * x", "g", solution=True))
    module = module_from_notebook(submitted, "optimizers", TEMPLATE)
    assert "def f" not in module and "def g(x):\n    return 2 * x" in module


def test_ipython_magics_and_shell_lines_are_commented_out():
    submitted = notebook(code("%matplotlib inline\n!ls /\ndef f(x):\n    return x", "f", solution=True))
    module = module_from_notebook(submitted, "optimizers", TEMPLATE)
    assert "# (IPython line left out by the grader) %matplotlib inline" in module
    assert "# (IPython line left out by the grader) !ls /" in module
    compile(module, "optimizers.py", "exec")


def test_cells_the_student_added_are_ignored_even_with_a_grade_id_of_their_own():
    submitted = notebook(
        code("def f(x):\n    return x", "f", solution=True),
        code("def g(x):\n    return 'extra'"),  # no nbgrader metadata
        code("def g(x):\n    return 'forged'", "g_forged", solution=True),  # not in the template
        {"cell_type": "markdown", "metadata": {}, "source": "def g(x): return 'markdown'"},
    )
    module = module_from_notebook(submitted, "optimizers", TEMPLATE)
    assert "extra" not in module and "forged" not in module and "markdown" not in module


def test_the_content_of_a_file_is_parsed_as_nbgrader_reads_it():
    text = json.dumps(notebook(code("def f(x):\n    return 7", "f", solution=True)))
    assert "return 7" in module_from_notebook(text.encode(), "optimizers", TEMPLATE)


@pytest.mark.parametrize(("content", "reason"), [
    (NOT_JSON.encode(), "optimizers.ipynb is not a notebook: it is not valid JSON"),
    (b"\xff\xfe{}", "optimizers.ipynb is not a notebook: it is not UTF-8 text"),
    (b'{"cells": "abc"}', "optimizers.ipynb is not a notebook Jupyter can open"),
    (b"[1, 2]", "optimizers.ipynb is not a notebook Jupyter can open"),
])
def test_a_file_that_is_no_notebook_says_why(content, reason):
    with pytest.raises(NotebookProblem, match=reason):
        parse_notebook(content, "optimizers.ipynb")


def test_the_default_template_is_the_packages_source_notebook_and_a_missing_one_is_an_error(tmp_path):
    assert load_template("optimizers").metadata["autograder"]["topic"] == "optimizers"
    with pytest.raises(MissingTemplate, match="no source notebook for optimizers"):
        load_template("optimizers", tmp_path)


def test_a_template_without_answers_rebuilds_the_same_module():
    released = notebook(code("def f(x):\n    return 5", "f", solution=True))
    blank = without_answers(TEMPLATE)
    assert "BEGIN SOLUTION" not in json.dumps(blank)
    assert module_from_notebook(released, "optimizers", blank) == \
        module_from_notebook(released, "optimizers", TEMPLATE)


def prop(function: str, points: float, passed: bool) -> PropertyResult:
    return PropertyResult("optimizers", function, "p", "n", points, points if passed else 0.0,
                          "passed" if passed else "failed")


def test_properties_are_worth_their_grade_cells_points_as_nbgrader_counts_them():
    props = [prop("f", 1, True), prop("f", 3, False), prop("g", 2, True)]
    assert scale_to_grade_cells(props, {"f": 4.0, "g": 2.0}) is props  # the cells hold their points
    scaled = scale_to_grade_cells(props, {"f": 2.0, "g": 5.0})
    for function, points in (("f", 2.0), ("g", 5.0)):
        mine = [p for p in scaled if p.function == function]
        assert sum(p.max_score for p in mine) == points
        assert sum(p.score for p in mine) == pytest.approx(cell_score(function, props, points))
    assert [p.max_score for p in scale_to_grade_cells(props, {"g": 2.0}) if p.function == "f"] == [0, 0]


# ----------------------------------------------------------------------------- staging a folder


def write_notebook(folder: Path, nb: dict | str, name: str = "optimizers.ipynb") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(nb if isinstance(nb, str) else json.dumps(nb), encoding="utf-8")
    return folder


def release_notebook(answers: dict[str, str]) -> dict:
    """The package's optimizers notebook with its answer cells emptied, then ``answers`` filled in."""
    nb = without_answers(load_template("optimizers"))
    for cell in nb["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell["source"] = answers[grade_id]
    return nb


def test_a_notebook_beside_its_module_is_graded_and_the_note_says_the_module_was_ignored(tmp_path):
    folder = write_notebook(tmp_path / "sub", release_notebook({"step_decay": EXTRA_CELL}))
    (folder / "optimizers.py").write_text("raise SystemExit('never graded')\n", encoding="utf-8")
    with Submission(folder) as sub:
        assert "def step_decay" in (sub.source("optimizers") or "")
        assert "never graded" not in (sub.source("optimizers") or "")
        assert "graded from optimizers.ipynb" in sub.notes["optimizers"]
        assert "optimizers.py beside it was ignored" in sub.notes["optimizers"]


def test_a_broken_notebook_is_its_topics_reason_even_beside_a_good_module(tmp_path):
    folder = write_notebook(tmp_path / "sub", NOT_JSON)
    (folder / "optimizers.py").write_text("X = 1\n", encoding="utf-8")
    with Submission(folder) as sub:
        assert "optimizers.ipynb is not a notebook" in (sub.check_module("optimizers") or "")
        assert "optimizers.py was ignored" in sub.notes["optimizers"]


def test_a_folder_with_nothing_of_the_course_says_so(tmp_path):
    folder = write_notebook(tmp_path / "sub", notebook(), "Optimizers (1).ipynb")
    with Submission(folder) as sub:
        reason = sub.check_module("optimizers") or ""
    assert reason.startswith("nothing to grade: no optimizers.py or optimizers.ipynb was submitted")
    assert "Optimizers (1).ipynb" in reason


def test_a_notebook_without_a_template_makes_an_error_record_for_the_staff(tmp_path):
    folder = write_notebook(tmp_path / "sub", release_notebook({}))
    with Submission(folder, notebooks=tmp_path / "nowhere") as sub:
        error = sub.grader_errors["optimizers"]
        assert "no source notebook for optimizers" in error
        assert sub.check_module("optimizers") == error
    result = {"topics": [], "score": 0.0, "max_score": 0.0, "error": error}
    record = make_record(Job("ann", folder, "ann"), Settings(topics=("optimizers",)), result)
    assert record["status"] == "error" and "no source notebook" in record["error"]


def test_dask_ships_notebooks_and_the_source_notebooks_they_are_rebuilt_from(tmp_path):
    from autograder.batch.cluster import pack_notebooks, pack_submission

    folder = write_notebook(tmp_path / "sub", release_notebook({}))
    files, refused = pack_submission(folder)
    assert set(files) == {"optimizers.ipynb"} and refused == {}
    templates = pack_notebooks(Settings(topics=("optimizers", "conv")))
    assert set(templates) == {"optimizers.ipynb", "conv.ipynb"}


# ----------------------------------------------------------------------------- every path, end to end


def autograder(*args: str | Path, cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    """The README's ``autograder`` command, with the environment's bin folder on PATH."""
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    proc = subprocess.run([str(BIN / "autograder"), *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)
    if check:
        assert proc.returncode == 0, f"autograder {args} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
    return proc


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """The README's nbgrader course, with a partly solved notebook and a file that is no notebook
    collected into submitted/<student>/optimization/, autograded by nbgrader."""
    from tests.test_nbgrader_e2e import ASSIGNMENT, NOTEBOOK, make_course

    tmp = tmp_path_factory.mktemp("paths")
    made = make_course(tmp)
    s = made.solutions
    answers = {
        "initialize_momentum": s["initialize_momentum"],
        "update_parameters_with_momentum": BUGGY_MOMENTUM,  # loses 1 of its 4 points
        "initialize_adam": s["initialize_adam"],
        "update_parameters_with_adam": "%matplotlib inline\n" + s["update_parameters_with_adam"],
    }

    def extra(nb):
        nb["cells"].append({"cell_type": "code", "execution_count": None, "metadata": {},
                            "outputs": [], "id": "added", "source": EXTRA_CELL})

    made.submit("partial", answers, extra)
    broken = made.folder / "submitted" / "broken" / ASSIGNMENT
    broken.mkdir(parents=True)
    (broken / f"{NOTEBOOK}.ipynb").write_text(NOT_JSON, encoding="utf-8")
    raw = {"partial": (made.folder / "submitted" / "partial" / ASSIGNMENT / f"{NOTEBOOK}.ipynb").read_bytes(),
           "broken": NOT_JSON.encode()}
    scores = made.grade_all()  # nbgrader autograde, export, generate_feedback
    expected = sum(made.points[f"check_{g}"] for g in answers) - 1.0
    return made, scores, raw, expected


def student_folder(tmp_path: Path, content: bytes, name: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "optimizers.ipynb").write_bytes(content)
    return folder


@pytest.mark.slow
def test_nbgrader_scores_the_partial_notebook_and_gives_the_broken_one_its_reason(course):
    made, scores, _, expected = course
    assert scores["partial"] == expected and scores["broken"] == 0.0
    assert "optimizers.ipynb is not a notebook: it is not valid JSON" in made.feedback("broken")


@pytest.mark.slow
def test_grade_batch_on_the_nbgrader_course_scores_as_nbgrader(course, tmp_path):
    made, scores, _, _ = course
    out = tmp_path / "out"
    autograder("grade-batch", made.folder, "-o", out, "--workers", "2", "--topics", "optimizers",
               "--profile", "dev", "--device", "cpu", "--no-progress", "--no-report", cwd=made.folder)
    records = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in (out / "results").glob("*.json")}
    assert records["partial"]["status"] == "graded"
    assert records["partial"]["score"] == pytest.approx(scores["partial"])
    assert records["partial"]["max_score"] == made.max_score
    assert "graded from optimizers.ipynb" in records["partial"]["topics"][0]["note"]
    broken = records["broken"]["topics"][0]
    assert records["broken"]["score"] == 0
    assert "optimizers.ipynb is not a notebook: it is not valid JSON" in broken["problem"]
    with open(out / "grades.csv", encoding="utf-8") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    assert float(rows["partial"]["total"]) == pytest.approx(scores["partial"])


@pytest.mark.slow
def test_grade_on_a_folder_holding_the_notebook_scores_as_nbgrader(course, tmp_path):
    _, scores, raw, _ = course
    folder = student_folder(tmp_path, raw["partial"], "my_work")
    done = autograder("grade", folder, "--topics", "optimizers", "--profile", "dev", "--device", "cpu",
                      "--format", "json", cwd=tmp_path)
    assert json.loads(done.stdout)["score"] == pytest.approx(scores["partial"])
    broken = student_folder(tmp_path, raw["broken"], "broken")
    done = autograder("grade", broken, "--topics", "optimizers", "--profile", "dev", "--device", "cpu",
                      cwd=tmp_path)
    assert "optimizers.ipynb is not a notebook: it is not valid JSON" in done.stdout


@pytest.mark.slow
def test_gradescope_grades_an_uploaded_notebook_as_nbgrader(course, tmp_path):
    from autograder.commands.gradescope_bundle import build_bundle
    from tests.test_gradescope_bundle import fake_root, run_autograder

    _, scores, raw, _ = course
    bundle = tmp_path / "autograder.zip"
    names = build_bundle(bundle, ["optimizers"], profile="dev", timeout=5)
    assert "notebooks/optimizers.ipynb" in names
    results = {}
    for student in ("partial", "broken"):
        root = fake_root(tmp_path / student, bundle)
        (root / "submission" / "optimizers.ipynb").write_bytes(raw[student])
        done = run_autograder(root)
        assert done.returncode == 0, done.stderr[-3000:]
        results[student] = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert results["partial"]["score"] == pytest.approx(scores["partial"])
    assert "graded from optimizers.ipynb" in results["partial"]["output"]
    assert results["broken"]["score"] == 0
    assert "optimizers.ipynb is not a notebook: it is not valid JSON" in json.dumps(results["broken"])


def test_a_course_whose_cells_hold_other_points_is_scored_by_them(tmp_path):
    """An instructor who changed a grade cell's points in the source notebook: ``grade`` with
    that course's notebooks scores each function as nbgrader would (points x share passed)."""
    from autograder.engine.pipeline import grade_submission
    from tests.test_nbgrader_e2e import solution_code

    template = json.loads((ROOT / "source" / "optimization" / "optimizers.ipynb").read_text(encoding="utf-8"))
    answers = {}
    for cell in template["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if meta.get("grade_id") == "check_initialize_adam":
            meta["points"] = 3.0
        if meta.get("solution") and meta["grade_id"] in ("initialize_momentum", "initialize_adam",
                                                                "update_parameters_with_momentum"):
            answers[meta["grade_id"]] = solution_code("".join(cell["source"]))
    answers["update_parameters_with_momentum"] = BUGGY_MOMENTUM
    course_notebooks = write_notebook(tmp_path / "course", template)
    folder = write_notebook(tmp_path / "sub", release_notebook(answers))
    functions = {"initialize_adam", "update_parameters_with_momentum"}
    plain = grade_submission(folder, ["optimizers"], profile="dev", device="cpu", functions=functions)
    course_result = grade_submission(folder, ["optimizers"], profile="dev", device="cpu",
                                     functions=functions, notebooks=course_notebooks)
    props = plain.topics[0].properties
    assert course_result.topics[0].max_score == 3.0 + 4.0
    assert course_result.score == pytest.approx(cell_score("initialize_adam", props, 3.0)
                                                + cell_score("update_parameters_with_momentum", props, 4.0))
    assert plain.score == 1.0 + 3.0 and course_result.score == 3.0 + 3.0
