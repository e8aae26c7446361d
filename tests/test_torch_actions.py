"""The trusted side does not share a bug with the student's: the reference's run
(``grading_tests.modules.run_reference``) and the worker's ``run`` action on a student's module
(``worker_torch.action_run``) are two implementations, and both agree with a forward and backward
pass written here with plain torch; the seeded weights are what ``load_state_dict`` loads."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from autograder.sandbox import worker_torch  # noqa: E402
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


def worker_run(model: torch.nn.Module, x: np.ndarray, dout_seed: int, train: bool) -> dict:
    req = {"handle": 0, "x": x, "dout_seed": dout_seed, "train": train, "device": "cpu", "dtype": "float64"}
    return worker_torch.action_run(req, {0: model}, lambda v: v)


@pytest.mark.parametrize("side", ["reference", "worker"])
@pytest.mark.parametrize("train", [False, True])
def test_the_run_of_each_side_is_a_plain_forward_and_backward(train, side):
    x = np.random.default_rng(1).standard_normal((2, 3, 5, 6))
    mine = reference(small_net(), "cpu", seed=5)
    theirs = reference(small_net(), "cpu", seed=5)
    for (name, a), b in zip(mine.state_dict().items(), theirs.state_dict().values()):
        assert torch.equal(a, b), name  # seeded: the same weights from the same seed
    got = (run_reference(mine, x, 11, train=train, device="cpu") if side == "reference"
           else worker_run(mine, x, 11, train))
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


# ---------------------------------------------------------------------------- call_on_seeded_model

SEEDED_SPEC = [["conv", 2, 3, 3, True, 1], ["bn", 3], ["relu"], ["maxpool", 2], ["flatten"],
               ["linear", 3 * 2 * 2, 4, True]]


def _meddling(model, x, target, scale=1.0):
    """A function that leaves every side effect the action reports (called by the action below)."""
    scores = model(x)
    scores[:, 0].sum().backward()  # .grad on every parameter
    with torch.no_grad():
        model[0].bias.add_(1.0)
        x.mul_(2.0)
    model[1].eval()
    return scores * scale


def _tidy(model, x, target):
    """Eval mode, the gradient with respect to a copy of x only: nothing left behind."""
    model.eval()
    leaf = x.detach().clone().requires_grad_(True)
    (g,) = torch.autograd.grad(model(leaf)[range(len(target)), target].sum(), leaf)
    return g


def _on_seeded_model(name, args, kwargs=None, spec=SEEDED_SPEC):
    req = {"module": __name__, "name": name, "spec": spec, "seed": 7, "device": "cpu", "args": args,
           "kwargs": kwargs or {}}
    value = worker_torch.action_call_on_seeded_model(req, {}, lambda v: v)
    assert isinstance(value, worker_torch.StudentValue)
    return value.value


def test_call_on_seeded_model_reports_what_the_call_left_behind():
    x = np.random.default_rng(3).standard_normal((2, 2, 6, 6))
    got = _on_seeded_model("_meddling", [x, np.array([1, 3])], {"scale": 2.0})
    # The trusted model: the same layers and seeded float64 weights, in training mode.
    model = worker_torch.seeded_model(SEEDED_SPEC, 7, "cpu")
    assert model.training
    want = model(torch.tensor(x)) * 2.0
    assert got["type"] == "Tensor" and got["dtype"] == "float64" and got["device"] == "cpu"
    assert got["requires_grad"] is True
    np.testing.assert_array_equal(got["out"], want.detach().numpy())
    np.testing.assert_array_equal(got["args"][0], 2 * x)  # modified in place: reported as left
    np.testing.assert_array_equal(got["args"][1], [1, 3])  # an int64 array arrived as a tensor
    assert got["args"][1].dtype == np.int64
    seeded = worker_torch.seeded_state(model, 7)
    assert sorted(got["params"]) == sorted(n for n, _ in model.named_parameters())
    np.testing.assert_array_equal(got["params"]["0.bias"], seeded["0.bias"].numpy() + 1.0)
    np.testing.assert_array_equal(got["params"]["0.weight"], seeded["0.weight"].numpy())
    assert sorted(got["grads"]) == sorted(n for n, _ in model.named_parameters())
    assert got["training"] == ["model", "0", "2", "3", "4", "5"]  # the batch norm alone in eval mode


def test_call_on_seeded_model_reports_nothing_left_by_a_tidy_call():
    x = np.random.default_rng(4).standard_normal((3, 2, 6, 6))
    got = _on_seeded_model("_tidy", [x, [0, 2, 1]])
    model = worker_torch.seeded_model(SEEDED_SPEC, 7, "cpu").eval()
    leaf = torch.tensor(x, requires_grad=True)
    model(leaf)[[0, 1, 2], [0, 2, 1]].sum().backward()
    np.testing.assert_array_equal(got["out"], leaf.grad.numpy())
    assert got["requires_grad"] is False and got["args"][1] is None  # a list stays a list: no tensor
    np.testing.assert_array_equal(got["args"][0], x)
    seeded = worker_torch.seeded_state(model, 7)
    assert all(np.array_equal(got["params"][n], seeded[n].numpy()) for n in got["params"])
    assert got["grads"] == [] and got["training"] == []


def test_call_on_seeded_model_without_a_spec_calls_with_the_arguments_alone():
    w = np.arange(6.0).reshape(1, 2, 3)
    got = _on_seeded_model("_tidy_shape", [w], spec=None)
    assert got["type"] == "tuple" and "out" not in got and "params" not in got
    np.testing.assert_array_equal(got["args"][0], w)


def _tidy_shape(w):
    return tuple(w.shape)


def test_call_on_seeded_model_refuses_a_model_too_big_to_seed():
    with pytest.raises(ValueError, match="at most"):
        worker_torch.seeded_model([["linear", 2000, 1000, True]], 0, "cpu")


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_a_network_built_on_meta_gets_its_memory_in_the_dtype_it_will_be_prepared_in(dtype, monkeypatch):
    """``build`` with ``dtype`` converts on meta (no memory touched): ``prepare`` then has nothing
    to convert, and loads the same seeded weights as the reference's."""
    import sys
    import types

    fake = types.ModuleType("fake_student_net")
    fake.small_net = small_net
    monkeypatch.setitem(sys.modules, "fake_student_net", fake)
    handles: dict = {}
    made = worker_torch.action_build({"module": "fake_student_net", "name": "small_net", "meta": True,
                                      "dtype": dtype}, handles, lambda v: v)
    model = handles[made["handle"]]
    assert made["meta"] and all(p.dtype == getattr(torch, dtype) and p.device.type == "cpu"
                                for p in model.parameters())
    assert model.get_buffer("1.num_batches_tracked").dtype == torch.int64  # integers stay integers
    worker_torch.action_prepare({"handle": made["handle"], "device": "cpu", "dtype": "float64", "seed": 5},
                                handles, lambda v: v)
    want = reference(small_net(), "cpu", seed=5).state_dict()
    for name, value in model.state_dict().items():
        assert value.dtype == want[name].dtype and torch.equal(value, want[name]), name
