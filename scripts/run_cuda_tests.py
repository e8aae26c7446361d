#!/usr/bin/env python
"""Run every CUDA-parametrized test of the project on this machine's GPU and print a summary.

    .venv/bin/python scripts/run_cuda_tests.py [--profile ci] [--budget 540] [--strict]

Selects the tests whose ``device`` parameter is ``cuda`` (the grading properties, run against
the reference solutions, and any such test under ``tests/``), runs each suite in a child
process with a wall-clock budget, and prints one line per test and a total. Without a GPU it
says so and exits 0 (``--strict``: exits 2), so the CUDA path is never silently "verified".
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from autograder.catalog import PROFILES

ROOT = Path(__file__).resolve().parent.parent
SUITES = {
    # name: (test paths, extra pytest arguments)
    "grading": (["grading_tests"], ["-c", str(ROOT / "autograder" / "engine" / "grading.ini"),
                                    "--rootdir", str(ROOT / "grading_tests")]),
    "tests": (["tests"], []),
}


class CudaOnly:
    """pytest plugin: keep the items parametrized with device == "cuda"; record each outcome."""

    def __init__(self, device: str = "cuda") -> None:
        self.device = device
        self.results: list[dict[str, object]] = []

    def pytest_collection_modifyitems(self, config, items):  # noqa: ANN001 - pytest hook
        keep, drop = [], []
        for item in items:
            callspec = getattr(item, "callspec", None)
            chosen = callspec is not None and callspec.params.get("device") == self.device
            (keep if chosen else drop).append(item)
        items[:] = keep
        if drop:
            config.hook.pytest_deselected(items=drop)

    def pytest_runtest_logreport(self, report):  # noqa: ANN001 - pytest hook
        if report.when == "call" or (report.when == "setup" and not report.passed):
            message = ""
            if report.failed:
                message = str(report.longrepr)[-1500:]
            elif report.skipped and isinstance(report.longrepr, tuple):
                message = str(report.longrepr[2])
            self.results.append({"test": report.nodeid, "outcome": report.outcome,
                                 "seconds": round(report.duration, 2), "message": message})


def inner(suite: str, out_file: str, profile: str, device: str, topics: str) -> int:
    import pytest

    paths, extra = SUITES[suite]
    if topics and suite == "grading":
        paths = [f"grading_tests/test_{t.strip()}.py" for t in topics.split(",") if t.strip()]
    plugin = CudaOnly(device)
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))  # as `python -m pytest` from the root would
    # Only grading_tests registers the Hypothesis profiles (in its conftest).
    profile_arg = [f"--hypothesis-profile={profile}"] if suite == "grading" else []
    code = pytest.main([*paths, *extra, "-q", "-p", "no:cacheprovider", "-p", "no:randomly", *profile_arg,
                        "--tb=short"], plugins=[plugin])
    Path(out_file).write_text(json.dumps({"code": int(code), "results": plugin.results}))
    return 0


def device_banner() -> tuple[bool, str]:
    try:
        import torch
    except ImportError:
        return False, "torch is not installed"
    if not torch.cuda.is_available():
        return False, f"torch {torch.__version__} sees no CUDA device"
    name = torch.cuda.get_device_name(0)
    return True, (f"torch {torch.__version__}, CUDA {torch.version.cuda}, {name}; TF32 is switched off "
                  "by the graders (torch.backends.cudnn.allow_tf32 = False) and references run in float64")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", default="ci", choices=PROFILES)
    parser.add_argument("--budget", type=float, default=540.0, help="seconds for all suites together")
    parser.add_argument("--strict", action="store_true", help="exit 2 when no GPU is present")
    parser.add_argument("--device", default="cuda", choices=["cuda", "cpu"],
                        help="cpu: run the same selection for the cpu variants (to check this script)")
    parser.add_argument("--topics", default="", help="only these grading topics, e.g. resnet,vgg")
    parser.add_argument("--inner", nargs=2, metavar=("SUITE", "JSON"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        return inner(args.inner[0], args.inner[1], args.profile, args.device, args.topics)

    has_gpu, banner = device_banner()
    if args.device == "cpu":
        has_gpu, banner = True, "cpu variants (a check of this script, not of CUDA)"
    print(f"CUDA tests: {banner}")
    if not has_gpu:
        print("NOT RUN: no CUDA device here, so the CUDA path is UNVERIFIED on this machine.")
        return 2 if args.strict else 0

    start = time.monotonic()
    rows: list[dict[str, object]] = []
    problems: list[str] = []
    for suite in SUITES:
        left = args.budget - (time.monotonic() - start)
        if left <= 5:
            problems.append(f"suite {suite!r} not run: the {args.budget:g} s budget is spent")
            continue
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "results.json")
            cmd = [sys.executable, str(Path(__file__).resolve()), "--profile", args.profile,
                   "--device", args.device, "--topics", args.topics, "--inner", suite, out]
            try:
                proc = subprocess.run(cmd, cwd=ROOT, timeout=left, capture_output=True, text=True)
            except subprocess.TimeoutExpired:
                problems.append(f"suite {suite!r} ran past the budget ({args.budget:g} s) and was stopped")
                continue
            if not os.path.exists(out):
                problems.append(f"suite {suite!r} crashed (exit {proc.returncode}):\n{proc.stdout[-2000:]}"
                                f"{proc.stderr[-2000:]}")
                continue
            data = json.loads(Path(out).read_text())
            if data["code"] not in (0, 1, 5):
                problems.append(f"suite {suite!r}: pytest exit code {data['code']}\n{proc.stdout[-2000:]}")
            rows += [dict(r, suite=suite) for r in data["results"]]

    elapsed = time.monotonic() - start
    width = max((len(str(r["test"])) for r in rows), default=20)
    print()
    for r in rows:
        print(f"  {str(r['outcome']).upper():8} {r['seconds']:7.2f}s  {str(r['test']):{width}}")
    failed = [r for r in rows if r["outcome"] == "failed"]
    for r in failed:
        print(f"\n--- FAILED {r['test']}\n{r['message']}")
    for p in problems:
        print(f"\n!!! {p}")
    counts = {k: sum(r["outcome"] == k for r in rows) for k in ("passed", "failed", "skipped")}
    print(f"\nSUMMARY: {counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped "
          f"{args.device} tests in {elapsed:.1f} s ({banner})")
    return 1 if failed or problems or not rows else 0


if __name__ == "__main__":
    sys.exit(main())
