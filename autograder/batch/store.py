"""The batch's results folder: one JSON record per student, written atomically the moment it
is known, read back (and checked) on the next run, the grade sheet rebuilt from them, a lock
against two batches writing one folder."""

from __future__ import annotations

import csv
import io
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from autograder.batch.discover import Job
from autograder.batch.settings import CSV_NAME, LOCK, MANIFEST, RESULTS_DIR, WORK_DIR, Settings
from autograder.catalog import TOPICS
from autograder.files import write_atomic
from autograder.i18n import _, ngettext
from autograder.results import SubmissionResult, TopicResult

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


