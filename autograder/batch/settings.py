"""A batch's settings (what every submission is graded with, and what a stored result must
have been graded with to count) and its fixed limits."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from autograder.engine.budget import SUBMISSION_BUDGET, TOPIC_BUDGET
from autograder.i18n import DEFAULT, check_language

RESULTS_DIR = "results"
CSV_NAME = "grades.csv"
MANIFEST = "batch.json"
WORK_DIR = ".work"
LOCK = ".lock"
SUBMISSION_TIMEOUT = 1800.0  # seconds for one whole submission, far above an honest one
LOG_TAIL = 3000
MAX_SHIPPED_BYTES = 50_000_000  # per submission sent to a Dask worker
NOTEBOOK_OR_MODULE = (".py", ".ipynb")


@dataclass(frozen=True)
class Settings:
    """How every submission of a batch is graded; a result counts as done only under these."""

    topics: tuple[str, ...]
    profile: str = "grading"
    device: str = "auto"
    call_timeout: float = 10.0
    # Wall-clock budgets inside the grading (0: none): a cut changes scores, so they are part
    # of the fingerprint, unlike submission_timeout, which only turns a hang into an error.
    topic_budget: float = TOPIC_BUDGET
    submission_budget: float = SUBMISSION_BUDGET
    tests: str | None = None
    functions: tuple[str, ...] | None = None
    submission_timeout: float = SUBMISSION_TIMEOUT
    tests_digest: str = ""  # sha256 of the hidden tests' files, filled in by run_batch
    notebooks: str | None = None  # the source notebooks a submitted notebook is rebuilt from
    notebooks_digest: str = ""  # sha256 of the topics' source notebooks, filled in by run_batch
    lang: str = DEFAULT  # the language of the feedback (autograder.i18n), in the batch's records

    def __post_init__(self) -> None:
        object.__setattr__(self, "lang", check_language(self.lang))

    def fingerprint(self) -> dict[str, Any]:
        """What a stored result must have been graded with to be reused: the hidden tests and
        the source notebooks by content (not by path), not the wall-clock limit."""
        data = asdict(self)
        data.pop("submission_timeout")
        data.pop("tests")
        data.pop("notebooks")
        data["topics"] = list(self.topics)
        data["functions"] = sorted(self.functions) if self.functions else None
        if self.lang == DEFAULT:  # as results stored before there was a choice say it
            data.pop("lang")
        return data

    def to_dict(self) -> dict[str, Any]:
        data = self.fingerprint()
        data["submission_timeout"] = self.submission_timeout
        data["tests"] = self.tests
        data["notebooks"] = self.notebooks
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Settings:
        return cls(
            topics=tuple(data["topics"]),
            profile=data.get("profile", "grading"),
            device=data.get("device", "auto"),
            call_timeout=float(data.get("call_timeout", 10.0)),
            topic_budget=float(data.get("topic_budget", TOPIC_BUDGET)),
            submission_budget=float(data.get("submission_budget", SUBMISSION_BUDGET)),
            tests=data.get("tests"),
            functions=tuple(data["functions"]) if data.get("functions") else None,
            submission_timeout=float(data.get("submission_timeout", SUBMISSION_TIMEOUT)),
            tests_digest=data.get("tests_digest", ""),
            notebooks=data.get("notebooks"),
            notebooks_digest=data.get("notebooks_digest", ""),
            lang=data.get("lang", DEFAULT),
        )


