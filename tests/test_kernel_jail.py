"""The opt-in jailed kernel of ``nbgrader autograde``: what it refuses and what it copies.

The kernel itself runs in ``tests/test_nbgrader_e2e.py`` (a hostile notebook against it).
"""

from __future__ import annotations

import logging
import os

import pytest

from autograder.sandbox import jail, kernel_jail

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbgrader")


def notebook():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("print('ran')")]
    return nb


def test_jailed_kernel_run_without_namespaces_leaves_the_notebook_unexecuted(monkeypatch, tmp_path, caplog):
    from autograder.nbgrader_grade import JailedKernelRun

    monkeypatch.setattr(jail, "namespaces_available", lambda: False)
    started = []
    monkeypatch.setattr(JailedKernelRun, "create_kernel_manager", lambda self: started.append(1))
    with caplog.at_level(logging.WARNING):
        nb, _ = JailedKernelRun().preprocess(notebook(), {"metadata": {"path": str(tmp_path)}})
    assert started == []
    assert nb.cells[0].outputs == []
    assert "not run" in caplog.text and "unshare" in caplog.text


def test_jailed_kernel_run_refuses_a_root_that_would_hold_the_course(tmp_path):
    from traitlets.config import Config

    from autograder.nbgrader_grade import JailedKernelRun

    config = Config()
    config.CourseDirectory.root = str(tmp_path / "course")
    run = JailedKernelRun(config=config)
    assert run.refusal(["/usr", str(tmp_path / "elsewhere")]) == ""
    assert "course" in run.refusal(["/usr", str(tmp_path)])
    config.CourseDirectory.db_url = f"sqlite:///{tmp_path / 'shared' / 'gradebook.db'}"
    assert "gradebook.db" in JailedKernelRun(config=config).refusal([str(tmp_path / "shared")])


def test_copy_folder_copies_regular_files_and_folders_and_leaves_links_out(tmp_path):
    src, dest = tmp_path / "src", tmp_path / "dest"
    (src / "public_checks").mkdir(parents=True)
    (src / "public_checks" / "check.py").write_text("x = 1\n")
    (src / "notebook.ipynb").write_text("{}")
    secret = tmp_path / "gradebook.db"
    secret.write_text("grades")
    (src / "link").symlink_to(secret)
    (src / "folder-link").symlink_to(tmp_path)
    os.mkfifo(src / "fifo")
    dest.mkdir()
    kernel_jail.copy_folder(str(src), str(dest), os.getuid())
    copied = sorted(str(p.relative_to(dest)) for p in dest.rglob("*"))
    assert copied == ["notebook.ipynb", "public_checks", "public_checks/check.py"]
    assert (dest / "public_checks" / "check.py").read_text() == "x = 1\n"


def test_the_course_config_runs_no_kernel_unless_opted_in():
    from nbconvert.preprocessors import ExecutePreprocessor
    from nbgrader.converters import Autograde
    from traitlets.config.loader import PyFileConfigLoader

    from tests.conftest import ROOT

    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT / "source")).load_config()
    autograde = Autograde(config=config)
    pipeline = [*autograde.sanitize_preprocessors, *autograde.autograde_preprocessors]
    assert pipeline and not [p for p in pipeline if issubclass(p, ExecutePreprocessor)]
