"""Where a complete submission's grading time goes, topic by topic (issue 13's profile).

Grades one submission (default: the reference solutions) topic by topic in THIS process, the
way a warm grader would, and splits each topic's CPU time into the grader's side (pytest,
Hypothesis, the torch/NumPy references, the comparisons: this process) and the workers' side
(the sandboxed processes that import and run the student's module: reaped children). The
first line is the one-off cost of starting a grader (imports), which a cold per-student
process pays again for every submission.

    .venv/bin/python benchmarks/profile_topics.py --profile grading [--json F]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _cpu() -> tuple[float, float]:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("submission", nargs="?", default=str(ROOT / "solutions"))
    p.add_argument("--profile", default="grading")
    p.add_argument("--topics", nargs="*", default=None)
    p.add_argument("--json", default=None, help="also write the figures here")
    args = p.parse_args()

    wall0, self0 = time.perf_counter(), _cpu()[0]
    import hypothesis  # noqa: F401
    import torch  # noqa: F401

    from autograder.catalog import TOPICS
    from autograder.engine.pipeline import grade_submission
    start_wall, start_self = time.perf_counter() - wall0, _cpu()[0]
    print(f"grader start (imports): {start_wall:5.1f} s wall, {start_self - self0:5.1f} core-s")
    topics = args.topics or list(TOPICS)
    rows = []
    print(f"{'topic':18} {'wall s':>7} {'grader core-s':>14} {'workers core-s':>15} {'score':>9}")
    for topic in topics:
        w, (s, k) = time.perf_counter(), _cpu()
        result = grade_submission(args.submission, [topic], profile=args.profile)
        w2, (s2, k2) = time.perf_counter(), _cpu()
        t = result.topics[0]
        rows.append({"topic": topic, "wall_s": round(w2 - w, 2), "grader_cpu_s": round(s2 - s, 2),
                     "workers_cpu_s": round(k2 - k, 2), "score": t.score, "max": t.max_score})
        print(f"{topic:18} {w2 - w:7.1f} {s2 - s:14.1f} {k2 - k:15.1f} {t.score:>4g}/{t.max_score:<4g}",
              flush=True)
    total = {key: round(sum(r[key] for r in rows), 1) for key in ("wall_s", "grader_cpu_s", "workers_cpu_s")}
    print(f"{'TOTAL':18} {total['wall_s']:7.1f} {total['grader_cpu_s']:14.1f} {total['workers_cpu_s']:15.1f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory: grader {peak:.0f} MiB, largest worker {peak_kids:.0f} MiB; "
          f"load {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if args.json:
        Path(args.json).write_text(json.dumps({"start_wall_s": round(start_wall, 2), "topics": rows,
                                               "total": total, "peak_grader_mib": round(peak),
                                               "peak_worker_mib": round(peak_kids)}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
