"""``autograder release OUT``: the student bundle: stubs, public checks, release notebooks, helpers."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograder.commands import absolute


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("release", help="build the student bundle (no solutions, no hidden tests)",
                       description="Write OUT/modules (stubs), OUT/public_checks, OUT/course (helpers), "
                                   "OUT/notebooks/<assignment> (nbgrader's release versions) and "
                                   "OUT/requirements.txt from a course folder: the one given, else the "
                                   "one this runs in, else this package's. Every shipped function is then "
                                   "graded as each exercise it could stand in for (a few minutes): one "
                                   "that scores fails the release.")
    p.add_argument("out", type=absolute, help="folder to create (must not exist, or be empty)")
    p.add_argument("--course", type=absolute, default=None, metavar="DIR",
                   help="the course folder (nbgrader_config.py and source/; default: the folder "
                        "this runs in or above it, else this package's own course)")
    p.add_argument("--source", type=absolute, default=None,
                   help="the course's source folder instead (its nbgrader_config.py in it or beside it)")
    p.add_argument("--solutions", type=absolute, default=None,
                   help="the solution modules (default: the course's solutions/, else rebuilt from "
                        "its source notebooks)")
    p.add_argument("--assignments", default=None, help="comma-separated assignments (default: all)")
    p.add_argument("--jobs", type=int, default=1,
                   help="rounds of the answer check graded at once, a process each (default 1)")
    p.set_defaults(run=run)


def _progress(done: int, total: int) -> None:
    if done == 1 or done == total or done % 10 == 0:
        print(f"answer check: round {done} of {total}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    from autograder.authoring.course_folder import course_of_source, find_course
    from autograder.authoring.release import build_release

    course = course_of_source(args.source) if args.source else find_course(args.course)
    wanted = [a.strip() for a in args.assignments.split(",")] if args.assignments else None
    print(f"course: {course.root} (source {course.source})", file=sys.stderr)
    problems = build_release(Path(args.out), course.source, Path(args.solutions) if args.solutions else None,
                             wanted, course=course, progress=_progress, jobs=args.jobs)
    for problem in problems:
        print(f"LEAK: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"student bundle written to {args.out}")
    return 0
