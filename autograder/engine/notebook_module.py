"""The module graded for a notebook: the template's code cells, each answer cell replaced by the
student's cell with the same grade id. nbgrader, ``grade``, ``grade-batch`` and Gradescope all
build it here, so the same notebook gets the same module, and the same score, on every path.

The template is the instructor's source notebook of the topic (nbgrader passes the course's own;
elsewhere ``source/<assignment>/<topic>.ipynb`` of ``--notebooks DIR``, ``$AUTOGRADER_NOTEBOOKS``
or this package). Only its locked cells' code and its grade cells' points are used.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import warnings
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from autograder.i18n import _
from autograder.results import PropertyResult

__all__ = ["MissingTemplate", "NotebookProblem", "cell_score", "grade_cell_points", "load_template",
           "module_from_notebook", "parse_notebook", "scale_to_grade_cells", "template_path"]

# Outputs (plots) make a notebook far larger than its code: its own limits, above a module's.
MAX_NOTEBOOK_BYTES = 16_000_000
MAX_NOTEBOOKS_BYTES = 32_000_000
NOTEBOOK_SUFFIX = ".ipynb"
NOTEBOOKS_ENV = "AUTOGRADER_NOTEBOOKS"
MAGIC_RE = re.compile(r"^\s*[%!]")
CHECK_PREFIX = "check_"  # a grade cell ``check_<function>`` holds that function's points
MAX_REASON = 300
# Set by nbgrader_grade.quarantine_submissions on the empty notebook that replaces a refused one.
REFUSED_KEY = "autograder_refused"

Notebook = Mapping[str, Any]  # an nbformat NotebookNode or the plain JSON dict


class NotebookProblem(ValueError):
    """The student's notebook cannot be graded: not UTF-8, not JSON, not a notebook."""


class MissingTemplate(LookupError):
    """The grader has no source notebook for the topic: its installation, not the student."""


def meta(cell: Mapping[str, Any]) -> dict[str, Any]:
    """The cell's nbgrader metadata (empty for a cell nbgrader does not know)."""
    data = cell.get("metadata") or {}
    return dict(data.get("nbgrader") or {}) if isinstance(data, Mapping) else {}


def cell_source(cell: Mapping[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def drop_magics(code: str) -> str:
    """IPython-only lines (``%magic``, ``!shell``) would be syntax errors in a module."""
    return "\n".join(
        "# (IPython line left out by the grader) " + line.strip() if MAGIC_RE.match(line) else line
        for line in code.splitlines()
    )


def _code_cells(nb: Notebook) -> list[Mapping[str, Any]]:
    cells = nb.get("cells") or []
    return [c for c in cells if isinstance(c, Mapping) and c.get("cell_type") == "code"]


def module_source(template: Notebook, submitted: Notebook) -> str:
    """The module graded for a notebook: the template's code cells in order, each answer cell
    replaced by the submitted cell with the same grade id (left out if the student deleted it).
    Grade cells (public checks) and cells the student added are not part of the module."""
    answers = {
        meta(c)["grade_id"]: cell_source(c)
        for c in _code_cells(submitted)
        if meta(c).get("solution") and meta(c).get("grade_id")
    }
    parts = []
    for cell in _code_cells(template):
        info = meta(cell)
        if info.get("grade"):
            continue
        if info.get("solution"):
            code = answers.get(info.get("grade_id", ""))
            if code is not None:
                parts.append(drop_magics(code))
        elif info.get("locked"):
            parts.append(cell_source(cell))
    return "\n\n\n".join(parts) + "\n"


def parse_notebook(content: bytes | str, name: str, *, placeholder_ok: bool = False) -> Any:
    """The notebook in ``content`` (an nbformat v4 NotebookNode), read as nbgrader reads one;
    ``NotebookProblem`` says why it is not one, or why nbgrader's quarantine replaced it (unless
    ``placeholder_ok``)."""
    import nbformat

    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise NotebookProblem(_("{name} is not a notebook: it is not UTF-8 text (byte {byte})").format(
                name=name, byte=exc.start)) from None
    try:
        json.loads(content)
    except ValueError as exc:
        if isinstance(exc, json.JSONDecodeError):
            message = _("{name} is not a notebook: it is not valid JSON ({error}, line {line} column "
                        "{column}). Upload the .ipynb file that Jupyter saved").format(
                name=name, error=exc.msg, line=exc.lineno, column=exc.colno)
        else:
            message = _("{name} is not a notebook: it is not valid JSON. Upload the .ipynb file that "
                        "Jupyter saved").format(name=name)
        raise NotebookProblem(message) from None
    except RecursionError:
        raise NotebookProblem(_("{name} is not a notebook: its JSON is nested too deeply").format(
            name=name)) from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a notebook's format quirks are not the grade's
            notebook = nbformat.reads(content, as_version=4)
    except Exception as exc:  # noqa: BLE001 - nbformat raises many kinds for a malformed file
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:MAX_REASON]
        raise NotebookProblem(_("{name} is not a notebook Jupyter can open ({reason})").format(
            name=name, reason=reason)) from None
    refused = (notebook.get("metadata") or {}).get(REFUSED_KEY)
    if refused and not placeholder_ok:  # left by nbgrader's quarantine: the same reason
        raise NotebookProblem(str(refused)[:MAX_REASON * 2])
    return notebook


def default_notebooks_dir() -> Path:
    env = os.environ.get(NOTEBOOKS_ENV)
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "source"


def template_path(topic: str, folder: str | Path | None = None) -> Path | None:
    """The source notebook of ``topic`` in ``folder`` (an nbgrader ``source/`` folder, one of its
    assignment folders, or a folder of notebooks), or None."""
    from autograder.catalog import ASSIGNMENTS

    base = Path(folder) if folder else default_notebooks_dir()
    name = f"{topic}{NOTEBOOK_SUFFIX}"
    candidates = [base / name]
    candidates += [base / a / name for a, members in ASSIGNMENTS.items() if topic in members]
    if base.is_dir():
        candidates += sorted(base.glob(f"*/{name}"))
    return next((path for path in candidates if path.is_file()), None)


def load_template(topic: str, folder: str | Path | None = None) -> Any:
    """The source notebook of ``topic``; ``MissingTemplate`` when the grader has none."""
    import nbformat

    path = template_path(topic, folder)
    where = Path(folder) if folder else default_notebooks_dir()
    if path is None:
        raise MissingTemplate(_("the grader has no source notebook for {topic} (looked in {where}), so "
                                "{notebook} could not be graded: the course staff must set --notebooks "
                                "(or AUTOGRADER_NOTEBOOKS)").format(
            topic=topic, where=where, notebook=f"{topic}{NOTEBOOK_SUFFIX}"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return nbformat.read(str(path), as_version=4)
    except Exception as exc:  # noqa: BLE001
        raise MissingTemplate(_("the grader's source notebook {path} could not be read ({error})").format(
            path=path, error=f"{type(exc).__name__}: {str(exc)[:MAX_REASON]}")) from None


def module_from_notebook(submitted: Notebook | bytes | str, topic: str,
                         template: Notebook | None = None,
                         folder: str | Path | None = None) -> str:
    """The code of ``<topic>.py`` graded for the student's notebook ``submitted`` (a parsed
    notebook, or the file's content). ``template``: the course's source notebook (default: the
    one found in ``folder``, see ``load_template``)."""
    notebook = (parse_notebook(submitted, f"{topic}{NOTEBOOK_SUFFIX}")
                if isinstance(submitted, (bytes, str)) else submitted)
    return module_source(load_template(topic, folder) if template is None else template, notebook)


# ---------------------------------------------------------------------- points


def function_of(grade_id: str) -> str:
    return grade_id[len(CHECK_PREFIX):] if grade_id.startswith(CHECK_PREFIX) else grade_id


def grade_cell_points(template: Notebook) -> dict[str, float]:
    """Points of each function's grade cell in the template (what nbgrader's gradebook holds)."""
    points: dict[str, float] = {}
    for cell in _code_cells(template):
        info = meta(cell)
        if info.get("grade") and info.get("grade_id"):
            name = function_of(str(info["grade_id"]))
            points[name] = points.get(name, 0.0) + float(info.get("points", 0) or 0)
    return points


def cell_score(function: str, results: list[PropertyResult], points: float) -> float:
    """nbgrader's credit for a grade cell: its points times the share of the function's property
    points that passed."""
    props = [r for r in results if r.function == function]
    total = sum(r.max_score for r in props)
    if total <= 0:
        return 0.0
    return round(points * sum(r.score for r in props) / total, 4)


def scale_to_grade_cells(results: list[PropertyResult], points: dict[str, float]) -> list[PropertyResult]:
    """The properties of a topic graded from a notebook, each worth its share of its function's
    grade cell, so that the topic scores what nbgrader gives the notebook. Unchanged where the
    cells hold the properties' own points (the package's notebooks); a function without a grade
    cell counts for nothing, as in nbgrader."""
    if not points:
        return results
    totals: dict[str, float] = {}
    for r in results:
        totals[r.function] = totals.get(r.function, 0.0) + r.max_score
    if all(abs(points.get(f, 0.0) - total) < 1e-9 for f, total in totals.items()):
        return results
    scaled = []
    for r in results:
        total = totals[r.function]
        factor = points.get(r.function, 0.0) / total if total > 0 else 0.0
        scaled.append(replace(r, max_score=round(r.max_score * factor, 6),
                              score=round(r.score * factor, 6)))
    return scaled


# ---------------------------------------------------------------------- templates elsewhere


def without_answers(template: Notebook) -> dict[str, Any]:
    """A copy of a source notebook whose answer cells are empty: all a grader needs to rebuild
    modules, with no solution in it (what the Gradescope bundle ships)."""
    data = json.loads(json.dumps(template))
    for cell in data.get("cells", []):
        if isinstance(cell, dict) and meta(cell).get("solution"):
            cell["source"] = ""
            if cell.get("cell_type") == "code":
                cell["outputs"] = []
    return data


def templates_digest(topics: list[str] | tuple[str, ...], folder: str | Path | None = None) -> str:
    """sha256 of the source notebooks the topics' notebooks would be rebuilt from ('' if none)."""
    h = hashlib.sha256()
    found = False
    for topic in topics:
        path = template_path(topic, folder)
        if path is not None:
            found = True
            h.update(topic.encode("utf-8") + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest() if found else ""
