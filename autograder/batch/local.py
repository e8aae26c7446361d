"""Grading submissions in grading processes apart from the batch (``python -m autograder.batch.child``,
warm ones fed a submission after another, ``GradingProcess``), each with its deadline, and a pool
of them on this machine."""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

from autograder.batch.discover import Job
from autograder.batch.settings import LOG_TAIL, Settings
from autograder.batch.store import BUDGET_GRACE, GRADER, SUBMISSION, Batch, make_record, read_record
from autograder.engine.properties import REFERENCE_CACHE_ENV
from autograder.i18n import _
from autograder.sandbox import jail


def _contain_children() -> bool:
    """Can each grading process get a PID namespace that dies with the batch (root + util-linux)?"""
    return bool(shutil.which("setpriv")) and jail.namespaces_available()


def _contained(cmd: list[str]) -> list[str]:
    if _contain_children():
        # Killing this process (timeout, Ctrl-C, or the batch dying: pdeathsig) kills its PID
        # namespace, so no sandbox worker stuck in a student's loop outlives its grading. The
        # namespace gets its own /proc: the grader finds its workers' processes there by their
        # pids (with the machine's /proc it found none, and waited 5 s at each worker's stop).
        cmd = ["setpriv", "--pdeathsig", "KILL",
               "unshare", "--pid", "--fork", "--mount-proc", "--kill-child=SIGKILL", *cmd]
    return cmd


def serve_command(settings: Settings) -> list[str]:
    """The command of a warm grader, fed one job after another (``GradingProcess``)."""
    cmd = [sys.executable, "-m", "autograder.batch.child",
           "--topics", ",".join(settings.topics), "--profile", settings.profile,
           "--device", settings.device, "--timeout", repr(settings.call_timeout),
           "--topic-budget", repr(settings.topic_budget),
           "--submission-budget", repr(settings.submission_budget), "--lang", settings.lang]
    if settings.functions:
        cmd += ["--functions", ",".join(settings.functions)]
    return _contained(cmd)


def child_env(threads: int = 1) -> dict[str, str]:
    env = dict(os.environ)
    env["AUTOGRADER_BATCH_PARENT"] = str(os.getpid())
    for key in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        env.setdefault(key, str(threads))
    env.setdefault("MPLBACKEND", "Agg")
    return env


class Children:
    """The grading processes running now, so that an interruption can kill them all."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._procs: set[subprocess.Popen[bytes]] = set()
        self.stopping = threading.Event()

    def add(self, proc: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._procs.add(proc)

    def discard(self, proc: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._procs.discard(proc)

    def kill_all(self) -> None:
        self.stopping.set()
        with self._lock:
            procs = list(self._procs)
        for proc in procs:
            kill_group(proc)


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        proc.kill()


def _tail(path: Path, start: int = 0) -> str:
    """The end of the log written since ``start`` (what this submission's grading printed)."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(start, handle.tell() - LOG_TAIL))
            return handle.read().decode("utf-8", "replace").strip()
    except OSError:
        return ""


def _exit_reason(code: int) -> str:
    if code < 0:
        try:
            return _("the grading process was killed by {signal}").format(
                signal=signal.Signals(-code).name)
        except ValueError:
            return _("the grading process was killed by signal {number}").format(number=-code)
    return _("the grading process exited with code {code}").format(code=code)


def timeout_cause(settings: Settings) -> str:
    """Whose a grading process that ran past ``submission_timeout`` is. With a budget well
    inside the timeout, the grader should have cut the student's code off long before: the
    grader (or its machine) failed. Without one, the submission was too slow: its own."""
    bound = settings.submission_budget
    if not bound and settings.topic_budget:
        bound = settings.topic_budget * len(settings.topics)
    return GRADER if bound and bound + BUDGET_GRACE < settings.submission_timeout else SUBMISSION


class Stopped(Exception):
    """The batch is being interrupted: this submission's outcome must not be recorded."""


def private_folder(folder: Path) -> bool:
    """``folder`` is a real folder of this process's uid that nobody else may enter."""
    try:
        info = folder.lstat()
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.geteuid() and not info.st_mode & 0o077


def reference_cache(scratch: Path, folder: Path | None = None) -> Path | None:
    """The folder (default ``scratch/references``) where this batch's gradings keep the hidden
    tests' reference outputs for the class's next submissions (a float64 VGG-16 runs once, not
    once per student), or None where a worker could reach it: what one submission's grading
    stores must never come from code of a student, so only where workers are jailed or run as
    a uid of their own, in a folder this process alone owns and may enter (0700)."""
    if not (jail.namespaces_available() or jail.can_drop_privileges()):
        return None
    folder = folder or scratch / "references"
    try:
        folder.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder.mkdir(mode=0o700, exist_ok=True)
    except OSError:
        return None
    return folder if private_folder(folder) else None


JOBS_PER_PROCESS = 25  # submissions one warm grader grades before a fresh one takes over
IDLE_CLOSE = 300.0  # seconds an idle warm grader is kept for the next submission


class GradingProcess:
    """A warm grader (``python -m autograder.batch.child``): submissions are sent to it
    one at a time, each answered by a line once its result is written. Killed on a timeout or
    an interruption; a crash or a kill ends it, and the next submission gets a fresh one."""

    def __init__(self, key: tuple[Any, ...], command: list[str], env: dict[str, str], home: Path) -> None:
        self.key = key
        home.mkdir(parents=True, exist_ok=True)
        self.folder = Path(tempfile.mkdtemp(dir=home, prefix="grader-"))
        self.log = self.folder / "log.txt"
        self.jobs = 0
        self.idle_since = time.monotonic()
        self._answers = b""
        with open(self.log, "wb") as log_handle:
            self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=log_handle, env=env, cwd=self.folder,
                                         start_new_session=True)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def log_size(self) -> int:
        try:
            return self.log.stat().st_size
        except OSError:
            return 0

    def grade(self, job: dict[str, Any], timeout: float) -> str:
        """Send ``job`` and wait for its answer: "done", "timeout" or "ended" (the process
        exited, crashed or was killed before answering)."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.jobs += 1
        try:
            self.proc.stdin.write(json.dumps(job).encode() + b"\n")
            self.proc.stdin.flush()
        except OSError:  # BrokenPipeError: it is gone
            return "ended"
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._answers:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return "timeout"
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                return "ended"
            self._answers += chunk
        line, self._answers = self._answers.split(b"\n", 1)
        try:
            answer = json.loads(line)
        except ValueError:
            return "ended"
        return "done" if isinstance(answer, dict) and answer.get("done") == job["output"] else "ended"

    def close(self) -> None:
        kill_group(self.proc)
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        shutil.rmtree(self.folder, ignore_errors=True)


class Graders:
    """The warm graders waiting for their next submission. A grader serves only the thread that
    started it: Linux's parent-death signal follows the thread, not the process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: list[GradingProcess] = []

    def take(self, key: tuple[Any, ...], command: list[str], env: dict[str, str],
             home: Path) -> GradingProcess:
        key = (threading.get_ident(), *key)
        now, found, stale = time.monotonic(), None, []
        with self._lock:
            for grader in list(self._idle):
                if not grader.alive() or now - grader.idle_since > IDLE_CLOSE:
                    self._idle.remove(grader)
                    stale.append(grader)
                elif found is None and grader.key == key:
                    self._idle.remove(grader)
                    found = grader
        for grader in stale:
            grader.close()
        return found or GradingProcess(key, command, env, home)

    def give(self, grader: GradingProcess) -> None:
        if grader.jobs >= JOBS_PER_PROCESS or not grader.alive():
            grader.close()
            return
        grader.idle_since = time.monotonic()
        with self._lock:
            self._idle.append(grader)

    def close_all(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for grader in idle:
            grader.close()


def grade_in_child(job: Job, settings: Settings, scratch: Path, children: Children | None = None,
                   threads: int = 1, tests: Path | None = None,
                   notebooks: Path | None = None, references: Path | None = None,
                   graders: Graders | None = None, home: Path | None = None) -> dict[str, Any]:
    """Grade one submission in a grading process and return its record (an error record when the
    process crashed, hung past ``settings.submission_timeout`` or wrote nothing usable).
    ``tests`` overrides ``settings.tests`` (the batch's snapshot of the hidden tests), and
    ``notebooks`` ``settings.notebooks`` (the source notebooks shipped to a Dask worker), and
    ``references`` the reference cache's folder (``reference_cache``). ``graders``: where a warm
    grading process waits between submissions (None: one for this submission alone), with its
    folder under ``home`` (default: ``scratch``)."""
    if job.problem:
        return make_record(job, settings, None, job.problem, SUBMISSION)
    scratch.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=scratch, prefix="job-"))  # 0700
    env = child_env(threads)
    cache = reference_cache(scratch, references)
    env.pop(REFERENCE_CACHE_ENV, None)  # never one this process's own environment names
    if cache is not None:
        env[REFERENCE_CACHE_ENV] = str(cache)
    tests_dir, templates = tests or settings.tests, notebooks or settings.notebooks
    output = work / "result.json"
    request = {"submission": str(job.path), "output": str(output),
               "tests": str(tests_dir) if tests_dir else None,
               "notebooks": str(templates) if templates else None}
    own = graders is None
    graders = graders or Graders()
    command = serve_command(settings)
    # A warm grader keeps the hidden tests it imported: it grades with one snapshot only.
    key = (tuple(command), tuple(sorted(env.items())), request["tests"], settings.tests_digest)
    grader = graders.take(key, command, env, home or scratch)
    try:
        log_from = grader.log_size()
        if children is not None:
            children.add(grader.proc)
        try:
            outcome = grader.grade(request, settings.submission_timeout)
        finally:
            if children is not None:
                children.discard(grader.proc)
        if children is not None and children.stopping.is_set():
            grader.close()
            raise Stopped(job.student)
        if outcome == "timeout":
            grader.close()
            return make_record(job, settings, None,
                               _("grading took longer than {seconds} s and was stopped").format(
                                   seconds=f"{settings.submission_timeout:g}"),
                               timeout_cause(settings))
        if outcome != "done":
            try:
                code = grader.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                code = None
            tail = _tail(grader.log, log_from)
            grader.close()
            reason = (_exit_reason(code) if code else _("the grading process wrote no result"))
            return make_record(job, settings, None, f"{reason}\n{tail}".rstrip())
        graders.give(grader)
        result = read_record(output)
        if result is None:
            return make_record(job, settings, None, _("the grading process wrote no result"))
        return make_record(job, settings, result)
    finally:
        if own:
            graders.close_all()
        shutil.rmtree(work, ignore_errors=True)


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM (a scheduler ending the job) stops the batch like Ctrl-C does."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def grade_locally(batch: Batch, todo: list[Job], workers: int, tests: Path,
           on_done: Callable[[dict[str, Any]], None]) -> None:
    children = Children()
    graders = Graders()  # one warm grading process per thread of the pool
    threads = max(1, (os.cpu_count() or 1) // workers)
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="grade")
    pending: set[Future[dict[str, Any]]] = set()
    try:
        for job in todo:
            pending.add(pool.submit(grade_in_child, job, batch.settings, batch.scratch,
                                    children, threads, tests, graders=graders))
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                on_done(future.result())
    except BaseException:
        children.kill_all()
        for future in pending:
            future.cancel()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        graders.close_all()


