"""nbgrader preprocessors that grade notebooks outside the student's kernel.

``GradeOutOfKernel`` runs first in ``Autograde.autograde_preprocessors``, before the kernel:
it rebuilds ``<notebook>.py`` from the SOURCE notebook's code cells, taking each answer
(solution) cell's code from the submission by its grade id and every other cell from the
instructor's source, and grades that module with the engine (sandboxed worker, Hypothesis,
torch references). ``KernelRun`` then executes the notebook as nbgrader's ``Execute`` does, for
the outputs students see, but a dead or hung kernel no longer aborts the notebook.
``WriteOutOfKernelGrades`` runs after it (and after ``LimitOutput``): it replaces each grade
cell's outputs with the property feedback (stdout) and the score as the cell's
``execute_result``, which nbgrader's ``SaveAutoGrades`` reads as partial credit. Nothing the
kernel printed, patched or wrote can change the score.
"""

from __future__ import annotations

import re
import shutil
import stat
import tempfile
from pathlib import Path
from typing import Any

import nbformat
from nbformat.notebooknode import NotebookNode
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Enum, Float, Unicode

from autograder.budget import SUBMISSION_BUDGET, TOPIC_BUDGET
from autograder.results import PropertyResult, TopicResult
from autograder.staging import refusal
from autograder.topics import TOPICS

STASH = "autograder_out_of_kernel"
MAGIC_RE = re.compile(r"^\s*[%!]")
FEEDBACK_LIMIT = 6000


def _meta(cell: NotebookNode) -> dict[str, Any]:
    return dict(cell.get("metadata", {}).get("nbgrader", {}) or {})


def _source(cell: NotebookNode) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def drop_magics(code: str) -> str:
    """IPython-only lines (``%magic``, ``!shell``) would be syntax errors in a module."""
    return "\n".join(
        "# (IPython line left out by the grader) " + line.strip() if MAGIC_RE.match(line) else line
        for line in code.splitlines()
    )


def module_source(template: NotebookNode, submitted: NotebookNode) -> str:
    """The module graded for a notebook: the template's code cells in order, each answer cell
    replaced by the submitted cell with the same grade id (left out if the student deleted it).
    Grade cells (public checks) and cells the student added are not part of the module."""
    answers = {
        _meta(c)["grade_id"]: _source(c)
        for c in submitted.cells
        if c.cell_type == "code" and _meta(c).get("solution") and _meta(c).get("grade_id")
    }
    parts = []
    for cell in template.cells:
        meta = _meta(cell)
        if cell.cell_type != "code" or meta.get("grade"):
            continue
        if meta.get("solution"):
            code = answers.get(meta.get("grade_id", ""))
            if code is None:
                continue
            parts.append(drop_magics(code))
        elif meta.get("locked"):
            parts.append(_source(cell))
    return "\n\n\n".join(parts) + "\n"


def score_for(function: str, results: list[PropertyResult], points: float) -> float:
    props = [r for r in results if r.function == function]
    total = sum(r.max_score for r in props)
    if total <= 0:
        return 0.0
    return round(points * sum(r.score for r in props) / total, 4)


def feedback_for(function: str, topic: TopicResult, score: float, points: float) -> str:
    props = [r for r in topic.properties if r.function == function]
    lines = [f"Hidden tests for {function}: {score:g} / {points:g} points",
             "(graded outside your kernel, from the code of the answer cells)"]
    if not props:
        reason = f": {topic.problem}" if topic.problem else ""
        lines.append("  no hidden test ran for this function" + reason)
    for r in props:
        mark = "PASS" if r.passed else "FAIL"
        lines.append(f"  {mark} {r.score:g}/{r.max_score:g}  {r.name}")
        if not r.passed and r.feedback:
            lines.extend("      " + line for line in r.feedback.splitlines())
    text = "\n".join(lines)
    if len(text) > FEEDBACK_LIMIT:
        text = text[:FEEDBACK_LIMIT] + "\n  ... (feedback cut)"
    return text + "\n"


class GradeOutOfKernel(NbGraderPreprocessor):
    """Grade the notebook's answer cells with the engine before any kernel runs."""

    profile = Enum(["grading", "ci", "dev"], "grading",
                   help="Hypothesis profile: example counts of the hidden properties").tag(config=True)
    device = Enum(["cpu", "cuda", "auto"], "cpu",
                  help="where references and torch modules run").tag(config=True)
    call_timeout = Float(10.0, help="seconds per call of student code").tag(config=True)
    topic_budget = Float(TOPIC_BUDGET, help="wall-clock seconds for the notebook's hidden tests; "
                         "when used up, the remaining properties score 0 (0: no limit)").tag(config=True)
    submission_budget = Float(SUBMISSION_BUDGET, help="wall-clock seconds for grading one notebook "
                              "in all (0: no limit)").tag(config=True)
    tests_dir = Unicode("", help="folder of hidden grading tests (default: the package's)").tag(config=True)

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
                return f"{entry.name} could not be checked ({exc.strerror})"
            if wanted(mode):
                continue
            if entry == path:
                return f"{refusal(entry.name, mode)}; this notebook was not graded"
            kind = "a symbolic link" if stat.S_ISLNK(mode) else "not a folder"
            return f"the submitted folder {entry.name} is {kind}; this notebook was not graded"
        return ""

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]) -> tuple[NotebookNode, dict[str, Any]]:
        from autograder.engine import grade_submission

        topic = resources.get("nbgrader", {}).get("notebook", "")
        if topic not in TOPICS:
            self.log.info("notebook %s is no graded topic: left to nbgrader", topic)
            return nb, resources
        refused = self.submitted_problem(resources)
        if refused:
            self.log.warning("%s: not graded: %s", topic, refused)
            resources[STASH] = TopicResult(topic, TOPICS[topic].title, [], refused)
            return nb, resources
        code = module_source(self.template(resources, nb), nb)
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


class KernelRun(Execute):
    """nbgrader's Execute, except that a kernel that dies or hangs does not abort grading."""

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]) -> tuple[NotebookNode, dict[str, Any]]:
        try:
            return super().preprocess(nb, resources)
        except Exception as exc:  # noqa: BLE001 - the score never depends on the kernel
            self.log.warning("the notebook's kernel failed (%s: %s); grades come from the "
                             "out-of-kernel grading anyway", type(exc).__name__, exc)
            return nb, resources


class WriteOutOfKernelGrades(NbGraderPreprocessor):
    """Write each grade cell's out-of-kernel score and feedback as its only outputs."""

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]) -> tuple[NotebookNode, dict[str, Any]]:
        topic = resources.get(STASH)
        if topic is None:
            return nb, resources
        for cell in nb.cells:
            meta = _meta(cell)
            if not meta.get("grade") or cell.cell_type != "code":
                continue
            grade_id = str(meta.get("grade_id", ""))
            function = grade_id[len("check_"):] if grade_id.startswith("check_") else grade_id
            points = float(meta.get("points", 0))
            score = score_for(function, topic.properties, points)
            cell.outputs = [
                nbformat.v4.new_output("stream", name="stdout",
                                       text=feedback_for(function, topic, score, points)),
                nbformat.v4.new_output("execute_result", data={"text/plain": repr(score)},
                                       execution_count=cell.get("execution_count")),
            ]
        return nb, resources
