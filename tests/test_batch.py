"""grade-batch: a class of mixed submissions (correct, buggy, crashing, looping, hostile),
a kill -9 part-way and a resume, nbgrader's layout, stored-result checks, and Dask."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from autograder.batch.discover import Job, discover
from autograder.batch.local import grade_in_child
from autograder.batch.run import run_batch, snapshot_tests
from autograder.batch.settings import CSV_NAME, RESULTS_DIR, Settings
from autograder.batch.store import csv_text, make_record, record_name, student_of, valid_record
from tests.batch_samples import write_class

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS = ("exponential_decay", "step_decay", "update_parameters_with_momentum")
SETTINGS = Settings(topics=("optimizers",), profile="ci", call_timeout=3.0, functions=FUNCTIONS,
                    device="cpu")
CLI_ARGS = ["--topics", "optimizers", "--profile", "ci", "--timeout", "3", "--device", "cpu",
            "--functions", ",".join(FUNCTIONS), "--workers", "2", "--no-progress"]


def grade_batch_cmd(submissions: Path, output: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "autograder.cli", "grade-batch", str(submissions),
            "--output", str(output), *CLI_ARGS, *extra]


def rows(output: Path) -> dict[str, dict[str, str]]:
    text = (output / CSV_NAME).read_text(encoding="utf-8")
    return {row["student"]: row for row in csv.DictReader(io.StringIO(text))}


@pytest.fixture(scope="module")
def mixed_class(tmp_path_factory):
    """Twelve submissions, one of each kind, graded once without interruption."""
    base = tmp_path_factory.mktemp("class")
    students = write_class(base / "submissions")
    assert len(students) >= 12
    output = base / "uninterrupted"
    done = subprocess.run(grade_batch_cmd(base / "submissions", output), capture_output=True,
                          text=True, timeout=900, cwd=base)
    # Exit status 1 only for an error row: where no jail stops it, kill_parent kills its grading.
    errors = [s for s, row in rows(output).items() if row["status"].startswith("error")]
    assert done.returncode == (1 if errors else 0), done.stderr[-3000:]
    return base / "submissions", output, students


def graded_with() -> Settings:
    """SETTINGS as stored results record them: with the digest of the hidden tests."""
    return snapshot_tests(SETTINGS)[0]


def test_every_submission_gets_a_row_and_broken_ones_score_zero(mixed_class):
    _, output, students = mixed_class
    table = rows(output)
    assert list(table) == sorted(students)
    kind = {s: s.split("_", 1)[1] for s in students}
    for student, row in table.items():
        total, best = float(row["total"]), float(row["max_total"])
        assert best > 0, row
        if kind[student] in ("correct", "correct_printing"):
            assert total == best, row
        elif kind[student] in ("crash_at_import", "syntax_error", "missing_module",
                               "not_implemented", "memory_hog"):
            assert total == 0, row
        elif kind[student] in ("momentum_beta_swapped", "infinite_loop", "raises"):
            assert 0 < total < best, row  # one function wrong, the others still earn points
        assert float(row["optimizers"]) == total


def test_each_student_has_a_complete_record_and_the_loop_is_reported(mixed_class):
    _, output, students = mixed_class
    for student in students:
        data = json.loads((output / RESULTS_DIR / record_name(student)).read_text())
        assert valid_record(data, student, graded_with())
        assert data["submission"] == student  # relative to the batch root: reproducible
    looping = json.loads((output / RESULTS_DIR / record_name(
        next(s for s in students if s.endswith("infinite_loop")))).read_text())
    failed = [p for t in looping["topics"] for p in t["properties"] if p["status"] == "failed"]
    assert [p["function"] for p in failed] == ["exponential_decay"]
    assert (failed[0]["outcome"], failed[0]["diagnosis"]) == ("timed_out", "")
    assert (output / "report.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not (output / ".work").exists()


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                continue
            if text.encode() in cmdline:
                found.append(int(entry.name))
    return found


# The kinds a kill part-way is tried on: quick ones, and a loop that is running when it dies.
KILLED_KINDS = ("correct", "adam_no_bias_correction", "momentum_beta_swapped", "raises",
                "infinite_loop", "not_implemented", "missing_module")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc and pdeathsig")
def test_a_batch_killed_part_way_resumes_to_the_same_csv(mixed_class, tmp_path):
    everyone, reference, all_students = mixed_class
    students = [s for s in all_students if s.split("_", 1)[1] in KILLED_KINDS]
    assert len(students) == len(KILLED_KINDS)
    submissions = tmp_path / "submissions"
    for student in students:
        shutil.copytree(everyone / student, submissions / student)
    output = tmp_path / "interrupted"
    proc = subprocess.Popen(grade_batch_cmd(submissions, output), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, cwd=tmp_path)
    results = output / RESULTS_DIR
    deadline = time.monotonic() + 600
    while len(list(results.glob("*.json"))) < 3:
        assert proc.poll() is None, "the batch ended before it could be interrupted"
        assert time.monotonic() < deadline, "no results after 10 minutes"
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    finished = {p.name: p.stat() for p in results.glob("*.json")}
    assert 3 <= len(finished) < len(students)
    for name in finished:
        data = json.loads((results / name).read_text())
        assert valid_record(data, student_of(name), graded_with())
    # Nothing the dead batch started keeps running (and could write later).
    deadline = time.monotonic() + 15
    while _processes_mentioning(str(output)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes_mentioning(str(output)) == []

    done = subprocess.run(grade_batch_cmd(submissions, output), capture_output=True, text=True,
                          timeout=900, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"{len(finished)} already done" in done.stderr
    for name, before in finished.items():
        after = (results / name).stat()
        assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    expected = {s: json.loads((reference / RESULTS_DIR / record_name(s)).read_text()) for s in students}
    assert (output / CSV_NAME).read_text() == csv_text(expected, ["optimizers"])
    assert not list(results.glob(".*"))


def test_a_corrupt_or_outdated_record_is_graded_again(mixed_class, tmp_path):
    submissions, reference, students = mixed_class
    output = tmp_path / "out"
    shutil.copytree(reference / RESULTS_DIR, output / RESULTS_DIR)
    keep, corrupt, other = students[0], students[1], students[3]
    path = output / RESULTS_DIR / record_name(corrupt)
    path.write_text(path.read_text()[:100])
    path = output / RESULTS_DIR / record_name(other)
    data = json.loads(path.read_text())
    data["settings"]["profile"] = "dev"
    path.write_text(json.dumps(data))
    for student in students:
        if student not in (keep, corrupt, other):
            (output / RESULTS_DIR / record_name(student)).unlink()
    only = tmp_path / "subs"
    for student in (keep, corrupt, other):
        shutil.copytree(submissions / student, only / student)
    summary = run_batch(only, output, SETTINGS, workers=2, progress=False, report=False)
    assert (summary.skipped, summary.graded, summary.outdated) == (1, 2, 1)
    expected = {s: json.loads((reference / RESULTS_DIR / record_name(s)).read_text())
                for s in (keep, corrupt, other)}
    assert (output / CSV_NAME).read_text() == csv_text(expected, ["optimizers"])


def test_a_submission_over_its_time_limit_gets_an_error_record(tmp_path):
    folder = tmp_path / "slow"
    folder.mkdir()
    (folder / "optimizers.py").write_text("import time\ntime.sleep(60)\n")
    settings = Settings(topics=("optimizers",), profile="ci", device="cpu",
                        functions=("step_decay",), submission_timeout=1.0)
    started = time.monotonic()
    record = grade_in_child(Job("slow", folder, "slow"), settings, tmp_path / "scratch")
    assert time.monotonic() - started < 30
    assert record["status"] == "error" and "longer than 1 s" in record["error"]
    assert valid_record(record, "slow", settings)
    assert record["score"] == 0 and record["topics"][0]["problem"].startswith("grading did not")
    assert "error: grading took longer" in csv_text({"slow": record}, ["optimizers"])


def test_a_grading_process_that_dies_gets_an_error_record(tmp_path):
    folder = tmp_path / "sub"
    folder.mkdir()
    settings = Settings(topics=("optimizers",), profile="ci", device="cpu",
                        tests=str(tmp_path / "tests-that-crash"))
    (tmp_path / "tests-that-crash").mkdir()
    (tmp_path / "tests-that-crash" / "test_optimizers.py").write_text(
        "import os\nos._exit(9)\n")
    record = grade_in_child(Job("sub", folder, "sub"), settings, tmp_path / "scratch")
    assert record["status"] == "error"
    assert "exited with code" in record["error"]


def test_nbgrader_layout_is_found_and_assignments_are_chosen(tmp_path):
    root = tmp_path / "course"
    write_class(root, 3, layout="nbgrader", assignment="ps1")
    jobs = discover(root)
    assert [j.student for j in jobs] == ["s000_correct", "s001_correct_printing",
                                         "s002_adam_no_bias_correction"]
    assert jobs[0].label == "submitted/s000_correct/ps1"
    assert (jobs[0].path / "optimizers.py").exists()
    assert [j.student for j in discover(root / "submitted")] == [j.student for j in jobs]
    (root / "submitted" / "s001_correct_printing" / "ps2").mkdir()
    with pytest.raises(ValueError, match="--assignment"):
        discover(root)
    assert [j.student for j in discover(root, assignment="ps2")] == ["s001_correct_printing"]
    assert len(discover(root, assignment="ps1")) == 3


def test_student_names_map_to_distinct_file_names():
    names = ["alice", "a b", "a%20b", "../x", "é", ".hidden"]
    files = [record_name(n) for n in names]
    assert len(set(files)) == len(names)
    assert all("/" not in f for f in files)
    assert [student_of(f) for f in files] == names


def test_a_record_for_another_student_or_other_settings_is_not_reused():
    job = Job("bob", Path("."), "bob")
    record = make_record(job, SETTINGS, None, "boom")
    assert valid_record(record, "bob", SETTINGS)
    assert not valid_record(record, "alice", SETTINGS)
    assert not valid_record(record, "bob", Settings(topics=("optimizers",), profile="grading"))
    assert not valid_record({"student": "bob"}, "bob", SETTINGS)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_dask_cluster_of_two_workers_grades_like_the_local_batch(mixed_class, tmp_path):
    distributed = pytest.importorskip("distributed")
    submissions, reference, students = mixed_class
    chosen = [s for s in students if s.split("_", 1)[1] in
              ("correct", "momentum_beta_swapped", "crash_at_import")]
    only = tmp_path / "subs"
    for student in chosen:
        shutil.copytree(submissions / student, only / student)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        summary = run_batch(only, tmp_path / "out", SETTINGS, scheduler=cluster.scheduler_address,
                            progress=False, report=False)
    assert summary.graded == len(chosen) and not summary.errors
    for student in chosen:
        got = json.loads((tmp_path / "out" / RESULTS_DIR / record_name(student)).read_text())
        want = json.loads((reference / RESULTS_DIR / record_name(student)).read_text())
        assert got.pop("settings") == graded_with().fingerprint()
        want.pop("settings")  # its tests' digest is the same unless they were edited since
        assert got == want
    assert [r["student"] for r in csv.DictReader(io.StringIO(
        (tmp_path / "out" / CSV_NAME).read_text()))] == sorted(chosen)


def test_the_batch_refuses_a_second_writer_on_the_same_folder(tmp_path):
    import fcntl

    output = tmp_path / "out"
    output.mkdir()
    (tmp_path / "subs").mkdir()
    with open(output / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        with pytest.raises(ValueError, match="another grade-batch"):
            run_batch(tmp_path / "subs", output, SETTINGS, progress=False)


def test_the_child_dies_with_its_batch_even_under_kill_9(tmp_path):
    """pdeathsig: a grading process whose batch is gone stops instead of grading on."""
    script = tmp_path / "parent.py"
    script.write_text(
        "import os, subprocess, sys, time\n"
        "env = dict(os.environ, AUTOGRADER_BATCH_PARENT=str(os.getpid()))\n"
        "child = subprocess.Popen([sys.executable, '-c', 'from autograder.batch.child import "
        "die_with_parent as d; d(); import time; time.sleep(120)'], env=env)\n"
        "print(child.pid, flush=True)\n"
        "time.sleep(120)\n")
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True,
                              cwd=ROOT)
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    time.sleep(1.0)  # let the child reach prctl
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    parent.stdout.close()
    deadline = time.monotonic() + 10
    while Path(f"/proc/{child}").exists() and time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{child}/stat").read_text().split(")")[-1].split()[0]
        except OSError:
            break
        if state == "Z":
            break
        time.sleep(0.1)
    else:
        assert not Path(f"/proc/{child}").exists()


def test_editing_the_hidden_tests_makes_stored_results_outdated(tmp_path):
    tests = tmp_path / "grading_tests"
    tests.mkdir()
    (tests / "test_optimizers.py").write_text("# version 1\n")
    settings = Settings(topics=("optimizers",), tests=str(tests))
    first = snapshot_tests(settings)[0]
    record = make_record(Job("ann", tmp_path, "ann"), first, None, "x")
    assert valid_record(record, "ann", snapshot_tests(settings)[0])
    (tests / "test_optimizers.py").write_text("# version 2\n")
    assert not valid_record(record, "ann", snapshot_tests(settings)[0])
    moved = tmp_path / "elsewhere" / "grading_tests"
    shutil.copytree(tests, moved)
    (tests / "test_optimizers.py").write_text("# version 1\n")
    # The same files at another path are the same tests.
    assert snapshot_tests(replace(settings, tests=str(moved)))[0].tests_digest != first.tests_digest
    (moved / "test_optimizers.py").write_text("# version 1\n")
    assert snapshot_tests(replace(settings, tests=str(moved)))[0].fingerprint() == first.fingerprint()
    # Another topic's tests are not these results' tests.
    (moved / "test_conv.py").write_text("# new\n")
    (moved / "references").mkdir()
    (moved / "references" / "conv.py").write_text("# new\n")
    assert snapshot_tests(replace(settings, tests=str(moved)))[0].fingerprint() == first.fingerprint()
    (moved / "references" / "optimizers.py").write_text("# new\n")
    assert snapshot_tests(replace(settings, tests=str(moved)))[0].fingerprint() != first.fingerprint()


def test_a_dask_machine_unpacks_the_tests_snapshot_once_in_a_folder_of_its_own(tmp_path, monkeypatch):
    """Its warm graders keep the test modules they imported: every task of a class grades from
    one folder (0700, this uid's), and none is kept where sandbox workers could reach it."""
    import tempfile

    from autograder.batch import cluster
    from autograder.sandbox import jail

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(jail, "namespaces_available", lambda: True)
    settings = Settings(topics=("optimizers",), tests_digest="ab" * 32)
    shipped = ("grading_tests", {"test_optimizers.py": b"x = 1\n", "references/r.py": b"y = 2\n"})
    first = cluster.machine_tests(settings, shipped)
    assert first is not None and (first / "references" / "r.py").read_bytes() == b"y = 2\n"
    (first / "test_optimizers.py").write_bytes(b"x = 1  # kept\n")
    assert cluster.machine_tests(settings, shipped) == first  # not unpacked again
    assert (first / "test_optimizers.py").read_bytes() == b"x = 1  # kept\n"
    assert stat.S_IMODE(first.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(first.stat().st_mode) == 0o700
    other = cluster.machine_tests(replace(settings, tests_digest="cd" * 32), shipped)
    assert other is not None and other != first
    renamed = cluster.machine_tests(settings, ("hidden", shipped[1]))  # the same files, another name
    assert renamed is not None and renamed.name == "hidden" and (renamed / "references" / "r.py").is_file()
    monkeypatch.setattr(jail, "can_drop_privileges", lambda: False)
    monkeypatch.setattr(jail, "namespaces_available", lambda: False)
    assert cluster.machine_tests(settings, shipped) is None


def test_a_grading_process_sees_its_own_pid_namespace_in_proc():
    """Its workers' pids are found in /proc (to stop a jailed worker, the grader kills the
    namespace's first process, a child of the worker's ``unshare``): with the machine's /proc the
    pids named other processes, none was found, and each worker's stop waited 5 s."""
    from autograder.batch import local

    if not local._contain_children():
        pytest.skip("no PID namespaces here")
    script = "import os; print(os.getpid(), os.readlink('/proc/self'))"
    out = subprocess.run(local._contained([sys.executable, "-c", script]), capture_output=True,
                         text=True, timeout=60)
    assert out.stdout.split() == ["1", "1"], out.stderr


def test_only_a_childs_own_children_are_listed_for_killing():
    from autograder.sandbox.client import _children

    proc = subprocess.Popen(["sh", "-c", "sleep 30 & wait"])
    try:
        deadline = time.monotonic() + 10
        while not _children(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(_children(proc.pid)) == 1
        assert _children(os.getppid()) == [] and _children(1) == []  # not this process's children
    finally:
        proc.kill()
        proc.wait()
