"""dl-autograder: Hypothesis property grading of deep-learning exercises against PyTorch.

Public API: ``grade_submission`` (engine) and the result records in ``autograder.results``.
"""

__version__ = "0.1.0"
__all__ = ["grade_submission"]


def grade_submission(*args, **kwargs):
    from autograder.engine.pipeline import grade_submission as _grade

    return _grade(*args, **kwargs)
