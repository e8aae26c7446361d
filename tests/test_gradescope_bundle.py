"""gradescope-bundle: the zip's contents, and run_autograder against a fake /autograder root."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder import sandbox
from autograder.commands.gradescope_bundle import build_bundle

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bundle") / "autograder.zip"
    build_bundle(path, ["optimizers"], profile="ci", timeout=5)
    return path


def fake_root(tmp_path: Path, bundle: Path) -> Path:
    """/autograder as Gradescope lays it out: source/ (the zip), run_autograder, submission/."""
    root = tmp_path / "autograder"
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(root / "source")
        for info in archive.infolist():  # zipfile does not restore modes
            os.chmod(root / "source" / info.filename, (info.external_attr >> 16) & 0o777)
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    (root / "submission").mkdir()
    return root


def run_autograder(root: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=sys.executable)
    return subprocess.run([str(root / "run_autograder")], capture_output=True, text=True,
                          env=env, timeout=600, cwd=root)


def test_the_zip_holds_the_scripts_the_grader_and_the_hidden_tests_only(bundle, tmp_path):
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
        modes = {i.filename: (i.external_attr >> 16) for i in archive.infolist()}
        env = archive.read("grading.env").decode()
    for script in ("setup.sh", "run_autograder"):
        assert script in names and modes[script] & stat.S_IXUSR
    assert "grading_tests/test_optimizers.py" in names
    assert "autograder/engine.py" in names and "pyproject.toml" in names
    assert not any(n.startswith(("solutions/", "assignments/", "tests/")) for n in names)
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)
    assert "TOPICS=optimizers" in env and "PROFILE=ci" in env
    again = tmp_path / "again.zip"
    build_bundle(again, ["optimizers"], profile="ci", timeout=5)
    assert again.read_bytes() == bundle.read_bytes()


def test_the_scripts_are_valid_bash():
    for script in ("setup.sh", "run_autograder"):
        path = ROOT / "autograder" / "gradescope" / script
        assert subprocess.run(["bash", "-n", str(path)]).returncode == 0


def test_run_autograder_grades_a_submission_into_a_valid_results_json(bundle, tmp_path):
    root = fake_root(tmp_path, bundle)
    solution = (ROOT / "solutions" / "optimizers.py").read_text()
    buggy = solution.replace("v_hat = new_v[dkey] / (1 - beta1**t)", "v_hat = new_v[dkey]")
    buggy = buggy.replace("s_hat = new_s[dkey] / (1 - beta2**t)", "s_hat = new_s[dkey]")
    assert buggy != solution
    folder = root / "submission" / "homework"  # uploaded as a folder: still found
    folder.mkdir()
    (folder / "optimizers.py").write_text(buggy)
    done = run_autograder(root)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads((root / "results" / "results.json").read_text())
    tests = results["tests"]
    assert tests and all({"name", "score", "max_score", "status", "output"} <= set(t)
                         for t in tests)
    assert all(0 <= t["score"] <= t["max_score"] for t in tests)
    assert results["score"] == pytest.approx(sum(t["score"] for t in tests))
    assert results["max_score"] == pytest.approx(sum(t["max_score"] for t in tests))
    assert 0 < results["score"] < results["max_score"]
    failed = [t for t in tests if t["status"] == "failed"]
    assert failed and all("update_parameters_with_adam" in t["name"] for t in failed)
    assert any("bias correction" in t["output"] for t in failed)


def test_run_autograder_still_writes_results_json_when_grading_fails(bundle, tmp_path):
    root = fake_root(tmp_path, bundle)
    env_file = root / "source" / "grading.env"
    env_file.write_text(env_file.read_text().replace("TOPICS=optimizers", "TOPICS=no_such_topic"))
    (root / "submission" / "optimizers.py").write_text("x = 1\n")
    done = run_autograder(root)
    assert done.returncode == 0
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == 0 and results["tests"] == []
    assert "course staff" in results["output"] and "no_such_topic" in results["output"]


@pytest.mark.skipif(not sandbox.can_drop_privileges(), reason="needs root on Linux")
def test_in_a_container_without_namespaces_the_student_reads_no_hidden_test_and_forges_nothing(
        bundle, tmp_path):
    import tempfile

    # Where Gradescope puts it, /autograder is open to every uid: so must this stand-in be.
    open_folder = Path(tempfile.mkdtemp(prefix="ag-gradescope-"))
    open_folder.chmod(0o755)
    try:
        _forge_and_steal(fake_root(open_folder, bundle))
    finally:
        shutil.rmtree(open_folder, ignore_errors=True)


def _forge_and_steal(root: Path) -> None:
    for folder in (root, root / "source", root / "source" / "grading_tests", root / "submission"):
        folder.chmod(0o755)
    hidden = root / "source" / "grading_tests" / "test_optimizers.py"
    secret = next(line for line in hidden.read_text().splitlines() if line.startswith("def test_"))
    thief = f"""
for _path in ({str(hidden)!r}, {str(root / "source" / "grading_tests" / "compare.py")!r}):
    try:
        print(open(_path).read())
    except OSError as _exc:
        print("BLOCKED", type(_exc).__name__)
try:
    import os as _os
    _os.makedirs({str(root / "results")!r}, exist_ok=True)
    open({str(root / "results" / "results.json")!r}, "w").write('{{"score": 1000}}')
    print("FORGED")
except OSError as _exc:
    print("BLOCKED", type(_exc).__name__)
"""
    (root / "submission" / "optimizers.py").write_text(
        thief + (ROOT / "solutions" / "optimizers.py").read_text())
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=sys.executable,
               AUTOGRADER_NO_SANDBOX="1")
    done = subprocess.run([str(root / "run_autograder")], capture_output=True, text=True,
                          env=env, timeout=600, cwd=root)
    assert done.returncode == 0, done.stderr[-3000:]
    text = (root / "results" / "results.json").read_text()
    results = json.loads(text)
    assert secret not in text and "FORGED" not in text and "BLOCKED" in text
    assert results["score"] == results["max_score"] > 0
