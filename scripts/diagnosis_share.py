#!/usr/bin/env python
"""How many failures of the misconception mutants carry a diagnosis: named or a generic relation.

    .venv/bin/python scripts/diagnosis_share.py [--modules conv pooling] [--json out.json]
    .venv/bin/python scripts/diagnosis_share.py --from-json out.json   # the table again, no grading

Grades every mutant of tests/test_mutants.py (profile "mutation", only its target's properties)
and prints per module: failed properties, how many name a misconception (the record's
``diagnosis``), how many show a generic relation (a "looks like:" line in the feedback, from
grading_tests/relations.py), how many only raised or crashed, and the share with a diagnosis;
then the same share among the value mismatches alone (a check_array / check_scalar failure:
values, shape or NaN), the failures a relation can explain, as opposed to a property's own
checks (modified in place, no ValueError raised, state_dict keys, statistics of draws).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RELATION_MARK = "\n  looks like: "
# The first line of a check_array / check_scalar failure about the values (compare.py's words).
VALUE_MISMATCH = re.compile(r"values differ from the reference|entries differ; first at|contains NaN"
                            r"|^[^\n]*: shape \([\d, ]*\) expected \([\d, ]*\)|: expected \S+, got \S+$")


# The engine's own diagnoses, which name how grading ended rather than a misconception.
ENGINE_DIAGNOSES = ("not implemented", "module not gradable", "crashed or timed out", "budget exhausted",
                    "grading error")


def classify(diagnosis: str, feedback: str) -> str:
    """named | mistake | relation | raised | none, for one failed property: a named
    misconception, a kind of mistake a property's own check states (compare.py's
    ``fail(mistake=...)``: in place, no ValueError, ...), a generic relation, an exception."""
    from grading_tests import compare

    if diagnosis in compare.STATED_MISTAKES:
        return "mistake"
    if diagnosis and diagnosis not in ENGINE_DIAGNOSES and not diagnosis.startswith("raised "):
        return "named"
    if RELATION_MARK in feedback:
        return "relation"
    if diagnosis:
        return "raised"
    return "none"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", nargs="*", help="only these topics")
    parser.add_argument("--json", type=Path, help="write every failed property's record here")
    parser.add_argument("--from-json", type=Path, help="print the table of records written before")
    args = parser.parse_args(argv)
    if args.from_json:
        table(json.loads(args.from_json.read_text(encoding="utf-8")))
        return 0

    from autograder.engine.pipeline import grade_submission
    from tests.test_mutants import all_mutants, mutated_source

    records = []
    start = time.monotonic()
    mutants = [(m, x) for m, x in all_mutants() if not args.modules or m in args.modules]
    for i, (module, mutant) in enumerate(mutants, 1):
        with tempfile.TemporaryDirectory() as folder:
            (Path(folder) / f"{module}.py").write_text(mutated_source(module, mutant), encoding="utf-8")
            result = grade_submission(folder, [module], profile="mutation", functions={mutant.target})
        for prop in result.topics[0].properties:
            if not prop.passed:
                records.append({"module": module, "mutant": mutant.name, "property": prop.name,
                                "diagnosis": prop.diagnosis, "feedback": prop.feedback})
        print(f"[{i}/{len(mutants)} {time.monotonic() - start:.0f}s] {module}.{mutant.name}",
              file=sys.stderr, flush=True)
    if args.json:
        args.json.write_text(json.dumps(records, indent=1), encoding="utf-8")
    table(records)
    return 0


KINDS = ("named", "mistake", "relation", "raised", "none")


def table(records: list[dict[str, str]]) -> None:
    """Per module: failures by kind, the share with a diagnosis, and among value mismatches."""
    counts: dict[str, dict[str, int]] = {}
    for record in records:
        kind = classify(record["diagnosis"], record["feedback"])
        row = counts.setdefault(record["module"], dict.fromkeys(("failed", *KINDS, "values", "v_hit"), 0))
        row["failed"] += 1
        row[kind] += 1
        if VALUE_MISMATCH.search(record["feedback"].split("\n", 1)[0]):
            row["values"] += 1
            row["v_hit"] += kind in ("named", "relation")
    print(f"{'module':<18}{'failed':>8}{'named':>8}{'mistake':>9}{'relation':>10}{'raised':>8}{'none':>6}{'share':>8}"
          f"{'values':>8}{'share':>8}")
    total = dict.fromkeys(("failed", *KINDS, "values", "v_hit"), 0)
    for module, row in counts.items():
        for key in total:
            total[key] += row[key]
        print(_line(module, row))
    print(_line("total", total))
    print(f"share of failures with a diagnosis (named, mistake or relation): {_share(total)}; "
          f"counting 'raised ...' too: {_share(total, with_raised=True)}; among the "
          f"{total['values']} value mismatches: {_pct(total['v_hit'], total['values'])}")


def _pct(hit: int, of: int) -> str:
    return f"{hit / of:.1%}" if of else "-"


def _share(row: dict[str, int], with_raised: bool = False) -> str:
    return _pct(row["named"] + row["mistake"] + row["relation"] + (row["raised"] if with_raised else 0),
                row["failed"])


def _line(name: str, row: dict[str, int]) -> str:
    return (f"{name:<18}{row['failed']:>8}{row['named']:>8}{row['mistake']:>9}{row['relation']:>10}"
            f"{row['raised']:>8}{row['none']:>6}{_share(row):>8}{row['values']:>8}"
            f"{_pct(row['v_hit'], row['values']):>8}")


if __name__ == "__main__":
    raise SystemExit(main())
