"""The grader's own libraries load while a torch worker starts, before the student's clock runs:
a module's import limit (a few times the call limit) measures the student's code only, so a slow
or loaded machine importing torch cannot turn into a timeout the student is graded for."""

from __future__ import annotations

from autograder.engine.submission import Submission

# A torch topic's module whose own code is instant. It notes whether torch was loaded before it.
SOURCE = '''import sys

LOADED_BEFORE = "torch" in sys.modules

import torch


def which():
    return getattr(torch, "FAKE", "the real torch " + str(hasattr(torch, "nn")))


def loaded_before():
    return LOADED_BEFORE
'''


def test_torch_is_loaded_before_the_students_module_so_its_import_is_not_timed(make_submission):
    with Submission(make_submission(lenet=SOURCE), call_timeout=5.0) as sub:
        assert sub.check_module("lenet") is None
        assert sub.module("lenet").loaded_before() is True
        assert sub.module("lenet").which() == "the real torch True"


def test_a_numpy_worker_loads_no_torch(make_submission):
    source = SOURCE.replace("import torch\n", "torch = sys\n")
    with Submission(make_submission(optimizers=source), call_timeout=5.0) as sub:
        assert sub.check_module("optimizers") is None
        assert sub.module("optimizers").loaded_before() is False


def test_a_shipped_torch_py_does_not_stand_in_for_torch(make_submission):
    folder = make_submission(lenet=SOURCE)
    (folder / "torch.py").write_text("FAKE = 'a fake torch'\n", encoding="utf-8")
    with Submission(folder, call_timeout=5.0) as sub:
        problem = sub.check_module("lenet")
        assert problem is None, problem
        assert sub.module("lenet").which() == "the real torch True"
