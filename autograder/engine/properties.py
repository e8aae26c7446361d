"""Running the properties: the hidden Hypothesis tests of ``grading_tests/``, run by pytest in
this process with the engine's plugin, which hands the tests their submission and device
(``SUBMISSION``, read by ``grading_tests/conftest.py``), keeps to the budgets and records each
property's result with its verdict and a reproducer."""

from __future__ import annotations

import contextlib
import functools
import io
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from autograder.catalog import TOPICS
from autograder.engine import reproduce
from autograder.engine.submission import ModuleProblem, Submission
from autograder.engine.verdict import NOTHING_TO_EXPLAIN, ReportedAtOnce, student_feedback
from autograder.i18n import _
from autograder.results import (
    PropertyResult,
)
from autograder.sandbox.client import (
    CALLS,
    StudentCodeError,
)

INI = Path(__file__).with_name("grading.ini")
# Where the tests' fixtures find the submission under grading (pytest's stash of the session's
# config: set by the plugin when pytest configures it, absent when the tests run on their own).
SUBMISSION = pytest.StashKey[Submission]()
# A folder where the hidden tests keep reference outputs for the next gradings of a class
# (grading_tests/reference_cache.py); a batch names one its workers cannot reach.
REFERENCE_CACHE_ENV = "AUTOGRADER_REFERENCE_CACHE"


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

    def pytest_configure(self, config: Any) -> None:
        config.stash[SUBMISSION] = self.submission  # the tests' ``submission`` fixture

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




def run_properties(plugin: EnginePlugin, files: list[Path], tests: Path, *, profile: str,
                   quiet: bool, exitfirst: bool) -> None:
    """Run the hidden property tests ``files`` with pytest; ``plugin`` collects their results."""
    if not files:
        return
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
