"""The trusted side does not share a bug with the student's: ``worker_torch.action_run`` (which
both the references and students' modules go through) agrees with a forward and backward pass
written here with plain torch, and the seeded weights are what ``load_state_dict`` loads."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from autograder import worker_torch  # noqa: E402
from grading_tests.modules import reference, run_reference  # noqa: E402


def small_net() -> torch.nn.Module:
    return torch.nn.Sequential(
        torch.nn.Conv2d(3, 4, 3, padding=1), torch.nn.BatchNorm2d(4), torch.nn.ReLU(),
        torch.nn.Dropout(0.3), torch.nn.Flatten(), torch.nn.Linear(4 * 5 * 6, 7))


def by_hand(model: torch.nn.Module, x: np.ndarray, dout_seed: int, train: bool) -> dict:
    model.train(train)
    model.zero_grad(set_to_none=True)
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    torch.manual_seed(0)  # the run action's dropout seed
    out = model(xt)
    dout = torch.randn(tuple(out.shape), generator=torch.Generator().manual_seed(dout_seed), dtype=torch.float64)
    (out * dout).sum().backward()
    return {"out": out.detach().numpy().copy(), "dx": xt.grad.numpy().copy(),
            "grads": {n: p.grad.numpy().copy() for n, p in model.named_parameters()},
            "buffers": {n: b.detach().numpy().copy() for n, b in model.named_buffers()}}


@pytest.mark.parametrize("train", [False, True])
def test_the_run_action_is_a_plain_forward_and_backward(train):
    x = np.random.default_rng(1).standard_normal((2, 3, 5, 6))
    mine = reference(small_net(), "cpu", seed=5)
    theirs = reference(small_net(), "cpu", seed=5)
    for (name, a), b in zip(mine.state_dict().items(), theirs.state_dict().values()):
        assert torch.equal(a, b), name  # seeded: the same weights from the same seed
    got = run_reference(mine, x, 11, train=train, device="cpu")
    want = by_hand(theirs, x, 11, train)
    assert got["type"] == "Tensor" and got["dtype"] == "float64" and got["device"] == "cpu"
    np.testing.assert_array_equal(got["out"], want["out"])
    np.testing.assert_array_equal(got["dx"], want["dx"])
    assert sorted(got["grads"]) == sorted(want["grads"]) and sorted(got["buffers"]) == sorted(want["buffers"])
    for name in want["grads"]:
        np.testing.assert_array_equal(got["grads"][name], want["grads"][name], err_msg=name)
    for name in want["buffers"]:
        np.testing.assert_array_equal(got["buffers"][name], want["buffers"][name], err_msg=name)
    assert np.abs(got["dx"]).sum() > 0 and all(np.abs(g).sum() > 0 for g in got["grads"].values())


def test_seeded_weights_differ_between_seeds_and_fill_every_tensor():
    a = worker_torch.seeded_state(small_net(), 1)
    b = worker_torch.seeded_state(small_net(), 2)
    assert sorted(a) == sorted(small_net().state_dict())
    floats = [k for k in a if a[k].is_floating_point() and a[k].numel() > 1]
    assert floats and all(not torch.equal(a[k], b[k]) for k in floats)
