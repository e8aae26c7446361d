"""Instructor commands work on the course folder they are given or run in (``nbgrader_config.py``
beside ``source/``, as ``autograder notebooks --course`` makes it); this package's own course is
only the default starting point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autograder.authoring.course_folder import PACKAGE_ROOT, course_of_source, find_course
from autograder.cli import main
from tests.conftest import ROOT

EDIT = "INSTRUCTOR EDIT"


@pytest.fixture
def course(tmp_path, monkeypatch) -> Path:
    """A course folder of the optimization assignment, with an edit to a notebook and a helper."""
    pytest.importorskip("nbgrader")
    folder = tmp_path / "dl-course"
    assert main(["notebooks", "--course", str(folder), "--assignments", "optimization"]) == 0
    helper = folder / "source" / "optimization" / "course" / "experiments.py"
    helper.write_text(helper.read_text(encoding="utf-8") + f"# {EDIT}\n", encoding="utf-8")
    notebook = folder / "source" / "optimization" / "optimizers.ipynb"
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    nb["cells"][0]["source"] = f"# Optimizers ({EDIT})\n"
    notebook.write_text(json.dumps(nb, indent=1), encoding="utf-8")
    # The answer check is tested on its own (tests/test_answer_leaks.py); here: which course.
    monkeypatch.setattr("autograder.authoring.answer_leaks.answer_leaks", lambda *args, **kwargs: [])
    return folder


def test_a_course_folder_is_found_from_inside_it_and_the_package_elsewhere(course, tmp_path):
    assert find_course(course / "source" / "optimization").root == course.resolve()
    assert find_course(course).config == (course / "nbgrader_config.py").resolve()
    assert course_of_source(course / "source").root == course.resolve()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    with pytest.raises(FileNotFoundError, match="not a course folder"):
        find_course(elsewhere)
    assert course_of_source(ROOT / "source").root == PACKAGE_ROOT


@pytest.mark.slow
def test_release_run_in_a_course_folder_ships_that_courses_edits(course, tmp_path, monkeypatch):
    monkeypatch.chdir(course)
    out = tmp_path / "bundle"
    assert main(["release", str(out)]) == 0
    assert EDIT in (out / "course" / "experiments.py").read_text(encoding="utf-8")
    assert EDIT in (out / "notebooks" / "optimization" / "course" / "experiments.py").read_text(encoding="utf-8")
    assert EDIT in (out / "notebooks" / "optimization" / "optimizers.ipynb").read_text(encoding="utf-8")
    assert sorted(p.name for p in (out / "notebooks").iterdir()) == ["optimization"]
    # No solutions/ in the course: the stubs come from its notebooks' solution cells.
    stub = (out / "modules" / "optimizers.py").read_text(encoding="utf-8")
    assert "def update_parameters_with_adam(" in stub and "raise NotImplementedError" in stub
    assert "BEGIN SOLUTION" not in stub


@pytest.mark.slow
def test_release_takes_a_course_folders_source_folder(course, tmp_path):
    out = tmp_path / "bundle"
    assert main(["release", str(out), "--source", str(course / "source")]) == 0
    assert EDIT in (out / "notebooks" / "optimization" / "optimizers.ipynb").read_text(encoding="utf-8")


def test_stubs_and_notebooks_act_on_the_course_they_run_in(course, monkeypatch, capsys):
    package_stub = (ROOT / "assignments" / "optimizers.py").stat().st_mtime_ns
    monkeypatch.chdir(course / "source")
    assert main(["stubs"]) == 0
    assert "raise NotImplementedError" in (course / "assignments" / "optimizers.py").read_text(encoding="utf-8")
    assert (ROOT / "assignments" / "optimizers.py").stat().st_mtime_ns == package_stub
    capsys.readouterr()
    # The edited notebook and helper differ from what the package gives; nothing else does.
    assert main(["notebooks", "--check"]) == 1
    stale = sorted(capsys.readouterr().out.splitlines())
    folder = course.resolve() / "source" / "optimization"
    assert stale == [f"stale: {folder / 'course' / 'experiments.py'}", f"stale: {folder / 'optimizers.ipynb'}"]
    assert main(["notebooks"]) == 0  # back to the starting point, in the course folder
    assert EDIT not in (course / "source" / "optimization" / "optimizers.ipynb").read_text(encoding="utf-8")
    assert main(["notebooks", "--check"]) == 0


def test_an_explicit_folder_that_is_no_course_is_refused(tmp_path, capsys):
    assert main(["stubs", "--course", str(tmp_path), "--check"]) == 2
    assert "is not a course folder" in capsys.readouterr().err
