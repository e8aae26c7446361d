"""Grade a whole class: find the submissions, grade each in a grading process apart from the batch, keep every
result the moment it is known, and rebuild the grade sheet from those results.

Pipeline: discover -> skip what is already graded -> grade the rest (threads here, or a Dask
cluster) -> write ``results/<student>.json`` atomically as each finishes -> ``grades.csv``
(always rebuilt from the JSON files, in sorted student order) -> class report.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from autograder.batch.cluster import grade_on_dask, pack_folder, tests_digest, unpack_folder
from autograder.batch.discover import Job, detect_layout, discover
from autograder.batch.local import grade_locally, terminate_as_interrupt
from autograder.batch.settings import Settings
from autograder.batch.store import Batch, BatchSummary
from autograder.catalog import TOPICS
from autograder.engine.notebook_module import templates_digest
from autograder.i18n import _, language
from autograder.sandbox import jail


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
    with Batch(output, jobs, settings) as batch, terminate_as_interrupt():
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
                grade_on_dask(batch, todo, scheduler, (source.name, test_files), on_done)
            elif todo:
                tests = unpack_folder(test_files, batch.scratch / "tests" / source.name)
                grade_locally(batch, todo, workers, tests, on_done)
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
