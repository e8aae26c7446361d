"""``autograder notebooks``: build the nbgrader source notebooks from ``solutions/`` (or check
them), or set up an instructor's course folder with ``--course DIR``."""

from __future__ import annotations

import argparse
from pathlib import Path

from autograder.commands import absolute

ROOT = Path(__file__).resolve().parents[2]


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("notebooks", help="generate the nbgrader source notebooks from the solutions",
                       description="Write source/<assignment>/<module>.ipynb for every solution module, "
                                   "with the public checks and course helpers beside them.")
    p.add_argument("--source", type=absolute, default=str(ROOT / "source"),
                   help="the course's source folder")
    p.add_argument("--solutions", type=absolute, default=str(ROOT / "solutions"))
    p.add_argument("--check", action="store_true", help="only report stale files (exit 1 if any)")
    p.add_argument("--course", type=absolute, default=None, metavar="DIR",
                   help="instead: copy nbgrader_config.py and the assignments into the course folder DIR")
    p.add_argument("--assignments", default=None,
                   help="with --course: comma-separated assignments (default: all)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from autograder.notebooks import generate, make_course

    source = Path(args.source)
    if args.course:
        wanted = [a.strip() for a in args.assignments.split(",")] if args.assignments else None
        made = make_course(Path(args.course), source, wanted)
        print(f"course folder {args.course}: nbgrader_config.py and source/{{{','.join(made)}}}")
        first = made[0] if made else "ASSIGNMENT"
        print(f"next: cd {args.course} && nbgrader generate_assignment {first} --create")
        return 0
    stale = generate(source, Path(args.solutions), check=args.check)
    verb = "stale" if args.check else "written"
    for path in stale:
        print(f"{verb}: {path}")
    if not stale:
        print("notebooks are up to date")
    return 1 if (args.check and stale) else 0
