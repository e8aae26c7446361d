"""Finding the submissions of a class: one folder (or file) per student, in a plain or an
nbgrader layout, links named and never followed."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from autograder.batch.settings import NOTEBOOK_OR_MODULE
from autograder.i18n import _


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


