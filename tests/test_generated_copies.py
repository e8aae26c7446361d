"""The copies beside the notebooks (public checks, course helpers) are generated, not kept in git,
and written only where an assignment's notebooks use them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from autograder.authoring.notebooks import ASSIGNMENTS, SUPPORT_DIRS, generate, make_course, support_files
from tests.conftest import ROOT


def test_git_keeps_no_generated_copy_under_source():
    tracked = subprocess.run(["git", "ls-files", "source"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
    copies = [p for p in tracked if len(Path(p).parts) > 2 and Path(p).parts[2] in SUPPORT_DIRS]
    assert copies == []
    assert tracked, "git ls-files found nothing: not a checkout?"


def test_each_assignment_gets_the_helpers_its_notebooks_import_and_no_other():
    helpers = {a: sorted(str(p) for p in support_files(a, ROOT / "source" / a) if p.parts[0] == "course")
               for a in ASSIGNMENTS}
    assert helpers == {
        "optimization": ["course/__init__.py", "course/experiments.py"],
        "regularization": ["course/__init__.py", "course/experiments.py"],
        "cnn": ["course/__init__.py", "course/feature_maps.py"],
        "architectures": [],
    }
    checks = sorted(str(p) for p in support_files("optimization", ROOT / "source" / "optimization")
                    if p.parts[0] == "public_checks")
    framework = ["public_checks/__init__.py", "public_checks/__main__.py", "public_checks/_common.py",
                 "public_checks/_i18n.py"]
    assert checks == sorted(framework + [f"public_checks/{t}.py" for t in ASSIGNMENTS["optimization"]])


def test_a_fresh_source_folder_gets_its_copies_and_a_course_folder_keeps_an_instructors_edit(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    shutil.copyfile(ROOT / "source" / "nbgrader_config.py", source / "nbgrader_config.py")
    generate(source, topics=["optimizers", "conv"])
    assert (source / "optimization" / "course" / "experiments.py").is_file()
    assert not (source / "optimization" / "course" / "feature_maps.py").exists()
    assert (source / "cnn" / "public_checks" / "__main__.py").is_file()
    assert generate(source, topics=["optimizers", "conv"], check=True) == []

    helper = source / "optimization" / "course" / "experiments.py"
    helper.write_text("# EDITED\n", encoding="utf-8")
    course = tmp_path / "course"
    assert make_course(course, source, ["optimization"]) == ["optimization"]
    assert (course / "source" / "optimization" / "course" / "experiments.py").read_text() == "# EDITED\n"
    # A copy that went missing is written again; `notebooks` (generate) reports an edited copy
    # as stale and puts the package's back.
    (course / "source" / "optimization" / "public_checks" / "_common.py").unlink()
    make_course(course, course / "source", ["optimization"])
    assert (course / "source" / "optimization" / "public_checks" / "_common.py").is_file()
    assert generate(source, topics=["optimizers", "conv"], check=True) == [str(helper)]
    generate(source, topics=["optimizers", "conv"])
    assert helper.read_text(encoding="utf-8") != "# EDITED\n"
