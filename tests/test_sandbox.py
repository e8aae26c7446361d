"""Hostile student code: it cannot hang, crash or starve the grader, and cannot read the hidden
tests or solutions. Runs the worker directly, with probe modules written for each attack."""

from __future__ import annotations

import os
import textwrap
import time

import numpy as np
import pytest

from autograder.engine.pipeline import grade_submission
from autograder.sandbox.client import StudentCodeError, Worker, WorkerFailure
from autograder.sandbox.jail import namespaces_available
from tests.conftest import ROOT, SOLUTIONS

needs_jail = pytest.mark.skipif(not namespaces_available(), reason="needs root and unshare (Linux)")


def worker_for(tmp_path, source: str, **kw) -> Worker:
    folder = tmp_path / "sub"
    folder.mkdir()
    (folder / "probe.py").write_text(textwrap.dedent(source), encoding="utf-8")
    worker = Worker(folder, call_timeout=kw.pop("timeout", 5.0), **kw)
    worker.start()
    return worker


def call(worker: Worker, name: str, *args):
    return worker.request({"op": "call", "root": "probe", "path": name, "args": list(args), "kwargs": {}})


@pytest.mark.parametrize("body,reason", [
    ("import os\nos._exit(0)", "exited with code 0"),
    ("while True:\n    pass", "did not return within"),
    ("import numpy as np\nx = np.ones(50 * 10**9 // 8)\nx[::4096] = 2", "MemoryError"),
])
def test_hostile_import_scores_zero_in_bounded_time_with_the_reason(make_submission, body, reason):
    folder = make_submission(optimizers=body + "\n" + (SOLUTIONS / "optimizers.py").read_text())
    started = time.monotonic()
    result = grade_submission(folder, ["optimizers"], profile="dev", call_timeout=3)
    assert time.monotonic() - started < 60
    topic = result.topics[0]
    assert topic.score == 0 and reason in topic.problem
    assert all(not p.passed for p in topic.properties)


def test_a_function_that_hangs_fails_its_property_and_grading_goes_on(make_submission):
    source = (SOLUTIONS / "optimizers.py").read_text().replace(
        '    return float(learning_rate0 * decay_rate**epoch)', '    while True:\n        pass')
    folder = make_submission(optimizers=source)
    started = time.monotonic()
    result = grade_submission(folder, ["optimizers"], profile="ci", call_timeout=2)
    assert time.monotonic() - started < 90
    props = {p.function: p for p in result.topics[0].properties}
    assert not props["exponential_decay"].passed
    assert "did not return within 2 s" in props["exponential_decay"].feedback
    assert props["cosine_annealing"].passed and props["update_parameters_with_adam"].passed


def test_exit_inside_a_call_restarts_the_worker(tmp_path):
    with worker_for(tmp_path, "import os, sys\ndef die(): os._exit(7)\ndef leave(): sys.exit(3)\ndef ok(): return 1\n") as w:
        with pytest.raises(WorkerFailure, match="exited with code 7"):
            call(w, "die")
        with pytest.raises(StudentCodeError, match="SystemExit"):
            call(w, "leave")
        assert call(w, "ok") == 1


def test_printing_is_captured_and_truncated(tmp_path):
    with worker_for(tmp_path, "def chatty():\n    print('x' * 100000)\n    return 2\n") as w:
        assert call(w, "chatty") == 2
        (out,) = w.output_log
        assert out.startswith("xxx") and "more bytes cut" in out and len(out) < 5000


def test_writing_garbage_to_the_protocol_pipe_fails_cleanly(tmp_path):
    src = "import os\ndef scribble():\n    for fd in range(3, 12):\n        try: os.write(fd, b'garbage' * 100)\n        except OSError: pass\n    return 1\ndef ok(): return 5\n"
    with worker_for(tmp_path, src) as w:
        try:
            call(w, "scribble")
        except WorkerFailure as exc:
            assert "garbled" in str(exc) or "ended" in str(exc)
        assert call(w, "ok") == 5


@needs_jail
def test_hidden_tests_and_solutions_are_invisible_to_student_code(tmp_path):
    probe = f'''
    import os
    ROOT = {str(ROOT)!r}
    def look():
        found = []
        for path in [ROOT + "/solutions/optimizers.py", ROOT + "/grading_tests/test_optimizers.py",
                     ROOT + "/.git/HEAD", "/proc/1/cwd/solutions", "/proc/self/cwd/../solutions"]:
            try:
                with open(path) as f:
                    f.read(10)
                found.append(path)
            except OSError:
                pass
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                for what in ("cwd", "root"):
                    try:
                        entries = os.listdir(f"/proc/{{pid}}/{{what}}")
                    except OSError:
                        continue
                    if "grading_tests" in entries or "solutions" in entries:
                        found.append(f"/proc/{{pid}}/{{what}}")
        for top, dirs, files in os.walk("/", onerror=lambda e: None):
            dirs[:] = [d for d in dirs if not (top == "/" and d in ("proc", "sys", "dev"))]
            for name in files:
                if name in ("test_optimizers.py", "compare.py") and "grading_tests" in top:
                    found.append(os.path.join(top, name))
                if name == "optimizers.py" and "solutions" in top:
                    found.append(os.path.join(top, name))
        env = " ".join(os.environ.values())
        if ROOT in env or "AUTOGRADER" in env:
            found.append("environment")
        return found, os.getuid()
    '''
    with worker_for(tmp_path, probe, timeout=60) as w:
        found, uid = call(w, "look")
    assert found == [] and uid != 0


@needs_jail
def test_student_processes_die_with_the_worker_even_if_they_ignore_sigterm(tmp_path):
    marker = f"agw-orphan-{os.getpid()}-{time.time_ns()}"
    src = f'''
    import subprocess, sys
    def spawn():
        code = "import signal, time, os; signal.signal(signal.SIGTERM, signal.SIG_IGN); os.setsid(); time.sleep(300)"
        subprocess.Popen([sys.executable, "-c", code, {marker!r}], start_new_session=True)
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)", {marker!r}])
        return 1
    '''
    w = worker_for(tmp_path, src)
    assert call(w, "spawn") == 1
    time.sleep(0.5)
    assert _processes_with(marker), "the probe did not start its children"
    w.stop()
    deadline = time.monotonic() + 10
    while _processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _processes_with(marker)


def _processes_with(marker: str) -> list[str]:
    alive = []
    for pid in os.listdir("/proc"):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if marker.encode() in f.read():
                    alive.append(pid)
        except OSError:
            pass
    return alive


@needs_jail
def test_student_code_has_no_network_and_cannot_write_outside_tmp(tmp_path):
    src = '''
    import socket
    def net():
        try:
            socket.create_connection(("127.0.0.1", 22), timeout=1)
            return "connected"
        except OSError as e:
            return type(e).__name__
    def write():
        import os
        hits = []
        for path in ["/sub/x.py", "/usr/x", "/etc/x", os.path.dirname(os.__file__) + "/x.py"]:
            try:
                open(path, "w").write("x")
                hits.append(path)
            except OSError:
                pass
        return hits
    '''
    with worker_for(tmp_path, src) as w:
        assert call(w, "net") != "connected"
        assert call(w, "write") == []


def test_values_cross_the_pipe_exactly(tmp_path):
    src = "import numpy as np\ndef echo(*a, **k): return a, k\ndef rng(g): return g.standard_normal(3)\n"
    with worker_for(tmp_path, src) as w:
        x = np.random.default_rng(0).standard_normal((3, 4))
        args, kwargs = call(w, "echo", x, np.float64(1.5), (1, "a", None), {"k": [True]})
        assert np.array_equal(args[0], x) and args[0].dtype == np.float64
        assert type(args[1]) is np.float64 and args[2] == (1, "a", None) and args[3] == {"k": [True]}
        same = np.random.default_rng(42).standard_normal(3)
        assert np.array_equal(call(w, "rng", np.random.default_rng(42)), same)


@needs_jail
def test_installed_folders_under_tmp_stay_visible_in_the_jail(tmp_path, monkeypatch):
    # CI may clone the course (and its .venv) under /tmp, where the jail mounts its own tmpfs.
    import autograder.sandbox.jail as sandbox

    shared = tmp_path / "site"
    shared.mkdir()
    shared.chmod(0o755)
    (shared / "marker.txt").write_text("visible")
    (shared / "marker.txt").chmod(0o644)
    real = sandbox.package_dirs
    monkeypatch.setattr(sandbox, "package_dirs", lambda: [*real(), str(shared)])
    src = f"def read():\n    return open({str(shared / 'marker.txt')!r}).read()\n"
    with worker_for(tmp_path, src) as w:
        assert call(w, "read") == "visible"


def test_a_students_traceback_shows_their_frames_and_none_of_the_graders(tmp_path):
    worker = worker_for(tmp_path, """
        import numpy as np

        def helper(x):
            return np.asarray(x).reshape(7)

        def broken(x):
            return helper(x) + 1
        """)
    try:
        with pytest.raises(StudentCodeError) as raised:
            call(worker, "broken", [1.0, 2.0])
    finally:
        worker.stop()
    tb = raised.value.traceback
    assert "probe.py" in tb and "helper(x)" in tb and "reshape(7)" in tb
    assert "autograder" not in tb and "worker.py" not in tb and "blame.py" not in tb
