"""The student bundle is self-sufficient: one public-checks command that works from the bundle's
top, from ``modules/`` and from a notebook's folder, written the same in its README and in every
notebook, and a requirements file that is all a fresh environment needs to run it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.authoring.notebooks import PUBLIC_CHECKS
from autograder.authoring.release import CHECK_COMMAND, build_release, requirements
from autograder.catalog import ASSIGNMENTS
from tests.conftest import ROOT, SOLUTIONS

PLACES = (".", "modules", "notebooks/optimization")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    pytest.importorskip("nbgrader")
    out = tmp_path_factory.mktemp("student") / "bundle"
    # The answer check has tests of its own (tests/test_answer_leaks.py): the layout is tested here.
    assert build_release(out, ROOT / "source", SOLUTIONS, ["optimization"], behaviour=False) == []
    return out


def run_checks(python: str, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    # A bare environment: no PYTHONPATH pointing at this package.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    return subprocess.run([python, *CHECK_COMMAND.split()[1:], *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_readme_and_every_notebook_give_the_same_check_command(bundle):
    assert CHECK_COMMAND in (bundle / "README.md").read_text(encoding="utf-8")
    notebooks = sorted((bundle / "notebooks").rglob("*.ipynb"))
    assert notebooks
    for path in notebooks:
        text = "".join("".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                       for c in json.loads(path.read_text(encoding="utf-8"))["cells"])
        assert CHECK_COMMAND in text, path
        assert "autograder check" not in text, path  # the bundle has no autograder
    assert "autograder check" not in (bundle / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("place", PLACES)
def test_the_check_command_runs_from_each_place_a_student_stands(bundle, place):
    proc = run_checks(sys.executable, bundle / place)
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    assert proc.returncode == 1 and "TODO update_parameters_with_adam: not implemented yet" in proc.stdout
    # Every exercise of the assignment found: as many checks as its topics' check files hold.
    total = sum(len(re.findall(r"^def check_", (PUBLIC_CHECKS / f"{t}.py").read_text(encoding="utf-8"), re.M))
                for t in ASSIGNMENTS["optimization"])
    assert total > 15 and f"of {total} public checks passed" in proc.stdout, proc.stdout
    one = run_checks(sys.executable, bundle / place, "optimizers")
    assert "of 11 public checks passed" in one.stdout, one.stdout + one.stderr


def test_the_check_command_checks_the_notebook_in_its_folder_and_the_module_elsewhere(bundle, tmp_path):
    work = tmp_path / "bundle"
    shutil.copytree(bundle, work)
    # The notebook answered (the source notebook's solution cells), the module left a stub.
    shutil.copyfile(ROOT / "source" / "optimization" / "optimizers.ipynb",
                    work / "notebooks" / "optimization" / "optimizers.ipynb")
    in_notebooks = run_checks(sys.executable, work / "notebooks" / "optimization", "optimizers")
    assert in_notebooks.returncode == 0, in_notebooks.stdout
    assert "== optimizers.ipynb" in in_notebooks.stdout and "11 of 11" in in_notebooks.stdout
    at_top = run_checks(sys.executable, work, "optimizers")
    assert at_top.returncode == 1 and "modules/optimizers.py" in at_top.stdout
    shutil.copyfile(SOLUTIONS / "optimizers.py", work / "modules" / "optimizers.py")
    assert run_checks(sys.executable, work, "optimizers").returncode == 0


def test_requirements_name_torch_only_for_the_pytorch_assignments():
    numpy_only = requirements(["optimizers", "conv"])
    assert "numpy" in numpy_only and "matplotlib" in numpy_only and "torch" not in numpy_only
    assert "torch==" in requirements(["optimizers", "lenet"])


def test_the_bundle_lists_its_requirements(bundle):
    text = (bundle / "requirements.txt").read_text(encoding="utf-8")
    assert text == requirements(["optimizers", "initialization"])
    assert "pip install -r requirements.txt" in (bundle / "README.md").read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_fresh_environment_with_only_the_bundles_requirements_runs_its_instructions(bundle, tmp_path):
    """A venv with nothing but ``pip install -r requirements.txt`` (this bundle's are NumPy and
    matplotlib; torch comes only with the PyTorch assignments) runs the README's command."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = str(venv / "bin" / "python")
    proc = subprocess.run([python, "-m", "pip", "install", "-q", "-r", str(bundle / "requirements.txt")],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert subprocess.run([python, "-c", "import autograder"], cwd=tmp_path, capture_output=True).returncode != 0
    for place in PLACES:
        proc = run_checks(python, bundle / place)
        assert "Traceback" not in proc.stdout + proc.stderr, (place, proc.stdout + proc.stderr)
        assert "TODO random_mini_batches: not implemented yet" in proc.stdout, (place, proc.stdout)
    # The course helper the notebooks import runs there too; the CNN one is not shipped with them.
    proc = subprocess.run([python, "-c", "from course import experiments; print(experiments.make_moons(10)[0].shape)"],
                          cwd=bundle / "notebooks" / "optimization", capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout.split() == ["(2,", "10)"], proc.stderr
    assert not (bundle / "notebooks" / "optimization" / "course" / "feature_maps.py").exists()
