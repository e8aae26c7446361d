"""``autograder gradescope-bundle``: the ``autograder.zip`` to upload to a Gradescope assignment.

The zip holds ``setup.sh`` and ``run_autograder`` (from ``autograder/authoring/gradescope/``), the
grader's source, the hidden tests of the chosen topics only (with their references, mutants and
the shared helpers), ``grading.env`` (topics, profile, limits, visibility) and the topics'
source notebooks with empty answer cells (``notebooks/``: what an uploaded notebook is rebuilt
from, as nbgrader does). Gradescope unpacks it into ``/autograder/source``; the scripts take
that root from ``AUTOGRADER_ROOT``.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

from autograder.catalog import DEVICES, PROFILES
from autograder.commands import absolute, add_language_argument
from autograder.commands.grade import add_gradescope_arguments
from autograder.formats.gradescope import GradescopeOptions

PACKAGE = Path(__file__).resolve().parents[1]
REPO = PACKAGE.parent
TEMPLATES = PACKAGE / "authoring" / "gradescope"
SCRIPTS = ("setup.sh", "run_autograder")
FIXED_TIME = (2020, 1, 1, 0, 0, 0)  # the same bytes for the same inputs
# Gradescope stops run_autograder after 10 minutes by default: the grading ends well before,
# so that results.json (with the budget's reason) is always written.
TOPIC_BUDGET = 120.0
SUBMISSION_BUDGET = 540.0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("gradescope-bundle", help="write the autograder.zip Gradescope expects",
                       description="Write autograder.zip for a Gradescope programming assignment.")
    p.add_argument("--output", "-o", type=absolute, default="autograder.zip")
    p.add_argument("--topics", default=None, help="comma-separated topics (default: all)")
    p.add_argument("--profile", default="grading", choices=PROFILES)
    p.add_argument("--timeout", type=float, default=10.0, help="seconds per call of student code")
    p.add_argument("--device", default="cpu", choices=DEVICES)
    p.add_argument("--topic-budget", type=float, default=TOPIC_BUDGET, metavar="S",
                   help="wall-clock seconds for one topic; when used up, its remaining properties "
                        "score 0 (default %(default)g; 0: no limit)")
    p.add_argument("--submission-budget", type=float, default=SUBMISSION_BUDGET, metavar="S",
                   help="wall-clock seconds for a whole submission, inside Gradescope's own limit "
                        "(default %(default)g, for Gradescope's 10 minutes; 0: no limit)")
    p.add_argument("--tests", type=absolute, default=None,
                   help="folder of hidden grading tests to bundle")
    p.add_argument("--notebooks", default=None, metavar="DIR",
                   help="the course's source notebooks to bundle, answers left out (default: "
                        "this package's source/)")
    add_language_argument(p, "the feedback students read on Gradescope")
    add_gradescope_arguments(p)
    p.set_defaults(run=run)


def _files(folder: Path, prefix: str) -> Iterator[tuple[str, Path]]:
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if not path.is_file() or path.is_symlink() or path.suffix in (".pyc", ".pyo"):
            continue
        if any(part.startswith(".") or part == "__pycache__" for part in rel.parts):
            continue
        yield f"{prefix}/{rel.as_posix()}", path


def topic_files(tests_dir: Path, topics: list[str]) -> Iterator[tuple[str, Path]]:
    """The hidden tests' files that ``topics`` need: their ``test_<t>.py``, ``references/<t>.py``
    and ``mutants/<t>.py`` and every shared helper, never another topic's (a container without
    namespaces cannot hide them from the student's code)."""
    from autograder.catalog import TOPICS

    others = set(TOPICS) - set(topics)
    for arcname, path in _files(tests_dir, "grading_tests"):
        rel = arcname.split("/", 1)[1]
        stem = path.stem
        if stem.removeprefix("test_") in others and (stem.startswith("test_") or "/" in rel):
            continue
        yield arcname, path


def notebook_files(topics: list[str], folder: str | Path | None) -> list[tuple[str, bytes]]:
    """``notebooks/<topic>.ipynb``: each topic's source notebook with its answer cells emptied,
    so that no solution leaves the course."""
    from autograder.authoring.notebooks import dumps
    from autograder.engine.notebook_module import template_path, without_answers

    found = []
    for topic in topics:
        path = template_path(topic, folder)
        if path is not None:
            template = json.loads(path.read_text(encoding="utf-8"))
            found.append((f"notebooks/{topic}.ipynb", dumps(without_answers(template)).encode("utf-8")))
    return found


def torch_version() -> str:
    import torch

    return str(torch.__version__).split("+")[0]


def grading_env(topics: list[str], profile: str, timeout: float, device: str,
                topic_budget: float = TOPIC_BUDGET,
                submission_budget: float = SUBMISSION_BUDGET,
                options: GradescopeOptions | None = None, lang: str = "en") -> str:
    from autograder.i18n import check_language

    opts = options or GradescopeOptions()
    values = {"TOPICS": ",".join(topics), "PROFILE": profile, "CALL_TIMEOUT": f"{timeout:g}",
              "DEVICE": device, "TORCH_VERSION": torch_version(),
              "TOPIC_BUDGET": f"{topic_budget:g}", "SUBMISSION_BUDGET": f"{submission_budget:g}",
              "VISIBILITY": opts.visibility, "STDOUT_VISIBILITY": opts.stdout_visibility,
              "FEEDBACK_FORMAT": opts.feedback_format,
              "AUTOGRADER_LANG": check_language(lang)}  # run_autograder's --lang
    lines = ["# Read by setup.sh and run_autograder; written by autograder gradescope-bundle."]
    lines += [f"{key}={shlex.quote(value)}" for key, value in values.items()]
    return "\n".join(lines) + "\n"


def build_bundle(output: str | Path, topics: list[str], *, profile: str = "grading",
                 timeout: float = 10.0, device: str = "cpu",
                 tests: str | Path | None = None, topic_budget: float = TOPIC_BUDGET,
                 submission_budget: float = SUBMISSION_BUDGET,
                 options: GradescopeOptions | None = None,
                 notebooks: str | Path | None = None, lang: str = "en") -> list[str]:
    """Write the zip and return the names it holds; its run_autograder grades in ``lang``."""
    from autograder.engine.pipeline import default_tests_dir
    from autograder.i18n import _

    if topic_budget < 0 or submission_budget < 0:
        raise ValueError(_("a time budget must be a number of seconds (0: no limit)"))
    tests_dir = Path(tests) if tests else default_tests_dir()
    missing = [t for t in topics if not (tests_dir / f"test_{t}.py").exists()]
    if missing:
        raise FileNotFoundError(_("no hidden tests for {topics} in {folder}").format(
            topics=", ".join(missing), folder=tests_dir))
    entries: list[tuple[str, bytes, int]] = []
    for name in SCRIPTS:
        entries.append((name, (TEMPLATES / name).read_bytes(), 0o755))
    entries.append(("grading.env",
                    grading_env(topics, profile, timeout, device, topic_budget,
                                submission_budget, options, lang).encode("utf-8"), 0o644))
    for name in ("pyproject.toml", "README.md"):
        if (REPO / name).exists():
            entries.append((name, (REPO / name).read_bytes(), 0o644))
    entries += [(name, data, 0o644) for name, data in notebook_files(topics, notebooks)]
    for arcname, path in [*_files(PACKAGE, "autograder"), *topic_files(tests_dir, topics)]:
        entries.append((arcname, path.read_bytes(), 0o755 if arcname.endswith(SCRIPTS) else 0o644))
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".{output.name}.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for arcname, data, mode in sorted(entries):
            info = zipfile.ZipInfo(arcname, date_time=FIXED_TIME)
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    tmp.replace(output)
    return sorted(name for name, _, _ in entries)


def run(args: argparse.Namespace) -> int:
    from autograder.catalog import parse_topics
    from autograder.i18n import _, current_language

    names = build_bundle(args.output, parse_topics(args.topics), profile=args.profile,
                         timeout=args.timeout, device=args.device, tests=args.tests,
                         topic_budget=args.topic_budget, submission_budget=args.submission_budget,
                         options=GradescopeOptions(args.visibility, args.stdout_visibility,
                                                   args.feedback_format),
                         notebooks=args.notebooks, lang=current_language())
    print(_("{path}: {count} files (setup.sh, run_autograder, grader, hidden tests, source "
            "notebooks)").format(path=args.output, count=len(names)), file=sys.stderr)
    missing = [t for t in parse_topics(args.topics) if f"notebooks/{t}.ipynb" not in names]
    if missing:
        print(_("no source notebook for {topics}: an uploaded notebook of these topics will be a "
                "grading error (give --notebooks DIR)").format(topics=", ".join(missing)),
              file=sys.stderr)
    return 0
