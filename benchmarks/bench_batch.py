"""Batch throughput: submissions graded per minute with 1 and 2 workers.

Generates a class of mixed optimizers submissions (correct, buggy, crashing at import, looping
forever, killing their parent, syntax errors, missing modules, stubs) and times
``autograder grade-batch`` on it, once per worker count, from an empty results folder.

    .venv/bin/python benchmarks/bench_batch.py --students 12 --workers 1 2 --profile ci
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder.catalog import PROFILES  # noqa: E402
from tests.batch_samples import write_class  # noqa: E402


def load_average() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "?"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--students", type=int, default=12)
    p.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    p.add_argument("--profile", default="ci", choices=PROFILES)
    p.add_argument("--topics", default="optimizers")
    p.add_argument("--functions", default=None, help="grade only these SPEC functions")
    p.add_argument("--timeout", type=float, default=3.0, help="seconds per call of student code")
    p.add_argument("--json", default=None, help="also write the figures here")
    args = p.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    figures = []
    try:
        names = write_class(work / "class", args.students)
        print(f"{len(names)} submissions, profile {args.profile}, topics {args.topics}, "
              f"{os.cpu_count()} CPUs, load average before: {load_average()}")
        for workers in args.workers:
            out = work / f"out-{workers}"
            cmd = [sys.executable, "-m", "autograder.cli", "grade-batch", str(work / "class"),
                   "--output", str(out), "--workers", str(workers), "--profile", args.profile,
                   "--topics", args.topics, "--timeout", str(args.timeout), "--device", "cpu",
                   "--no-progress", "--no-report"]
            if args.functions:
                cmd += ["--functions", args.functions]
            started = time.perf_counter()
            subprocess.run(cmd, check=True, cwd=work)
            seconds = time.perf_counter() - started
            rate = 60.0 * len(names) / seconds
            figures.append({"workers": workers, "submissions": len(names), "seconds": seconds,
                            "per_minute": rate, "load_average_after": load_average()})
            print(f"workers={workers}: {seconds:.1f} s, {rate:.2f} submissions/minute "
                  f"(load average after: {load_average()})")
        if args.json:
            Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
