"""The grading pipeline: load -> sandbox -> properties -> score.

``grade_submission`` reads the student's files without trusting them (``submission``), whose
code only ever runs in sandboxed workers (``autograder.sandbox``), runs the hidden properties of
``grading_tests/`` against it with pytest and Hypothesis (``properties``, each property's
verdict from ``verdict``) and scores them into a ``SubmissionResult`` (``score``).
"""

from __future__ import annotations

import os
from pathlib import Path

from autograder.catalog import ALL_PROFILES, parse_topics
from autograder.engine.budget import SUBMISSION_BUDGET, TOPIC_BUDGET, Budgets
from autograder.engine.properties import EnginePlugin, run_properties
from autograder.engine.score import score
from autograder.engine.submission import Submission
from autograder.engine.verdict import NO_SHRINK_PROFILES
from autograder.i18n import _, language
from autograder.results import (
    SubmissionResult,
)
from autograder.sandbox import jail

PROFILES = ALL_PROFILES  # the catalog's


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
    # 1. load: the files read and checked here; 2. sandbox: the workers that run the code,
    # started by the submission as the properties first call it, stopped when it closes.
    with Submission(path, call_timeout=call_timeout, use_sandbox=use_sandbox,
                    budgets=Budgets(topic_budget, submission_budget), notebooks=notebooks) as sub:
        # 3. properties, each recorded by the plugin with its verdict
        plugin = EnginePlugin(sub, device, functions, at_once=profile in NO_SHRINK_PROFILES)
        run_properties(plugin, files, tests, profile=profile, quiet=quiet, exitfirst=exitfirst)
        # 4. score
        return score(sub, plugin.results, names, path=str(path), device=device, profile=profile)
