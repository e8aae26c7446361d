"""What one worker can leave behind or take from others: /dev, shared folders, per-uid limits,
and, as root without namespaces (containers), the course's private files. Each test starts
real workers with probe modules, the way a hostile student would write them."""

from __future__ import annotations

import os
import textwrap
import time
from pathlib import Path

import pytest

from autograder.sandbox import jail
from autograder.sandbox.client import Worker
from tests.conftest import ROOT, SOLUTIONS

needs_jail = pytest.mark.skipif(not jail.namespaces_available(),
                                reason="needs root and unshare (Linux)")
needs_root = pytest.mark.skipif(not jail.can_drop_privileges(), reason="needs root on Linux")
MODES = [pytest.param(True, marks=needs_jail, id="jail"),
         pytest.param(False, marks=needs_root, id="own-uid-no-namespaces")]


def start(tmp_path: Path, name: str, source: str, use_sandbox: bool, timeout: float = 20.0) -> Worker:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "probe.py").write_text(textwrap.dedent(source), encoding="utf-8")
    worker = Worker(folder, call_timeout=timeout, use_sandbox=use_sandbox)
    worker.start()
    return worker


def call(worker: Worker, name: str, *args):
    return worker.request({"op": "call", "root": "probe", "path": name, "args": list(args),
                           "kwargs": {}})


@needs_jail
def test_the_jails_dev_holds_only_harmless_devices_and_a_small_private_shm(tmp_path):
    probe = '''
    import os
    def look():
        out = {"dev": sorted(os.listdir("/dev")), "mqueue": os.path.exists("/dev/mqueue")}
        with open("/dev/null", "w") as f:
            f.write("x")
        with open("/dev/urandom", "rb") as f:
            out["random"] = len(f.read(16))
        written = 0
        chunk = b"x" * (1 << 20)
        try:
            for i in range(200):  # 200 MiB, in files under the per-file size limit
                with open(f"/dev/shm/fill-{i // 16}", "ab") as f:
                    f.write(chunk)
                written += len(chunk)
        except OSError as exc:
            out["stopped"] = type(exc).__name__
        out["written"] = written
        for path in ("/run", "/var/tmp", "/dev/sda", "/dev/tty", "/dev/kmsg", "/dev/mem"):
            out.setdefault("present", []).extend([path] if os.path.exists(path) else [])
        return out
    '''
    with start(tmp_path, "a", probe, True, timeout=60) as worker:
        out = call(worker, "look")
    assert out["dev"] == sorted(["null", "zero", "full", "random", "urandom", "stdin", "stdout",
                                 "stderr", "fd", "shm"])
    assert not out["mqueue"] and out["random"] == 16 and out["present"] == []
    assert "stopped" in out and out["written"] <= 64 << 20


@pytest.mark.parametrize("use_sandbox", MODES)
def test_nothing_a_worker_writes_reaches_another_worker_or_outlives_it(tmp_path, use_sandbox):
    marker = f"agiso-{os.getpid()}-{time.time_ns()}"
    writer = f'''
    import os
    def drop():
        left = []
        for place in ("/dev/shm", "/tmp", "/var/tmp", "/dev/mqueue", "/run/lock"):
            try:
                with open(os.path.join(place, {marker!r}), "w") as f:
                    f.write("answer: 42")
                left.append(place)
            except OSError:
                pass
        return left
    '''
    reader = f'''
    import os
    def find():
        found = []
        for place in ("/dev/shm", "/tmp", "/var/tmp", "/dev/mqueue", "/run/lock"):
            try:
                with open(os.path.join(place, {marker!r})) as f:
                    found.append(place + ":" + f.read())
            except OSError:
                pass
        return found
    '''
    alice = start(tmp_path, "alice", writer, use_sandbox)
    bob = start(tmp_path, "bob", reader, use_sandbox)
    try:
        assert call(alice, "drop"), "the probe could write nowhere at all"
        if use_sandbox:
            assert call(bob, "find") == []
        alice.stop()
        assert call(bob, "find") == []
    finally:
        alice.stop()
        bob.stop()
    leftovers = [p for p in ("/dev/shm", "/tmp", "/var/tmp", "/run/lock")
                 if os.path.lexists(os.path.join(p, marker))]
    assert leftovers == []


@pytest.mark.slow
@pytest.mark.parametrize("use_sandbox", MODES)
def test_a_process_hog_does_not_use_up_a_classmates_process_limit(tmp_path, use_sandbox):
    hog = '''
    import os, time
    def fork_many():
        n = 0
        for _ in range(2000):
            try:
                pid = os.fork()
            except OSError:
                break
            if pid == 0:
                time.sleep(600)
                os._exit(0)
            n += 1
        return n, os.getuid()
    '''
    honest = '''
    import os, threading
    def threaded_sum():
        box = []
        workers = [threading.Thread(target=lambda i=i: box.append(i)) for i in range(64)]
        for t in workers:
            t.start()
        for t in workers:
            t.join()
        return sum(box), os.getuid()
    '''
    hogger = start(tmp_path, "hog", hog, use_sandbox, timeout=60)
    classmate = start(tmp_path, "honest", honest, use_sandbox)
    try:
        forked, hog_uid = call(hogger, "fork_many")
        assert 10 < forked < 2000, "the per-worker process limit did not stop the hog"
        total, uid = call(classmate, "threaded_sum")
        assert total == sum(range(64)) and uid not in (0, hog_uid) and hog_uid != 0
    finally:
        hogger.stop()
        classmate.stop()
    deadline = time.monotonic() + 10
    while jail.processes_of(hog_uid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert jail.processes_of(hog_uid) == []


@needs_root
def test_without_namespaces_the_worker_still_runs_unprivileged_and_sees_no_course_files(
        tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_PLANTED_SECRET", "s3cr3t-planted")
    probe = f'''
    import os
    ROOT = {str(ROOT)!r}
    def look():
        found = []
        for path in [ROOT + "/solutions/optimizers.py", ROOT + "/grading_tests/test_optimizers.py",
                     ROOT + "/grading_tests/compare.py", ROOT + "/.git/HEAD",
                     "/proc/{os.getpid()}/environ", "/proc/1/environ", "/etc/shadow"]:
            try:
                with open(path, "rb") as f:
                    f.read(1)
                found.append(path)
            except OSError:
                pass
        for path in [os.path.dirname(os.__file__) + "/x.py", ROOT + "/autograder/x.py",
                     ROOT + "/grading_tests/x.py"]:
            try:
                open(path, "w").write("x")
                found.append("wrote " + path)
            except OSError:
                pass
        with open("/proc/self/status") as f:
            nnp = [line.split()[1] for line in f if line.startswith("NoNewPrivs")]
        return found, os.getuid(), os.getgid(), os.getgroups(), nnp
    '''
    with start(tmp_path, "sub", probe, False) as worker:
        found, uid, gid, groups, nnp = call(worker, "look")
    assert found == []
    assert uid >= jail.UID_BASE and gid == uid and groups == [] and nnp == ["1"]


@needs_root
def test_without_namespaces_a_worker_cannot_open_a_classmates_private_copy(tmp_path):
    secret = (SOLUTIONS / "optimizers.py").read_text()
    bob_dir = tmp_path / "bob"
    bob_dir.mkdir()
    (bob_dir / "optimizers.py").write_text(secret)
    bob = Worker(bob_dir, use_sandbox=False)
    bob.start()
    try:
        assert bob._tmp is not None
        target = os.path.join(bob._tmp, "sub", "optimizers.py")
        thief = f'''
        def steal():
            try:
                return open({target!r}).read()
            except OSError as exc:
                return type(exc).__name__
        '''
        with start(tmp_path, "alice", thief, False) as alice:
            assert call(alice, "steal") == "PermissionError"
    finally:
        bob.stop()


@needs_root
def test_uid_slots_are_distinct_while_held_and_reused_after(tmp_path):
    first, second = jail.UidSlot(), jail.UidSlot()
    try:
        assert first.uid != second.uid
        assert {first.uid, second.uid} <= set(range(jail.UID_BASE,
                                                    jail.UID_BASE + jail.UID_SLOTS))
    finally:
        released = first.uid
        first.release(sweep=False)
        second.release(sweep=False)
    again = jail.UidSlot()
    try:
        assert again.uid == released
    finally:
        again.release(sweep=False)


def test_closing_folders_keeps_the_owner_and_group_and_drops_others(tmp_path):
    folder = tmp_path / "results"
    folder.mkdir()
    folder.chmod(0o775)
    assert jail.close_to_workers([folder, tmp_path / "missing"]) == [str(folder)]
    assert folder.stat().st_mode & 0o777 == 0o770
    assert jail.close_to_workers([folder]) == []


HONEST_IN_A_THREAD = '''

def exponential_decay(learning_rate0, epoch, decay_rate):
    import threading
    box = []
    worker = threading.Thread(target=lambda: box.append(learning_rate0 * decay_rate ** epoch))
    worker.start()
    worker.join()
    return float(box[0])
'''
HOG = '''
import os as _os, time as _time
for _ in range(5000):  # sleeping children, until the process limit says no
    try:
        if _os.fork() == 0:
            _time.sleep(600)
            _os._exit(0)
    except OSError:
        break
for _place in ("/dev/shm", "/tmp"):
    try:
        open(_place + "/answers", "w").write("exponential_decay: wrong")
    except OSError:
        pass
'''


def _properties(record: dict) -> list[tuple]:
    return [(p["name"], p["score"], p["feedback"]) for t in record["topics"]
            for p in t["properties"]]


@pytest.mark.slow
def test_an_honest_students_batch_result_is_the_same_beside_a_process_hog(tmp_path):
    from autograder.batch.run import run_batch
    from autograder.batch.settings import RESULTS_DIR, Settings
    from autograder.batch.store import record_name
    from autograder.engine.pipeline import grade_submission

    solution = (SOLUTIONS / "optimizers.py").read_text()
    honest = solution + HONEST_IN_A_THREAD
    submissions = tmp_path / "class"
    for student, text in (("alice", honest), ("mallory", HOG + solution)):
        (submissions / student).mkdir(parents=True)
        (submissions / student / "optimizers.py").write_text(text)
    settings = Settings(topics=("optimizers",), profile="dev", device="cpu", call_timeout=5.0,
                        functions=("exponential_decay", "update_parameters_with_momentum"))
    summary = run_batch(submissions, tmp_path / "out", settings, workers=2, progress=False,
                        report=False)
    assert summary.errors == []
    import json

    beside = json.loads((tmp_path / "out" / RESULTS_DIR / record_name("alice")).read_text())
    alone = grade_submission(submissions / "alice", ["optimizers"], profile="dev", device="cpu",
                             call_timeout=5.0, functions=set(settings.functions)).to_dict()
    assert _properties(beside) == _properties(alone)
    assert beside["score"] == beside["max_score"] > 0


needs_cgroups = pytest.mark.skipif(
    not (jail.can_drop_privileges() and os.path.isfile("/sys/fs/cgroup/cpu/cgroup.procs")),
    reason="needs root and a writable cgroup v1 cpu controller")


@needs_cgroups
@pytest.mark.parametrize("use_sandbox", MODES)
def test_every_process_a_worker_starts_shares_one_cpu_quota(tmp_path, use_sandbox):
    spinner = '''
    import os, subprocess, sys
    def spin():
        code = "import os; os.setsid()\\nwhile True: pass"
        return [subprocess.Popen([sys.executable, "-c", code]).pid for _ in range(3)]
    '''
    with start(tmp_path, "hog", spinner, use_sandbox) as worker:
        call(worker, "spin")
        assert worker._slot is not None
        uid = worker._slot.uid
        deadline = time.monotonic() + 10
        while len(jail.processes_of(uid)) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        groups = {}
        for pid in jail.processes_of(uid):
            with open(f"/proc/{pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    continue  # exited, not yet reaped: it runs nowhere
            with open(f"/proc/{pid}/cgroup") as f:
                groups[pid] = {line.split(":")[1]: line.split(":")[2].strip() for line in f}
    assert len(groups) >= 4
    outside = {pid: g for pid, g in groups.items()
               if g.get("cpu") != f"/autograder/uid-{uid}" or g.get("pids") != f"/autograder/uid-{uid}"}
    assert outside == {}
    with open(f"/sys/fs/cgroup/cpu/autograder/uid-{uid}/cpu.cfs_quota_us") as f:
        assert int(f.read()) == jail.CGROUP_CPU_QUOTA_US


needs_memory_cgroup = pytest.mark.skipif(
    not (jail.namespaces_available() and os.path.isfile("/sys/fs/cgroup/memory/cgroup.procs")),
    reason="needs the jail and a writable cgroup v1 memory controller")


@needs_memory_cgroup
def test_memory_hungry_children_share_the_workers_memory_limit(tmp_path):
    hog = '''
    import os, select, time
    def fill():
        pids = []
        ready, tell = os.pipe()
        for _ in range(6):  # 6 x 600 MiB touched: far past the 2 GiB of one NumPy worker
            pid = os.fork()
            if pid == 0:
                block = bytearray(600 << 20)
                block[::4096] = b"x" * len(block[::4096])
                os.write(tell, b"!")
                time.sleep(60)
                os._exit(0)
            pids.append(pid)
        os.close(tell)
        # However loaded the machine: wait until every child has filled its block or died.
        filled, dead, until = 0, set(), time.monotonic() + 50
        while filled + len(dead) < 6 and time.monotonic() < until:
            if select.select([ready], [], [], 0.2)[0]:
                filled += len(os.read(ready, 16))
            for pid in pids:
                if pid not in dead and os.waitpid(pid, os.WNOHANG)[0]:
                    dead.add(pid)
        return len([pid for pid in pids if pid not in dead and not os.waitpid(pid, os.WNOHANG)[0]])
    '''
    with start(tmp_path, "hog", hog, True, timeout=60) as worker:
        assert worker._slot is not None
        groups = [g for g in jail.worker_cgroups(worker._slot.uid, jail.WORKER_NPROC,
                                                    worker.memory_mb) if "/memory/" in g]
        alive = call(worker, "fill")
        with open(os.path.join(groups[0], "memory.max_usage_in_bytes")) as f:
            peak = int(f.read())
        with open(os.path.join(groups[0], "memory.limit_in_bytes")) as f:
            limit = int(f.read())
    assert alive < 6, "every child kept its memory: the limit did not hold"
    assert peak <= limit < 3 << 30


@needs_root
@pytest.mark.parametrize("topic", ["optimizers", "lenet"])
def test_without_namespaces_a_correct_solution_still_gets_full_marks(topic):
    from autograder.engine.pipeline import grade_submission
    from autograder.formats.text import to_text

    result = grade_submission(SOLUTIONS, [topic], profile="dev", device="cpu", use_sandbox=False)
    assert result.score == result.max_score > 0
    assert result.isolation == "uid" and "own uid, no namespaces" in to_text(result)


@needs_root
def test_a_uid_is_handed_out_once_its_killed_processes_are_reaped():
    """A zombie of the uid (killed, its parent slow to reap it) counts against the uid's process
    limit: the next worker of that uid would fail to fork or start threads, depending on timing."""
    import subprocess
    import sys

    slot = jail.UidSlot()
    uid = slot.uid
    code = (f"import os, time\npid = os.fork()\nif pid == 0:\n    os.setuid({uid})\n    os._exit(0)\n"
            "time.sleep(1.5)\n")  # the child stays a zombie until this parent exits
    parent = subprocess.Popen([sys.executable, "-c", code])
    try:
        deadline = time.monotonic() + 10
        while not jail.processes_of(uid) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert jail.processes_of(uid), "the zombie is listed"
        slot.release(sweep=False)
        again = jail.UidSlot()  # the lowest free uid: this one, unless a concurrent test took it
        try:
            assert jail.processes_of(again.uid) == []
        finally:
            again.release(sweep=False)
    finally:
        parent.wait()
