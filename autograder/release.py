"""The student bundle: stubs, public checks, nbgrader release notebooks and the course helpers.

Release notebooks come from nbgrader's own ``generate_assignment``, run on a scratch copy of
the course, so they are exactly what nbgrader would hand out. The bundle is checked for leaks
(markers, solution lines, hidden tests) before it is reported as built.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from autograder.notebooks import ASSIGNMENTS, COURSE_HELPERS, HELPER_FILES, PUBLIC_CHECKS, make_course
from autograder.stubs import leaks, strip_solution

HELPERS_INIT = '"""The course\'s helpers: experiments and demos."""\n'
STUDENT_README = """\
# Deep learning for image classification: exercises

- `notebooks/<assignment>/` are the nbgrader notebooks: fill in every `# YOUR CODE HERE`.
- `modules/` holds the same exercises as plain Python modules, if you prefer an editor.
- Public checks (a few fixed examples, NOT the grade): `python -m public_checks modules/`
  (or `python -m public_checks modules/optimizers.py`), from this folder.
- `course/experiments.py` runs the course's experiments (momentum vs Adam, dropout vs L2)
  on your own functions; see the last cells of the optimizers and regularization notebooks.

The grade comes from hidden property tests that compare your functions with PyTorch on many
generated inputs, outside your notebook's kernel.
"""


def nbgrader_release(source: Path, assignments: list[str], into: Path) -> None:
    """Run ``nbgrader generate_assignment`` on a scratch course and copy ``release/`` to ``into``."""
    with tempfile.TemporaryDirectory(prefix="agrel-") as scratch:
        course = Path(scratch) / "course"
        made = make_course(course, source, assignments)
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


def build_release(out: Path, source: Path, solutions: Path, assignments: list[str] | None = None) -> list[str]:
    """Write the bundle into ``out``; returns leak findings (empty when clean)."""
    if out.exists() and any(out.iterdir()):
        raise ValueError(f"{out} exists and is not empty")
    wanted = assignments or [a for a in ASSIGNMENTS if (source / a).is_dir()]
    topics = [t for a in wanted for t in ASSIGNMENTS.get(a, [])]
    out.mkdir(parents=True, exist_ok=True)
    modules = out / "modules"
    modules.mkdir()
    for topic in topics:
        if (solutions / f"{topic}.py").exists():
            text = (solutions / f"{topic}.py").read_text(encoding="utf-8")
            (modules / f"{topic}.py").write_text(strip_solution(text, f"{topic}.py"), encoding="utf-8")
    checks = out / "public_checks"
    checks.mkdir()
    for path in sorted(PUBLIC_CHECKS.glob("*.py")):
        if path.stem.startswith("_") or path.stem in topics:
            shutil.copyfile(path, checks / path.name)
    helpers = out / "course"
    helpers.mkdir()
    (helpers / "__init__.py").write_text(HELPERS_INIT, encoding="utf-8")
    for name in HELPER_FILES:
        if (COURSE_HELPERS / name).exists():
            shutil.copyfile(COURSE_HELPERS / name, helpers / name)
    nbgrader_release(source, wanted, out / "notebooks")
    (out / "README.md").write_text(STUDENT_README, encoding="utf-8")
    return leaks(out, solutions)
