"""nbgrader preprocessors that grade notebooks outside the student's kernel.

``GradeOutOfKernel`` runs first in ``Autograde.autograde_preprocessors``, before the kernel:
it rebuilds ``<notebook>.py`` from the SOURCE notebook's code cells, taking each answer
(solution) cell's code from the submission by its grade id and every other cell from the
instructor's source (``autograder.engine.notebook_module``, as ``grade`` and ``grade-batch`` do for a
submitted notebook), and grades that module with the engine (sandboxed worker, Hypothesis,
torch references). By default no kernel runs at all, so no student code runs outside a jail.
Opt-in, ``JailedKernelRun`` then executes the notebook for the outputs students see, in a
kernel jailed like the workers (``autograder.sandbox.kernel_jail``); a dead or hung kernel does not
abort the notebook. ``WriteOutOfKernelGrades`` runs after it (and after ``LimitOutput``): it
replaces each grade cell's outputs with the property feedback (stdout) and the score as the
cell's ``execute_result``, which nbgrader's ``SaveAutoGrades`` reads as partial credit. Nothing
the kernel printed, patched or wrote can change the score.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import stat
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import nbformat
from jupyter_client.manager import AsyncKernelManager
from nbformat.notebooknode import NotebookNode
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Dict, Enum, Float, Integer, Unicode

from autograder.catalog import DEVICES, PROFILES, TOPICS
from autograder.engine.budget import SUBMISSION_BUDGET, TOPIC_BUDGET
from autograder.engine.notebook_module import (
    MAX_NOTEBOOK_BYTES,
    MAX_NOTEBOOKS_BYTES,
    NOTEBOOK_SUFFIX,
    REFUSED_KEY,
    NotebookProblem,
    cell_score,
    function_of,
    meta,
    module_from_notebook,
    parse_notebook,
)
from autograder.engine.staging import read_submission, refusal
from autograder.i18n import _, check_language, current_language, language
from autograder.results import REPRODUCE_INTRO, TopicResult
from autograder.sandbox import jail, kernel_jail

STASH = "autograder_out_of_kernel"
LANG_KEY = "autograder_lang"  # resources: the language GradeOutOfKernel graded in
FEEDBACK_LIMIT = 6000


def feedback_for(function: str, topic: TopicResult, score: float, points: float) -> str:
    """A grade cell's output: each property's mark and feedback (indented), then the code that
    reproduces each failure (unindented, to paste), whole or left out with a note, never cut."""
    props = [r for r in topic.properties if r.function == function]
    lines = [_("Hidden tests for {function}: {score} / {points} points").format(
                 function=function, score=f"{score:g}", points=f"{points:g}"),
             _("(graded outside your kernel, from the code of the answer cells)")]
    if not props:
        lines.append("  " + (_("no hidden test ran for this function: {reason}").format(reason=topic.problem)
                             if topic.problem else _("no hidden test ran for this function")))
    snippets = []
    for r in props:
        mark = _("PASS") if r.passed else _("FAIL")
        lines.append(f"  {mark} {r.score:g}/{r.max_score:g}  {r.name}")
        if not r.passed and r.feedback:
            lines.extend("      " + line for line in r.feedback.splitlines())
        if not r.passed and r.reproduce:
            snippets.append(f"# {r.name}. {_(REPRODUCE_INTRO)}\n{r.reproduce.rstrip()}")
    text = "\n".join(lines)
    if len(text) > FEEDBACK_LIMIT:
        text = text[:FEEDBACK_LIMIT] + "\n  " + _("... (feedback cut)")
    for snippet in snippets:
        if len(text) + len(snippet) > 2 * FEEDBACK_LIMIT:
            text += "\n\n# " + _("(more code to reproduce the failures: run `autograder grade` on your module)")
            break
        text += "\n\n" + snippet
    return text + "\n"


REFUSED_DIR = ".autograder-refused"  # nbgrader's globs skip dot-folders: never a student
MAX_WALK = 20000


def quarantine_submissions(course_root: str | Path, submitted: str = "submitted",
                           log: Any = None) -> list[str]:
    """Move every link, FIFO, socket or device out of ``submitted/`` before nbgrader reads it,
    and every notebook that ``grade`` would refuse too (not a notebook, too large).

    nbgrader itself copies a submission's files with ``shutil.copy`` (following links, and
    blocking forever on a FIFO) and reads its notebooks, as the instructor, before any of our
    preprocessors runs (a file that is no notebook fails the student's whole assignment). So
    ``nbgrader_config.py`` calls this first: each such entry is renamed, unread, into
    ``submitted/.autograder-refused/``; a refused notebook is replaced by an empty one that says
    why, which ``GradeOutOfKernel`` scores 0 with that reason. Returns what was moved."""
    base = Path(course_root) / submitted
    try:
        if not stat.S_ISDIR(os.lstat(base).st_mode):
            return []
    except OSError:
        return []
    moved: list[str] = []
    budget = [MAX_WALK]

    def refuse(path: Path, why: str) -> None:
        rel = path.relative_to(base)
        target = base / REFUSED_DIR / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        n = 1
        while os.path.lexists(target):
            target = target.with_name(f"{rel.name}.{n}")
            n += 1
        os.rename(path, target)
        moved.append(f"{rel.as_posix()}: {why}")
        if path.suffix == ".ipynb" and len(rel.parts) > 2:
            # The released (unanswered) notebook, so that nbgrader finds every cell it expects.
            released = Path(course_root) / "release" / rel.parts[1] / Path(*rel.parts[2:])
            try:
                note = nbformat.read(str(released), as_version=4)
            except (OSError, ValueError):
                note = nbformat.v4.new_notebook()
            note.metadata[REFUSED_KEY] = _("{why}; this notebook was not graded").format(why=why)
            note.cells.insert(0, nbformat.v4.new_markdown_cell(
                _("**Not graded:** {why}.").format(why=why)))
            nbformat.write(note, str(path))

    def walk(folder: Path, depth: int) -> None:
        with os.scandir(folder) as entries:
            listed = sorted(entries, key=lambda e: e.name)
        for entry in listed:
            budget[0] -= 1
            if budget[0] < 0 or (depth == 0 and entry.name.startswith(".")):
                return
            mode = entry.stat(follow_symlinks=False).st_mode
            if stat.S_ISDIR(mode):
                if depth < 12:
                    walk(Path(entry.path), depth + 1)
            elif not stat.S_ISREG(mode):
                refuse(Path(entry.path), refusal(entry.name, mode))
        if depth == 2:  # submitted/<student>/<assignment>/: the notebooks nbgrader grades
            for name, why in notebook_problems(folder).items():
                refuse(folder / name, why)

    walk(base, 0)
    for line in moved:
        (log or (lambda m: print(m, file=sys.stderr)))(f"autograder: refused submitted/{line}")
    return moved


def notebook_problems(folder: Path) -> dict[str, str]:
    """Why each notebook at the top of ``folder`` would not be graded by ``grade`` either (read as
    it reads them: size limits, nbformat), by name."""
    staged = read_submission(folder, (NOTEBOOK_SUFFIX,), MAX_NOTEBOOK_BYTES, MAX_NOTEBOOKS_BYTES)
    problems = {name: why for name, why in staged.refused.items() if (folder / name).is_file()
                and not (folder / name).is_symlink()}
    for name, content in staged.files.items():
        try:
            parse_notebook(content, name, placeholder_ok=True)
        except NotebookProblem as exc:
            problems[name] = str(exc)
    return problems


class GradeOutOfKernel(NbGraderPreprocessor):
    """Grade the notebook's answer cells with the engine before any kernel runs."""

    profile = Enum(list(PROFILES), "grading",
                   help="Hypothesis profile: example counts of the hidden properties").tag(config=True)
    device = Enum(list(DEVICES), "cpu",
                  help="where references and torch modules run").tag(config=True)
    call_timeout = Float(10.0, help="seconds per call of student code").tag(config=True)
    topic_budget = Float(TOPIC_BUDGET, help="wall-clock seconds for the notebook's hidden tests; "
                         "when used up, the remaining properties score 0 (0: no limit)").tag(config=True)
    submission_budget = Float(SUBMISSION_BUDGET, help="wall-clock seconds for grading one notebook "
                              "in all (0: no limit)").tag(config=True)
    tests_dir = Unicode("", help="folder of hidden grading tests (default: the package's)").tag(config=True)
    lang = Unicode("", help="the language of the feedback: en or zh (default: $AUTOGRADER_LANG "
                   "or en)").tag(config=True)

    def template(self, resources: dict[str, Any], nb: NotebookNode) -> NotebookNode:
        """The instructor's source notebook (falls back on the sanitized submission)."""
        info = resources.get("nbgrader", {})
        coursedir = CourseDirectory(config=self.config)
        path = Path(coursedir.format_path(coursedir.source_directory, ".", info.get("assignment", ""))) \
            / f"{info.get('notebook', '')}.ipynb"
        if path.is_file():
            return nbformat.read(str(path), as_version=4)
        self.log.warning("source notebook %s not found: using the submission's locked cells", path)
        return nb

    def submitted_problem(self, resources: dict[str, Any]) -> str:
        """Why the student's submitted notebook is refused ungraded ('' if it is not): it, its
        assignment folder or the student's folder is a link (to a classmate's, to a system
        file) or not a plain file or folder. A missing notebook nbgrader scores 0 itself."""
        info = resources.get("nbgrader", {})
        if not info.get("student"):
            return ""
        coursedir = CourseDirectory(config=self.config)
        path = Path(coursedir.format_path(coursedir.submitted_directory, info["student"],
                                          info.get("assignment", ""))) / f"{info.get('notebook', '')}.ipynb"
        for entry, wanted in ((path.parent.parent, stat.S_ISDIR), (path.parent, stat.S_ISDIR),
                              (path, stat.S_ISREG)):
            try:
                mode = entry.lstat().st_mode
            except FileNotFoundError:
                return ""
            except OSError as exc:
                return _("{name} could not be checked ({error})").format(name=entry.name, error=exc.strerror)
            if wanted(mode):
                continue
            if entry == path:
                return _("{why}; this notebook was not graded").format(why=refusal(entry.name, mode))
            if stat.S_ISLNK(mode):
                return _("the submitted folder {name} is a symbolic link; this notebook was not "
                         "graded").format(name=entry.name)
            return _("the submitted folder {name} is not a folder; this notebook was not "
                     "graded").format(name=entry.name)
        return ""

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]) -> tuple[NotebookNode, dict[str, Any]]:

        lang = check_language(self.lang) if self.lang else current_language()
        resources[LANG_KEY] = lang
        with language(lang):
            return self._grade(nb, resources)

    def _grade(self, nb: NotebookNode, resources: dict[str, Any]) -> tuple[NotebookNode, dict[str, Any]]:
        from autograder.engine.pipeline import grade_submission

        topic = resources.get("nbgrader", {}).get("notebook", "")
        if topic not in TOPICS:
            self.log.info("notebook %s is no graded topic: left to nbgrader", topic)
            return nb, resources
        refused = self.submitted_problem(resources) or str(nb.metadata.get(REFUSED_KEY, ""))
        if refused:
            self.log.warning("%s: not graded: %s", topic, refused)
            resources[STASH] = TopicResult(topic, TOPICS[topic].title, [], refused)
            return nb, resources
        code = module_from_notebook(nb, topic, self.template(resources, nb))
        folder = Path(tempfile.mkdtemp(prefix="agnb-"))
        try:
            (folder / f"{topic}.py").write_text(code, encoding="utf-8")
            result = grade_submission(folder, [topic], device=self.device, profile=self.profile,
                                      tests_dir=self.tests_dir or None, call_timeout=self.call_timeout,
                                      topic_budget=self.topic_budget,
                                      submission_budget=self.submission_budget)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        resources[STASH] = result.topics[0]
        self.log.info("out-of-kernel grade of %s: %g / %g", topic, result.score, result.max_score)
        return nb, resources


class JailedKernelManager(AsyncKernelManager):
    """A Python kernel started inside ``autograder.sandbox.kernel_jail`` and reached over ``ipc``
    sockets in a folder shared with the jail (the kernel has no network to talk over)."""

    jail = Dict(help="the jail's configuration, as autograder.sandbox.kernel_jail reads it")
    start_timeout = Float(60.0, help="seconds for the jailed kernel to bind its sockets")

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        # Always this interpreter's ipykernel, whatever kernelspec the notebook names.
        kernel = [sys.executable, "-m", "ipykernel_launcher", "-f", self.connection_file,
                  "--IPKernelApp.exec_lines="
                  + kernel_jail.enter_notebook_folder(self.jail["ipc"], self.start_timeout),
                  *(extra_arguments or [])]
        return [*jail.unshare_prefix(), sys.executable, "-I", "-m", "autograder.sandbox.kernel_jail",
                json.dumps(self.jail), "--", *kernel]

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        await super()._async_launch_kernel(kernel_cmd, **kw)
        await self._close_socket_folder()

    async def _close_socket_folder(self) -> None:
        """Once the kernel bound its sockets (before any cell ran), take the shared folder away
        from the kernel's uid: no cell can then swap a socket for a link that this process,
        root, would follow, or fill the disk. The kernel waits for this before its first cell."""
        ports = (self.shell_port, self.iopub_port, self.stdin_port, self.hb_port, self.control_port)
        sockets = [f"{self.ip}-{port}" for port in ports]
        deadline = time.monotonic() + self.start_timeout
        while not all(_is_socket(path) for path in sockets):
            if time.monotonic() > deadline or not await self.is_alive():
                raise RuntimeError("the jailed kernel did not open its sockets")
            await asyncio.sleep(0.02)
        ipc = self.jail["ipc"]
        os.chown(self.connection_file, 0, 0, follow_symlinks=False)
        os.chown(ipc, 0, 0, follow_symlinks=False)
        os.chmod(ipc, 0o755)


def _is_socket(path: str) -> bool:
    try:
        return stat.S_ISSOCK(os.lstat(path).st_mode)
    except OSError:
        return False


def _covers(folder: str, path: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


class JailedKernelRun(Execute):
    """Opt-in: execute the notebook, for the outputs students see, in a jailed kernel.

    The kernel runs in its own mount, PID, network, IPC and UTS namespaces, in a root of
    read-only system folders, interpreter and packages, under an unprivileged uid of its own,
    with resource limits, a private /tmp and a private tmpfs copy of this notebook's folder
    (its cwd). The course folder (gradebook, other students' files, hidden tests, solutions)
    and this package are not in that root. Without namespaces (root and ``unshare`` on Linux)
    nothing runs: never an unjailed kernel. A dead or hung kernel does not abort grading.
    """

    memory_mb = Integer(8192, help="address-space limit of the kernel (MiB)").tag(config=True)
    cpu_s = Integer(900, help="CPU seconds of the kernel, all cells together").tag(config=True)
    notebook_mb = Integer(512, help="size of the tmpfs that holds the copy of the notebook's "
                          "folder (MiB)").tag(config=True)
    tmp_mb = Integer(256, help="size of the kernel's private /tmp (MiB)").tag(config=True)
    kernel_uid = Integer(0, help="uid of the kernel (0: a free grading uid of its own, as a "
                         "worker gets)").tag(config=True)
    start_timeout = Float(60.0, help="seconds for the jailed kernel to start").tag(config=True)
    # nbclient's default, 4 s, silently drops a cell's outputs that a busy machine (a class
    # graded beside other work) delivers later; waited for only while outputs are pending.
    iopub_timeout = Integer(30, help="seconds to wait for a cell's outputs after it ran").tag(config=True)

    def refusal(self, binds: list[str]) -> str:
        """Why the jail would show something private ('' if it would not)."""
        coursedir = CourseDirectory(config=self.config)
        private = [coursedir.root, *jail.course_private_dirs()]
        if coursedir.db_url.startswith("sqlite:///"):
            private.append(coursedir.db_url[len("sqlite:///"):])
        tests_dir = self.config.get("GradeOutOfKernel", {}).get("tests_dir")
        if tests_dir:
            private.append(str(tests_dir))
        for raw in private:
            path = os.path.realpath(raw)
            for folder in binds:
                if _covers(os.path.realpath(folder), path):
                    return f"{folder} (read-only in the jail) holds {raw}"
        return ""

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]) -> tuple[NotebookNode, dict[str, Any]]:
        folder = str(resources.get("metadata", {}).get("path") or "")
        if not jail.namespaces_available():
            self.log.warning("the notebook's kernel is not run: jailing it needs root and unshare "
                             "on Linux (grades come from the out-of-kernel grading anyway)")
            return nb, resources
        import autograder

        own = str(Path(autograder.__file__).resolve().parent)
        binds = [*jail.SYSTEM_DIRS, *(d for d in jail.package_dirs() if d != own)]
        refused = self.refusal(binds) or ("" if os.path.isdir(folder) else "no notebook folder")
        if refused:
            self.log.warning("the notebook's kernel is not run: %s", refused)
            return nb, resources
        slot = None if self.kernel_uid else jail.UidSlot()
        uid = self.kernel_uid or (slot.uid if slot else jail.NOBODY)
        base = tempfile.mkdtemp(prefix="agk-")
        try:
            ipc = os.path.join(base, "ipc")
            os.mkdir(ipc, 0o700)
            os.chown(ipc, uid, uid)
            env = {k: os.environ[k] for k in ("NBGRADER_EXECUTION",) if k in os.environ}
            self._jail: dict[str, Any] = {
                "newroot": os.path.join(base, "root"), "source": folder, "ipc": ipc,
                "connection_file": os.path.join(ipc, "kernel.json"), "binds": binds, "uid": uid,
                "memory_mb": self.memory_mb, "cpu_s": self.cpu_s, "notebook_mb": self.notebook_mb,
                "tmp_mb": self.tmp_mb, "env": env,
            }
            try:
                return super().preprocess(nb, resources)
            except Exception as exc:  # noqa: BLE001 - the score never depends on the kernel
                self.log.warning("the notebook's jailed kernel failed (%s: %s); grades come from "
                                 "the out-of-kernel grading anyway", type(exc).__name__, exc)
                return nb, resources
        finally:
            if slot is not None:
                slot.release(sweep=True)  # kills whatever of the kernel's uid is left
            shutil.rmtree(base, ignore_errors=True)

    def create_kernel_manager(self) -> AsyncKernelManager:
        self.km = JailedKernelManager(
            config=self.config, kernel_name="python3", transport="ipc",
            connection_file=self._jail["connection_file"],
            ip=os.path.join(self._jail["ipc"], "kernel-ipc"),
            jail=self._jail, start_timeout=self.start_timeout,
        )
        return self.km

    async def async_start_new_kernel(self, **kwargs: Any) -> None:
        # Not the notebook's folder: the kernel gets its private copy inside the jail.
        kwargs.setdefault("cwd", os.path.dirname(self._jail["ipc"]))
        await super().async_start_new_kernel(**kwargs)


class WriteOutOfKernelGrades(NbGraderPreprocessor):
    """Write each grade cell's out-of-kernel score and feedback as its only outputs."""

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]) -> tuple[NotebookNode, dict[str, Any]]:
        topic = resources.get(STASH)
        if topic is None:
            return nb, resources
        with language(resources.get(LANG_KEY)):
            self._write(nb, topic)
        return nb, resources

    def _write(self, nb: NotebookNode, topic: TopicResult) -> None:
        for cell in nb.cells:
            info = meta(cell)
            if not info.get("grade") or cell.cell_type != "code":
                continue
            function = function_of(str(info.get("grade_id", "")))
            points = float(info.get("points", 0))
            score = cell_score(function, topic.properties, points)
            cell.outputs = [
                nbformat.v4.new_output("stream", name="stdout",
                                       text=feedback_for(function, topic, score, points)),
                nbformat.v4.new_output("execute_result", data={"text/plain": repr(score)},
                                       execution_count=cell.get("execution_count")),
            ]
