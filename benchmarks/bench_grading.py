"""Benchmark (not a test): worker start-up, round-trip time per call, and wall time to grade
the reference solutions per topic. Run: .venv/bin/python benchmarks/bench_grading.py [--profile ci]"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder.catalog import PROFILES, TOPICS  # noqa: E402
from autograder.engine.pipeline import grade_submission  # noqa: E402
from autograder.sandbox.client import Worker  # noqa: E402
from autograder.sandbox.jail import namespaces_available  # noqa: E402


def roundtrips(kind: str, calls: int = 300) -> None:
    with tempfile.TemporaryDirectory() as folder:
        Path(folder).chmod(0o755)
        Path(folder, "echo.py").write_text("def echo(x):\n    return x\n")
        Path(folder, "echo.py").chmod(0o644)
        started = time.perf_counter()
        worker = Worker(Path(folder), kind=kind)
        worker.start()
        startup = time.perf_counter() - started
        try:
            for label, payload in [("scalar", 1.0), ("8x8 float64", np.ones((8, 8))),
                                   ("1 MiB float64", np.ones(131072))]:
                times = []
                for _ in range(calls):
                    t0 = time.perf_counter()
                    worker.request({"op": "call", "root": "echo", "path": "echo", "args": [payload], "kwargs": {}})
                    times.append(time.perf_counter() - t0)
                print(f"  {kind:5s} worker round trip, {label:13s}: median {statistics.median(times) * 1e3:.2f} ms, "
                      f"p95 {sorted(times)[int(0.95 * len(times))] * 1e3:.2f} ms")
        finally:
            worker.stop()
    print(f"  {kind:5s} worker start-up: {startup * 1e3:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile", default="grading", choices=PROFILES)
    parser.add_argument("--topics", default=None)
    args = parser.parse_args()
    print(f"sandbox: {'namespaces + chroot' if namespaces_available() else 'resource limits only'}")
    for kind in ("numpy", "torch"):
        roundtrips(kind)
    names = args.topics.split(",") if args.topics else [
        t for t in TOPICS if (ROOT / "solutions" / f"{t}.py").exists() and (ROOT / "grading_tests" / f"test_{t}.py").exists()]
    total = 0.0
    print(f"grading solutions/ with the {args.profile!r} profile:")
    for name in names:
        started = time.perf_counter()
        result = grade_submission(ROOT / "solutions", [name], profile=args.profile)
        elapsed = time.perf_counter() - started
        total += elapsed
        print(f"  {name:16s} {elapsed:7.1f} s   {result.score:g}/{result.max_score:g}")
    print(f"  {'all':16s} {total:7.1f} s")


if __name__ == "__main__":
    main()
