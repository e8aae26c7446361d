#!/usr/bin/env python
"""Mechanical mutation score: cosmic-ray's operators mutate each reference solution, the grader grades.

    nice -n 10 .venv/bin/python scripts/mutation_score.py [--topics conv pooling] [--max-mutants 80]
        [--jobs 1] [--timeout 60] [--all-lines] [--out out/mutation]
    (or: make mutation MUTATION_ARGS="--topics conv --max-mutants 80")

For each topic, every mutation cosmic-ray's core operators make in solutions/<topic>.py (by
default only the graded bodies, between ``### BEGIN SOLUTION`` / ``### END SOLUTION``) is
written, alone, into a fresh scratch submission folder (the committed file is never touched)
and graded there in-process with profile "mutation" and exitfirst: first on the mutated
function's own properties, and when it passes them on the whole topic. A mutant is killed when
it scores below full marks (the unmutated copy is checked to get them first); one that runs
past its time limit is killed as a timeout. ``--max-mutants N`` grades a deterministic sample
of N per topic (ordered by a hash of each mutation, so a rerun grades the same ones).

Prints per topic: mutants, killed, survived, timeout, known equivalents (survivors listed in
docs/mutation_equivalents.md), score % = (killed + timeout) / (mutants - equivalent); writes
out/mutation/<topic>.md (the table row, each survivor's diff and id) and <topic>.json.

Why cosmic-ray and not mutmut: cosmic-ray's operators and ``mutate_code`` take any module
path and give one mutation at a time as source text, which is all a grader run needs; mutmut 3
rewrites a pytest project's own source tree into ``mutants/`` with trampolines and wants its
tests to import that tree, which an autograder that grades a copied submission folder in a
sandboxed worker is not.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from queue import Empty, Queue
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SOLUTIONS = ROOT / "solutions"
EQUIVALENTS = ROOT / "docs" / "mutation_equivalents.md"
FAST_TOPICS = ["optimizers", "regularization", "initialization", "conv", "pooling"]
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
# How a failing property ends when the grader ran out of time on the mutant: results.Outcome
# values, and the diagnoses that said so before there was an outcome on the record.
TIME_OUTCOMES = ("timed_out", "budget_exhausted", "crashed or timed out", "budget exhausted")


def ensure_cosmic_ray() -> None:
    """Install cosmic-ray into this interpreter's environment (the venv) when it is missing."""
    try:
        import cosmic_ray  # noqa: F401
    except ImportError:
        print("cosmic-ray is not installed: installing it with pip", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "cosmic-ray"], check=True)


@dataclasses.dataclass
class Mutant:
    topic: str
    operator: str  # cosmic-ray's name, e.g. "core/ReplaceBinaryOperator_Mul_Add"
    occurrence: int
    line: int
    definition: str  # the enclosing function or class
    before: str  # the original line(s), stripped
    after: str  # the mutated line(s), stripped
    diff: str
    source: str = dataclasses.field(repr=False, default="")
    nth: int = 0  # how many earlier mutants of the same definition make the same change

    @property
    def key(self) -> str:
        """Stable across edits elsewhere in the file (unlike the occurrence number)."""
        parts = (self.topic, self.definition, self.operator, self.before, self.after)
        text = "\0".join(parts + ((str(self.nth),) if self.nth else ()))
        return hashlib.sha1(text.encode()).hexdigest()[:10]


def solution_lines(source: str) -> set[int]:
    """1-based numbers of the lines between the solution markers."""
    inside, lines = False, set()
    for number, line in enumerate(source.splitlines(), 1):
        if BEGIN in line:
            inside = True
        elif END in line:
            inside = False
        elif inside:
            lines.add(number)
    return lines


def enumerate_mutants(topic: str, all_lines: bool = False) -> list[Mutant]:
    """Every mutation cosmic-ray's core operators make in solutions/<topic>.py, as source."""
    import difflib

    from cosmic_ray.commands.init import _all_work_items
    from cosmic_ray.mutating import mutate_code
    from cosmic_ray.plugins import get_operator

    path = SOLUTIONS / f"{topic}.py"
    original = path.read_text(encoding="utf-8")
    graded = solution_lines(original)
    mutants = []
    for item in _all_work_items([path], {}):
        spec = item.mutations[0]
        if not all_lines and spec.start_pos[0] not in graded:
            continue
        mutated = mutate_code(original, get_operator(spec.operator_name)(), spec.occurrence)
        if mutated is None or mutated == original:
            continue
        old, new = original.splitlines(), mutated.splitlines()
        diff_lines = list(difflib.unified_diff(old, new, f"a/solutions/{topic}.py",
                                               f"b/solutions/{topic}.py", lineterm="", n=1))
        removed = [x[1:].strip() for x in diff_lines[2:] if x.startswith("-")]
        added = [x[1:].strip() for x in diff_lines[2:] if x.startswith("+")]
        mutants.append(Mutant(topic, spec.operator_name, spec.occurrence, spec.start_pos[0],
                              spec.definition_name or "<module>", " / ".join(removed),
                              " / ".join(added), "\n".join(diff_lines), mutated))
    # The same line twice in one function: the same change on each needs an id of its own.
    seen: dict[str, int] = {}
    for mutant in mutants:
        first = mutant.key
        mutant.nth = seen.get(first, 0)
        seen[first] = mutant.nth + 1
    return mutants


def sample(mutants: list[Mutant], limit: int | None) -> list[Mutant]:
    """A deterministic sample of at most ``limit`` (by a hash of each mutation), in line order."""
    if limit is not None and len(mutants) > limit:
        mutants = sorted(mutants, key=lambda m: hashlib.sha256(
            f"{m.topic}:{m.operator}:{m.occurrence}".encode()).hexdigest())[:limit]
    return sorted(mutants, key=lambda m: (m.line, m.operator, m.occurrence))


def known_equivalents(path: Path = EQUIVALENTS) -> dict[str, set[str]]:
    """topic -> ids of survivors judged equivalent: every `<id>` quoted in a "## <topic>" section."""
    found: dict[str, set[str]] = {}
    if not path.exists():
        return found
    topic = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"##\s+(\w+)\s*$", line)
        if heading:
            topic = heading.group(1)
        if topic:
            found.setdefault(topic, set()).update(re.findall(r"`([0-9a-f]{10})`", line))
    return found


# ---- grading one mutant, in a worker process (--serve) that the parent can kill -------------------

def grade_source(topic: str, source: str, budget: float,
                 functions: list[str] | None = None) -> dict[str, Any]:
    """Grade ``source`` as <topic>.py of a fresh scratch submission (only the properties of
    ``functions`` when given); score, max and first failure."""
    from autograder.engine.pipeline import grade_submission

    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix=f"mutant-{topic}-") as folder:
        (Path(folder) / f"{topic}.py").write_text(source, encoding="utf-8")
        result = grade_submission(folder, [topic], profile="mutation", exitfirst=True,
                                  functions=set(functions) if functions else None,
                                  topic_budget=budget, submission_budget=budget)
    topic_result = result.topics[0]
    failed = [p for p in topic_result.properties if not p.passed]
    first = failed[0] if failed else None
    ended = getattr(first, "outcome", None)
    return {"outcome": str(getattr(ended, "value", ended or "")),
            "score": topic_result.score, "max": topic_result.max_score,
            "problem": topic_result.problem[:300], "failed": len(failed),
            "property": first.name if first else "", "diagnosis": first.diagnosis if first else "",
            "status": first.status if first else "", "seconds": round(time.monotonic() - start, 2)}


def serve() -> int:
    """Answer one JSON line per request line: {"topic", "source", "budget", "functions"}."""
    reply = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # anything else written to stdout goes to the log, never into the replies
    sys.stdout = sys.stderr
    for line in sys.stdin:
        request = json.loads(line)
        try:
            answer = grade_source(request["topic"], request["source"], float(request["budget"]),
                                  request.get("functions"))
        except Exception as exc:  # noqa: BLE001 - reported to the parent, which records it
            answer = {"error": f"{type(exc).__name__}: {exc}"[:2000]}
        reply.write(json.dumps(answer) + "\n")
        reply.flush()
    return 0


class Worker:
    """One ``--serve`` process; restarted after a timeout (its whole process group is killed)."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> subprocess.Popen[bytes]:
        if self.proc is None or self.proc.poll() is not None:
            with self.log.open("ab") as log:
                self.proc = subprocess.Popen([sys.executable, __file__, "--serve"], cwd=ROOT,
                                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                             stderr=log, start_new_session=True)
        return self.proc

    def ask(self, request: dict[str, Any], limit: float) -> dict[str, Any] | None:
        """The reply, or None when none came within ``limit`` seconds (the worker is killed)."""
        proc = self.start()
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write((json.dumps(request) + "\n").encode())
        proc.stdin.flush()
        deadline, data = time.monotonic() + limit, b""
        fd = proc.stdout.fileno()
        while not data.endswith(b"\n"):
            left = deadline - time.monotonic()
            ready = select.select([fd], [], [], max(left, 0))[0] if left > 0 else []
            if not ready:
                self.stop()
                return None
            chunk = os.read(fd, 1 << 16)
            if not chunk:  # the worker died
                self.stop()
                return {"error": "the grading worker died"}
            data += chunk
        return dict(json.loads(data))

    def stop(self) -> None:
        if self.proc is not None:
            if self.proc.poll() is None:
                os.killpg(self.proc.pid, signal.SIGKILL)  # our own worker's group, by its id
            self.proc.wait()
            self.proc = None


def outcome(answer: dict[str, Any] | None, full: float) -> str:
    if answer is None:
        return "timeout"
    if "error" in answer:
        return "error"
    if answer["score"] >= full - 1e-9 and answer["failed"] == 0 and not answer["problem"]:
        return "survived"
    if answer["outcome"] in TIME_OUTCOMES or answer["diagnosis"] in TIME_OUTCOMES:
        return "timeout"
    return "killed"


def run_topic(topic: str, mutants: list[Mutant], workers: list[Worker], timeout: float | None,
              log: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Grade the unmutated copy (it must score full marks), then every mutant."""
    source = (SOLUTIONS / f"{topic}.py").read_text(encoding="utf-8")
    base = workers[0].ask({"topic": topic, "source": source, "budget": 600}, 900)
    if base is None or "error" in base or base["failed"] or base["score"] < base["max"]:
        raise SystemExit(f"{topic}: the unmutated solution does not score full marks: {base}")
    # The first grading of a topic also imports its tests; later ones are faster than this.
    limit = timeout or max(30.0, 4 * base["seconds"])
    queue: Queue[tuple[int, Mutant]] = Queue()
    for pair in enumerate(mutants):
        queue.put(pair)
    records: list[dict[str, Any]] = [{} for _ in mutants]
    done = [0]
    lock = threading.Lock()
    start = time.monotonic()

    def work(worker: Worker) -> None:
        while True:
            try:
                index, mutant = queue.get_nowait()
            except Empty:
                return
            request = {"topic": topic, "source": mutant.source, "budget": limit}
            # The mutated function's own properties first (fast, and a failure there is a kill);
            # a mutant that passes them is graded again on the whole topic, since callers of the
            # function (and given code) may show it.
            answer = worker.ask({**request, "functions": [mutant.definition]}, limit + 30)
            if answer is not None and "error" not in answer and (
                    answer["max"] == 0 or outcome(answer, answer["max"]) == "survived"):
                answer = worker.ask(request, limit + 30)
            result = outcome(answer, base["score"])
            record = {**dataclasses.asdict(mutant), "id": mutant.key, "outcome": result,
                      "answer": answer}
            record.pop("source")
            with lock:
                records[index] = record
                done[0] += 1
                print(f"[{topic} {done[0]}/{len(mutants)} {time.monotonic() - start:.0f}s] "
                      f"{result:<8} {mutant.key} line {mutant.line} {mutant.operator.split('/')[-1]}",
                      file=log, flush=True)

    threads = [threading.Thread(target=work, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return records, {"baseline_seconds": base["seconds"], "limit": limit, "full": base["score"]}


def summarize(topic: str, total: int, records: list[dict[str, Any]], equivalent: set[str]) -> dict[str, Any]:
    count = {k: sum(r["outcome"] == k for r in records) for k in ("killed", "survived", "timeout", "error")}
    equiv = sum(r["outcome"] == "survived" and r["id"] in equivalent for r in records)
    judged = len(records) - equiv - count["error"]
    score = (count["killed"] + count["timeout"]) / judged if judged else 1.0
    return {"topic": topic, "all": total, "mutants": len(records), **count, "equivalent": equiv,
            "score": score}


HEADER = (f"{'module':<16}{'all':>6}{'mutants':>9}{'killed':>8}{'survived':>10}{'timeout':>9}"
          f"{'equiv':>7}{'error':>7}{'score':>9}")


def row(s: dict[str, Any]) -> str:
    return (f"{s['topic']:<16}{s['all']:>6}{s['mutants']:>9}{s['killed']:>8}{s['survived']:>10}"
            f"{s['timeout']:>9}{s['equivalent']:>7}{s['error']:>7}{s['score']:>9.1%}")


def write_report(out: Path, summary: dict[str, Any], meta: dict[str, Any],
                 records: list[dict[str, Any]], equivalent: set[str]) -> Path:
    topic = summary["topic"]
    lines = [f"# Mutation score: {topic}", "", "```", HEADER, row(summary), "```", "",
             f"Unmutated copy graded in {meta['baseline_seconds']} s; limit per mutant "
             f"{meta['limit']:.0f} s. Score = (killed + timeout) / (mutants - equivalent - error).", ""]
    for title, keep in (("Survivors (not listed as equivalent)",
                         lambda r: r["outcome"] == "survived" and r["id"] not in equivalent),
                        ("Survivors listed as equivalent in docs/mutation_equivalents.md",
                         lambda r: r["outcome"] == "survived" and r["id"] in equivalent),
                        ("Errors (the grading worker failed; not counted)", lambda r: r["outcome"] == "error")):
        chosen = [r for r in records if keep(r)]
        lines += [f"## {title}: {len(chosen)}", ""]
        for r in chosen:
            lines += [f"### `{r['id']}` {r['definition']}, line {r['line']}, {r['operator'].split('/')[-1]}",
                      "", "```diff", r["diff"], "```", ""]
            if r["outcome"] == "error":
                lines += [f"    {r['answer']}", ""]
    faults = [r for r in records if (r["answer"] or {}).get("status") == "error"]
    if faults:
        lines += [f"## Killed by a grading error (the grader failed on the mutant): {len(faults)}", ""]
        lines += [f"- `{r['id']}` line {r['line']} {r['operator']}: {r['answer']['property']}" for r in faults]
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{topic}.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (out / f"{topic}.json").write_text(json.dumps({"summary": summary, "meta": meta, "records": records},
                                                  indent=1), encoding="utf-8")
    return path


def retabulate(topics: list[str], out: Path, equivalents: dict[str, set[str]]) -> int:
    print(HEADER)
    for topic in topics:
        path = out / f"{topic}.json"
        if not path.exists():
            print(f"{topic}: no {path}", file=sys.stderr)
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        summary = summarize(topic, data["summary"]["all"], data["records"], equivalents.get(topic, set()))
        write_report(out, summary, data["meta"], data["records"], equivalents.get(topic, set()))
        print(row(summary))
    return 0


def topics_in(folder: Path) -> Iterator[str]:
    yield from sorted(p.stem for p in folder.glob("*.py") if not p.stem.startswith("_"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--topics", nargs="*", help=f"default: {' '.join(FAST_TOPICS)} (NumPy topics); "
                                                    "'all' for every solution")
    parser.add_argument("--max-mutants", type=int, help="a deterministic sample of N per topic")
    parser.add_argument("--jobs", type=int, default=1, help="grading workers (default 1)")
    parser.add_argument("--timeout", type=float, help="seconds per mutant (default: 4 x the "
                                                      "unmutated grading, at least 30)")
    parser.add_argument("--all-lines", action="store_true", help="mutate given code too, "
                                                                 "not only the graded bodies")
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "mutation")
    parser.add_argument("--resume", action="store_true",
                        help="keep the outcomes in <out>/<topic>.json; grade only the mutants not in it")
    parser.add_argument("--from-json", action="store_true",
                        help="no grading: the table and reports again from <out>/<topic>.json, with "
                             "the equivalents listed now")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        return serve()
    ensure_cosmic_ray()
    topics = args.topics or FAST_TOPICS
    if topics == ["all"]:
        topics = list(topics_in(SOLUTIONS))
    unknown = [t for t in topics if not (SOLUTIONS / f"{t}.py").exists()]
    if unknown:
        parser.error(f"no solution for: {', '.join(unknown)}")
    args.out.mkdir(parents=True, exist_ok=True)
    equivalents = known_equivalents()
    if args.from_json:
        return retabulate(topics, args.out, equivalents)
    workers = [Worker(args.out / f"worker-{i}.log") for i in range(max(1, args.jobs))]
    summaries = []
    try:
        for topic in topics:
            every = enumerate_mutants(topic, args.all_lines)
            chosen = sample(every, args.max_mutants)
            print(f"{topic}: {len(every)} mutants, {len(chosen)} chosen", file=sys.stderr, flush=True)
            done: dict[str, dict[str, Any]] = {}
            meta: dict[str, Any] = {}
            if args.resume and (args.out / f"{topic}.json").exists():
                earlier = json.loads((args.out / f"{topic}.json").read_text(encoding="utf-8"))
                done, meta = {r["id"]: r for r in earlier["records"]}, earlier["meta"]
            todo = [m for m in chosen if m.key not in done]
            if todo or not meta:
                new, meta = run_topic(topic, todo, workers, args.timeout, sys.stderr)
                done.update((r["id"], r) for r in new)
            records = [done[m.key] for m in chosen]
            summary = summarize(topic, len(every), records, equivalents.get(topic, set()))
            summaries.append(summary)
            report = write_report(args.out, summary, meta, records, equivalents.get(topic, set()))
            print(f"{row(summary)}   ({report.relative_to(ROOT) if report.is_relative_to(ROOT) else report})",
                  file=sys.stderr, flush=True)
    finally:
        for worker in workers:
            worker.stop()
    print(HEADER)
    for summary in summaries:
        print(row(summary))
    (args.out / "summary.json").write_text(json.dumps(summaries, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
