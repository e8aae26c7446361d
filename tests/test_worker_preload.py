"""The grader's own libraries load while a torch worker starts, before the student's clock runs:
a module's import limit (a few times the call limit) measures the student's code only, so a slow
or loaded machine importing torch cannot turn into a timeout the student is graded for."""

from __future__ import annotations

from autograder.submission import Submission

# A torch topic's module whose own code is instant; importing torch itself takes seconds here.
SOURCE = '''import torch


def which():
    return getattr(torch, "FAKE", "the real torch " + str(hasattr(torch, "nn")))
'''


def test_importing_torch_is_not_counted_against_the_students_import_limit(make_submission):
    # Call limit 0.2 s -> import limit 0.6 s: less than torch's own import on this machine.
    with Submission(make_submission(lenet=SOURCE), call_timeout=0.2) as sub:
        assert sub.check_module("lenet") is None
        assert sub.module("lenet").which() == "the real torch True"


def test_a_shipped_torch_py_does_not_stand_in_for_torch(make_submission):
    folder = make_submission(lenet=SOURCE)
    (folder / "torch.py").write_text("FAKE = 'a fake torch'\n", encoding="utf-8")
    with Submission(folder, call_timeout=5.0) as sub:
        problem = sub.check_module("lenet")
        assert problem is None, problem
        assert sub.module("lenet").which() == "the real torch True"
