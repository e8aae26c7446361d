"""``autograder stubs``: regenerate ``assignments/`` from ``solutions/`` (or check it is current)."""

from __future__ import annotations

import argparse
from pathlib import Path

from autograder.commands import absolute

ROOT = Path(__file__).resolve().parents[2]


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("stubs", help="generate student stubs from the reference solutions")
    p.add_argument("--solutions", type=absolute, default=str(ROOT / "solutions"))
    p.add_argument("--assignments", type=absolute, default=str(ROOT / "assignments"))
    p.add_argument("--check", action="store_true", help="only report stale stubs (exit 1 if any)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from autograder.stubs import generate

    stale = generate(Path(args.solutions), Path(args.assignments), check=args.check)
    verb = "stale" if args.check else "written"
    for path in stale:
        print(f"{verb}: {path}")
    if not stale:
        print("stubs are up to date")
    return 1 if (args.check and stale) else 0
