"""grading_tests/modules.py's helpers on the grader's side: a misconception that cannot run
on the drawn input is no diagnosis, never a grading error."""

from __future__ import annotations

import numpy as np
import torch

from grading_tests.modules import describe_reference, mutant_outputs


class _Net(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = torch.nn.Linear(4, 3)

    def forward(self, x):
        return self.fc(x.flatten(1))


class _RaisesOnThisInput(_Net):
    def forward(self, x):
        return self.fc(torch.nn.functional.avg_pool2d(x, 7).flatten(1))  # 2x2 input: too small


class _Mutant:
    def __init__(self, description, func):
        self.description, self.func = description, func


def test_a_misconception_that_raises_on_the_input_gives_no_output_and_a_runnable_one_does():
    x = np.random.default_rng(0).standard_normal((2, 1, 2, 2))
    outputs = mutant_outputs([_Mutant("fixed 7x7 pooling", _RaisesOnThisInput), _Mutant("same", _Net)], (), {},
                             describe_reference(_Net), x, train=False, device="cpu", seed=3)
    assert outputs["fixed 7x7 pooling"]() is None
    same = outputs["same"]()
    assert isinstance(same, np.ndarray) and same.shape == (2, 3)
