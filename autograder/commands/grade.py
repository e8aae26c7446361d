"""``autograder grade SUBMISSION``: grade one folder and print or write the scores."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from autograder.catalog import DEVICES, PROFILES
from autograder.commands import absolute, add_language_argument


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("grade", help="grade one submission folder",
                       description="Grade one submission folder (modules like optimizers.py).")
    p.add_argument("submission", type=absolute, help="folder holding the student's modules")
    p.add_argument("--topics", default=None, help="comma-separated topics (default: all)")
    p.add_argument("--format", default="text", help="text, json, gradescope or junit")
    p.add_argument("--output", "-o", type=absolute, default=None,
                   help="write here instead of standard output")
    p.add_argument("--device", default="auto", choices=DEVICES)
    p.add_argument("--profile", default="grading", choices=PROFILES,
                   help="Hypothesis example counts: grading (thorough), ci (fast), dev")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds per call of student code")
    add_budget_arguments(p)
    p.add_argument("--tests", type=absolute, default=None,
                   help="folder of grading tests (default: the course's)")
    p.add_argument("--functions", default=None,
                   help="comma-separated SPEC names: grade only the properties of these functions")
    add_notebooks_argument(p)
    add_language_argument(p)
    add_gradescope_arguments(p)
    p.set_defaults(run=run)


def add_notebooks_argument(p: argparse.ArgumentParser) -> None:
    """--notebooks: the course's source notebooks a submitted notebook is rebuilt from."""
    p.add_argument("--notebooks", default=None, metavar="DIR",
                   help="the course's source notebooks that a submitted <topic>.ipynb is rebuilt "
                        "from (default: $AUTOGRADER_NOTEBOOKS or the course's source/)")


def add_gradescope_arguments(p: argparse.ArgumentParser) -> None:
    """What students see of a Gradescope results.json, and when (Gradescope's own values)."""
    from autograder.formats.gradescope import FEEDBACK_FORMATS, VISIBILITIES

    g = p.add_argument_group("Gradescope (--format gradescope)")
    g.add_argument("--visibility", default="visible", choices=VISIBILITIES,
                   help="when students see the tests and their score: after_due_date hides "
                        "them until the due date, after_published until the grades are "
                        "published (default %(default)s)")
    g.add_argument("--stdout-visibility", default="hidden", choices=VISIBILITIES,
                   help="when students see run_autograder's log (default %(default)s)")
    g.add_argument("--feedback-format", default="md", choices=FEEDBACK_FORMATS,
                   help="how Gradescope renders the feedback: md (a code block), ansi "
                        "(preformatted, coloured) or text (default %(default)s)")


def add_budget_arguments(p: argparse.ArgumentParser) -> None:
    """--topic-budget and --submission-budget (None when not given: the engine's defaults)."""
    p.add_argument("--topic-budget", type=float, default=None, metavar="S",
                   help="wall-clock seconds for one topic; when used up, its remaining "
                        "properties score 0 (default 120; 0: no limit)")
    p.add_argument("--submission-budget", type=float, default=None, metavar="S",
                   help="wall-clock seconds for the whole submission; when used up, all remaining "
                        "properties score 0 (default 600; 0: no limit)")


def budgets(args: argparse.Namespace) -> tuple[float, float]:
    """(topic, submission) budgets from --topic-budget/--submission-budget, defaults filled in."""
    from autograder.engine.budget import SUBMISSION_BUDGET, TOPIC_BUDGET

    topic = TOPIC_BUDGET if args.topic_budget is None else args.topic_budget
    whole = SUBMISSION_BUDGET if args.submission_budget is None else args.submission_budget
    if topic < 0 or whole < 0:
        from autograder.i18n import _

        raise ValueError(_("a time budget must be a number of seconds (0: no limit)"))
    return topic, whole


def run(args: argparse.Namespace) -> int:
    from autograder.engine.pipeline import grade_submission
    from autograder.formats import render
    from autograder.formats.gradescope import GradescopeOptions, to_gradescope_json
    from autograder.i18n import _

    topic_budget, submission_budget = budgets(args)
    started = time.monotonic()
    result = grade_submission(args.submission, args.topics, device=args.device,
                              profile=args.profile, tests_dir=args.tests,
                              call_timeout=args.timeout, topic_budget=topic_budget,
                              submission_budget=submission_budget,
                              functions=set(args.functions.split(",")) if args.functions else None,
                              notebooks=args.notebooks)
    if args.format == "gradescope":
        text = to_gradescope_json(result, GradescopeOptions(
            args.visibility, args.stdout_visibility, args.feedback_format,
            execution_time=time.monotonic() - started))
    else:
        text = render(result, args.format)
    if args.output:
        from autograder.files import write_atomic

        write_atomic(Path(args.output), text)
        print(_("{score} / {max_score} written to {path}").format(
            score=f"{result.score:g}", max_score=f"{result.max_score:g}", path=args.output), file=sys.stderr)
    else:
        sys.stdout.write(text)
    if result.error:  # the grader's own failure: never a quiet 0 for the student
        print(_("grading error: {error}").format(error=result.error), file=sys.stderr)
        return 1
    return 0
