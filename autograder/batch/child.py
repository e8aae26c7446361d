"""One submission of a batch, graded in a process of its own (``python -m autograder.batch.child``).

The batch starts one of these per student, so whatever a submission does to its grading
process (crash it, hang it, exhaust it) ends with this process, never with the batch.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import json
import os
import signal
import sys
from pathlib import Path

from autograder.catalog import ALL_PROFILES

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when the batch that started it dies (even by kill -9)."""
    expected = os.environ.get("AUTOGRADER_BATCH_PARENT")
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    # The parent may have died before prctl: then we were re-parented and must stop now.
    if expected and os.getppid() not in (int(expected), 0):
        os._exit(70)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m autograder.batch.child")
    p.add_argument("submission")
    p.add_argument("output", help="where to write the result as JSON")
    p.add_argument("--topics", required=True)
    p.add_argument("--profile", default="grading", choices=ALL_PROFILES)
    p.add_argument("--device", default="cpu")
    p.add_argument("--timeout", type=float, default=10.0)
    p.add_argument("--topic-budget", type=float, required=True)
    p.add_argument("--submission-budget", type=float, required=True)
    p.add_argument("--tests", default=None)
    p.add_argument("--functions", default=None)
    p.add_argument("--notebooks", default=None)
    p.add_argument("--lang", default=None, help="the language of the feedback (autograder.i18n)")
    return p


def main(argv: list[str] | None = None) -> int:
    die_with_parent()
    args = build_parser().parse_args(argv)
    from autograder.engine.pipeline import grade_submission
    from autograder.files import write_atomic

    functions = set(args.functions.split(",")) if args.functions else None
    result = grade_submission(args.submission, args.topics.split(","), device=args.device,
                              profile=args.profile, functions=functions, tests_dir=args.tests,
                              call_timeout=args.timeout, topic_budget=args.topic_budget,
                              submission_budget=args.submission_budget, notebooks=args.notebooks,
                              lang=args.lang)
    write_atomic(Path(args.output), json.dumps(result.to_dict()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
