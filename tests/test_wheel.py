"""A normal (non-editable) install works: a wheel built from the checkout, installed into a
fresh environment, grades the solutions and builds a notebook with its real teaching text."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import ROOT, SOLUTIONS

pytestmark = pytest.mark.slow


def _checkout_copy(dest: Path) -> Path:
    """The files git knows (as they are in the working tree): no build/, .venv or caches."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        src = ROOT / name
        if src.is_file() and not src.is_symlink():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    return dest


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv holding the wheel; its dependencies (torch, numpy, ...) come from this
    environment's site-packages through a path entry, not from its editable install."""
    base = tmp_path_factory.mktemp("wheel")
    checkout = _checkout_copy(base / "checkout")
    wheels = base / "wheels"
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                           "-q", "-w", str(wheels), str(checkout)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    (wheel,) = wheels.glob("*.whl")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    # A bare path line: .pth files of that folder (the editable install's finder) are not run.
    (Path(purelib) / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                           "-q", str(wheel)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return venv


def _run(venv: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(list(args), cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


def test_the_installed_package_is_the_wheels_not_the_checkout(installed, tmp_path):
    proc = _run(installed, str(installed / "bin" / "python"), "-c",
                "import autograder, grading_tests; print(autograder.__file__); print(grading_tests.__file__)",
                cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    paths = proc.stdout.split()
    assert all(str(installed) in p for p in paths), paths


def test_the_wheel_grades_the_solutions_with_full_marks(installed, tmp_path):
    submission = tmp_path / "work"
    submission.mkdir()
    for topic in ("optimizers", "lenet"):  # a NumPy topic and a PyTorch one
        shutil.copyfile(SOLUTIONS / f"{topic}.py", submission / f"{topic}.py")
    proc = _run(installed, str(installed / "bin" / "autograder"), "grade", "work", "--topics", "optimizers,lenet",
                "--profile", "ci", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    record = json.loads(proc.stdout)
    topics = {t["topic"]: (t["score"], t["max_score"]) for t in record["topics"]}
    assert set(topics) == {"optimizers", "lenet"}
    assert all(score == top and top > 0 for score, top in topics.values()), topics


def test_the_wheel_builds_a_notebook_with_its_teaching_text(installed, tmp_path):
    code = ("import json, sys\n"
            "from autograder.authoring.notebooks import build_notebook\n"
            "nb = build_notebook('optimizers', open(sys.argv[1], encoding='utf-8').read(), {})\n"
            "print(json.dumps([''.join(c['source']) for c in nb['cells'] if c['cell_type'] == 'markdown']))\n")
    proc = _run(installed, str(installed / "bin" / "python"), "-c", code, str(SOLUTIONS / "optimizers.py"),
                cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    text = "\n".join(json.loads(proc.stdout))
    assert "TODO" not in text
    assert "Adam" in text and len(text) > 2000


def test_the_wheel_ships_the_compiled_catalogs_and_speaks_chinese(installed, tmp_path):
    code = ("import autograder.i18n as i18n; from autograder.i18n import _; i18n.set_language('zh'); "
            "print(i18n.LOCALE_DIR); print(_('timed out'))")
    proc = _run(installed, str(installed / "bin" / "python"), "-c", code, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    locale_dir, label = proc.stdout.split()
    assert str(installed) in locale_dir and label == "超时"
