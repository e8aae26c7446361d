"""The grader's side of the worker: start it, talk to it with deadlines, replace it when it dies.

``Remote`` objects make the student's module look local to a test
(``impl.optimizers.update_parameters_with_adam(...)``) while every call crosses the pipe.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from autograder.i18n import _, current_language
from autograder.sandbox import jail, protocol

DEFAULT_CALL_TIMEOUT = 10.0
START_TIMEOUT = 60.0


class StudentCodeError(Exception):
    """The student's code raised. Carries the worker's report, which is display text only."""

    def __init__(self, type_name: str, message: str, tb: str, bases: list[str], output: str = ""):
        super().__init__(f"{type_name}: {message}")
        self.type_name = type_name
        self.message = message
        self.traceback = tb
        self.bases = bases
        self.output = output

    def is_a(self, exc_type: type[BaseException]) -> bool:
        return exc_type.__name__ in self.bases


class StudentAbort(BaseException):  # noqa: N818
    """A failure no smaller input would explain better: Hypothesis does not shrink it.

    Not an ``Exception``, so Hypothesis re-raises it at once instead of shrinking (and re-running
    the torch references) hundreds of times for a stub or a crashed worker.
    """


class WorkerFailure(StudentAbort):
    """The worker hung, crashed, exited, or sent garbage. The test scores 0 with this reason."""


class WorkerTimeout(WorkerFailure):
    """The worker was stopped because a call (or a property's calls together) took too long."""


class NotImplementedYet(StudentAbort):
    """The student's function still raises NotImplementedError."""


class GraderFault(BaseException):  # noqa: N818 - a fault, named for whose it is
    """The grader's own code failed: in the worker (its imports, its helpers, a request or a
    value of its own it could not handle) or starting the worker. A grading error for the
    staff, never the student's: the property scores 0 marked as such, and a batch grades the
    submission again on its next run.

    Not an ``Exception`` (nor a ``StudentAbort``): no test's ``except`` takes it for a student's
    failure, and Hypothesis re-raises it at once instead of shrinking. A worker can claim one
    falsely only by tampering with it, which costs the student that property and flags it.
    """

    def __init__(self, message: str, traceback: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.traceback = traceback


@dataclass
class CallResult:
    value: Any
    args: list[Any]
    kwargs: dict[str, Any]
    output: str


# ---------------------------------------------------------------------------- call recording

CALLS_PER_REQUEST = 100  # Remote.call_many: calls sent in one request, under one call's limit
MAX_RECORDS = 200  # calls kept per example; a reproducer needing an older one is not written
MAX_RECORDED_NUMBERS = 100_000  # numbers copied per call; a larger argument is only marked


class Unrecorded:
    """An argument the log did not copy (too large, or not plain data)."""

    def __init__(self, why: str) -> None:
        self.why = why

    def __repr__(self) -> str:
        return f"<unrecorded: {self.why}>"


@dataclass
class CallRecord:
    """One request to the student's code: what the grader sent (copied when it was sent) and what
    came back. ``sent`` keeps the grader's own objects, so that an argument that IS an earlier
    call's result can be told apart from a copy of it."""

    kind: str  # "call" or "get" (an attribute read)
    root: str | int  # a module name, or the id of a handle in the worker
    path: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    sent: tuple[tuple[Any, ...], dict[str, Any]]
    inspect: bool = False  # an inspect_call: the property looks at the arguments afterwards
    result: Any = None
    raised: str = ""  # the type name of what the call raised (the student's error, a timeout)
    done: bool = False

    def track(self, request: Callable[[], Any]) -> Any:
        try:
            result = request()
        except BaseException as exc:
            self.raised = type(exc).__name__
            raise
        self.result = result.value if isinstance(result, CallResult) else result
        self.done = True
        return result


class CallLog:
    """The calls one property example made to the student's code, oldest first.

    The engine clears it before each example, so after a failure it holds the failing example's
    calls: what ``autograder.engine.reproduce`` turns into a snippet the student can run."""

    def __init__(self) -> None:
        self.records: list[CallRecord] = []
        self.dropped = 0  # records dropped off the front (beyond MAX_RECORDS)

    def clear(self) -> None:
        self.records = []
        self.dropped = 0

    def add(self, kind: str, root: str | int, path: str, args: tuple[Any, ...],
            kwargs: dict[str, Any], inspect: bool = False) -> CallRecord:
        budget = [MAX_RECORDED_NUMBERS]
        record = CallRecord(kind, root, path, tuple(_snapshot(a, budget) for a in args),
                            {k: _snapshot(v, budget) for k, v in kwargs.items()},
                            (tuple(args), dict(kwargs)), inspect)
        self.records.append(record)
        if len(self.records) > MAX_RECORDS:
            del self.records[0]
            self.dropped += 1
        return record


def _snapshot(value: Any, budget: list[int], depth: int = 0) -> Any:
    """A copy of a value as the grader sends it, so later changes to it do not alter the record;
    a generator becomes its state at this moment (what the worker receives)."""
    if depth > protocol.MAX_DEPTH:
        return Unrecorded("nested too deep")
    if value is None or type(value) in (bool, int, float, str, complex):
        return value
    if isinstance(value, np.generic):
        return value
    if isinstance(value, np.ndarray):
        budget[0] -= value.size
        return value.copy() if budget[0] >= 0 else Unrecorded(f"an array of {value.size:,} numbers")
    if isinstance(value, np.random.Generator):
        return protocol.RNGState(copy.deepcopy(dict(value.bit_generator.state)))
    if isinstance(value, (protocol.RNGState, protocol.HandleRef)):
        return value
    if type(value) in (list, tuple):
        budget[0] -= len(value)
        items = [_snapshot(v, budget, depth + 1) for v in value]
        return items if type(value) is list else tuple(items)
    if type(value) is dict:
        budget[0] -= len(value)
        return {k: _snapshot(v, budget, depth + 1) for k, v in value.items()}
    return Unrecorded(f"a value of type {type(value).__name__}")


CALLS = CallLog()  # the grader runs one property at a time


class Worker:
    """One worker process. Not thread-safe; one request at a time."""

    def __init__(
        self,
        submission_dir: Path,
        *,
        kind: str = "numpy",
        memory_mb: int | None = None,
        call_timeout: float = DEFAULT_CALL_TIMEOUT,
        use_sandbox: bool | None = None,
    ) -> None:
        self.submission_dir = Path(submission_dir)
        self.kind = kind
        self.memory_mb = memory_mb or (2048 if kind == "numpy" else 8192)
        self.call_timeout = call_timeout
        self.use_sandbox = jail.namespaces_available() if use_sandbox is None else use_sandbox
        self.proc: subprocess.Popen[bytes] | None = None
        self.reader: protocol.Reader | None = None
        self.output_log: list[str] = []
        self._tmp: str | None = None
        self._slot: jail.UidSlot | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        self._tmp = tempfile.mkdtemp(prefix="agw-")
        os.chmod(self._tmp, 0o711)
        uid = None
        if jail.can_drop_privileges():
            self._slot = jail.UidSlot()
            uid = self._slot.uid
            if not self.use_sandbox:  # no chroot hides the course: its permissions must
                jail.close_to_workers(jail.course_private_dirs())
                blocked = jail.closed_to_others(jail.interpreter_paths())
                if blocked:
                    self.stop()
                    raise GraderFault(
                        f"without namespaces the worker runs under a uid of its "
                        f"own, which cannot read {blocked}; make the interpreter and its "
                        "packages readable by other users (e.g. chmod o+x on its folders)")
        submission, scratch = self._private_copy(uid)
        cfg: dict[str, Any] = {
            "sandbox": self.use_sandbox,
            "submission": submission,
            "newroot": os.path.join(self._tmp, "root"),
            "tmpdir": scratch,
            "binds": jail.package_dirs(),
            "memory_mb": self.memory_mb,
            "uid": uid,
            "cgroups": jail.worker_cgroups(uid, jail.WORKER_NPROC, self.memory_mb) if uid else [],
        }
        if self.kind == "torch":
            cfg["preload"] = ["torch"]  # not the student's seconds (worker.main)
        if self.kind == "numpy":
            cfg["block"] = list(jail.FOREIGN_ARRAY_LIBS)
            cfg["hide"] = jail.hidden_package_dirs()
        cmd = [sys.executable, "-I", "-m", "autograder.sandbox.worker", json.dumps(cfg)]
        if self.use_sandbox:
            cmd = [*jail.unshare_prefix(), *cmd]
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "PYTHONHASHSEED": "0",
            "PYTHONDONTWRITEBYTECODE": "1",
            "MPLBACKEND": "Agg",
            # The language of what the worker says for the grader (the public checks' messages).
            "AUTOGRADER_LANG": current_language(),
        }
        for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "CUDA_VISIBLE_DEVICES"):
            if key in os.environ:
                env[key] = os.environ[key]
        self.proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            cwd=self._tmp,
            start_new_session=True,
        )
        assert self.proc.stdout is not None
        self.reader = protocol.Reader(self.proc.stdout.fileno())
        try:
            self._roundtrip({"op": "ping"}, START_TIMEOUT)
        except (WorkerFailure, StudentCodeError, GraderFault) as exc:
            # No student code has run yet (the ping comes before any import of theirs).
            self.stop()
            raise GraderFault(f"the grading worker could not start: {exc}") from None

    def _private_copy(self, uid: int | None) -> tuple[str, str]:
        """This worker's own copy of the (already staged) submission and a scratch folder.

        Under a uid of its own, the copy's folder is that uid's with mode 0500: no other
        worker (another student's, when there are no namespaces) can open it."""
        assert self._tmp is not None
        copy, scratch = os.path.join(self._tmp, "sub"), os.path.join(self._tmp, "scratch")
        os.mkdir(copy, 0o755)
        os.mkdir(scratch, 0o700)
        for entry in os.scandir(self.submission_dir):
            if entry.is_file(follow_symlinks=False):
                target = os.path.join(copy, entry.name)
                shutil.copyfile(entry.path, target, follow_symlinks=False)
                os.chmod(target, 0o444)
        if uid is not None:
            os.chown(copy, uid, uid)
            os.chown(scratch, uid, uid)
            os.chmod(copy, 0o500)
        return copy, scratch

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None:
            if self.use_sandbox:
                # Kill the namespace's init first, so that ``unshare`` reaps it and every
                # process of the namespace: no zombie of the worker's uid is left to an init
                # that may never reap it (and would count against the next worker's limit).
                children = _children(proc.pid)
                for child in children:
                    try:
                        os.kill(child, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                if children:
                    try:
                        proc.wait(timeout=5)
                    except subprocess.TimeoutExpired:
                        pass
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                proc.kill()
            except ProcessLookupError:
                pass
            proc.wait()
            for stream in (proc.stdin, proc.stdout):
                if stream is not None:
                    stream.close()
        if self._tmp:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None
        slot, self._slot = self._slot, None
        if slot is not None:
            # In a jail the PID namespace and the private tmpfs already took everything with
            # them; without one, what the student left running or lying around goes now.
            slot.release(sweep=not self.use_sandbox)

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ requests

    def request(self, message: dict[str, Any], timeout: float | None = None) -> Any:
        if not self.alive:
            self.stop()
            self.start()
        return self._roundtrip(message, timeout or self.call_timeout)

    def _roundtrip(self, message: dict[str, Any], timeout: float) -> Any:
        assert self.proc is not None and self.proc.stdin is not None and self.reader is not None
        what = describe_request(message)
        try:
            data = protocol.pack(message)
        except Exception as exc:  # noqa: BLE001 - a value of the grader's own it cannot send
            raise GraderFault(f"the grader could not encode its request for {what}: "
                              f"{type(exc).__name__}: {exc}") from exc
        try:
            _write_all(self.proc.stdin.fileno(), data)
            reply = self.reader.read(deadline=time.monotonic() + timeout)
        except protocol.ReadTimeout:
            self.stop()
            # The outcome is the exception's class (WorkerTimeout), never this wording.
            raise WorkerTimeout(
                _("{what} did not return within {seconds} s (an infinite loop, or far too slow); "
                  "it was stopped").format(what=what, seconds=f"{timeout:g}")
            ) from None
        except (protocol.PeerClosed, BrokenPipeError):
            reason = self._death_reason()
            raise WorkerFailure(_("{what} ended the grading process: {reason}").format(
                what=what, reason=reason)) from None
        except protocol.ProtocolError as exc:
            self.stop()
            raise WorkerFailure(_("{what} garbled the grader's channel ({error})").format(
                what=what, error=exc)) from None
        if not isinstance(reply, dict) or "ok" not in reply:
            self.stop()
            raise WorkerFailure(_("{what} garbled the grader's channel").format(what=what))
        raw_output = reply.get("output")
        output = raw_output if isinstance(raw_output, str) else ""
        if output:
            self.output_log.append(output)
        if reply["ok"]:
            return reply.get("value")
        err = reply.get("error")
        err = err if isinstance(err, dict) else {}
        if err.get("fault") == "grader":
            raise GraderFault(
                f"{what} failed in the grader's own code: {str(err.get('type', 'Exception'))[:100]}: "
                f"{str(err.get('message', ''))[:2000]}", str(err.get("traceback", ""))[:4000])
        if err.get("type") == "NotImplementedError":
            raise NotImplementedYet(_("{what} is not implemented yet").format(what=what))
        bases = err.get("bases")
        raise StudentCodeError(
            str(err.get("type", "Exception"))[:100],
            str(err.get("message", ""))[:2000],
            str(err.get("traceback", ""))[:4000],
            [str(b) for b in bases] if isinstance(bases, list) else [],
            output,
        )

    def _death_reason(self) -> str:
        proc = self.proc
        code = None
        if proc is not None:
            try:
                code = proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                code = None
        self.stop()
        if code is None:
            return _("it stopped answering")
        if code < 0:
            sig = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else -code
            if sig == "SIGKILL":
                return _("it was killed (SIGKILL; often the memory limit)")
            return _("it was killed by {signal}").format(signal=sig)
        if code == 137:
            return _("it was killed (SIGKILL; often the memory limit or a sys.exit)")
        return _("the process exited with code {code} (os._exit, sys.exit from a thread, or a "
                 "crash)").format(code=code)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _children(pid: int) -> list[int]:
    """The children of our child ``pid``, or [] where /proc is not this PID namespace's (its
    ``pid`` would be another process: one whose parent is not this one)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            parent = int(f.read().rsplit(")", 1)[1].split()[1])
        if parent != os.getpid():
            return []
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(c) for c in f.read().split()]
    except (OSError, ValueError, IndexError):
        return []


def describe_request(message: dict[str, Any]) -> str:
    op = message.get("op")
    if op == "import":
        return _("importing {module}.py").format(module=message.get("module"))
    if op in ("call", "call_many", "get"):
        root = message.get("root")
        where = _("object #{number}").format(number=root) if isinstance(root, int) else str(root)
        path = message.get("path") or ""
        return f"{where}{'.' + path if path else ''}" + ("" if op == "get" else "(...)")
    if op == "torch":
        return _("running the module ({action})").format(action=message.get("action"))
    return _("the worker")


def session_of(remote: Remote) -> Any:
    """The worker session a handle or module name belongs to (a ``Remote``'s own attribute
    names are the worker's names, so its fields are not read as attributes)."""
    return object.__getattribute__(remote, "_session")


def type_of(remote: Remote) -> str:
    """The type name the worker gave the object behind ``remote`` ("" when unknown)."""
    return str(object.__getattribute__(remote, "_type"))


class Remote:
    """A name inside the worker: a module attribute or a path from a handle."""

    _session: Any
    _root: str | int
    _path: str
    _type: str

    def __init__(self, session: Any, root: str | int, path: str = "", type_name: str = "") -> None:
        object.__setattr__(self, "_session", session)
        object.__setattr__(self, "_root", root)
        object.__setattr__(self, "_path", path)
        object.__setattr__(self, "_type", type_name)

    def __getattr__(self, name: str) -> Remote:
        if name.startswith("__"):
            raise AttributeError(name)
        path = f"{self._path}.{name}" if self._path else name
        return Remote(self._session, self._root, path)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        record = CALLS.add("call", self._root, self._path, args, kwargs)
        return record.track(lambda: self._session.call(self._root, self._path, args, kwargs))

    def inspect_call(self, *args: Any, **kwargs: Any) -> CallResult:
        """Call and also return the arguments as they were left, to detect in-place changes."""
        record = CALLS.add("call", self._root, self._path, args, kwargs, inspect=True)
        return record.track(lambda: self._session.call(self._root, self._path, args, kwargs,
                                                       return_args=True))

    def call_many(self, calls: list[tuple[tuple[Any, ...], dict[str, Any]]], *,
                  inspect: bool = False) -> list[Any]:
        """``[self(*args, **kwargs) for args, kwargs in calls]`` in a round trip per
        ``CALLS_PER_REQUEST`` calls (``inspect``: ``CallResult``s, as ``inspect_call`` gives),
        each request under the limit of a single call: a call that hangs is stopped as soon as
        in a loop, and an honest call takes a millisecond. The calls are recorded as single
        calls would be. Where one raises, its request's calls run again one by one, so that the
        feedback and the reproducer name that call exactly as a loop of single calls would."""
        results: list[Any] = []
        for start in range(0, len(calls), CALLS_PER_REQUEST):
            results += self._call_some(calls[start:start + CALLS_PER_REQUEST], inspect)
        return results

    def _call_some(self, calls: list[tuple[tuple[Any, ...], dict[str, Any]]], inspect: bool) -> list[Any]:
        records = [CALLS.add("call", self._root, self._path, args, kwargs, inspect=inspect)
                   for args, kwargs in calls]
        try:
            results = self._session.call_many(self._root, self._path, calls, return_args=inspect)
        except StudentCodeError:
            mine = {id(record) for record in records}
            CALLS.records[:] = [record for record in CALLS.records if id(record) not in mine]
            one = self.inspect_call if inspect else self
            return [one(*args, **kwargs) for args, kwargs in calls]
        except BaseException as exc:
            # The worker was stopped (a hang, a crash): which call it was in is not known, and
            # the property ends here. The request's first call stands for it, as a loop's first
            # call would for code that hangs on every input.
            mine = {id(record) for record in records[1:]}
            CALLS.records[:] = [record for record in CALLS.records if id(record) not in mine]
            records[0].raised = type(exc).__name__
            raise
        for record, result in zip(records, results):
            record.result = result.value if isinstance(result, CallResult) else result
            record.done = True
        return results

    def get(self) -> Any:
        record = CALLS.add("get", self._root, self._path, (), {})
        return record.track(lambda: self._session.get(self._root, self._path))

    @property
    def handle(self) -> protocol.HandleRef:
        if self._path or not isinstance(self._root, int):
            raise TypeError("only a whole object has a handle")
        return protocol.HandleRef(self._root, self._type)

    def __repr__(self) -> str:
        return f"<remote {self._root}:{self._path}>"
