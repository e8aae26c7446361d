"""A readable report: a table per topic, then each failure with its smallest input, its hint
and the code that reproduces it."""

from __future__ import annotations

from autograder.i18n import N_, _, ngettext
from autograder.results import REPRODUCE_INTRO, Outcome, SubmissionResult

# Failures with nothing to explain one by one: listed ("Not implemented yet") or said once.
NO_FEEDBACK = (Outcome.NOT_IMPLEMENTED, Outcome.NOT_GRADABLE, Outcome.BUDGET_EXHAUSTED)
ISOLATION_NOTES = {"uid": N_("(sandbox: own uid, no namespaces, see README)"),
                   "limits": N_("(sandbox: resource limits only, see README)")}
# The marks before each property: fixed width, so that the table's columns line up.
MARKS = {"passed": N_("PASS"), "error": N_("ERR!"), "failed": N_("FAIL")}


def _fmt(x: float) -> str:
    return f"{x:g}"


def to_text(result: SubmissionResult, width: int = 100) -> str:
    device = _("Device: {device}   profile: {profile}").format(device=result.device,
                                                             profile=result.profile)
    if result.isolation in ISOLATION_NOTES:
        device += "   " + _(ISOLATION_NOTES[result.isolation])
    lines = [_("Submission: {submission}").format(submission=result.submission), device, ""]
    if result.error:
        lines += [_("GRADING ERROR (the grader's, not yours: tell the course staff): {error}").format(
            error=result.error), ""]
    failures = []
    for topic in result.topics:
        lines.append(f"{topic.topic} - {topic.title}: {_fmt(topic.score)} / {_fmt(topic.max_score)}")
        if topic.note:
            lines.append(f"  ({topic.note})")  # the engine's words, in the grading's language
        if topic.problem:
            # One reason for the whole module: listing each property again would only add noise.
            lines.extend(f"  !! {line}" for line in topic.problem.splitlines()[:8])
            lines.append("")
            continue
        for prop in topic.properties:
            mark = _(MARKS["passed" if prop.passed else "error" if prop.grading_error else "failed"])
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
    lines.append(_("TOTAL: {score} / {max_score}").format(score=_fmt(result.score),
                                                          max_score=_fmt(result.max_score)))
    faults = [p for t in result.topics for p in t.properties if p.grading_error]
    if faults:
        lines.append(ngettext(
            "GRADING ERROR: {count} property could not be graded because the grader failed, not "
            "your code ({mark} above); the course staff have to grade it again",
            "GRADING ERROR: {count} properties could not be graded because the grader failed, not "
            "your code ({mark} above); the course staff have to grade them again",
            len(faults)).format(count=len(faults), mark=_(MARKS["error"])))
    if failures:
        lines += ["", "=" * width, _("Feedback on failing properties"), "=" * width]
        for prop in failures:
            lines.append(f"\n[{prop.topic}.{prop.function}] {prop.name}")
            lines.extend("  " + line for line in prop.feedback.splitlines())
            if prop.reproduce:  # not indented: it is pasted into Python as it stands
                lines += ["", f"  {_(REPRODUCE_INTRO)}", *prop.reproduce.rstrip().splitlines()]
    not_impl = sorted({f"{p.topic}.{p.function}" for t in result.topics for p in t.properties
                       if p.outcome is Outcome.NOT_IMPLEMENTED})
    if not_impl:
        lines += ["", _("Not implemented yet: {functions}").format(functions=", ".join(not_impl))]
    if result.output:
        lines += ["", _("What your code printed (truncated):"), result.output.rstrip()]
    return "\n".join(lines) + "\n"
