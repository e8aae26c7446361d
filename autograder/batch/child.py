"""A batch's grading process (``python -m autograder.batch.child``): it grades the submissions it
reads from its standard input one after another (a warm grader: torch, Hypothesis, pytest and the
hidden tests loaded once, not once per student).

Whatever a submission does to its grading process (crash it, hang it, exhaust it) ends with this
process, never with the batch, which starts another for the next submission. The grader never
runs student code (its workers do, each submission its own), and no grading state of one
submission reaches the next (tests/test_warm_grader.py, tests/test_batch.py).
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import json
import os
import select
import signal
import sys
from pathlib import Path

from autograder.catalog import ALL_PROFILES

PR_SET_PDEATHSIG = 1
IDLE_EXIT = 900.0  # seconds a serving process waits for its next submission before it exits


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
    p = argparse.ArgumentParser(
        prog="python -m autograder.batch.child",
        description="Grade the jobs of standard input, a JSON line each ({submission, output, tests, "
                    "notebooks}), answering a line {done: output} on standard output.")
    p.add_argument("--topics", required=True)
    p.add_argument("--profile", default="grading", choices=ALL_PROFILES)
    p.add_argument("--device", default="cpu")
    p.add_argument("--timeout", type=float, default=10.0)
    p.add_argument("--topic-budget", type=float, required=True)
    p.add_argument("--submission-budget", type=float, required=True)
    p.add_argument("--functions", default=None)
    p.add_argument("--lang", default=None, help="the language of the feedback (autograder.i18n)")
    return p


def main(argv: list[str] | None = None) -> int:
    die_with_parent()
    return serve(build_parser().parse_args(argv))


def grade_one(args: argparse.Namespace, submission: str, output: str, tests: str | None,
              notebooks: str | None) -> None:
    from autograder.engine.pipeline import grade_submission
    from autograder.files import write_atomic

    functions = set(args.functions.split(",")) if args.functions else None
    result = grade_submission(submission, args.topics.split(","), device=args.device,
                              profile=args.profile, functions=functions, tests_dir=tests,
                              call_timeout=args.timeout, topic_budget=args.topic_budget,
                              submission_budget=args.submission_budget, notebooks=notebooks,
                              lang=args.lang)
    write_atomic(Path(output), json.dumps(result.to_dict()))


def serve(args: argparse.Namespace) -> int:
    """Grade each job read from standard input; the batch ends it by closing the pipe (or
    kills it), and it exits by itself after ``IDLE_EXIT`` seconds without a job. What the
    grading prints goes to the log (standard error), never into the answers' channel."""
    answers = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    pending = b""
    while True:
        while b"\n" not in pending:
            ready, _, _ = select.select([0], [], [], IDLE_EXIT)
            chunk = os.read(0, 1 << 16) if ready else b""
            if not chunk:
                return 0
            pending += chunk
        line, pending = pending.split(b"\n", 1)
        job = json.loads(line)
        grade_one(args, str(job["submission"]), str(job["output"]), job.get("tests"),
                  job.get("notebooks"))
        answers.write(json.dumps({"done": job["output"]}) + "\n")


if __name__ == "__main__":
    sys.exit(main())
