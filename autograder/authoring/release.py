"""The student bundle: stubs, public checks, nbgrader release notebooks, the course helpers and
the bundle's requirements, built from a course (an instructor's course folder, or this package's).

Release notebooks come from nbgrader's own ``generate_assignment``, run on a scratch copy of
the course, so they are exactly what nbgrader would hand out. Before the bundle is reported as
built it is checked for leaks twice: line by line (markers, solution lines) and by behaviour
(every shipped function graded as each exercise it could stand in for, ``answer_leaks``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from autograder.authoring.course_folder import Course, course_of_source, solution_modules
from autograder.authoring.notebooks import (
    ASSIGNMENTS,
    HELPERS_INIT,
    make_course,
    refresh_support,
    support_files,
)
from autograder.authoring.stubs import leaks, strip_solution
from autograder.catalog import TOPICS

CHECK_COMMAND = "python -m public_checks"
STUDENT_README = f"""\
# Deep learning for image classification: exercises

Set up once (Python 3.10 or newer), in this folder:

```sh
python -m venv .venv && . .venv/bin/activate     # Windows: .venv\\Scripts\\activate
pip install -r requirements.txt
```

- `notebooks/<assignment>/` are the nbgrader notebooks: fill in every `# YOUR CODE HERE`
  (open them with `pip install notebook`, then `jupyter notebook`).
- `modules/` holds the same exercises as plain Python modules, if you prefer an editor.
- Public checks (a few fixed examples, NOT the grade), from this folder, from `modules/` or
  from a notebook's folder:

  ```sh
  {CHECK_COMMAND}                # every exercise found from where you stand
  {CHECK_COMMAND} optimizers     # one exercise: optimizers.py or optimizers.ipynb there,
                                  # else modules/optimizers.py
  ```

- `course/experiments.py` runs the course's experiments (momentum vs Adam, dropout vs L2)
  on your own functions; see the last cells of the optimizers and regularization notebooks.

The grade comes from hidden property tests that compare your functions with PyTorch on many
generated inputs, outside your notebook's kernel.
"""
REQUIREMENTS_HEAD = "# The student bundle's requirements: pip install -r requirements.txt (Python 3.10+)\n"
NUMPY_REQUIREMENTS = "numpy>=1.24\nmatplotlib>=3.8\n"  # 3.8: tick_params(labelfontfamily=)
TORCH_REQUIREMENTS = """\
# PyTorch, for the PyTorch exercises. This pin is a CPU build where pip finds one (on Linux,
# PyPI's own torch brings CUDA libraries: add --index-url https://download.pytorch.org/whl/cpu
# for the small CPU build, or choose the build for your GPU at https://pytorch.org).
torch==2.13.0
"""


def requirements(topics: list[str]) -> str:
    """What the bundle's code needs: NumPy and matplotlib, and torch for the PyTorch topics."""
    torch = any(TOPICS[t].kind == "torch" for t in topics)
    return REQUIREMENTS_HEAD + NUMPY_REQUIREMENTS + (TORCH_REQUIREMENTS if torch else "")


def nbgrader_release(source: Path, assignments: list[str], into: Path, config: Path | None = None) -> None:
    """Run ``nbgrader generate_assignment`` on a scratch course and copy ``release/`` to ``into``."""
    with tempfile.TemporaryDirectory(prefix="agrel-") as scratch:
        course = Path(scratch) / "course"
        made = make_course(course, source, assignments, config)
        bindir = str(Path(sys.executable).parent)
        env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""))
        for assignment in made:
            proc = subprocess.run([str(Path(bindir) / "nbgrader"), "generate_assignment", assignment,
                                   "--create", "--force"], cwd=course, env=env, capture_output=True,
                                  text=True, timeout=600)
            if proc.returncode != 0:
                raise RuntimeError(f"nbgrader generate_assignment {assignment} failed:\n{proc.stderr[-3000:]}")
            shutil.copytree(course / "release" / assignment, into / assignment,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


def _copy_python(src: Path, dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    for path in sorted(src.glob("*.py")) if src.is_dir() else []:
        shutil.copyfile(path, dest / path.name)


def build_release(out: Path, source: Path, solutions: Path | None = None,
                  assignments: list[str] | None = None, *, course: Course | None = None,
                  behaviour: bool = True, progress: Callable[[int, int], None] | None = None,
                  jobs: int = 1) -> list[str]:
    """Write the bundle of the course whose ``source/`` folder is ``source`` into ``out``;
    returns the leak findings (empty when clean). ``solutions``: the solution modules (default:
    the course's ``solutions/``, else rebuilt from its source notebooks). ``behaviour``: also
    grade every shipped function as each exercise (``answer_leaks``, ``jobs`` rounds at once)."""
    if out.exists() and any(out.iterdir()):
        raise ValueError(f"{out} exists and is not empty")
    course = course or course_of_source(source)
    scratch = None
    if solutions is None:
        solutions, scratch = solution_modules(course)
    try:
        return _build(out, source, solutions, assignments, course, behaviour, progress, jobs)
    finally:
        if scratch is not None:
            scratch.cleanup()


def _build(out: Path, source: Path, solutions: Path, assignments: list[str] | None, course: Course,
           behaviour: bool, progress: Callable[[int, int], None] | None, jobs: int) -> list[str]:
    wanted = assignments or [a for a in ASSIGNMENTS if (source / a).is_dir()]
    missing = [a for a in wanted if not (source / a).is_dir()]
    if missing:
        raise ValueError(f"no assignment {', '.join(missing)} in {source}")
    topics = [t for a in wanted for t in ASSIGNMENTS.get(a, [])]
    if course.is_package:  # its copies are generated: never stale in what students get
        for assignment in wanted:
            refresh_support(assignment, source / assignment)
    out.mkdir(parents=True, exist_ok=True)
    modules = out / "modules"
    modules.mkdir()
    for topic in topics:
        if (solutions / f"{topic}.py").exists():
            text = (solutions / f"{topic}.py").read_text(encoding="utf-8")
            (modules / f"{topic}.py").write_text(strip_solution(text, f"{topic}.py"), encoding="utf-8")
    # The public checks and helpers as the course has them beside its notebooks. The checks go
    # to the top and into modules/ too (nbgrader releases them beside each notebook), so that
    # `python -m public_checks` works in each of those folders.
    for assignment in wanted:
        # not in git; binary: the public checks' compiled catalogs, so a bundle speaks Chinese too
        for rel, content in support_files(assignment, source / assignment, binary=True).items():
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                (out / rel).write_bytes(content)
            else:
                (out / rel).write_text(content, encoding="utf-8")
        _copy_python(source / assignment / "public_checks", out / "public_checks")  # the course's win
        _copy_python(source / assignment / "course", out / "course")
    if not (out / "course" / "__init__.py").exists():
        (out / "course" / "__init__.py").write_text(HELPERS_INIT, encoding="utf-8")
    shutil.copytree(out / "public_checks", modules / "public_checks")
    nbgrader_release(source, wanted, out / "notebooks", course.config)
    (out / "README.md").write_text(STUDENT_README, encoding="utf-8")
    (out / "requirements.txt").write_text(requirements(topics), encoding="utf-8")
    found = leaks(out, solutions)
    if behaviour:
        from autograder.authoring.answer_leaks import answer_leaks

        found += [f"ANSWER: {finding}" for finding in answer_leaks(out, solutions, topics, progress=progress,
                                                                    jobs=jobs)]
    return found
