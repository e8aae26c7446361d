"""Stubs are generated from the solutions, current, and leak nothing."""

from __future__ import annotations

import pytest

from autograder.authoring.stubs import MarkerError, generate, leaks, solution_lines, strip_solution
from tests.conftest import ASSIGNMENTS, SOLUTIONS


def test_committed_stubs_equal_what_generation_gives():
    stale = generate(SOLUTIONS, ASSIGNMENTS, check=True)
    assert not stale, f"run `autograder stubs`: stale {stale}"


def test_assignments_hold_no_marker_and_no_solution_line():
    assert not leaks(ASSIGNMENTS, SOLUTIONS)


def test_every_solution_function_is_marked():
    for path in SOLUTIONS.glob("*.py"):
        assert "### BEGIN SOLUTION" in path.read_text(), f"{path.name} has no solution markers"


def test_stripping_keeps_signature_and_docstring_and_raises():
    text = 'def f(x):\n    """Doc."""\n    ### BEGIN SOLUTION\n    return x + 1\n    ### END SOLUTION\n'
    stub = strip_solution(text, header=False)
    assert stub == 'def f(x):\n    """Doc."""\n    # YOUR CODE HERE\n    raise NotImplementedError\n'
    assert solution_lines(text) == {"return x + 1"}


@pytest.mark.parametrize("text", [
    "### BEGIN SOLUTION\nx = 1\n",
    "### END SOLUTION\n",
    "### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n",
])
def test_unbalanced_markers_are_an_error(text):
    with pytest.raises(MarkerError):
        strip_solution(text)


def test_leak_check_finds_a_pasted_solution_line(tmp_path):
    (tmp_path / "optimizers.py").write_text(
        (SOLUTIONS / "optimizers.py").read_text().replace("### BEGIN SOLUTION", "#"), encoding="utf-8")
    assert leaks(tmp_path, SOLUTIONS)
