"""Class-scale throughput (issue 13): ``grade-batch`` on a synthetic class of complete submissions.

Builds N submissions of every topic from ``solutions/``: most correct, some with one
misconception of ``grading_tests/mutants`` pasted into one module, some hostile (an optimizers
module that loops forever, exits at import, eats memory or kills its parent). Grades the class
with ``autograder grade-batch`` (grading profile by default) and prints submissions per
minute, core-seconds per complete submission (the machine's busy time while the batch runs:
run it on a quiet machine), the score of each, and checks that the records of a sample of
students equal ``autograder grade`` of each alone (timings aside: the records hold none).

    .venv/bin/python benchmarks/bench_class.py --students 6 --workers 2 [--json F]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder.catalog import PROFILES  # noqa: E402

HOSTILE = ("infinite_loop", "crash_at_import", "memory_hog", "kill_parent")


def children_cpu() -> float:
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return kids.ru_utime + kids.ru_stime


def machine_cpu() -> float:
    """Busy core-seconds of the whole machine (/proc/stat): the jailed workers too, which run in
    namespaces of their own and are not all reaped by this process (quiet machine assumed)."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def write_class(folder: Path, n: int) -> dict[str, str]:
    """``n`` complete submissions; returns student -> kind. Of each ten: seven correct, two
    with a misconception, one hostile (in that order, so a small class has each kind)."""
    from autograder.catalog import TOPICS
    from grading_tests.mutants import for_module
    from tests.batch_samples import variants
    from tests.mutant_gradings import mutated_source

    mutants = [(topic, m) for topic in TOPICS for m in for_module(topic)]
    solution = (ROOT / "solutions" / "optimizers.py").read_text(encoding="utf-8")
    stub = (ROOT / "assignments" / "optimizers.py").read_text(encoding="utf-8")
    hostile = variants(solution, stub)
    order = ["correct", "mutant", "hostile", "correct", "correct", "mutant", "correct", "correct",
             "correct", "correct"]
    kinds = {}
    for i in range(n):
        kind = order[i % len(order)]
        student = f"s{i:03d}_{kind}"
        target = folder / student
        target.mkdir(parents=True)
        for topic in TOPICS:
            shutil.copy2(ROOT / "solutions" / f"{topic}.py", target / f"{topic}.py")
        if kind == "mutant":
            topic, mutant = mutants[(i * 7) % len(mutants)]
            (target / f"{topic}.py").write_text(mutated_source(topic, mutant), encoding="utf-8")
            kind = f"mutant {topic}.{mutant.target}"
        elif kind == "hostile":
            name = HOSTILE[(i // len(order)) % len(HOSTILE)]
            (target / "optimizers.py").write_text(str(hostile[name]), encoding="utf-8")
            kind = f"hostile {name}"
        kinds[student] = kind
    return kinds


def strip(record: dict) -> dict:
    return {k: v for k, v in record.items()
            if k not in ("submission", "student", "status", "error", "cause", "settings")}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--students", type=int, default=6)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--profile", default="grading", choices=PROFILES)
    p.add_argument("--scheduler", default=None, help="a Dask scheduler address instead of local workers")
    p.add_argument("--check", type=int, default=2, help="students whose records are compared with `grade` alone")
    p.add_argument("--json", default=None, help="also write the figures here")
    args = p.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-class-"))
    try:
        kinds = write_class(work / "class", args.students)
        out = work / "out"
        cmd = [sys.executable, "-m", "autograder.cli", "grade-batch", str(work / "class"),
               "--output", str(out), "--profile", args.profile, "--device", "cpu",
               "--no-progress", "--no-report"]
        cmd += ["--scheduler", args.scheduler] if args.scheduler else ["--workers", str(args.workers)]
        print(f"{len(kinds)} complete submissions, profile {args.profile}, {os.cpu_count()} CPUs, "
              f"load {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
        cpu0, busy0, wall0 = children_cpu(), machine_cpu(), time.perf_counter()
        subprocess.run(cmd, check=True, cwd=work)
        wall, reaped, cpu = time.perf_counter() - wall0, children_cpu() - cpu0, machine_cpu() - busy0
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        records = {p.stem: json.loads(p.read_text()) for p in (out / "results").glob("*.json")}
        print(f"{'student':32} {'score':>12}  status")
        for student in sorted(kinds):
            r = records[student]
            print(f"{kinds[student]:32} {r['score']:>6g}/{r['max_score']:<5g}  {r['status']}")
        per_sub = cpu / len(kinds)
        print(f"wall {wall:.1f} s: {60 * len(kinds) / wall:.2f} submissions/minute; "
              f"{cpu:.1f} busy core-s in all (machine; {reaped:.1f} in reaped children), "
              f"{per_sub:.1f} core-s per complete submission (goal <= 8); largest process {peak:.0f} MiB",
              flush=True)
        identical = []
        for student in sorted(kinds)[: args.check]:
            alone = subprocess.run([sys.executable, "-m", "autograder.cli", "grade", str(work / "class" / student),
                                    "--profile", args.profile, "--format", "json"], capture_output=True,
                                   text=True, cwd=work)
            same = strip(json.loads(alone.stdout)) == strip(records[student])
            identical.append(same)
            print(f"{student}: batch record {'==' if same else '!='} `grade` alone")
        if args.json:
            Path(args.json).write_text(json.dumps({
                "students": len(kinds), "profile": args.profile, "workers": args.workers,
                "scheduler": bool(args.scheduler), "wall_s": round(wall, 1), "core_s": round(cpu, 1), "reaped_core_s": round(reaped, 1),
                "core_s_per_submission": round(per_sub, 2), "per_minute": round(60 * len(kinds) / wall, 2),
                "peak_mib": round(peak), "identical": identical}, indent=1) + "\n")
        return 0 if all(identical) else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
