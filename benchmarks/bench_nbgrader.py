"""nbgrader side by side (issue 13): the same solved students' optimizers notebooks, graded in one
run four ways, each a course folder of its own on this machine:

  fixed   plain nbgrader (its default autograde: the notebook executed in a kernel) of a notebook
          whose 11 grade cells each run one fixed test vector (what a course without this
          package would grade with)
  plain   plain nbgrader of our released notebook: its 11 visible grade cells (the public
          checks) executed in the kernel
  ours    ``nbgrader autograde`` with our nbgrader_config.py: the hidden property tests, out of
          the kernel, grading profile
  batch   ``autograder grade-batch --topics optimizers`` of the submitted notebooks

Prints the seconds one more student adds to each (a run's start is paid once per class) and
the issue's two ratios: ours / plain (goal <= 1.5) and
batch / fixed, the optimizers topic against nbgrader's fixed vectors (goal <= 1.0). Run it on a
quiet machine; the per-student figure is a whole run's wall time over the students.

    .venv/bin/python benchmarks/bench_nbgrader.py --students 3 [--json F]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BIN = Path(sys.executable).parent
ASSIGNMENT, NOTEBOOK = "optimization", "optimizers"
PLAIN_CONFIG = 'c = get_config()  # noqa: F821\nc.CourseDirectory.course_id = "bench"\n'

# The inputs of every fixed vector, as a cell would build them (the same in the kernel and here).
SETUP = """\
import numpy as np
rng = np.random.default_rng({seed})
P = {{"W1": rng.standard_normal((3, 2)), "b1": rng.standard_normal((3, 1)),
     "W2": rng.standard_normal((1, 3)), "b2": rng.standard_normal((1, 1))}}
G = {{"d" + k: rng.standard_normal(v.shape) for k, v in P.items()}}
"""
VECTORS = {  # grade cell -> the call its one fixed vector checks
    "check_initialize_momentum": "initialize_momentum(P)",
    "check_update_parameters_with_momentum": "update_parameters_with_momentum(dict(P), G, initialize_momentum(P), 0.9, 0.01)",
    "check_initialize_rmsprop": "initialize_rmsprop(P)",
    "check_update_parameters_with_rmsprop": "update_parameters_with_rmsprop(dict(P), G, initialize_rmsprop(P), 0.99, 0.01)",
    "check_initialize_adam": "initialize_adam(P)",
    "check_update_parameters_with_adam": "update_parameters_with_adam(dict(P), G, *initialize_adam(P), 2, 0.01)",
    "check_random_mini_batches": "[(x.shape, y.shape) for x, y in random_mini_batches("
                                 "rng.standard_normal((4, 10)), rng.standard_normal((1, 10)), 4, "
                                 "np.random.default_rng(0))]",
    "check_step_decay": "step_decay(0.1, 7, 0.5, 3)",
    "check_exponential_decay": "exponential_decay(0.1, 7, 0.9)",
    "check_inverse_time_decay": "inverse_time_decay(0.1, 7, 0.5, 2)",
    "check_cosine_annealing": "cosine_annealing(0.1, 7, 20)",
}
SAME = """\
def _same(got, want):
    if isinstance(want, dict):
        assert isinstance(got, dict) and sorted(got) == sorted(want), "keys differ"
        return all(_same(got[k], want[k]) for k in want)
    if isinstance(want, (list, tuple)) and not isinstance(want, np.ndarray):
        assert len(got) == len(want), "lengths differ"
        return all(_same(g, w) for g, w in zip(got, want))
    np.testing.assert_allclose(np.asarray(got, dtype=float), np.asarray(want, dtype=float), rtol=1e-6, atol=1e-9)
    return True
"""


def literal(value: Any) -> str:
    """Python source that rebuilds ``value`` (arrays as np.array of nested lists)."""
    if isinstance(value, np.ndarray):
        return f"np.array({value.tolist()!r})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, tuple):
        return "(" + "".join(f"{literal(v)}, " for v in value) + ")"
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    return repr(float(value) if isinstance(value, (float, np.floating)) else value)


def fixed_cells() -> dict[str, str]:
    """Each grade cell's source: one fixed input, the solution's answer written in as literals."""
    solution = (ROOT / "solutions" / "optimizers.py").read_text(encoding="utf-8")
    cells = {}
    for seed, (grade_id, call) in enumerate(VECTORS.items()):
        scope: dict[str, Any] = {}
        exec(compile(solution + "\n" + SETUP.format(seed=seed), "solution", "exec"), scope)  # noqa: S102 - our solutions
        want = eval(call, scope)  # noqa: S307 - our own expression
        cells[grade_id] = (f"# One fixed test vector for {grade_id[6:]}.\n" + SETUP.format(seed=seed) + SAME
                           + f"assert _same({call}, {literal(want)})\n")
    return cells


def nbgrader(args: list[str], course: Path) -> float:
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    started = time.perf_counter()
    proc = subprocess.run([str(BIN / "nbgrader"), *args], cwd=course, env=env, capture_output=True,
                          text=True, timeout=3600)
    if proc.returncode != 0:
        raise SystemExit(f"nbgrader {' '.join(args)} failed in {course}:\n{proc.stderr[-3000:]}")
    return time.perf_counter() - started


def scores(course: Path) -> list[float]:
    import csv

    nbgrader(["export", "--to", "grades.csv"], course)
    with open(course / "grades.csv", encoding="utf-8") as handle:
        return [float(row["score"]) for row in csv.DictReader(handle)]


def submit_all(course: Path, release: dict[str, Any], answers: dict[str, str], students: int) -> None:
    from tests.test_nbgrader_e2e import Course

    helper = Course(course, release, answers, {})
    for i in range(students):
        helper.submit(f"s{i:03d}", answers)
        # What a student has beside the notebook: the public checks it imports in its kernel.
        shutil.copytree(ROOT / "autograder" / "student" / "public_checks",
                        course / "submitted" / f"s{i:03d}" / ASSIGNMENT / "public_checks")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--students", type=int, default=3)
    p.add_argument("--json", default=None, help="also write the figures here")
    args = p.parse_args()
    if args.students < 3:
        p.error("--students must be at least 3 (the marginal cost needs two runs of others)")
    from tests.test_nbgrader_e2e import make_course

    work = Path(tempfile.mkdtemp(prefix="bench-nbgrader-"))
    try:
        (work / "ours").mkdir()
        ours = make_course(work / "ours", '\nc.GradeOutOfKernel.profile = "grading"\n')
        courses = {"ours": ours.folder}
        # The same course, graded by nbgrader's defaults.
        plain = work / "plain" / "course"
        shutil.copytree(ours.folder, plain)
        (plain / "nbgrader_config.py").write_text(PLAIN_CONFIG, encoding="utf-8")
        courses["plain"] = plain
        # The fixed vectors in place of the public checks, generated again with the defaults.
        fixed = work / "fixed" / "course"
        shutil.copytree(plain, fixed)
        source_nb = fixed / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
        nb = json.loads(source_nb.read_text(encoding="utf-8"))
        vectors = fixed_cells()
        for cell in nb["cells"]:
            grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
            if grade_id in vectors:
                cell["source"] = vectors[grade_id]
        source_nb.write_text(json.dumps(nb, indent=1), encoding="utf-8")
        nbgrader(["generate_assignment", ASSIGNMENT, "--force"], fixed)
        courses["fixed"] = fixed
        for course in courses.values():
            release = json.loads((course / "release" / ASSIGNMENT / f"{NOTEBOOK}.ipynb").read_text(encoding="utf-8"))
            submit_all(course, release, ours.solutions, args.students)
        print(f"{args.students} solved students, {os.cpu_count()} CPUs, load "
              f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
        # Per student at class scale: the marginal cost, what one more student adds to a run
        # (a run's own start, nbgrader's or ours, is paid once per class): the first student
        # alone, then the others, m = (t(others) - t(first)) / (N - 2).
        per_student: dict[str, float] = {}
        for name in ("fixed", "plain", "ours"):
            first = nbgrader(["autograde", ASSIGNMENT, "--create", "--student", "s000"], courses[name])
            others = nbgrader(["autograde", ASSIGNMENT, "--create"], courses[name])  # skips s000
            per_student[name] = (others - first) / (args.students - 2)
            print(f"{name:6} nbgrader autograde: first student {first:5.1f} s, the {args.students - 1} others "
                  f"{others:5.1f} s: {per_student[name]:5.2f} s per more student; scores "
                  f"{scores(courses[name])}", flush=True)
        runs = []
        for count in (1, args.students):
            only = work / f"batch-{count}"
            for i in range(count):
                shutil.copytree(ours.folder / "submitted" / f"s{i:03d}", only / "submitted" / f"s{i:03d}")
            started = time.perf_counter()
            batch = subprocess.run([sys.executable, "-m", "autograder.cli", "grade-batch",
                                    str(only / "submitted"), "--output", str(only / "out"),
                                    "--assignment", ASSIGNMENT, "--topics", NOTEBOOK, "--profile", "grading",
                                    "--device", "cpu", "--no-progress", "--no-report", "--workers", "1"],
                                   capture_output=True, text=True, cwd=work)
            runs.append(time.perf_counter() - started)
            if batch.returncode != 0:
                raise SystemExit(f"grade-batch failed:\n{batch.stderr[-3000:]}")
        per_student["batch"] = (runs[1] - runs[0]) / (args.students - 1)
        records = [json.loads(f.read_text()) for f in sorted((only / "out" / "results").glob("*.json"))]
        print(f"batch  grade-batch --topics optimizers: 1 student {runs[0]:5.1f} s, {args.students} "
              f"{runs[1]:5.1f} s: {per_student['batch']:5.2f} s per more student; scores "
              f"{[r['score'] for r in records]}")
        ratios = {"ours/plain": per_student["ours"] / per_student["plain"],
                  "batch/fixed": per_student["batch"] / per_student["fixed"]}
        print(f"ours / plain = {ratios['ours/plain']:.2f} (goal <= 1.5); "
              f"batch / fixed = {ratios['batch/fixed']:.2f} (goal <= 1.0)")
        if args.json:
            Path(args.json).write_text(json.dumps({"students": args.students, "per_student_s": {
                k: round(v, 2) for k, v in per_student.items()}, "ratios": {k: round(v, 2) for k, v in ratios.items()}},
                indent=1) + "\n")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
