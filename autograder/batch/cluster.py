"""Grading on a Dask cluster: a submission and the hidden tests travel as files (bytes, never
links), each task grades one submission in a grading process on its worker (a warm one, kept
between the tasks of a class, where the machine's workers are jailed or run as uids of their own)."""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from autograder.batch.discover import Job
from autograder.batch.local import Graders, grade_in_child, private_folder
from autograder.batch.settings import MAX_SHIPPED_BYTES, Settings
from autograder.batch.store import SUBMISSION, Batch, make_record, record_name
from autograder.catalog import TOPICS
from autograder.engine.notebook_module import (
    MAX_NOTEBOOK_BYTES,
    MAX_NOTEBOOKS_BYTES,
    NOTEBOOK_SUFFIX,
    template_path,
)
from autograder.engine.staging import read_submission, write_files
from autograder.i18n import _, language
from autograder.sandbox import jail


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


_GRADERS = Graders()  # this Dask worker's warm grading processes, between the tasks of a class
atexit.register(_GRADERS.close_all)


def _machine_folder(kind: str, settings: Settings) -> Path | None:
    """``$TMPDIR/autograder-<kind>-<uid>/<the tests snapshot's digest>``, in a folder this uid
    alone owns (0700), or None. Kept between tasks only where no sandbox worker can reach it
    (jailed, or a uid of its own): what it holds decides classmates' grades."""
    digest = settings.tests_digest
    if not digest or not all(c in "0123456789abcdef" for c in digest):
        return None
    if not (jail.namespaces_available() or jail.can_drop_privileges()):
        return None
    base = Path(tempfile.gettempdir()) / f"autograder-{kind}-{os.geteuid()}"
    try:
        base.mkdir(mode=0o700, exist_ok=True)
    except OSError:
        return None
    return base / digest[:32] if private_folder(base) else None


def machine_references(settings: Settings) -> Path | None:
    """Where this Dask worker's machine keeps reference outputs between the tasks of a class
    (``reference_cache`` checks this snapshot's own folder)."""
    return _machine_folder("references", settings)


def machine_tests(settings: Settings, tests: tuple[str, dict[str, bytes]]) -> Path | None:
    """The hidden tests' snapshot unpacked once on this machine for the class's tasks, so that a
    warm grader, which keeps the test modules it imported, grades every task from one folder
    (``<snapshot>/<the tests folder's name>``: the same files may come under another name)."""
    folder = _machine_folder("tests", settings)
    if folder is None:
        return None
    target = folder / tests[0]
    if not private_folder(target):
        try:
            folder.mkdir(mode=0o700, exist_ok=True)
            if not private_folder(folder):
                return None
            unpacking = Path(tempfile.mkdtemp(dir=folder, prefix=".unpacking-"))
        except OSError:
            return None
        unpack_folder(tests[1], unpacking)
        try:
            os.rename(unpacking, target)  # mkdtemp's folder: 0700
        except OSError:  # another task of this machine was first
            shutil.rmtree(unpacking, ignore_errors=True)
    return target if private_folder(folder) and private_folder(target) else None


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
        tests_dir = machine_tests(config, tests) or unpack_folder(tests[1], Path(tmp) / "tests" / tests[0])
        templates = write_files(notebooks or {}, Path(tmp) / "notebooks")
        home = _machine_folder("graders", config)
        record = grade_in_child(Job(student, folder, label), config, Path(tmp) / "scratch",
                                tests=tests_dir, notebooks=templates, references=machine_references(config),
                                graders=_GRADERS if home else None, home=home)
        return explain_refused(record, refused)


def grade_on_dask(batch: Batch, todo: list[Job], scheduler: str, tests: tuple[str, dict[str, bytes]],
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


