"""What grading produces: one record per property, per topic, per submission.

Output formats read only these records (and their JSON form), never the engine.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

# The diagnosis of a property that a time budget (of its topic or submission) cut or never ran.
BUDGET_EXHAUSTED = "budget exhausted"
# The diagnosis of a property the grader itself failed to grade (its imports, a reference, its
# protocol): status "error", never the student's fault; a batch grades it again on its next run.
GRADER_FAULT = "grading error"

# Feedback quotes student data, so whatever a submission returns, raises or prints, these caps
# hold. Sizes are characters as results.json stores them (escapes such as \n or \u00e9 count
# in full). With every topic graded, a result holds at most len(TOPICS) * MAX_TOPIC_FEEDBACK
# (240 KB) of feedback, plus the printed output the engine keeps. A topic whose every property
# fails honestly needs about 7 KB.
MAX_FEEDBACK = 8_000  # one property's feedback, one topic's problem
MAX_TOPIC_FEEDBACK = 16_000  # the feedback of all a topic's properties together
MIN_FEEDBACK = 500  # what each failing property keeps when its topic's feedback is shared out
MAX_LABEL = 200  # a diagnosis
# A failing property's reproducer (autograder.reproduce) is code: never clipped, only left out.
MAX_REPRODUCE = 6_000
MAX_TOPIC_REPRODUCE = 16_000
REPRODUCE_LEFT_OUT = ("# The code to reproduce this failure was left out: the topic's failures "
                      "together had too much of it.\n")
REPRODUCE_INTRO = "To reproduce this failure, run this code in Python:"
_TAIL = 4  # a clipped text keeps 1/_TAIL of its room for its end: the input and the hint


def stored_size(text: str) -> int:
    """How many characters ``text`` takes in results.json."""
    return len(json.dumps(text)) - 2


def clip(text: str, limit: int) -> str:
    """``text`` if it fits in ``limit`` stored characters, else its head (what went wrong) and its
    tail (the input, the hint) around a line saying how many characters were cut."""
    if len(text) <= limit and stored_size(text) <= limit:
        return text
    room = limit - stored_size(f"\n... [{len(text):,} characters cut] ...\n")
    if room < 2 * _TAIL:
        return _head(text, limit)
    head = _head(text, room - room // _TAIL)
    newline = head.rfind("\n", max(0, len(head) - 200))
    head = head[:newline] if newline > 0 else head
    rest = text[max(len(head), len(text) - room):]
    tail = _head(rest[::-1], room - stored_size(head))[::-1]  # escapes cost the same either way
    newline = tail.find("\n", 0, 200)
    tail = tail[newline + 1:] if newline >= 0 else tail
    return f"{head}\n... [{len(text) - len(head) - len(tail):,} characters cut] ...\n{tail}"


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
    status: str  # "passed" | "failed" | "error" (the grader failed: diagnosis GRADER_FAULT)
    feedback: str = ""
    device: str = "cpu"
    diagnosis: str = ""  # a recognised misconception, when the failure matches one
    # Code the student can run to see the failing call (autograder.reproduce), or "".
    reproduce: str = ""

    def __post_init__(self) -> None:
        self.feedback = clip(self.feedback, MAX_FEEDBACK)
        self.diagnosis = self.diagnosis[:MAX_LABEL]
        if stored_size(self.reproduce) > MAX_REPRODUCE:
            self.reproduce = REPRODUCE_LEFT_OUT

    @property
    def full_feedback(self) -> str:
        """The feedback, then the code that reproduces the failure (unindented, to paste)."""
        if not self.reproduce:
            return self.feedback
        return f"{self.feedback}\n\n{REPRODUCE_INTRO}\n{self.reproduce.rstrip()}"

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    @property
    def grading_error(self) -> bool:
        return self.status == "error"


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
        sizes = [stored_size(p.feedback) for p in self.properties]
        if sum(sizes) > MAX_TOPIC_FEEDBACK:
            # Shared out, longest first: short messages stay whole, floods give way.
            share = _share(sizes, MAX_TOPIC_FEEDBACK)
            for prop, size in zip(self.properties, sizes):
                if size > share:
                    prop.feedback = clip(prop.feedback, share)
        # Reproducers are code, so the longest are left out whole until the rest fits.
        total = sum(stored_size(p.reproduce) for p in self.properties)
        for prop in sorted(self.properties, key=lambda p: -stored_size(p.reproduce)):
            if total <= MAX_TOPIC_REPRODUCE or not prop.reproduce:
                break
            total -= stored_size(prop.reproduce) - stored_size(REPRODUCE_LEFT_OUT)
            prop.reproduce = REPRODUCE_LEFT_OUT

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

    @property
    def score(self) -> float:
        return round(sum(t.score for t in self.topics), 6)

    @property
    def max_score(self) -> float:
        return round(sum(t.max_score for t in self.topics), 6)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
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
