"""What grading produces: one record per property, per topic, per submission.

Output formats read only these records (and their JSON form), never the engine.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# The diagnosis of a property that a time budget (of its topic or submission) cut or never ran.
BUDGET_EXHAUSTED = "budget exhausted"


@dataclass
class PropertyResult:
    topic: str  # module, e.g. "optimizers"
    function: str  # SPEC name it grades, e.g. "update_parameters_with_adam"
    name: str  # the property, as a sentence
    nodeid: str
    max_score: float
    score: float
    status: str  # "passed" | "failed"
    feedback: str = ""
    device: str = "cpu"
    diagnosis: str = ""  # a recognised misconception, when the failure matches one

    @property
    def passed(self) -> bool:
        return self.status == "passed"


@dataclass
class TopicResult:
    topic: str
    title: str
    properties: list[PropertyResult] = field(default_factory=list)
    problem: str = ""  # why the whole module scored 0 (missing, syntax, import), if it did

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
            topics.append(TopicResult(t["topic"], t.get("title", ""), props, t.get("problem", "")))
        return cls(
            submission=data.get("submission", ""),
            topics=topics,
            device=data.get("device", "cpu"),
            profile=data.get("profile", "grading"),
            output=data.get("output", ""),
            sandboxed=data.get("sandboxed", True),
        )
