"""``autograder check FILE_OR_FOLDER ...``: run the public checks (not the hidden tests) on modules."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check", help="run the public checks on your modules (not the grade)",
                       description="Run the few fixed public examples of each exercise module "
                                   "(optimizers.py, conv.py, ...) found in the given files or folders.")
    p.add_argument("paths", nargs="+", help="module files or folders holding them")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from autograder.public_checks import run_checks

    return run_checks(args.paths)
