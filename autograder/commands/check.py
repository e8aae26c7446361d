"""``autograder check FILE_OR_FOLDER ...``: run the public checks (not the hidden tests) on modules.

The student's code runs where the grader runs it: in a worker (jailed where the machine allows),
with a time limit, from a copy of the files read as the grader reads them. Course staff can
run it on anyone's submission.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

from autograder.commands import absolute, add_language_argument

CHECK_TIMEOUT = 120.0  # seconds for all of one module's public checks


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check", help="run the public checks on your modules (not the grade)",
                       description="Run the few fixed public examples of each exercise module "
                                   "(optimizers.py, conv.py, ...) found in the given files or folders.")
    p.add_argument("paths", nargs="+", type=absolute, help="module files or folders holding them")
    p.add_argument("--timeout", type=float, default=CHECK_TIMEOUT,
                   help="seconds for one module's checks (default %(default)g)")
    add_language_argument(p, "the messages")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    return check_paths([Path(p).resolve() for p in args.paths], timeout=args.timeout)


def check_paths(paths: list[Path], *, timeout: float = CHECK_TIMEOUT, out=None) -> int:
    """Public checks of every exercise module in ``paths``; 0 when all of them pass."""
    from autograder.catalog import TOPICS
    from autograder.engine.submission import Submission
    from autograder.i18n import _
    from autograder.sandbox.client import GraderFault, StudentAbort, StudentCodeError

    out = out or sys.stdout
    failures = found = 0
    for path in paths:
        folder, only = (path, None) if path.is_dir() else (path.parent, path.stem)
        if not folder.is_dir():
            print(_("{path} does not exist").format(path=path), file=out)
            failures += 1
            continue
        with Submission(folder, call_timeout=timeout) as sub:
            names = [t for t in TOPICS if only in (None, t)]
            for name in names:
                problem = sub.check_module(name)
                if problem and sub.not_submitted(name) and only is None:
                    continue
                found += 1
                print(f"== {name}.py", file=out)
                if importlib.util.find_spec(f"autograder.student.public_checks.{name}") is None:
                    print("  " + _("no public checks for this module yet"), file=out)
                    found -= 1
                    continue
                if problem:
                    print("  " + problem.replace("\n", "\n  "), file=out)
                    failures += 1
                    continue
                try:
                    reply = sub.worker(name).request({"op": "checks", "module": name}, timeout)
                except (StudentAbort, StudentCodeError) as exc:
                    print("  " + _("the checks could not finish: {error}").format(error=exc), file=out)
                    failures += 1
                    continue
                except GraderFault as exc:
                    print("  " + _("grading error (not your code): {error}").format(error=exc), file=out)
                    failures += 1
                    continue
                text = str(reply.get("text", "")) if isinstance(reply, dict) else ""
                lines = [line for line in text.splitlines() if not line.startswith("== ")]
                print("\n".join(lines[:-1] if lines and _is_summary(lines[-1]) else lines), file=out)
                if not isinstance(reply, dict) or reply.get("code") != 0:
                    failures += 1
    if not found:
        print(_("no exercise module found (expected files like optimizers.py)"), file=out)
        return 1
    print(_("{passed} of {found} modules pass their public checks (the hidden tests check much "
            "more)").format(passed=found - failures, found=found), file=out)
    return 1 if failures else 0


def _is_summary(line: str) -> bool:
    """Whether ``line`` is the public checks' own closing count (this command prints its own), in
    whichever language the worker ran them."""
    try:
        from autograder.student.public_checks import SUMMARY
        from autograder.student.public_checks._i18n import LANGUAGES, matches, set_language
    except ImportError:  # an older copy of the checks: their English wording
        return "public checks passed" in line
    try:
        for lang in LANGUAGES:
            set_language(lang)
            if matches(SUMMARY, line):
                return True
    finally:
        set_language(None)
    return "public checks passed" in line
