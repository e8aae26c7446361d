"""Where an instructor command finds its course: the folder it is given or run in (one holding
``nbgrader_config.py`` and ``source/``, as ``autograder notebooks --course`` makes it), else
this package's own course, which is only the default starting point."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parents[2]
CONFIG = "nbgrader_config.py"


@dataclass(frozen=True)
class Course:
    root: Path
    source: Path  # nbgrader's ``source/``: one folder per assignment
    config: Path  # ``root/nbgrader_config.py``, or ``source/nbgrader_config.py`` (this package)

    @property
    def solutions(self) -> Path | None:
        """The course's solution modules, where it keeps them apart from its notebooks."""
        folder = self.root / "solutions"
        return folder if folder.is_dir() else None

    @property
    def assignments(self) -> Path:
        return self.root / "assignments"

    @property
    def is_package(self) -> bool:
        return self.root.resolve() == PACKAGE_ROOT


def course_at(folder: Path) -> Course | None:
    """The course whose root is ``folder``, or None."""
    folder = folder.resolve()
    if (folder / CONFIG).is_file() and (folder / "source").is_dir():
        return Course(folder, folder / "source", folder / CONFIG)
    if (folder / "source" / CONFIG).is_file():
        return Course(folder, folder / "source", folder / "source" / CONFIG)
    return None


def find_course(start: str | Path | None = None) -> Course:
    """The course at ``start`` (default: the working directory) or its nearest enclosing folder,
    else this package's course."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        course = course_at(folder)
        if course is not None:
            return course
    if start is not None:
        raise FileNotFoundError(f"{start} is not a course folder (no {CONFIG} with a source/ folder "
                                "beside it): make one with `autograder notebooks --course DIR`")
    course = course_at(PACKAGE_ROOT)
    assert course is not None, "the package's own course is missing"
    return course


def course_of_source(source: str | Path) -> Course:
    """The course a ``source/`` folder belongs to (its config in it or beside it)."""
    source = Path(source).resolve()
    for config in (source / CONFIG, source.parent / CONFIG):
        if config.is_file():
            return Course(source.parent, source, config)
    raise FileNotFoundError(f"no {CONFIG} in {source} or beside it: not a course's source folder")


def solution_modules(course: Course) -> tuple[Path, tempfile.TemporaryDirectory | None]:
    """A folder of the course's solution modules (with their markers): its ``solutions/``, or
    modules rebuilt from its source notebooks. The second item, if any, must be cleaned up."""
    if course.solutions is not None:
        return course.solutions, None
    from autograder.authoring.notebooks import write_solution_modules

    scratch = tempfile.TemporaryDirectory(prefix="agsol-")
    write_solution_modules(course.source, Path(scratch.name))
    return Path(scratch.name), scratch
