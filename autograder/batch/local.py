"""Grading one submission in a child process of its own (``python -m autograder.batch.child``)
with its deadline, and a pool of such children on this machine."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
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


def child_command(submission: Path, output: Path, settings: Settings,
                  tests: Path | None = None, notebooks: Path | None = None) -> list[str]:
    cmd = [sys.executable, "-m", "autograder.batch.child", str(submission), str(output),
           "--topics", ",".join(settings.topics), "--profile", settings.profile,
           "--device", settings.device, "--timeout", repr(settings.call_timeout),
           "--topic-budget", repr(settings.topic_budget),
           "--submission-budget", repr(settings.submission_budget), "--lang", settings.lang]
    if tests is not None or settings.tests:
        cmd += ["--tests", str(tests or settings.tests)]
    if settings.functions:
        cmd += ["--functions", ",".join(settings.functions)]
    if notebooks is not None or settings.notebooks:
        cmd += ["--notebooks", str(notebooks or settings.notebooks)]
    if _contain_children():
        # Killing this process (timeout, Ctrl-C, or the batch dying: pdeathsig) kills its PID
        # namespace, so no sandbox worker stuck in a student's loop outlives its grading.
        cmd = ["setpriv", "--pdeathsig", "KILL",
               "unshare", "--pid", "--fork", "--kill-child=SIGKILL", *cmd]
    return cmd


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


def _tail(path: Path) -> str:
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - LOG_TAIL))
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


def grade_in_child(job: Job, settings: Settings, scratch: Path, children: Children | None = None,
                   threads: int = 1, tests: Path | None = None,
                   notebooks: Path | None = None, references: Path | None = None) -> dict[str, Any]:
    """Grade one submission in a fresh process and return its record (an error record when the
    process crashed, hung past ``settings.submission_timeout`` or wrote nothing usable).
    ``tests`` overrides ``settings.tests`` (the batch's snapshot of the hidden tests), and
    ``notebooks`` ``settings.notebooks`` (the source notebooks shipped to a Dask worker), and
    ``references`` the reference cache's folder (``reference_cache``)."""
    if job.problem:
        return make_record(job, settings, None, job.problem, SUBMISSION)
    scratch.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=scratch, prefix="job-"))
    env = child_env(threads)
    cache = reference_cache(scratch, references)
    env.pop(REFERENCE_CACHE_ENV, None)  # never one this process's own environment names
    if cache is not None:
        env[REFERENCE_CACHE_ENV] = str(cache)
    try:
        output, log = work / "result.json", work / "log.txt"
        with open(log, "wb") as log_handle:
            proc = subprocess.Popen(child_command(job.path, output, settings, tests, notebooks),
                                    stdin=subprocess.DEVNULL, stdout=log_handle,
                                    stderr=subprocess.STDOUT, env=env, cwd=work,
                                    start_new_session=True)
        if children is not None:
            children.add(proc)
        try:
            code = proc.wait(timeout=settings.submission_timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            kill_group(proc)
            proc.wait()
            code, timed_out = proc.returncode, True
        finally:
            if children is not None:
                children.discard(proc)
        if children is not None and children.stopping.is_set():
            raise Stopped(job.student)
        if timed_out:
            return make_record(job, settings, None,
                               _("grading took longer than {seconds} s and was stopped").format(
                                   seconds=f"{settings.submission_timeout:g}"),
                               timeout_cause(settings))
        result = read_record(output) if code == 0 else None
        if result is None:
            reason = _exit_reason(code) if code != 0 else _("the grading process wrote no result")
            return make_record(job, settings, None, f"{reason}\n{_tail(log)}".rstrip())
        return make_record(job, settings, result)
    finally:
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
    threads = max(1, (os.cpu_count() or 1) // workers)
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="grade")
    pending: set[Future[dict[str, Any]]] = set()
    try:
        for job in todo:
            pending.add(pool.submit(grade_in_child, job, batch.settings, batch.scratch,
                                    children, threads, tests))
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


