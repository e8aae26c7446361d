"""Links and special files in a submission are never read: not by ``grade``, ``grade-batch``
(local or packed for Dask), nbgrader, Gradescope's ``run_autograder`` or the public checks;
each one refused is named in the feedback with the reason, and the honest files still count."""

from __future__ import annotations

import io
import json
import os
import queue
import shutil
import socket
import stat
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from autograder.batch.cluster import explain_refused, grade_shipped, pack_submission
from autograder.batch.discover import discover
from autograder.batch.local import grade_in_child
from autograder.batch.run import run_batch
from autograder.batch.settings import Settings
from autograder.engine import staging
from autograder.engine.pipeline import grade_submission
from autograder.engine.submission import Submission
from autograder.formats import render
from autograder.student.public_checks import run_checks

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
SECRET = "s3cr3t-planted-by-the-test-5f1e"
HUNG = 20.0  # seconds: far above any of these reads, which never wait on anything


def within(seconds: float, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """fn(*args) in a thread; the test fails (instead of hanging) if it has not returned."""
    box: queue.Queue[tuple[bool, Any]] = queue.Queue()

    def run() -> None:
        try:
            box.put((True, fn(*args, **kwargs)))
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            box.put((False, exc))

    threading.Thread(target=run, daemon=True).start()
    try:
        ok, value = box.get(timeout=seconds)
    except queue.Empty:
        pytest.fail(f"{getattr(fn, '__name__', fn)} blocked for more than {seconds:g} s")
    if not ok:
        raise value
    return value


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "outside" / "secret.txt"
    path.parent.mkdir()
    path.write_text(f"TOKEN = '{SECRET}'\n", encoding="utf-8")
    return path


@pytest.fixture
def secret_env(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("AUTOGRADER_TEST_SECRET", SECRET)
    return SECRET


def static_problem(folder: Path, module: str) -> str | None:
    """What the grader says of a module before any of its code runs (no worker starts)."""
    with Submission(folder) as sub:
        return sub._static_problem(module)


# ---------------------------------------------------------------------------- the reader


@pytest.mark.parametrize("target", [
    "solution_relative", "solution_absolute", "/etc/shadow", "/proc/self/environ", "classmate",
])
def test_a_linked_file_is_refused_unread_and_named_with_the_reason(tmp_path, target, secret_env):
    folder = tmp_path / "alice"
    folder.mkdir()
    bob = tmp_path / "bob"
    bob.mkdir()
    (bob / "optimizers.py").write_text(f"# {SECRET}\n", encoding="utf-8")
    link = {
        "solution_relative": os.path.relpath(SOLUTIONS / "optimizers.py", folder),
        "solution_absolute": str(SOLUTIONS / "optimizers.py"),
        "classmate": "../bob/optimizers.py",
    }.get(target, target)
    (folder / "optimizers.py").symlink_to(link)
    staged = staging.read_submission(folder)
    assert staged.files == {}
    assert staged.refused == {"optimizers.py": "optimizers.py is a symbolic link: upload the file itself"}
    assert static_problem(folder, "optimizers") == "optimizers.py is a symbolic link: upload the file itself"


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    os.mkfifo(tmp_path / "optimizers.py")
    (tmp_path / "conv.py").write_text("X = 1\n", encoding="utf-8")
    staged = within(HUNG, staging.read_submission, tmp_path)
    assert staged.files == {"conv.py": b"X = 1\n"}
    assert staged.refused["optimizers.py"] == \
        "optimizers.py is a FIFO (named pipe), not a file: upload the file itself"


def test_a_link_to_the_kernel_log_is_refused_without_blocking(tmp_path):
    (tmp_path / "optimizers.py").symlink_to("/proc/kmsg")
    staged = within(HUNG, staging.read_submission, tmp_path)
    assert staged.refused["optimizers.py"].endswith("is a symbolic link: upload the file itself")


def test_a_unix_socket_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a relative name: socket paths are limited to 108 bytes
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind("optimizers.py")
        staged = within(HUNG, staging.read_submission, tmp_path)
    assert staged.refused["optimizers.py"] == "optimizers.py is a socket, not a file: upload the file itself"


def test_a_device_node_is_refused(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("only root can make a device node")
    try:
        os.mknod(tmp_path / "optimizers.py", stat.S_IFCHR | 0o644, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("this container may not make device nodes")
    staged = within(HUNG, staging.read_submission, tmp_path)
    assert staged.refused["optimizers.py"] == "optimizers.py is a device, not a file: upload the file itself"
    assert static_problem(tmp_path, "optimizers") == staged.refused["optimizers.py"]


def test_a_folder_named_like_a_module_is_refused(tmp_path):
    (tmp_path / "optimizers.py").mkdir()
    assert staging.read_submission(tmp_path).refused["optimizers.py"] == \
        "optimizers.py is a folder, not a file: upload the file itself"


def test_a_file_over_one_megabyte_is_refused_and_its_neighbours_are_read(tmp_path):
    (tmp_path / "optimizers.py").write_bytes(b"#" * (staging.MAX_FILE_BYTES + 1))
    (tmp_path / "conv.py").write_bytes(b"#" * staging.MAX_FILE_BYTES)
    staged = staging.read_submission(tmp_path)
    assert list(staged.files) == ["conv.py"]
    assert staged.refused == {"optimizers.py": "optimizers.py is larger than 1 MB: it was not read"}
    assert static_problem(tmp_path, "optimizers") == "optimizers.py is larger than 1 MB: it was not read"


def test_a_submission_over_its_total_is_read_up_to_the_total_and_the_rest_named(tmp_path):
    names = [f"m{i}.py" for i in range(9)]
    for name in names:
        (tmp_path / name).write_bytes(b"#" * 990_000)
    staged = staging.read_submission(tmp_path)
    assert list(staged.files) == names[:8]
    assert staged.refused == {"m8.py": "the submission is larger than 8 MB in total; m8.py was not read"}


def test_a_linked_submission_folder_is_not_read_at_all(tmp_path, secret_file):
    real = tmp_path / "real"
    real.mkdir()
    shutil.copy(SOLUTIONS / "optimizers.py", real / "optimizers.py")
    (tmp_path / "linked").symlink_to(real)
    staged = staging.read_submission(tmp_path / "linked")
    assert staged.files == {} and staged.refused == {}
    assert staged.folder_problem == \
        "the submission folder linked is a symbolic link: upload the files themselves"
    assert static_problem(tmp_path / "linked", "optimizers") == staged.folder_problem


def test_a_link_or_fifo_swapped_in_after_lstat_is_caught_by_the_open(tmp_path):
    (tmp_path / "a.py").symlink_to("/etc/shadow")
    os.mkfifo(tmp_path / "b.py")
    fd = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        read = staging._read_one
        assert read(fd, "a.py", 100, 100, 100) == "a.py is a symbolic link: upload the file itself"
        assert within(HUNG, read, fd, "b.py", 100, 100, 100) == \
            "b.py is a FIFO (named pipe), not a file: upload the file itself"
    finally:
        os.close(fd)


@pytest.mark.parametrize("name", ["../escaped.py", "sub/x.py", ".hidden.py", "..", ""])
def test_writing_a_copy_refuses_names_that_leave_the_folder(tmp_path, name):
    with pytest.raises(ValueError, match="refusing"):
        staging.write_files({name: b"x"}, tmp_path / "copy")
    assert not (tmp_path / "escaped.py").exists()


def test_writing_a_copy_never_writes_through_a_planted_link(tmp_path, secret_file):
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "optimizers.py").symlink_to(secret_file)
    with pytest.raises(FileExistsError):
        staging.write_files({"optimizers.py": b"overwritten"}, copy)
    assert SECRET in secret_file.read_text(encoding="utf-8")


# ---------------------------------------------------------------------------- grade


@pytest.mark.parametrize("relative", [True, False])
def test_a_link_to_the_solution_imported_with_a_star_scores_nothing(make_submission, relative):
    folder = make_submission(optimizers="from leaked import *  # noqa\n")
    target = SOLUTIONS / "optimizers.py"
    (folder / "leaked.py").symlink_to(os.path.relpath(target, folder) if relative else target)
    result = grade_submission(folder, ["optimizers"], profile="dev")
    [topic] = result.topics
    assert topic.score == 0
    assert topic.problem == ("optimizers.py imports leaked, which was not read: "
                             "leaked.py is a symbolic link: upload the file itself")


def test_links_to_secrets_never_reach_the_feedback_and_honest_modules_still_score(
        make_submission, secret_env, secret_file, tmp_path):
    folder = make_submission(initialization=(SOLUTIONS / "initialization.py").read_text(encoding="utf-8"))
    (folder / "optimizers.py").symlink_to(secret_file)
    (folder / "conv.py").symlink_to("/proc/self/environ")
    (folder / "helpers.py").symlink_to("/etc/shadow")
    result = grade_submission(folder, ["initialization", "optimizers", "conv"], profile="dev")
    topics = {t.topic: t for t in result.topics}
    assert topics["initialization"].score == topics["initialization"].max_score > 0
    for module in ("optimizers", "conv"):
        assert topics[module].score == 0
        assert topics[module].problem == f"{module}.py is a symbolic link: upload the file itself"
    rendered = [json.dumps(result.to_dict())] + [render(result, f) for f in ("text", "gradescope", "junit")]
    for text in rendered:
        assert SECRET not in text
        assert "root:" not in text  # a line of /etc/shadow


def test_grade_finishes_on_a_fifo_and_a_link_to_the_kernel_log(tmp_path, secret_env):
    folder = tmp_path / "submission"
    folder.mkdir()
    os.mkfifo(folder / "optimizers.py")
    (folder / "initialization.py").symlink_to("/proc/kmsg")
    expected = {
        "optimizers": "optimizers.py is a FIFO (named pipe), not a file: upload the file itself",
        "initialization": "initialization.py is a symbolic link: upload the file itself",
    }
    cmd = [sys.executable, "-m", "autograder.cli", "grade", str(folder), "--format", "json",
           "--topics", ",".join(expected), "--profile", "dev", "--device", "cpu"]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    except subprocess.TimeoutExpired:
        pytest.fail("autograder grade hung on a FIFO or /proc/kmsg")
    assert done.returncode == 0, done.stderr[-3000:]
    assert SECRET not in done.stdout
    data = json.loads(done.stdout)
    assert {t["topic"]: t["problem"] for t in data["topics"]} == expected


# ---------------------------------------------------------------------------- grade-batch


def _class(tmp_path: Path) -> Path:
    """bob (honest), alice (a link to bob's folder), carol (a link to bob's file)."""
    root = tmp_path / "class"
    (root / "bob").mkdir(parents=True)
    shutil.copy(SOLUTIONS / "initialization.py", root / "bob" / "initialization.py")
    (root / "alice").symlink_to("bob")
    (root / "carol").mkdir()
    (root / "carol" / "initialization.py").symlink_to("../bob/initialization.py")
    return root


def test_a_student_folder_linked_to_a_classmates_is_refused_at_discovery(tmp_path):
    root = _class(tmp_path)
    jobs = {j.student: j for j in discover(root)}
    assert sorted(jobs) == ["alice", "bob", "carol"]
    assert jobs["alice"].problem == \
        "alice is a symbolic link, not a folder of its own: nothing in it was read or graded"
    assert jobs["bob"].problem == jobs["carol"].problem == ""
    record = grade_in_child(jobs["alice"], Settings(topics=("initialization",)), tmp_path / "scratch")
    assert record["status"] == "error" and "symbolic link" in record["error"]
    assert record["score"] == 0 and "symbolic link" in record["topics"][0]["problem"]


def test_nbgrader_layout_refuses_linked_students_and_linked_assignments(tmp_path):
    base = tmp_path / "course" / "submitted"
    (base / "bob" / "ps1").mkdir(parents=True)
    (base / "bob" / "ps1" / "initialization.py").write_text("X = 1\n", encoding="utf-8")
    (base / "alice").symlink_to("bob")
    (base / "carol").mkdir()
    (base / "carol" / "ps1").symlink_to("../bob/ps1")
    for jobs in (discover(tmp_path / "course"), discover(tmp_path / "course", assignment="ps1")):
        problems = {j.student: j.problem for j in jobs}
        assert problems["bob"] == ""
        assert problems["alice"].startswith("submitted/alice is a symbolic link")
        assert problems["carol"].startswith("submitted/carol/ps1 is a symbolic link")


def test_packing_for_dask_ships_only_regular_files_and_says_why_not_the_rest(tmp_path, secret_file):
    folder = tmp_path / "alice"
    folder.mkdir()
    (folder / "initialization.py").write_text("X = 1\n", encoding="utf-8")
    (folder / "optimizers.py").symlink_to(secret_file)
    os.mkfifo(folder / "conv.py")
    files, refused = within(HUNG, pack_submission, folder)
    assert files == {"initialization.py": b"X = 1\n"}
    assert refused == {
        "conv.py": "conv.py is a FIFO (named pipe), not a file: upload the file itself",
        "optimizers.py": "optimizers.py is a symbolic link: upload the file itself",
    }
    missing = "optimizers.py was not submitted"
    record = {"topics": [{"topic": "optimizers", "problem": missing,
                          "properties": [{"feedback": missing}]}]}
    explained = explain_refused(record, refused)["topics"][0]
    assert explained["problem"] == explained["properties"][0]["feedback"] == refused["optimizers.py"]


def test_a_dask_task_for_a_refused_folder_grades_nothing(tmp_path):
    settings = Settings(topics=("initialization",), profile="dev", device="cpu")
    record = grade_shipped("alice", "alice", {}, settings.to_dict(), ("grading_tests", {}),
                           {"": "the submission folder alice is a symbolic link"})
    assert record["status"] == "error" and record["score"] == 0
    assert "symbolic link" in record["error"]


def test_a_batch_grades_the_honest_student_and_names_each_link(tmp_path):
    root = _class(tmp_path)
    settings = Settings(topics=("initialization",), profile="dev", device="cpu", call_timeout=5.0)
    summary = run_batch(root, tmp_path / "out", settings, workers=2, progress=False, report=False)
    assert summary.students == 3
    records = {p.stem: json.loads(p.read_text(encoding="utf-8"))
               for p in (tmp_path / "out" / "results").glob("*.json")}
    failed = [p["feedback"] for p in records["bob"]["topics"][0]["properties"] if p["status"] != "passed"]
    assert records["bob"]["score"] == records["bob"]["max_score"] > 0, failed
    assert records["alice"]["status"] == "error" and records["alice"]["score"] == 0
    assert "alice is a symbolic link" in records["alice"]["error"]
    assert records["carol"]["score"] == 0
    assert records["carol"]["topics"][0]["problem"] == \
        "initialization.py is a symbolic link: upload the file itself"


# ---------------------------------------------------------------------------- public checks


def test_public_checks_refuse_a_linked_module_and_still_check_its_neighbours(tmp_path):
    folder = tmp_path / "modules"
    folder.mkdir()
    shutil.copy(SOLUTIONS / "initialization.py", folder / "initialization.py")
    (folder / "optimizers.py").symlink_to(SOLUTIONS / "optimizers.py")
    out = io.StringIO()
    try:
        assert run_checks([str(folder)], out=out) == 1
        where = sys.modules["initialization"].__file__
    finally:
        sys.modules.pop("initialization", None)
    text = out.getvalue()
    assert "cannot check optimizers.py: optimizers.py is a symbolic link: upload the file itself" in text
    assert "ok   " in text.split("== initialization.py")[1].split("==")[0]
    assert "ok   " not in text.split("== optimizers.py")[1]
    assert not Path(where).is_relative_to(folder)  # imported from a private copy


def test_public_checks_finish_on_a_fifo_and_name_a_linked_helper(tmp_path):
    folder = tmp_path / "modules"
    folder.mkdir()
    os.mkfifo(folder / "initialization.py")
    (folder / "optimizers.py").write_text("from leaked import *  # noqa\n", encoding="utf-8")
    (folder / "leaked.py").symlink_to(SOLUTIONS / "optimizers.py")
    out = io.StringIO()
    try:
        assert within(HUNG, run_checks, [str(folder / "initialization.py"), str(folder)], out=out) == 1
    finally:
        sys.modules.pop("optimizers", None)
    text = out.getvalue()
    assert "initialization.py is a FIFO (named pipe), not a file" in text
    assert "No module named 'leaked'" in text
    assert "(not read: leaked.py is a symbolic link: upload the file itself)" in text


def test_public_checks_refuse_a_linked_folder(tmp_path):
    (tmp_path / "real").mkdir()
    shutil.copy(SOLUTIONS / "initialization.py", tmp_path / "real" / "initialization.py")
    (tmp_path / "linked").symlink_to("real")
    out = io.StringIO()
    assert run_checks([str(tmp_path / "linked")], out=out) == 1
    assert "the folder linked is a symbolic link" in out.getvalue()
    assert "ok   " not in out.getvalue()


# ---------------------------------------------------------------------------- nbgrader


def test_nbgrader_grades_nothing_of_a_submitted_notebook_that_is_a_link(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    from traitlets.config import Config

    from autograder.nbgrader_grade import STASH, GradeOutOfKernel, WriteOutOfKernelGrades

    course = tmp_path / "course"
    submitted = course / "submitted"
    (submitted / "bob" / "optimization").mkdir(parents=True)
    (submitted / "alice" / "optimization").mkdir(parents=True)
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell("", metadata={"nbgrader": {
        "grade": True, "grade_id": "check_update_parameters_with_adam", "points": 3}}))
    nbformat.write(nb, str(submitted / "bob" / "optimization" / "optimizers.ipynb"))
    (submitted / "alice" / "optimization" / "optimizers.ipynb").symlink_to(
        "../../bob/optimization/optimizers.ipynb")
    config = Config()
    config.CourseDirectory.root = str(course)
    resources: dict[str, Any] = {"nbgrader": {"notebook": "optimizers", "assignment": "optimization",
                                              "student": "alice"}}
    nb, resources = GradeOutOfKernel(config=config).preprocess(nb, resources)
    topic = resources[STASH]
    assert topic.score == 0 and topic.properties == []
    assert topic.problem == ("optimizers.ipynb is a symbolic link: upload the file itself; "
                             "this notebook was not graded")
    nb, resources = WriteOutOfKernelGrades().preprocess(nb, resources)
    outputs = nb.cells[0].outputs
    assert "optimizers.ipynb is a symbolic link" in outputs[0]["text"]
    assert outputs[1]["data"]["text/plain"] == "0.0"


# ---------------------------------------------------------------------------- Gradescope


def test_run_autograder_skips_a_linked_folder_and_reports_a_linked_file(tmp_path, secret_file):
    root = tmp_path / "autograder"
    (root / "source").mkdir(parents=True)
    shutil.copytree(ROOT / "grading_tests", root / "source" / "grading_tests",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (root / "source" / "grading.env").write_text(
        "TOPICS=optimizers\nPROFILE=dev\nCALL_TIMEOUT=5\nDEVICE=cpu\n", encoding="utf-8")
    shutil.copy2(ROOT / "autograder" / "authoring" / "gradescope" / "run_autograder", root / "run_autograder")
    bob = tmp_path / "bob"
    bob.mkdir()
    shutil.copy(SOLUTIONS / "optimizers.py", bob / "optimizers.py")
    (root / "submission" / "mine").mkdir(parents=True)
    (root / "submission" / "a_link").symlink_to(bob)  # sorts first: found only by following it
    (root / "submission" / "mine" / "optimizers.py").symlink_to(secret_file)
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=sys.executable)
    done = subprocess.run([str(root / "run_autograder")], capture_output=True, text=True, env=env,
                          timeout=300, cwd=root)
    assert done.returncode == 0, done.stderr[-3000:]
    text = (root / "results" / "results.json").read_text(encoding="utf-8")
    results = json.loads(text)
    assert SECRET not in text
    assert results["score"] == 0
    assert "optimizers.py is a symbolic link: upload the file itself" in text
