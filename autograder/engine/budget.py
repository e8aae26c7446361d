"""Wall-clock budgets: how long one topic, and one whole submission, may take to grade.

Measured in the grader (student code, imports and the grader's own reference time alike), so
a correct submission that paces itself just under every per-call limit still ends in bounded time.
"""

from __future__ import annotations

import time

from autograder.i18n import _
from autograder.sandbox.client import StudentAbort

# A few times an honest topic (0.5-16 s) and submission (25-80 s), even on a loaded machine:
# a budget cut makes the score depend on the machine's speed, so it must only ever hit
# submissions that are far too slow.
TOPIC_BUDGET = 120.0
SUBMISSION_BUDGET = 600.0


class BudgetExhausted(StudentAbort):
    """The topic's or the submission's time is used up: this property and the rest score 0.

    A ``StudentAbort``, so Hypothesis re-raises it at once instead of shrinking.
    """


class Budgets:
    """The clocks of one submission and of the topic now being graded.

    ``None`` (or a value <= 0) means no budget. The submission's clock starts when this object
    is made; a topic's when ``start_topic`` first names it.
    """

    def __init__(self, topic: float | None = TOPIC_BUDGET,
                 submission: float | None = SUBMISSION_BUDGET) -> None:
        self.topic_budget = topic if topic and topic > 0 else None
        self.submission_budget = submission if submission and submission > 0 else None
        self._submission_deadline = (None if self.submission_budget is None
                                     else time.monotonic() + self.submission_budget)
        self.topic: str | None = None
        self._topic_deadline: float | None = None

    def start_topic(self, topic: str) -> None:
        if topic != self.topic:
            self.topic = topic
            self._topic_deadline = (None if self.topic_budget is None
                                    else time.monotonic() + self.topic_budget)

    def _deadline(self) -> tuple[float, str] | None:
        """The earliest deadline that applies now, with the message for when it has passed."""
        found: list[tuple[float, str]] = []
        if self._topic_deadline is not None:
            found.append((self._topic_deadline,
                          _("time budget for {topic} ({seconds} s) used up: this and the topic's "
                            "remaining properties score 0").format(topic=self.topic,
                                                                    seconds=f"{self.topic_budget:g}")))
        if self._submission_deadline is not None:
            found.append((self._submission_deadline,
                          _("time budget for this submission ({seconds} s) used up: this and all "
                            "remaining properties score 0").format(seconds=f"{self.submission_budget:g}")))
        return min(found) if found else None

    def left(self) -> float | None:
        """Seconds left before the earliest deadline (at most 0 once passed), or None."""
        deadline = self._deadline()
        return None if deadline is None else deadline[0] - time.monotonic()

    def limit(self, timeout: float) -> float:
        """``timeout`` shortened to the time left; raises once nothing is left."""
        left = self.left()
        if left is None:
            return timeout
        if left <= 0:
            raise self.exhausted()
        return min(timeout, left)

    def exhausted(self) -> BudgetExhausted:
        deadline = self._deadline()
        return BudgetExhausted(deadline[1] if deadline else _("time budget used up"))

    def check(self) -> None:
        """Raise ``BudgetExhausted`` if no time is left."""
        left = self.left()
        if left is not None and left <= 0:
            raise self.exhausted()
