"""``autograder stubs``: regenerate a course's ``assignments/`` from its solutions (or check it is current)."""

from __future__ import annotations

import argparse
from pathlib import Path

from autograder.commands import absolute


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("stubs", help="generate student stubs from the reference solutions",
                       description="Write COURSE/assignments/<module>.py for the course folder given, "
                                   "else the one this runs in, else this package's.")
    p.add_argument("--course", type=absolute, default=None, metavar="DIR",
                   help="the course folder (default: the folder this runs in or above it, else this package)")
    p.add_argument("--solutions", type=absolute, default=None,
                   help="default: COURSE/solutions, else the modules of COURSE/source's notebooks")
    p.add_argument("--assignments", type=absolute, default=None, help="default: COURSE/assignments")
    p.add_argument("--check", action="store_true", help="only report stale stubs (exit 1 if any)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from autograder.authoring.course_folder import find_course, solution_modules
    from autograder.authoring.stubs import generate

    course = find_course(args.course)
    scratch = None
    solutions, scratch = (Path(args.solutions), None) if args.solutions else solution_modules(course)
    try:
        stale = generate(solutions, Path(args.assignments) if args.assignments else course.assignments,
                         check=args.check)
    finally:
        if scratch is not None:
            scratch.cleanup()
    verb = "stale" if args.check else "written"
    for path in stale:
        print(f"{verb}: {path}")
    if not stale:
        print("stubs are up to date")
    return 1 if (args.check and stale) else 0
