"""``autograder release OUT``: the student bundle: stubs, public checks, release notebooks, helpers."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograder.commands import absolute

ROOT = Path(__file__).resolve().parents[2]


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("release", help="build the student bundle (no solutions, no hidden tests)",
                       description="Write OUT/modules (stubs), OUT/public_checks, OUT/course (helpers) "
                                   "and OUT/notebooks/<assignment> (nbgrader's release versions).")
    p.add_argument("out", type=absolute, help="folder to create (must not exist, or be empty)")
    p.add_argument("--source", type=absolute, default=str(ROOT / "source"),
                   help="the course's source folder")
    p.add_argument("--solutions", type=absolute, default=str(ROOT / "solutions"))
    p.add_argument("--assignments", default=None, help="comma-separated assignments (default: all)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from autograder.release import build_release

    wanted = [a.strip() for a in args.assignments.split(",")] if args.assignments else None
    problems = build_release(Path(args.out), Path(args.source), Path(args.solutions), wanted)
    for problem in problems:
        print(f"LEAK: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"student bundle written to {args.out}")
    return 0
