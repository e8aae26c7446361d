"""``autograder grade-batch SUBMISSIONS``: grade a class, resumably, into a results folder."""

from __future__ import annotations

import argparse
import sys

from autograder.catalog import DEVICES, PROFILES
from autograder.commands import absolute, add_language_argument
from autograder.commands.grade import add_budget_arguments, add_notebooks_argument, budgets


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "grade-batch", help="grade every submission of a class (resumable; CSV and report)",
        description=(
            "Grade every submission folder under SUBMISSIONS: one folder per student, or "
            "nbgrader's submitted/<student>/<assignment>/. Each is graded in a grading process "
            "apart from the batch (a warm one per worker slot, with fresh sandboxed workers for every "
            "submission); results/<student>.json is written as soon as it is known, so running the "
            "same command again after an interruption grades only what is missing. "
            "Notebooks are graded as nbgrader grades them, from nbgrader's course folder's "
            "source/<assignment>/ (or --notebooks). Writes grades.csv, report.png and report.html."),
    )
    p.add_argument("submissions", type=absolute,
                   help="folder of student folders, or nbgrader's course folder")
    p.add_argument("--output", "-o", type=absolute, default="batch-results", help="results folder")
    p.add_argument("--workers", "-j", type=int, default=1, help="submissions graded at once")
    p.add_argument("--scheduler", default=None,
                   help="address of a Dask scheduler (tcp://host:8786) to grade on its workers")
    p.add_argument("--topics", default=None, help="comma-separated topics (default: all)")
    p.add_argument("--functions", default=None,
                   help="comma-separated SPEC names: grade only these functions")
    p.add_argument("--profile", default="grading", choices=PROFILES)
    p.add_argument("--device", default="auto", choices=DEVICES)
    p.add_argument("--timeout", type=float, default=10.0, help="seconds per call of student code")
    add_budget_arguments(p)
    p.add_argument("--submission-timeout", type=float, default=None,
                   help="seconds for one whole submission before it is stopped (default 1800)")
    p.add_argument("--tests", type=absolute, default=None, help="folder of hidden grading tests")
    add_notebooks_argument(p)
    add_language_argument(p, "the feedback, the grade sheet's errors and the class report")
    p.add_argument("--layout", default="auto", choices=["auto", "plain", "nbgrader"])
    p.add_argument("--assignment", default=None, help="nbgrader assignment name")
    p.add_argument("--regrade", action="store_true", help="grade everything again")
    p.add_argument("--retry-errors", action="store_true",
                   help="grade again also the errors that were the submission's own (a folder "
                        "that cannot be read, a run past --submission-timeout with no budget); "
                        "the grader's own errors are always graded again")
    p.add_argument("--exit-zero", action="store_true",
                   help="exit 0 even when some submissions could not be graded (for dashboards "
                        "that read grades.csv); by default the exit status is 1 then")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--no-report", action="store_true", help="skip the class report")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from autograder.batch.run import run_batch
    from autograder.batch.settings import SUBMISSION_TIMEOUT, Settings
    from autograder.catalog import parse_topics
    from autograder.i18n import _, current_language, ngettext

    topic_budget, submission_budget = budgets(args)
    settings = Settings(
        topics=tuple(parse_topics(args.topics)),
        profile=args.profile,
        device=args.device,
        call_timeout=args.timeout,
        topic_budget=topic_budget,
        submission_budget=submission_budget,
        tests=str(Path(args.tests).resolve()) if args.tests else None,
        functions=tuple(sorted(f.strip() for f in args.functions.split(",") if f.strip()))
        if args.functions else None,
        submission_timeout=args.submission_timeout or SUBMISSION_TIMEOUT,
        notebooks=str(Path(args.notebooks).resolve()) if args.notebooks else None,
        lang=current_language(),  # --lang (set by the CLI) or $AUTOGRADER_LANG
    )
    summary = run_batch(args.submissions, args.output, settings, workers=args.workers,
                        scheduler=args.scheduler, layout=args.layout, assignment=args.assignment,
                        regrade=args.regrade, retry_errors=args.retry_errors,
                        progress=not args.no_progress, report=not args.no_report)
    print(ngettext("{students} submission: {graded} graded now, {skipped} already done, {errors} "
                   "could not be graded ({seconds} s)",
                   "{students} submissions: {graded} graded now, {skipped} already done, {errors} "
                   "could not be graded ({seconds} s)", summary.students).format(
        students=summary.students, graded=summary.graded, skipped=summary.skipped,
        errors=len(summary.errors), seconds=f"{summary.seconds:.0f}"), file=sys.stderr)
    if summary.outdated:
        print(_("{count} stored results had other settings and were graded again").format(
            count=summary.outdated), file=sys.stderr)
    for student in summary.errors:
        print("  " + _("grading failed: {student} (see results/ for the reason)").format(student=student),
              file=sys.stderr)
    if summary.kept_errors:
        print(_("{count} error(s) of the submissions' own kept as final (--retry-errors grades them "
                "again): {students}").format(count=len(summary.kept_errors),
                                             students=", ".join(summary.kept_errors)), file=sys.stderr)
    print(_("grade sheet: {path}").format(path=summary.csv), file=sys.stderr)
    return 1 if summary.ungraded and not args.exit_zero else 0
