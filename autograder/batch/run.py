"""Grade a whole class: find the submissions, grade each in a process of its own, keep every
result the moment it is known, and rebuild the grade sheet from those results.

Pipeline: discover -> skip what is already graded -> grade the rest (threads here, or a Dask
cluster) -> write ``results/<student>.json`` atomically as each finishes -> ``grades.csv``
(always rebuilt from the JSON files, in sorted student order) -> class report.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from autograder.catalog import TOPICS
from autograder.engine.budget import SUBMISSION_BUDGET, TOPIC_BUDGET
from autograder.engine.notebook_module import (
    MAX_NOTEBOOK_BYTES,
    MAX_NOTEBOOKS_BYTES,
    NOTEBOOK_SUFFIX,
    template_path,
    templates_digest,
)
from autograder.engine.staging import read_submission, write_files
from autograder.files import write_atomic
from autograder.i18n import DEFAULT, _, check_language, language, ngettext
from autograder.results import SubmissionResult, TopicResult
from autograder.sandbox import jail

RESULTS_DIR = "results"
CSV_NAME = "grades.csv"
MANIFEST = "batch.json"
WORK_DIR = ".work"
LOCK = ".lock"
SUBMISSION_TIMEOUT = 1800.0  # seconds for one whole submission, far above an honest one
LOG_TAIL = 3000
MAX_SHIPPED_BYTES = 50_000_000  # per submission sent to a Dask worker
NOTEBOOK_OR_MODULE = (".py", ".ipynb")


# ---------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class Settings:
    """How every submission of a batch is graded; a result counts as done only under these."""

    topics: tuple[str, ...]
    profile: str = "grading"
    device: str = "auto"
    call_timeout: float = 10.0
    # Wall-clock budgets inside the grading (0: none): a cut changes scores, so they are part
    # of the fingerprint, unlike submission_timeout, which only turns a hang into an error.
    topic_budget: float = TOPIC_BUDGET
    submission_budget: float = SUBMISSION_BUDGET
    tests: str | None = None
    functions: tuple[str, ...] | None = None
    submission_timeout: float = SUBMISSION_TIMEOUT
    tests_digest: str = ""  # sha256 of the hidden tests' files, filled in by run_batch
    notebooks: str | None = None  # the source notebooks a submitted notebook is rebuilt from
    notebooks_digest: str = ""  # sha256 of the topics' source notebooks, filled in by run_batch
    lang: str = DEFAULT  # the language of the feedback (autograder.i18n), in the batch's records

    def __post_init__(self) -> None:
        object.__setattr__(self, "lang", check_language(self.lang))

    def fingerprint(self) -> dict[str, Any]:
        """What a stored result must have been graded with to be reused: the hidden tests and
        the source notebooks by content (not by path), not the wall-clock limit."""
        data = asdict(self)
        data.pop("submission_timeout")
        data.pop("tests")
        data.pop("notebooks")
        data["topics"] = list(self.topics)
        data["functions"] = sorted(self.functions) if self.functions else None
        if self.lang == DEFAULT:  # as results stored before there was a choice say it
            data.pop("lang")
        return data

    def to_dict(self) -> dict[str, Any]:
        data = self.fingerprint()
        data["submission_timeout"] = self.submission_timeout
        data["tests"] = self.tests
        data["notebooks"] = self.notebooks
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Settings:
        return cls(
            topics=tuple(data["topics"]),
            profile=data.get("profile", "grading"),
            device=data.get("device", "auto"),
            call_timeout=float(data.get("call_timeout", 10.0)),
            topic_budget=float(data.get("topic_budget", TOPIC_BUDGET)),
            submission_budget=float(data.get("submission_budget", SUBMISSION_BUDGET)),
            tests=data.get("tests"),
            functions=tuple(data["functions"]) if data.get("functions") else None,
            submission_timeout=float(data.get("submission_timeout", SUBMISSION_TIMEOUT)),
            tests_digest=data.get("tests_digest", ""),
            notebooks=data.get("notebooks"),
            notebooks_digest=data.get("notebooks_digest", ""),
            lang=data.get("lang", DEFAULT),
        )


# ---------------------------------------------------------------------------- discovery


@dataclass(frozen=True)
class Job:
    student: str
    path: Path  # the folder holding the student's modules
    label: str  # the folder relative to the batch root: stable, whatever the root is called
    problem: str = ""  # why the folder is refused unread (a link to a folder): an error record


def _subdirs(folder: Path) -> list[Path]:
    """Sub-folders and links to folders: a link is listed (to be refused), never entered."""
    with os.scandir(folder) as entries:
        found = [Path(e.path) for e in entries
                 if e.is_dir() and not e.name.startswith(".") and e.name != "__pycache__"]
    return sorted(found, key=lambda p: p.name)


def _holds_work(folder: Path) -> bool:
    """A module or notebook at the top of a real folder; a link or pipe by such a name counts
    too, so that grading reports it instead of finding nothing."""
    if folder.is_symlink():
        return False
    with os.scandir(folder) as entries:
        return any(e.name.endswith(NOTEBOOK_OR_MODULE) and not e.is_dir(follow_symlinks=False)
                   for e in entries)


def _linked(path: Path, root: Path) -> str:
    return _("{path} is a symbolic link, not a folder of its own: nothing in it was read or "
             "graded").format(path=path.relative_to(root).as_posix())


def detect_layout(root: Path) -> str:
    """``nbgrader`` (``submitted/<student>/<assignment>/``) or ``plain`` (a folder per student)."""
    if (root / "submitted").is_dir():
        return "nbgrader"
    students = [s for s in _subdirs(root) if not s.is_symlink()]
    if students and not any(_holds_work(s) for s in students) and any(
        _holds_work(a) for s in students for a in _subdirs(s)
    ):
        return "nbgrader"  # ``root`` is nbgrader's ``submitted`` folder itself
    return "plain"


def discover(root: str | Path, layout: str = "auto", assignment: str | None = None) -> list[Job]:
    """Every submission under ``root``, one per student, sorted by student."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(_("submissions folder {path} does not exist").format(path=root))
    if layout == "auto":
        layout = detect_layout(root)
    if layout == "plain":
        if assignment:
            raise ValueError(_("--assignment only applies to nbgrader's layout, "
                               "submitted/<student>/<assignment>/"))
        return [Job(p.name, p, p.name, _linked(p, root) if p.is_symlink() else "")
                for p in _subdirs(root)]
    if layout != "nbgrader":
        raise ValueError(_("layout must be auto, plain or nbgrader, not {layout!r}").format(layout=layout))
    base = root / "submitted" if (root / "submitted").is_dir() else root
    jobs: list[Job] = []
    names: set[str] = set()
    for student in _subdirs(base):
        if student.is_symlink():  # never listed: whatever it holds is someone else's
            chosen = student / assignment if assignment else student
            jobs.append(Job(student.name, chosen, chosen.relative_to(root).as_posix(),
                            _linked(student, root)))
            continue
        if assignment:
            chosen = student / assignment
            if not chosen.is_dir():
                continue  # this student did not submit this assignment
        else:
            found = _subdirs(student)
            if not found:
                continue
            names.update(a.name for a in found)
            if len(names) > 1:
                raise ValueError(_("the submissions hold several assignments ({names}): choose "
                                   "one with --assignment").format(names=", ".join(sorted(names))))
            chosen = found[0]
        jobs.append(Job(student.name, chosen, chosen.relative_to(root).as_posix(),
                        _linked(chosen, root) if chosen.is_symlink() else ""))
    return jobs


# ---------------------------------------------------------------------------- records

# Whose an error record is. The grader's (the grading process crashed, was killed or wrote
# nothing, a Dask task failed, a property hit a grader fault, a submission ran past its
# timeout although the grader's budgets should have ended it long before) are graded again on
# the next run. The submission's stay final until --retry-errors: a folder that cannot be read
# (a link, too big), and a run past the timeout when no budget bounded it (its own slowness).
GRADER, SUBMISSION = "grader", "submission"
ERROR_CAUSES = (GRADER, SUBMISSION)
# What grading may take beyond its budgets (start-up, imports, collection, one reference).
BUDGET_GRACE = 300.0


def record_name(student: str) -> str:
    """A file name for a student, one-to-one with the name (``%`` is escaped too)."""
    return quote(student, safe="@+-_.=,") + ".json"


def student_of(filename: str) -> str:
    return unquote(filename[: -len(".json")])


def did_not_finish(reason: str) -> str:
    """Each topic's problem in the record of a grading that did not finish."""
    return _("grading did not finish: {reason}").format(reason=reason)


def make_record(job: Job, settings: Settings, result: dict[str, Any] | None,
                error: str = "", cause: str = GRADER) -> dict[str, Any]:
    """A student's stored result: the ``grade --format json`` record plus batch bookkeeping.
    Its status is ``error`` when grading did not finish, or when the grader could not grade
    part of it (the result's own ``error``: a missing source notebook)."""
    if result is None:
        reason = error.strip().splitlines()[0] if error.strip() else _("unknown error")
        failed = SubmissionResult(job.label, device=settings.device, profile=settings.profile)
        failed.topics = [TopicResult(t, TOPICS[t].title if t in TOPICS else t, [],
                                     did_not_finish(reason)) for t in settings.topics]
        data = failed.to_dict()
    else:
        data = dict(result)
        data["submission"] = job.label
    data["student"] = job.student
    error = error if result is None else str(result.get("error") or "")
    data["status"] = "error" if result is None or error else "graded"
    data["error"] = error
    faults = [p for t in data.get("topics", []) for p in t.get("properties", [])
              if p.get("status") == "error"]
    if faults and data["status"] != "error":
        first = (str(faults[0].get("feedback", "")).strip().splitlines() or [""])[0]
        data["status"] = "error"
        data["error"] = ngettext("{count} property could not be graded: {first}",
                                 "{count} properties could not be graded: {first}",
                                 len(faults)).format(count=len(faults), first=first)
    # Whose the error is (see ERROR_CAUSES): the grader's are graded again on the next run.
    data["cause"] = (cause if result is None else GRADER) if data["status"] == "error" else ""
    data["settings"] = settings.fingerprint()
    return data


def retry_on_rerun(data: dict[str, Any], retry_errors: bool = False) -> bool:
    """Whether a stored error record is graded again: always when the grader caused it (or the
    record does not say), with ``--retry-errors`` also when the submission did."""
    if data.get("status") != "error":
        return False
    return retry_errors or data.get("cause") != SUBMISSION


def valid_record(data: Any, student: str, settings: Settings) -> bool:
    """True when ``data`` is a complete result for ``student`` graded with ``settings``."""
    if not isinstance(data, dict) or data.get("student") != student:
        return False
    if data.get("status") not in ("graded", "error"):
        return False
    if data.get("settings") != settings.fingerprint():
        return False
    try:
        result = SubmissionResult.from_dict(data)
    except (TypeError, KeyError, ValueError, AttributeError):
        return False
    return [t.topic for t in result.topics] == list(settings.topics)


def read_record(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def load_records(output: str | Path) -> dict[str, dict[str, Any]]:
    """Every stored result of a batch folder, by student."""
    folder = Path(output) / RESULTS_DIR
    records: dict[str, dict[str, Any]] = {}
    if folder.is_dir():
        for path in sorted(folder.glob("*.json")):
            data = read_record(path)
            if data is not None and isinstance(data.get("student"), str):
                records[data["student"]] = data
    return records




def _number(x: float) -> str:
    return f"{x:.4f}".rstrip("0").rstrip(".")


def csv_text(records: dict[str, dict[str, Any]], topics: list[str]) -> str:
    """One row per student (sorted), one column per topic, the total, the maximum, the status."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", *topics, "total", "max_total", "status"])
    for student in sorted(records):
        data = records[student]
        scores = {t.get("topic"): t.get("score", 0.0) for t in data.get("topics", [])}
        row = [student]
        row += [_number(float(scores[t])) if t in scores else "" for t in topics]
        status = data.get("status", "graded")
        if status == "error":
            status = "error: " + (str(data.get("error", "")).strip().splitlines() or [""])[0]
        row += [_number(float(data.get("score", 0.0))), _number(float(data.get("max_score", 0.0))),
                status]
        writer.writerow(row)
    return out.getvalue()


# ---------------------------------------------------------------------------- one submission


def _contain_children() -> bool:
    """Can each grading process get a PID namespace that dies with the batch (root + util-linux)?"""
    from autograder.sandbox.jail import namespaces_available

    return bool(shutil.which("setpriv")) and namespaces_available()


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


def grade_in_child(job: Job, settings: Settings, scratch: Path, children: Children | None = None,
                   threads: int = 1, tests: Path | None = None,
                   notebooks: Path | None = None) -> dict[str, Any]:
    """Grade one submission in a fresh process and return its record (an error record when the
    process crashed, hung past ``settings.submission_timeout`` or wrote nothing usable).
    ``tests`` overrides ``settings.tests`` (the batch's snapshot of the hidden tests), and
    ``notebooks`` ``settings.notebooks`` (the source notebooks shipped to a Dask worker)."""
    if job.problem:
        return make_record(job, settings, None, job.problem, SUBMISSION)
    scratch.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=scratch, prefix="job-"))
    try:
        output, log = work / "result.json", work / "log.txt"
        with open(log, "wb") as log_handle:
            proc = subprocess.Popen(child_command(job.path, output, settings, tests, notebooks),
                                    stdin=subprocess.DEVNULL, stdout=log_handle,
                                    stderr=subprocess.STDOUT, env=child_env(threads), cwd=work,
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


# ---------------------------------------------------------------------------- Dask


def pack_submission(folder: Path) -> tuple[dict[str, bytes], dict[str, str]]:
    """What a Dask worker needs of a student's folder: its modules and notebooks, read as
    ``grade`` reads them (regular files only, size limits), and why each other one was not."""
    staged = read_submission(folder)
    refused = dict(staged.refused)
    if staged.folder_problem:
        refused[""] = staged.folder_problem
        return staged.files, refused
    notebooks = read_submission(folder, (NOTEBOOK_SUFFIX,), MAX_NOTEBOOK_BYTES, MAX_NOTEBOOKS_BYTES)
    refused.update(notebooks.refused)
    return {**staged.files, **notebooks.files}, refused


def pack_notebooks(settings: Settings) -> dict[str, bytes]:
    """The source notebooks of the batch's topics, by ``<topic>.ipynb``, for a Dask worker."""
    files = {}
    for topic in settings.topics:
        path = template_path(topic, settings.notebooks)
        if path is not None:
            files[path.name] = path.read_bytes()
    return files


def explain_refused(record: dict[str, Any], refused: dict[str, str]) -> dict[str, Any]:
    """The worker was shipped only the files that could be read: where its feedback says a
    module is missing, or that importing one failed, say why that file was not shipped."""
    stems = {name.removesuffix(".py"): why for name, why in refused.items() if name.endswith(".py")}
    # A notebook is graded before a module of the same topic: its reason comes first.
    stems.update({name.removesuffix(NOTEBOOK_SUFFIX): why for name, why in refused.items()
                  if name.endswith(NOTEBOOK_SUFFIX)})

    def explain(text: str, topic: str) -> str:
        from autograder.engine.submission import not_submitted, nothing_submitted

        # The child's words: the caller sets the batch's language, the one it graded in.
        missing = (not_submitted(topic), nothing_submitted(topic))
        if topic in stems and text.startswith(missing):
            return stems[topic]
        for stem, why in stems.items():
            if f"No module named '{stem}'" in text:
                return f"{text}\n({why})"
        return text

    for topic in record.get("topics", []):
        name = str(topic.get("topic", ""))
        topic["problem"] = explain(str(topic.get("problem", "")), name)
        for prop in topic.get("properties", []):
            prop["feedback"] = explain(str(prop.get("feedback", "")), name)
    return record


def pack_folder(folder: Path, limit: int = MAX_SHIPPED_BYTES) -> dict[str, bytes]:
    """A folder of the course's own (the hidden tests) as regular files by relative path, no
    links, hidden or cache files; a student's folder goes through ``pack_submission``."""
    files: dict[str, bytes] = {}
    total = 0
    for path in sorted(folder.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        rel = path.relative_to(folder)
        if any(part.startswith(".") or part == "__pycache__" for part in rel.parts):
            continue
        size = path.stat().st_size
        if total + size > limit or path.suffix in (".pyc", ".pyo"):
            continue
        total += size
        files[rel.as_posix()] = path.read_bytes()
    return files


def unpack_folder(files: dict[str, bytes], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        target = (folder / rel).resolve()
        if not target.is_relative_to(folder.resolve()):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return folder


def tests_digest(files: dict[str, bytes], topics: tuple[str, ...]) -> str:
    """sha256 of the hidden tests' files, leaving out other topics' tests, references and
    mutants (``test_conv.py``, ``references/conv.py``...): editing them changes no result."""
    others = set(TOPICS) - set(topics)
    h = hashlib.sha256()
    for rel in sorted(files):
        stem = Path(rel).stem
        if stem.removeprefix("test_") in others and (stem.startswith("test_") or "/" in rel):
            continue
        h.update(rel.encode("utf-8") + b"\0" + hashlib.sha256(files[rel]).digest())
    return h.hexdigest()


def grade_shipped(student: str, label: str, files: dict[str, bytes], settings: dict[str, Any],
                  tests: tuple[str, dict[str, bytes]],
                  refused: dict[str, str] | None = None,
                  notebooks: dict[str, bytes] | None = None) -> dict[str, Any]:
    """A Dask task: rebuild the submission and the hidden tests on this worker and grade.
    ``refused``: what ``pack_submission`` did not ship, and why (``""``: the whole folder);
    ``notebooks``: the source notebooks (``pack_notebooks``)."""
    config = Settings.from_dict(settings)
    refused = refused or {}
    with tempfile.TemporaryDirectory(prefix="agbatch-") as tmp, language(config.lang):
        folder = write_files(files, Path(tmp) / "submission")
        if "" in refused:
            return make_record(Job(student, folder, label), config, None, refused[""], SUBMISSION)
        tests_dir = unpack_folder(tests[1], Path(tmp) / "tests" / tests[0])
        templates = write_files(notebooks or {}, Path(tmp) / "notebooks")
        record = grade_in_child(Job(student, folder, label), config, Path(tmp) / "scratch",
                                tests=tests_dir, notebooks=templates)
        return explain_refused(record, refused)


# ---------------------------------------------------------------------------- the batch


@dataclass
class BatchSummary:
    output: Path
    students: int = 0
    skipped: int = 0
    graded: int = 0
    errors: list[str] = field(default_factory=list)  # graded now, with an error record
    kept_errors: list[str] = field(default_factory=list)  # stored error records kept as final
    outdated: int = 0  # stored results graded with other settings, graded again
    seconds: float = 0.0

    @property
    def csv(self) -> Path:
        return self.output / CSV_NAME

    @property
    def ungraded(self) -> list[str]:
        """Students of this batch whose grade sheet row is an error, now or from before."""
        return sorted({*self.errors, *self.kept_errors})


class Batch:
    """A batch folder: its lock, its stored results, its grade sheet."""

    def __init__(self, output: str | Path, jobs: list[Job], settings: Settings) -> None:
        self.output = Path(output)
        self.jobs = jobs
        self.settings = settings
        self.records: dict[str, dict[str, Any]] = {}
        self._lock_handle: Any = None

    def __enter__(self) -> Batch:
        import fcntl

        self.output.mkdir(parents=True, exist_ok=True)
        self._lock_handle = open(self.output / LOCK, "w")  # noqa: SIM115
        try:
            fcntl.flock(self._lock_handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._lock_handle.close()
            raise ValueError(_("another grade-batch is writing to {path}").format(path=self.output)) from None
        shutil.rmtree(self.output / WORK_DIR, ignore_errors=True)
        for folder in (self.output, self.output / RESULTS_DIR):
            for stale in folder.glob(".*.tmp"):
                stale.unlink(missing_ok=True)  # a write that a kill interrupted: never a result
        return self

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self.output / WORK_DIR, ignore_errors=True)
        if self._lock_handle is not None:
            self._lock_handle.close()

    @property
    def scratch(self) -> Path:
        return self.output / WORK_DIR

    def path_of(self, student: str) -> Path:
        return self.output / RESULTS_DIR / record_name(student)

    def split(self, regrade: bool, retry_errors: bool) -> tuple[list[Job], int]:
        """(jobs still to grade, how many stored results were graded with other settings)."""
        todo, outdated = [], 0
        for job in self.jobs:
            data = None if regrade else read_record(self.path_of(job.student))
            if data is not None and valid_record(data, job.student, self.settings):
                if not retry_on_rerun(data, retry_errors):
                    self.records[job.student] = data
                    continue
            elif data is not None:
                outdated += 1
            todo.append(job)
        return todo, outdated

    def store(self, record: dict[str, Any]) -> None:
        student = record["student"]
        write_atomic(self.path_of(student), json.dumps(record, indent=1) + "\n")
        self.records[student] = record
        self.write_csv()

    def write_csv(self) -> None:
        write_atomic(self.output / CSV_NAME, csv_text(self.records, list(self.settings.topics)))

    def write_manifest(self, extra: dict[str, Any]) -> None:
        data = {"settings": self.settings.to_dict(), **extra}
        write_atomic(self.output / MANIFEST, json.dumps(data, indent=1) + "\n")


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
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


def _local(batch: Batch, todo: list[Job], workers: int, tests: Path,
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


def _dask(batch: Batch, todo: list[Job], scheduler: str, tests: tuple[str, dict[str, bytes]],
          on_done: Callable[[dict[str, Any]], None]) -> None:
    from distributed import Client, as_completed

    settings = batch.settings.to_dict()
    with Client(scheduler, set_as_default=False) as client:
        [shared_tests, shared_notebooks] = client.scatter([tests, pack_notebooks(batch.settings)],
                                                          broadcast=True)
        futures = {}
        for job in todo:
            if job.problem:
                on_done(make_record(job, batch.settings, None, job.problem, SUBMISSION))
                continue
            files, refused = pack_submission(job.path)
            future = client.submit(grade_shipped, job.student, job.label, files, settings,
                                   shared_tests, refused, shared_notebooks,
                                   key=f"grade-{record_name(job.student)}-{time.time_ns()}",
                                   pure=False, retries=0)
            futures[future] = job
        try:
            for future in as_completed(futures, loop=client.loop):
                job = futures[future]
                try:
                    record = future.result()
                except Exception as exc:  # the task itself failed (e.g. KilledWorker)
                    if future.status == "cancelled":
                        raise
                    record = make_record(job, batch.settings, None,
                                         _("the Dask task failed: {type}: {error}").format(
                                             type=type(exc).__name__, error=exc))
                on_done(record)
        finally:
            client.cancel(list(futures))


def snapshot_tests(settings: Settings) -> tuple[Settings, Path, dict[str, bytes]]:
    """The hidden tests' files, and ``settings`` with their digest.

    Grading uses this snapshot, so editing the tests during a batch cannot mix two versions,
    and a stored result counts as done only if it was graded with these very files.
    """
    from autograder.engine.pipeline import default_tests_dir

    source = Path(settings.tests) if settings.tests else default_tests_dir()
    if not source.is_dir():
        raise FileNotFoundError(_("hidden tests folder {path} does not exist").format(path=source))
    files = pack_folder(source, limit=1 << 40)
    return replace(settings, tests_digest=tests_digest(files, settings.topics),
                   notebooks_digest=templates_digest(settings.topics, settings.notebooks)), source, files


def course_notebooks(root: Path, jobs: list[Job]) -> str | None:
    """For nbgrader's layout: the course's ``source/<assignment>/``, whose notebooks nbgrader
    grades the submitted ones against (None when the course folder has none)."""
    course = root if (root / "submitted").is_dir() else root.parent
    for assignment in sorted({job.path.name for job in jobs}):
        folder = course / "source" / assignment
        if folder.is_dir() and not folder.is_symlink():
            return str(folder.resolve())
    return None


def run_batch(
    submissions: str | Path,
    output: str | Path,
    settings: Settings,
    *,
    workers: int = 1,
    scheduler: str | None = None,
    layout: str = "auto",
    assignment: str | None = None,
    regrade: bool = False,
    retry_errors: bool = False,
    progress: bool = True,
    report: bool = True,
) -> BatchSummary:
    """Grade every submission under ``submissions`` into ``output``; resumable at any point.
    Its records, grade sheet and report are in ``settings.lang``."""
    with language(settings.lang):
        return _run_batch(submissions, output, settings, workers=workers, scheduler=scheduler,
                          layout=layout, assignment=assignment, regrade=regrade,
                          retry_errors=retry_errors, progress=progress, report=report)


def _run_batch(submissions: str | Path, output: str | Path, settings: Settings, *, workers: int,
               scheduler: str | None, layout: str, assignment: str | None, regrade: bool,
               retry_errors: bool, progress: bool, report: bool) -> BatchSummary:
    # The grading processes run in folders of their own: every path must not depend on ours.
    submissions, output = Path(os.path.abspath(submissions)), Path(os.path.abspath(output))
    if workers < 1:
        raise ValueError(_("--workers must be at least 1"))
    unknown = [t for t in settings.topics if t not in TOPICS]
    if unknown:
        raise ValueError(_("unknown topic(s) {topics}").format(topics=", ".join(unknown)))
    started = time.monotonic()
    if layout == "auto" and Path(submissions).is_dir():
        layout = detect_layout(Path(submissions))
    jobs = discover(submissions, layout, assignment)
    if layout == "nbgrader" and settings.notebooks is None:
        settings = replace(settings, notebooks=course_notebooks(Path(submissions), jobs))
    summary = BatchSummary(Path(output), students=len(jobs))
    settings, source, test_files = snapshot_tests(settings)
    with Batch(output, jobs, settings) as batch, _terminate_as_interrupt():
        if jail.isolation() == "uid":  # no jail hides classmates from each other's workers
            jail.close_to_workers([submissions, output])
        todo, summary.outdated = batch.split(regrade, retry_errors)
        summary.skipped = len(jobs) - len(todo)
        summary.kept_errors = sorted(s for s, data in batch.records.items()
                                     if data.get("status") == "error")
        batch.write_manifest({"submissions": str(Path(submissions).resolve()),
                              "students": len(jobs)})
        batch.write_csv()
        bar = _progress(len(jobs), summary.skipped, progress)

        def on_done(record: dict[str, Any]) -> None:
            batch.store(record)
            summary.graded += 1
            if record.get("status") == "error":
                summary.errors.append(record["student"])
            bar.set_postfix_str(f"{record['student']}: {record.get('score', 0):g}", refresh=False)
            bar.update(1)

        try:
            if todo and scheduler:
                _dask(batch, todo, scheduler, (source.name, test_files), on_done)
            elif todo:
                tests = unpack_folder(test_files, batch.scratch / "tests" / source.name)
                _local(batch, todo, workers, tests, on_done)
        finally:
            bar.close()
        if report and batch.records:
            from autograder.batch.report import write_report

            write_report(batch.records, batch.output, list(settings.topics))
    summary.seconds = time.monotonic() - started
    return summary


class _NoBar:
    def set_postfix_str(self, *args: Any, **kwargs: Any) -> None:
        pass

    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(total: int, done: int, enabled: bool) -> Any:
    if not enabled:
        return _NoBar()
    try:
        from tqdm import tqdm
    except ImportError:
        return _NoBar()
    return tqdm(total=total, initial=done, desc="grading", unit="submission",
                file=sys.stderr, dynamic_ncols=True)
