"""A readable report: a table per topic, then each failure with its smallest input, its hint
and the code that reproduces it."""

from __future__ import annotations

from autograder.results import REPRODUCE_INTRO, Outcome, SubmissionResult

# Failures with nothing to explain one by one: listed ("Not implemented yet") or said once.
NO_FEEDBACK = (Outcome.NOT_IMPLEMENTED, Outcome.NOT_GRADABLE, Outcome.BUDGET_EXHAUSTED)
ISOLATION_NOTES = {"uid": "   (sandbox: own uid, no namespaces, see README)",
                   "limits": "   (sandbox: resource limits only, see README)"}


def _fmt(x: float) -> str:
    return f"{x:g}"


def to_text(result: SubmissionResult, width: int = 100) -> str:
    lines = [f"Submission: {result.submission}",
             f"Device: {result.device}   profile: {result.profile}"
             + ISOLATION_NOTES.get(result.isolation, ""),
             ""]
    if result.error:
        lines += [f"GRADING ERROR (the grader's, not yours: tell the course staff): {result.error}", ""]
    failures = []
    for topic in result.topics:
        lines.append(f"{topic.topic} - {topic.title}: {_fmt(topic.score)} / {_fmt(topic.max_score)}")
        if topic.note:
            lines.append(f"  ({topic.note})")
        if topic.problem:
            # One reason for the whole module: listing each property again would only add noise.
            lines.extend(f"  !! {line}" for line in topic.problem.splitlines()[:8])
            lines.append("")
            continue
        for prop in topic.properties:
            mark = "PASS" if prop.passed else "ERR!" if prop.grading_error else "FAIL"
            label = f"{prop.function}: {prop.name}"
            if len(label) > width - 20:
                label = label[: width - 23] + "..."
            lines.append(f"  {mark}  {_fmt(prop.score):>4}/{_fmt(prop.max_score):<4} {label}")
            if not prop.passed and prop.outcome not in NO_FEEDBACK:
                failures.append(prop)
        cut = [p for p in topic.properties if p.outcome is Outcome.BUDGET_EXHAUSTED]
        if cut:
            # Said once for the topic: the same reason under every property would only add noise.
            lines.append(f"  !! {cut[0].feedback.splitlines()[0]}")
        lines.append("")
    lines.append(f"TOTAL: {_fmt(result.score)} / {_fmt(result.max_score)}")
    faults = [p for t in result.topics for p in t.properties if p.grading_error]
    if faults:
        lines.append(f"GRADING ERROR: {len(faults)} propert{'y' if len(faults) == 1 else 'ies'} "
                     "could not be graded because the grader failed, not your code (ERR! above); "
                     "the course staff have to grade them again")
    if failures:
        lines += ["", "=" * width, "Feedback on failing properties", "=" * width]
        for prop in failures:
            lines.append(f"\n[{prop.topic}.{prop.function}] {prop.name}")
            lines.extend("  " + line for line in prop.feedback.splitlines())
            if prop.reproduce:  # not indented: it is pasted into Python as it stands
                lines += ["", f"  {REPRODUCE_INTRO}", *prop.reproduce.rstrip().splitlines()]
    not_impl = sorted({f"{p.topic}.{p.function}" for t in result.topics for p in t.properties
                       if p.outcome is Outcome.NOT_IMPLEMENTED})
    if not_impl:
        lines += ["", "Not implemented yet: " + ", ".join(not_impl)]
    if result.output:
        lines += ["", "What your code printed (truncated):", result.output.rstrip()]
    return "\n".join(lines) + "\n"
