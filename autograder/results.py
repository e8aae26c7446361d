"""What grading produces: one record per property, per topic, per submission.

Output formats read only these records (and their JSON form), never the engine.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any

from autograder.i18n import N_, _


class Outcome(str, Enum):
    """How grading one property ended. Which misconception a failure shows is the record's
    ``diagnosis``; how it ended is this, so that no format or report reads it from a phrase."""

    PASSED = "passed"
    FAILED = "failed"  # the code ran and a property does not hold (a wrong value, say)
    NOT_IMPLEMENTED = "not_implemented"  # the function still raises NotImplementedError
    RAISED = "raised"  # the student's code raised (``exception`` names the type)
    CRASHED = "crashed"  # the worker died, exited, or garbled the channel
    TIMED_OUT = "timed_out"  # a call did not return in time (or the property's calls took too long)
    NOT_GRADABLE = "not_gradable"  # the module is missing, has a syntax error or fails to import
    BUDGET_EXHAUSTED = "budget_exhausted"  # a time budget (topic, submission) cut it or it never ran
    # The grader itself failed (its imports, a reference, its protocol): status "error", never
    # the student's fault; a batch grades it again on its next run.
    GRADER_ERROR = "grader_error"

    @property
    def status(self) -> str:
        """The record's older field: "passed", "failed" or "error" (the grader's fault)."""
        if self is Outcome.PASSED:
            return "passed"
        return "error" if self is Outcome.GRADER_ERROR else "failed"

    @property
    def unattempted(self) -> bool:
        """Missing work (nothing to run), not wrong work."""
        return self in (Outcome.NOT_IMPLEMENTED, Outcome.NOT_GRADABLE)

    def label(self, exception: str = "") -> str:
        """How it ended, in a few words for the staff (a JUnit type, the class report's causes),
        in the current language: a label to show, never to match (match the outcome itself)."""
        if self is Outcome.RAISED:
            return (_("raised {exception}").format(exception=exception) if exception
                    else _("raised an exception"))
        return _(_LABELS[self])


_LABELS = {
    Outcome.PASSED: N_("passed"),
    Outcome.FAILED: N_("property failed"),
    Outcome.NOT_IMPLEMENTED: N_("not implemented"),
    Outcome.CRASHED: N_("crashed"),
    Outcome.TIMED_OUT: N_("timed out"),
    Outcome.NOT_GRADABLE: N_("module not gradable"),
    Outcome.BUDGET_EXHAUSTED: N_("budget exhausted"),
    Outcome.GRADER_ERROR: N_("grading error"),
}

_VALUES = frozenset(outcome.value for outcome in Outcome)

# What the first versions stored in ``diagnosis`` instead of an outcome (read back only).
LEGACY_DIAGNOSES = {
    "not implemented": Outcome.NOT_IMPLEMENTED,
    "module not gradable": Outcome.NOT_GRADABLE,
    "budget exhausted": Outcome.BUDGET_EXHAUSTED,
    "grading error": Outcome.GRADER_ERROR,
    "crashed or timed out": Outcome.CRASHED,  # or TIMED_OUT: see worker_failure_outcome (old records)
}
# How autograder.sandbox.client and autograder.engine.submission word a WorkerFailure for a call they
# stopped (one call too slow; a property's calls too slow in total). Any other is a crash.
_TIMEOUT_WORDING = (" did not return within ", "; it is far too slow")


def worker_failure_outcome(message: str) -> Outcome:
    """TIMED_OUT or CRASHED for the message of a WorkerFailure (the worker was stopped)."""
    first = message.split("\n", 1)[0]
    return Outcome.TIMED_OUT if any(w in first for w in _TIMEOUT_WORDING) else Outcome.CRASHED


def legacy_outcome(status: str, diagnosis: str, feedback: str = "") -> tuple[Outcome, str, str]:
    """(outcome, misconception, exception type) of a record stored without an outcome, whose
    ``diagnosis`` may hold how it ended ("not implemented", "raised ValueError", ...)."""
    if status == "passed":
        return Outcome.PASSED, "", ""
    if status == "error":
        return Outcome.GRADER_ERROR, "", ""
    legacy = LEGACY_DIAGNOSES.get(diagnosis)
    if legacy is Outcome.CRASHED:
        return worker_failure_outcome(feedback), "", ""
    if legacy is not None:
        return legacy, "", ""
    if diagnosis.startswith("raised "):
        return Outcome.RAISED, "", diagnosis[len("raised "):]
    return Outcome.FAILED, diagnosis, ""


def read_outcome(prop: dict[str, Any]) -> tuple[Outcome, str, str]:
    """(outcome, misconception, exception type) of a stored property record, of any version
    (one it cannot read, of a later version, is read as its status and diagnosis say)."""
    stored = prop.get("outcome")
    if isinstance(stored, str) and stored in _VALUES:
        return Outcome(stored), str(prop.get("diagnosis") or ""), str(prop.get("exception") or "")
    return legacy_outcome(str(prop.get("status") or ""), str(prop.get("diagnosis") or ""),
                          str(prop.get("feedback") or ""))


# Feedback quotes student data, so whatever a submission returns, raises or prints, these caps
# hold. Sizes are characters as results.json stores them (escapes such as \n or \u00e9 count
# in full). A result holds at most MAX_SUBMISSION_FEEDBACK of feedback and
# MAX_SUBMISSION_REPRODUCE of reproducers however many topics it grades (each topic at most its
# own caps), plus the printed output the engine keeps. A topic whose every property fails
# honestly needs about 7 KB.
MAX_FEEDBACK = 8_000  # one property's feedback, one topic's problem
MAX_TOPIC_FEEDBACK = 16_000  # the feedback of all a topic's properties together
MAX_SUBMISSION_FEEDBACK = 240_000  # the feedback of all the topics together
MAX_SUBMISSION_REPRODUCE = 120_000  # the reproducers of all the topics together
MIN_FEEDBACK = 500  # what each failing property keeps when its topic's feedback is shared out
MAX_LABEL = 200  # a diagnosis
# A failing property's reproducer (autograder.engine.reproduce) is code: never clipped, only left out.
MAX_REPRODUCE = 6_000
MAX_TOPIC_REPRODUCE = 16_000
REPRODUCE_LEFT_OUT = N_("# The code to reproduce this failure was left out: the topic's failures "
                        "together had too much of it.\n")
REPRODUCE_INTRO = N_("To reproduce this failure, run this code in Python:")
_TAIL = 4  # a clipped text keeps 1/_TAIL of its room for its end: the input and the hint


def stored_size(text: str) -> int:
    """How many characters ``text`` takes in results.json."""
    return len(json.dumps(text)) - 2


def clip(text: str, limit: int) -> str:
    """``text`` if it fits in ``limit`` stored characters, else its head (what went wrong) and its
    tail (the input, the hint) around a line saying how many characters were cut."""
    if len(text) <= limit and stored_size(text) <= limit:
        return text
    room = limit - stored_size(_cut(len(text)))
    if room < 2 * _TAIL:
        return _head(text, limit)
    head = _head(text, room - room // _TAIL)
    newline = head.rfind("\n", max(0, len(head) - 200))
    head = head[:newline] if newline > 0 else head
    rest = text[max(len(head), len(text) - room):]
    tail = _head(rest[::-1], room - stored_size(head))[::-1]  # escapes cost the same either way
    newline = tail.find("\n", 0, 200)
    tail = tail[newline + 1:] if newline >= 0 else tail
    return f"{head}{_cut(len(text) - len(head) - len(tail))}{tail}"


def _cut(count: int) -> str:
    """The line that stands for ``count`` characters cut out of a text."""
    return "\n" + _("... [{count} characters cut] ...").format(count=f"{count:,}") + "\n"


def _head(text: str, room: int) -> str:
    """The longest start of ``text`` that fits in ``room`` stored characters."""
    good, bad = 0, min(len(text), room) + 1
    if stored_size(text[: bad - 1]) <= room:
        return text[: bad - 1]
    while bad - good > 1:  # stored size grows with the length: bisect
        mid = (good + bad) // 2
        good, bad = (mid, bad) if stored_size(text[:mid]) <= room else (good, mid)
    return text[:good]


def _share(sizes: list[int], budget: int) -> int:
    """The largest cap that, applied to each size, brings their sum within ``budget``."""
    left, rest = budget, len(sizes)
    for size in sorted(sizes):
        if size * rest > left:
            return max(left // rest, MIN_FEEDBACK)
        left, rest = left - size, rest - 1
    return max(sizes, default=budget)


@dataclass
class PropertyResult:
    topic: str  # module, e.g. "optimizers"
    function: str  # SPEC name it grades, e.g. "update_parameters_with_adam"
    name: str  # the property, as a sentence
    nodeid: str
    max_score: float
    score: float
    status: str  # "passed" | "failed" | "error" (the grader failed): ``outcome.status``
    feedback: str = ""
    device: str = "cpu"
    diagnosis: str = ""  # a recognised misconception, when the failure matches one; else ""
    # Code the student can run to see the failing call (autograder.engine.reproduce), or "".
    reproduce: str = ""
    # How grading it ended. Left out (a record of an older version), __post_init__ reads it
    # from status and diagnosis, so after construction it is always an Outcome.
    outcome: Outcome = None  # type: ignore[assignment]
    exception: str = ""  # the type the student's code raised (outcome RAISED), e.g. "ValueError"

    def __post_init__(self) -> None:
        if self.outcome is None:
            self.outcome, self.diagnosis, self.exception = legacy_outcome(
                self.status, self.diagnosis, self.feedback)
        else:
            self.outcome = Outcome(self.outcome)  # its value, read back from JSON
            if self.status != self.outcome.status:
                raise ValueError(f"a property with outcome {self.outcome.value} has status "
                                 f"{self.outcome.status!r}, not {self.status!r}")
        self.feedback = clip(self.feedback, MAX_FEEDBACK)
        self.diagnosis = self.diagnosis[:MAX_LABEL]
        self.exception = self.exception[:MAX_LABEL]
        if stored_size(self.reproduce) > MAX_REPRODUCE:
            self.reproduce = _(REPRODUCE_LEFT_OUT)

    @property
    def full_feedback(self) -> str:
        """The feedback, then the code that reproduces the failure (unindented, to paste)."""
        if not self.reproduce:
            return self.feedback
        return f"{self.feedback}\n\n{_(REPRODUCE_INTRO)}\n{self.reproduce.rstrip()}"

    @property
    def passed(self) -> bool:
        return self.outcome is Outcome.PASSED

    @property
    def grading_error(self) -> bool:
        return self.outcome is Outcome.GRADER_ERROR


@dataclass
class TopicResult:
    topic: str
    title: str
    properties: list[PropertyResult] = field(default_factory=list)
    problem: str = ""  # why the whole module scored 0 (missing, syntax, import), if it did
    note: str = ""  # what was graded, when not simply <topic>.py (a notebook, a file ignored)

    def __post_init__(self) -> None:
        self.problem = clip(self.problem, MAX_FEEDBACK)
        self.note = clip(self.note, MAX_LABEL * 2)
        self.fit(MAX_TOPIC_FEEDBACK, MAX_TOPIC_REPRODUCE)

    @property
    def feedback_size(self) -> int:
        return sum(stored_size(p.feedback) for p in self.properties)

    @property
    def reproduce_size(self) -> int:
        return sum(stored_size(p.reproduce) for p in self.properties)

    def fit(self, feedback: int, reproduce: int) -> None:
        """Bring the properties' feedback within ``feedback`` stored characters, shared out
        longest first (short messages stay whole, floods give way), and their reproducers within
        ``reproduce``: those are code, so the longest are left out whole until the rest fits."""
        sizes = [stored_size(p.feedback) for p in self.properties]
        if sum(sizes) > feedback:
            share = _share(sizes, feedback)
            for prop, size in zip(self.properties, sizes):
                if size > share:
                    prop.feedback = clip(prop.feedback, share)
        total = self.reproduce_size
        for prop in sorted(self.properties, key=lambda p: -stored_size(p.reproduce)):
            if total <= reproduce or not prop.reproduce:
                break
            total -= stored_size(prop.reproduce) - stored_size(_(REPRODUCE_LEFT_OUT))
            prop.reproduce = _(REPRODUCE_LEFT_OUT)

    @property
    def score(self) -> float:
        return round(sum(p.score for p in self.properties), 6)

    @property
    def max_score(self) -> float:
        return round(sum(p.max_score for p in self.properties), 6)


@dataclass
class SubmissionResult:
    submission: str
    topics: list[TopicResult] = field(default_factory=list)
    device: str = "cpu"
    profile: str = "grading"
    output: str = ""  # what the student's code printed, truncated
    sandboxed: bool = True
    isolation: str = "jail"  # jail, uid (own uid, no namespaces) or limits: see README "Sandbox"
    # Why the grader itself could not grade part of the submission (its installation, not the
    # student's work): such a result is an error for the course staff, never a plain 0.
    error: str = ""

    def __post_init__(self) -> None:
        self.fit()

    def fit(self) -> None:
        """However many topics the catalog grows to, a whole result stays a few hundred KB: the
        topics share the submission's room as the properties share a topic's. Call it again
        after adding topics (the engine does)."""
        feedback = [t.feedback_size for t in self.topics]
        reproduce = [t.reproduce_size for t in self.topics]
        if sum(feedback) > MAX_SUBMISSION_FEEDBACK or sum(reproduce) > MAX_SUBMISSION_REPRODUCE:
            share = _share(feedback, MAX_SUBMISSION_FEEDBACK)
            code = _share(reproduce, MAX_SUBMISSION_REPRODUCE)
            for topic in self.topics:
                topic.fit(min(share, MAX_TOPIC_FEEDBACK), min(code, MAX_TOPIC_REPRODUCE))

    @property
    def score(self) -> float:
        return round(sum(t.score for t in self.topics), 6)

    @property
    def max_score(self) -> float:
        return round(sum(t.max_score for t in self.topics), 6)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for topic in data["topics"]:
            for prop in topic["properties"]:
                prop["outcome"] = prop["outcome"].value  # a plain string in JSON
        data["score"] = self.score
        data["max_score"] = self.max_score
        for topic, tdata in zip(self.topics, data["topics"]):
            tdata["score"] = topic.score
            tdata["max_score"] = topic.max_score
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SubmissionResult:
        topics = []
        for t in data.get("topics", []):
            props = [PropertyResult(**p) for p in t.get("properties", [])]
            topics.append(TopicResult(t["topic"], t.get("title", ""), props, t.get("problem", ""),
                                      t.get("note", "")))
        return cls(
            submission=data.get("submission", ""),
            topics=topics,
            device=data.get("device", "cpu"),
            profile=data.get("profile", "grading"),
            output=data.get("output", ""),
            sandboxed=data.get("sandboxed", True),
            isolation=data.get("isolation", "jail" if data.get("sandboxed", True) else "limits"),
            error=data.get("error", ""),
        )
