"""``Remote.call_many``: a statistical property's thousands of calls in one round trip give the
verdict, the feedback and the reproducer a loop of single calls gives, a raising call included."""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder.engine.pipeline import grade_submission
from autograder.results import Outcome
from autograder.sandbox.client import Remote

SOLUTION = (Path(__file__).resolve().parents[1] / "solutions" / "optimizers.py").read_text(encoding="utf-8")
PROPERTY = "random_mini_batches"
# Raises on one ordering of 4 examples out of 24: some call among the 2400, the same one every run.
RAISES_ON_AN_ORDERING = SOLUTION.replace(
    "    order = rng.permutation(m)\n",
    "    order = rng.permutation(m)\n"
    "    if m == 4 and list(order) == [3, 2, 1, 0]:\n"
    "        raise ValueError('reversed order')\n")
HANGS = SOLUTION.replace("    order = rng.permutation(m)\n",
                         "    order = rng.permutation(m)\n"
                         "    while m == 4:\n"
                         "        pass\n")
BIASED = SOLUTION.replace("    order = rng.permutation(m)\n",
                          "    order = rng.permutation(m)\n"
                          "    if m == 4 and order[0] == 0:\n"
                          "        order = np.roll(order, 1)\n")


def one_by_one(self, calls, *, inspect=False):
    call = self.inspect_call if inspect else self
    return [call(*args, **kwargs) for args, kwargs in calls]


def uniformity(result):
    (prop,) = [p for t in result.topics for p in t.properties if "equally often" in p.name]
    return prop


@pytest.mark.parametrize("text", [RAISES_ON_AN_ORDERING, HANGS, BIASED, SOLUTION],
                         ids=["raises", "hangs", "biased", "correct"])
def test_one_request_reads_as_a_loop_of_single_calls(make_submission, monkeypatch, text):
    folder = make_submission(optimizers=text)
    # A hang is stopped at one call's limit (1 s here), as in a loop, never at 2400 of them.
    grade = dict(profile="dev", functions={PROPERTY}, call_timeout=1.0, topic_budget=60.0)
    batched = uniformity(grade_submission(folder, ["optimizers"], **grade))
    monkeypatch.setattr(Remote, "call_many", one_by_one)
    looped = uniformity(grade_submission(folder, ["optimizers"], **grade))
    assert (batched.outcome, batched.score, batched.feedback, batched.reproduce, batched.diagnosis) == \
        (looped.outcome, looped.score, looped.feedback, looped.reproduce, looped.diagnosis)
    expected = {RAISES_ON_AN_ORDERING: Outcome.RAISED, HANGS: Outcome.TIMED_OUT, BIASED: Outcome.FAILED,
                SOLUTION: Outcome.PASSED}[text]
    assert batched.outcome is expected, batched.feedback
    if text is RAISES_ON_AN_ORDERING:
        assert "reversed order" in batched.feedback and "random_mini_batches(" in batched.reproduce
