"""The grading pipeline: load submission -> run properties (pytest + Hypothesis) -> score.

``grade_submission`` runs the hidden property tests in ``grading_tests/`` in this process,
against a ``Submission`` whose code only ever runs in sandboxed workers, and collects a
``SubmissionResult``. The tests find the submission through the plugin registered here.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import re
import sys
import textwrap
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from autograder.catalog import ALL_PROFILES, TOPICS, parse_topics
from autograder.engine import reproduce
from autograder.engine.budget import SUBMISSION_BUDGET, TOPIC_BUDGET, BudgetExhausted, Budgets
from autograder.engine.notebook_module import scale_to_grade_cells
from autograder.engine.submission import ModuleProblem, Submission
from autograder.i18n import _, language
from autograder.results import (
    Outcome,
    PropertyResult,
    SubmissionResult,
    TopicResult,
)
from autograder.sandbox import jail
from autograder.sandbox.blame import StudentRaised
from autograder.sandbox.client import (
    CALLS,
    GraderFault,
    NotImplementedYet,
    StudentAbort,
    StudentCodeError,
    WorkerFailure,
    WorkerTimeout,
)

PLUGIN_NAME = "autograder-engine"
PROFILES = ALL_PROFILES  # the catalog's
INI = Path(__file__).with_name("grading.ini")
MAX_OUTPUT = 8000


def default_tests_dir() -> Path:
    env = os.environ.get("AUTOGRADER_TESTS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "grading_tests"


def cuda_available() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def resolve_device(device: str) -> str:
    if device == "auto":
        return "cuda" if cuda_available() else "cpu"
    if device == "cuda" and not cuda_available():
        raise ValueError(_("--device cuda was asked for, but torch sees no CUDA device here"))
    if device not in ("cpu", "cuda"):
        raise ValueError(_("device must be cpu, cuda or auto, not {device!r}").format(device=device))
    return device


_NAMES_INPUT = re.compile(r"^\s*for input: ", re.MULTILINE)


# What a property raises because of the student's work. Anything else it raises is the grader's
# own failure: a reference, a comparison, a fixture, the worker's own code (GraderFault).
STUDENT_OUTCOMES = (ModuleProblem, BudgetExhausted, NotImplementedYet, StudentCodeError,
                    WorkerFailure, AssertionError, StudentAbort)


class ReportedAtOnce(StudentAbort):  # noqa: N818 - it carries a failure, it is not one
    """A failure of an example, ended at once where nothing would be shrunk (the "mutation"
    profile): Hypothesis would otherwise run the whole failing example again to report it,
    doubling the time of every failed property. It carries the failure as it was raised."""

    def __init__(self, failure: BaseException) -> None:
        super().__init__(str(failure))
        self.failure = failure


# The profiles whose failures are never shrunk (grading_tests/conftest.py: "mutation").
NO_SHRINK_PROFILES = ("mutation",)


def _leaves(exc: BaseException) -> list[BaseException]:
    if isinstance(exc, ReportedAtOnce):
        return _leaves(exc.failure)
    inner = getattr(exc, "exceptions", None)  # an exception group (Hypothesis' FlakyFailure)
    if isinstance(inner, tuple) and inner and all(isinstance(e, BaseException) for e in inner):
        return [leaf for e in inner for leaf in _leaves(e)]
    return [exc]


def grader_fault(exc: BaseException) -> BaseException | None:
    """The grader's own failure among what a property raised; None when all of it is the student's."""
    for leaf in _leaves(exc):
        if isinstance(leaf, (GraderFault, StudentRaised)) or not isinstance(leaf, STUDENT_OUTCOMES):
            return leaf
    return None


def _grading_error(fault: BaseException) -> str:
    """Feedback for a grader fault: what failed, for the staff (no hidden test's source)."""
    if isinstance(fault, GraderFault):
        detail = fault.message + ("\n" + fault.traceback.rstrip() if fault.traceback else "")
    else:  # StudentRaised here: the worker's helpers, run by the grader on a reference, failed
        inner = fault.exc if isinstance(fault, StudentRaised) else fault
        detail = f"{type(inner).__name__}: {inner}"
    return _("grading error (not your code): {detail}\n"
             "This property could not be graded; the course staff have to look into it.").format(detail=detail)


class Verdict(NamedTuple):
    """What a failing property's record says: its feedback, how it ended, the misconception it
    shows ("" when none is named) and the type the student's code raised (outcome RAISED)."""

    text: str
    outcome: Outcome
    diagnosis: str = ""
    exception: str = ""


# Failures that neither a hint nor a reproducer helps with: no call of the student's explains
# them (nothing ran, or the grader itself failed).
NOTHING_TO_EXPLAIN = (Outcome.NOT_GRADABLE, Outcome.BUDGET_EXHAUSTED, Outcome.NOT_IMPLEMENTED,
                      Outcome.GRADER_ERROR)


def student_feedback(exc: BaseException) -> Verdict:
    """The verdict on an exception a property raised; its outcome is ``GRADER_ERROR`` when the
    grader itself failed."""
    notes = [n for n in getattr(exc, "__notes__", []) if isinstance(n, str)]
    drawn = [_drawn(n) for n in notes if not n.startswith("You can reproduce")]
    example = "\n".join(d for d in drawn if d.strip())
    fault = grader_fault(exc)
    if fault is not None:
        text = _grading_error(fault)
        if example:
            text += "\n" + _("Failing input:") + "\n" + _indent(example)
        return Verdict(text, Outcome.GRADER_ERROR)
    exc = _leaves(exc)[0]  # of a group of the student's failures, the first
    diagnosis = str(getattr(exc, "diagnosis", "") or "")
    exception = ""
    if isinstance(exc, ModuleProblem):
        return Verdict(str(exc), Outcome.NOT_GRADABLE)
    if isinstance(exc, BudgetExhausted):
        return Verdict(str(exc), Outcome.BUDGET_EXHAUSTED)
    if isinstance(exc, NotImplementedYet):
        return Verdict(_("not implemented yet (the function raises NotImplementedError)"),
                       Outcome.NOT_IMPLEMENTED)
    if isinstance(exc, StudentCodeError):
        text = _("your code raised {type}: {message}").format(type=exc.type_name, message=exc.message)
        if exc.traceback:
            text += "\n" + exc.traceback.rstrip()
        outcome, exception = Outcome.RAISED, exc.type_name
    elif isinstance(exc, WorkerFailure):
        text = str(exc)
        outcome = Outcome.TIMED_OUT if isinstance(exc, WorkerTimeout) else Outcome.CRASHED
    elif isinstance(exc, (AssertionError, StudentAbort)):  # StudentAbort: a failure not shrunk
        text = str(exc).strip() or _("a property does not hold")
        outcome = Outcome.FAILED
    else:  # grader_fault takes every other exception: kept in case STUDENT_OUTCOMES grows
        return Verdict(_("grading error ({type}): {error}").format(type=type(exc).__name__, error=exc),
                       Outcome.GRADER_ERROR)
    # A property that names its input (compare.fail's "for input:", in the exercise's words)
    # already shows the smallest example: Hypothesis' own note would repeat it in the test's.
    if example and not isinstance(exc, WorkerFailure) and not _NAMES_INPUT.search(text):
        text += "\n" + _("Smallest failing input Hypothesis found:") + "\n" + _indent(example)
    return Verdict(text, outcome, diagnosis, exception)


def _drawn(note: str) -> str:
    """The drawn inputs of a Hypothesis note, without the test's name and brackets (the
    grader's words) and without the fixtures (the same for every example)."""
    lines = note.splitlines()
    if lines and re.match(r"(Failing test case|Falsifying example): \w+\($", lines[0]):
        lines = lines[1:-1] if lines[-1].strip() == ")" else lines[1:]
        lines = textwrap.dedent("\n".join(lines)).splitlines()
    return "\n".join(line.rstrip(",") for line in lines
                     if not re.match(r"\s*(impl|device)=", line))


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


def _readable(name: str) -> str:
    """A property's title from its test's name, in the grading's language (the English title is
    extracted for the catalog by autograder/authoring/i18n_extract.py's ``title``, the same words)."""
    name = re.sub(r"^test_", "", name.split("[")[0])
    return _(name.replace("_", " "))


class EnginePlugin:
    """Gives the grading tests their submission and device; records each property's result."""

    def __init__(self, submission: Submission, device: str, functions: set[str] | None,
                 at_once: bool = False) -> None:
        self.submission = submission
        self.device = device
        self.functions = functions
        self.at_once = at_once  # end a property at its first failing example (ReportedAtOnce)
        self.results: list[PropertyResult] = []

    def pytest_collection_modifyitems(self, config: Any, items: list[Any]) -> None:
        keep, drop = [], []
        for item in items:
            callspec = getattr(item, "callspec", None)
            device = callspec.params.get("device") if callspec else None
            marker = item.get_closest_marker("exercise")
            if device is not None and device != self.device:
                drop.append(item)
            elif self.functions is not None and (marker is None or marker.args[1] not in self.functions):
                drop.append(item)
            else:
                keep.append(item)
        items[:] = keep
        if drop:
            config.hook.pytest_deselected(items=drop)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: Any) -> None:
        # Before the fixtures (and the module's import): a property after the budget fails here,
        # at once, and the first property of a topic starts the topic's clock.
        exercise = item.get_closest_marker("exercise")
        CALLS.clear()
        if exercise is not None:
            self.submission.budgets.start_topic(exercise.args[0])
        self.submission.budgets.check()

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item: Any) -> Any:
        # Each Hypothesis example starts a fresh call log, so that after a failure the log holds
        # the failing example's calls (Hypothesis replays it last) for the reproducer.
        # ``inner_test`` is Hypothesis' documented hook for wrapping each example.
        hypothesis: Any = getattr(item.obj, "hypothesis", None)
        inner = getattr(hypothesis, "inner_test", None)
        if hypothesis is None or inner is None:
            yield
            return

        at_once = self.at_once

        @functools.wraps(inner)
        def each_example(*args: Any, **kwargs: Any) -> Any:
            CALLS.clear()
            if not at_once:
                return inner(*args, **kwargs)
            try:
                return inner(*args, **kwargs)
            except (AssertionError, StudentCodeError, ModuleProblem) as exc:  # not Hypothesis' own
                raise ReportedAtOnce(exc) from None

        hypothesis.inner_test = each_example
        try:
            yield
        finally:
            hypothesis.inner_test = inner

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: Any, call: Any) -> Any:
        outcome = yield
        report = outcome.get_result()
        if report.when == "call" or (report.when == "setup" and not report.passed):
            self._record(item, call, report)

    def _record(self, item: Any, call: Any, report: Any) -> None:
        points = item.get_closest_marker("points")
        exercise = item.get_closest_marker("exercise")
        if points is None or exercise is None:
            raise RuntimeError(f"{item.nodeid} needs @pytest.mark.points and @pytest.mark.exercise")
        max_score = float(points.args[0])
        callspec = getattr(item, "callspec", None)
        device = callspec.params.get("device", "cpu") if callspec else "cpu"
        module, function = exercise.args[0], exercise.args[1]
        if report.skipped:
            return
        if report.passed:
            result = PropertyResult(module, function, _readable(item.name), item.nodeid,
                                    max_score, max_score, "passed", device=device)
        else:
            exc = call.excinfo.value if call.excinfo is not None else Exception(str(report.longrepr))
            verdict = student_feedback(exc)
            text = verdict.text
            hint = item.get_closest_marker("hint")
            if hint and verdict.outcome not in NOTHING_TO_EXPLAIN:
                # A hint marked N_() in the tests is translated here, where it is shown.
                text += "\n" + _("Hint: {hint}").format(hint=_(str(hint.args[0])))
            snippet = ("" if verdict.outcome in NOTHING_TO_EXPLAIN
                       else self._reproducer(module, text))
            result = PropertyResult(module, function, _readable(item.name), item.nodeid,
                                    max_score, 0.0, verdict.outcome.status, text, device,
                                    verdict.diagnosis, snippet, verdict.outcome, verdict.exception)
        self.results.append(result)


    def _reproducer(self, module: str, text: str) -> str:
        """Code that repeats the failing example's last call to the student's code, or ""."""
        kind = TOPICS[module].kind if module in TOPICS else "numpy"
        return reproduce.snippet(list(CALLS.records), module=module, kind=kind, check=text,
                                 source=self.submission.source(module))


def forget_test_modules(tests: Path) -> None:
    """Drop the hidden test modules a grading before this one imported in this process, so that
    pytest imports them again under this grading's profile. Hypothesis binds a test's settings
    (example count, phases) when ``@given`` decorates it, at import: a module kept from a grading
    with another profile would run with that profile's examples, and a grade would depend on
    what this process graded before."""
    root = tests.resolve()
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if file and Path(file).name.startswith("test_") and Path(file).resolve().parent == root:
            del sys.modules[name]


def grade_submission(
    path: str | Path,
    topics: str | list[str] | None = None,
    *,
    device: str = "cpu",
    profile: str = "grading",
    functions: set[str] | None = None,
    tests_dir: str | Path | None = None,
    call_timeout: float = 10.0,
    topic_budget: float | None = TOPIC_BUDGET,
    submission_budget: float | None = SUBMISSION_BUDGET,
    use_sandbox: bool | None = None,
    quiet: bool = True,
    exitfirst: bool = False,
    notebooks: str | Path | None = None,
    lang: str | None = None,
) -> SubmissionResult:
    """Grade the submission folder ``path`` and return its scores and feedback.

    ``topic_budget`` and ``submission_budget`` are wall-clock seconds (None: no limit); once
    one is used up, the properties left (of the topic, of the submission) score 0 unrun.
    ``notebooks``: the course's source notebooks, that a submitted ``<topic>.ipynb`` is rebuilt
    from (default: ``$AUTOGRADER_NOTEBOOKS`` or this package's ``source/``). A topic graded from
    a notebook scores what nbgrader gives it: each grade cell's points, shared by its properties.
    ``lang``: the language of the feedback (``autograder.i18n``; None: the current one), set
    for the hidden tests too while they run, and restored after.
    """
    with language(lang):
        return _grade(path, topics, device=device, profile=profile, functions=functions,
                      tests_dir=tests_dir, call_timeout=call_timeout, topic_budget=topic_budget,
                      submission_budget=submission_budget, use_sandbox=use_sandbox, quiet=quiet,
                      exitfirst=exitfirst, notebooks=notebooks)


def _grade(path: str | Path, topics: str | list[str] | None, *, device: str, profile: str,
           functions: set[str] | None, tests_dir: str | Path | None, call_timeout: float,
           topic_budget: float | None, submission_budget: float | None, use_sandbox: bool | None,
           quiet: bool, exitfirst: bool, notebooks: str | Path | None) -> SubmissionResult:
    names = parse_topics(topics) if not isinstance(topics, list) else topics
    if profile not in PROFILES:
        raise ValueError(_("profile must be one of {profiles}").format(profiles=", ".join(PROFILES)))
    device = resolve_device(device)
    tests = Path(tests_dir) if tests_dir else default_tests_dir()
    jail.keep_private(tests)  # unreadable by workers even where there is no jail
    files = [tests / f"test_{name}.py" for name in names if (tests / f"test_{name}.py").exists()]
    budgets = Budgets(topic_budget, submission_budget)
    with Submission(path, call_timeout=call_timeout, use_sandbox=use_sandbox,
                    budgets=budgets, notebooks=notebooks) as sub:
        plugin = EnginePlugin(sub, device, functions, at_once=profile in NO_SHRINK_PROFILES)
        if files:
            args = [*map(str, files), "-c", str(INI), "--rootdir", str(tests),
                    "-p", "no:cacheprovider", "-p", "no:randomly", "-p", "no:warnings",
                    # Its cleanup runs a full gc.collect() at the end of every grading: about as
                    # long as a short grading itself where torch is loaded. Student code never
                    # runs in this process, and an embedding pytest (our tests) keeps its own hook.
                    "-p", "no:unraisableexception",
                    f"--hypothesis-profile={profile}", "-q" if not quiet else "-qq",
                    # Feedback comes from the exception itself; pytest's (and Hypothesis's, which
                    # follows it) source-parsing traceback of every failure would double the time.
                    "--tb=native", "--no-header", "-s" if not quiet else "--capture=sys"]
            if exitfirst:
                args.append("-x")
            forget_test_modules(tests)
            log = io.StringIO()
            with contextlib.redirect_stdout(log):
                code = pytest.main(args, plugins=[plugin])
            if code not in (0, 1, 5):
                raise RuntimeError(
                    f"the grading tests could not run (pytest exit code {code}):\n{log.getvalue()[-4000:]}"
                )
        result = SubmissionResult(str(path), device=device, profile=profile,
                                  sandboxed=sub.sandboxed,
                                  isolation="jail" if sub.sandboxed else
                                  ("uid" if jail.can_drop_privileges() else "limits"))
        for name in names:
            props = scale_to_grade_cells([r for r in plugin.results if r.topic == name],
                                         sub.cell_points.get(name, {}))
            problem = ""
            if props and all(r.outcome in (Outcome.NOT_GRADABLE, Outcome.BUDGET_EXHAUSTED)
                             for r in props):
                problem = props[0].feedback  # one reason for the whole topic
            elif not props and not sub.has_module(name):
                problem = sub.unread(name) or ""
            result.topics.append(TopicResult(name, TOPICS[name].title, props, problem,
                                             sub.notes.get(name, "")))
        result.fit()  # the topics share the submission's room for feedback
        result.error = "; ".join(sub.grader_errors[n] for n in names if n in sub.grader_errors)
        output = "".join(sub.output)
        if len(output) > MAX_OUTPUT:
            output = output[:MAX_OUTPUT] + "\n" + _("... [{count} more characters cut]").format(
                count=len(output) - MAX_OUTPUT)
        result.output = output
    return result
