"""gradescope-bundle: the zip's contents, and run_autograder against a fake /autograder root."""

from __future__ import annotations

import ast
import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder.catalog import TOPICS
from autograder.commands.gradescope_bundle import build_bundle, topic_files
from autograder.formats.gradescope import GradescopeOptions, gradescope_dict
from autograder.results import PropertyResult, SubmissionResult, TopicResult
from autograder.sandbox import jail

ROOT = Path(__file__).resolve().parent.parent
# Not Gradescope's defaults, so that a setting lost on the way shows.
OPTIONS = GradescopeOptions("after_due_date", "after_published", "ansi")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bundle") / "autograder.zip"
    build_bundle(path, ["optimizers"], profile="ci", timeout=5, options=OPTIONS)
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
    assert "autograder/engine/pipeline.py" in names and "pyproject.toml" in names
    assert not any(n.startswith(("solutions/", "assignments/", "tests/")) for n in names)
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)
    assert "TOPICS=optimizers" in env and "PROFILE=ci" in env
    assert "VISIBILITY=after_due_date" in env and "STDOUT_VISIBILITY=after_published" in env
    assert "FEEDBACK_FORMAT=ansi" in env
    again = tmp_path / "again.zip"
    build_bundle(again, ["optimizers"], profile="ci", timeout=5, options=OPTIONS)
    assert again.read_bytes() == bundle.read_bytes()


def test_the_zip_holds_the_selected_topics_tests_and_no_other_topics(bundle):
    with zipfile.ZipFile(bundle) as archive:
        tests = {n.removeprefix("grading_tests/") for n in archive.namelist()
                 if n.startswith("grading_tests/")}
    assert {"test_optimizers.py", "references/optimizers.py", "mutants/optimizers.py",
            "conftest.py", "compare.py", "strategies.py", "mutants/__init__.py"} <= tests
    others = set(TOPICS) - {"optimizers"}
    leaked = [n for n in tests if Path(n).stem.removeprefix("test_") in others]
    assert not leaked


def _imports(path: Path) -> set[str]:
    """The grading_tests modules a file imports, ``for_module("<topic>")`` included."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    constants = {target.id: node.value.value for node in tree.body if isinstance(node, ast.Assign)
                 and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
                 for target in node.targets if isinstance(target, ast.Name)}
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("grading_tests"):
            module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("grading_tests"))
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "for_module":
            arg = node.args[0]  # for_module(M), M = "<topic>"
            name = arg.value if isinstance(arg, ast.Constant) else constants.get(
                getattr(arg, "id", ""))
            found.add(f"grading_tests.mutants.{name}")
    return found


@pytest.mark.parametrize("topic", list(TOPICS))
def test_each_topic_bundles_every_hidden_module_its_tests_import(topic):
    tests_dir = ROOT / "grading_tests"
    shipped = {arcname: path for arcname, path in topic_files(tests_dir, [topic])}
    modules = {a.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
               for a in shipped if a.endswith(".py")}
    for arcname, path in shipped.items():
        if arcname.endswith(".py"):
            # A name imported from a package may be a function, not a module: only modules
            # that exist in the course's tests must be shipped.
            needed = {m for m in _imports(path)
                      if (tests_dir.parent / (m.replace(".", "/") + ".py")).exists()}
            assert needed <= modules, f"{arcname} imports {sorted(needed - modules)}, not bundled"


def test_results_json_carries_the_visibility_format_and_time_settings():
    failing = PropertyResult("optimizers", "adam", "adam matches torch", "t::a", 2.0, 0.0,
                             "failed", "W1: expected 1, got 2 ```\nHint: bias-correct")
    result = SubmissionResult("sub", [TopicResult("optimizers", "Optimizers", [failing]),
                                      TopicResult("conv", "Convolution", [], "conv.py missing")],
                              output="printed \x1b[2J")
    data = gradescope_dict(result, GradescopeOptions("after_published", "visible", "md", 12.6))
    assert (data["visibility"], data["stdout_visibility"]) == ("after_published", "visible")
    assert data["execution_time"] == 13 and data["output_format"] == "md"
    assert [t["visibility"] for t in data["tests"]] == ["after_published"] * 2
    assert {t["output_format"] for t in data["tests"]} == {"md"}
    # A fence longer than the student's backticks: the feedback stays one code block.
    assert data["tests"][0]["output"].startswith("````text\n")
    assert data["tests"][0]["output"].endswith("\n````")
    ansi = gradescope_dict(result, GradescopeOptions(feedback_format="ansi"))
    assert ansi["tests"][0]["output"].startswith("\x1b[1;31mW1: expected 1")
    assert "\x1b[2J" not in ansi["output"]  # the student's own escapes are neutralized
    assert "execution_time" not in ansi
    with pytest.raises(ValueError, match="visibility"):
        GradescopeOptions("hidden until due")


def test_the_scripts_are_valid_bash():
    for script in ("setup.sh", "run_autograder"):
        path = ROOT / "autograder" / "authoring" / "gradescope" / script
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
    # grading.env's settings reach results.json through run_autograder
    assert (results["visibility"], results["stdout_visibility"]) == (
        "after_due_date", "after_published")
    assert results["output_format"] == "ansi" and {t["output_format"] for t in tests} == {"ansi"}
    assert {t["visibility"] for t in tests} == {"after_due_date"}
    assert isinstance(results["execution_time"], int) and results["execution_time"] >= 0
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
    assert (results["visibility"], results["stdout_visibility"]) == (
        "after_due_date", "after_published")


@pytest.mark.skipif(not jail.can_drop_privileges(), reason="needs root on Linux")
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
