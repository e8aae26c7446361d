"""What a CNN learns, against float64 torch references: filters as images on random weights,
activation maximization step for step and saliency maps on small seeded CNNs that the worker
builds from grader-chosen layer descriptions (the same model as the reference's), and what each
call leaves behind: every forward pass in eval mode (batch norm's running statistics untouched), its
parameters unchanged without gradients, x0 as it was."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from autograder.i18n import N_, _, ngettext
from autograder.sandbox import worker_torch
from autograder.sandbox.client import session_of
from grading_tests import modules as tm
from grading_tests.compare import (
    IN_PLACE,
    NO_RETURN,
    PARAMETER_GRADS,
    TRAINING_MODE,
    WRONG_TYPE,
    check_array,
    describe,
    fail,
    lazy,
    listing,
    short,
)
from grading_tests.mutants import for_module
from grading_tests.references import feature_vis as ref
from grading_tests.strategies import distinct_sizes, seeds

M = "feature_vis"
FILTERS_HINT = (N_("scale each filter by its own smallest and largest weight over all its C*KH*KW weights (zeros "
                "where the two are equal), then put the channels last: (F, KH, KW, C)"))
ASCENT_HINT = (N_("call model.eval() and start from a detached copy of x0; at each step take the gradient g of "
               "model(x)[:, channel].mean() with respect to x and move x up it by learning_rate * g / "
               "(g.norm() + 1e-8), one norm for the whole batch"))
SALIENCY_HINT = (N_("in eval mode, the gradient with respect to x of each example's own target score (not of all the "
                 "scores, not of a softmax), then its absolute value and the maximum over the channels (dim 1)"))
EVAL_HINT = N_("call model.eval() first: batch norm then uses its running statistics (and dropout does nothing)")
NO_GRAD_HINT = (N_("take the gradient with respect to the input only (torch.autograd.grad(objective, x)), or clear "
                "the parameters' gradients afterwards with model.zero_grad(set_to_none=True); never step the "
                "parameters"))


def _mutants(target: str) -> list[Any]:
    return [m for m in for_module(M) if m.target == target]


def call(impl: Any, name: str, *args: Any, spec: list[list[Any]] | None = None, seed: int = 0,
         device: str = "cpu", **kwargs: Any) -> dict[str, Any]:
    """The student's ``feature_vis.name(model, *args, **kwargs)`` in the worker, the model built
    there from ``spec`` and ``seed`` (no model without a spec); arrays arrive as tensors on ``device``."""
    session = session_of(getattr(impl, M))
    return session.torch("call_on_seeded_model", module=M, name=name, spec=spec, seed=seed, device=device,
                         args=list(args), kwargs=kwargs, timeout=60.0)


def check_tensor(label: str, got: dict[str, Any], expected: torch.Tensor, device: str, *, context: str,
                 hint: str = "", diagnoses: dict[str, Callable[[], Any]] | None = None) -> np.ndarray:
    """The student's result must be a float64 tensor on ``device`` equal to ``expected``."""
    if "out" not in got:
        fail(_("{label}: returned {get}, expected a torch.Tensor of shape {items}")
             .format(label=label, get=got.get('type'), items=tuple(expected.shape)),
             context, "return a torch tensor (not a NumPy array or a list); did you forget `return`?",
             mistake=_not_a_tensor(got))
    if got["dtype"] != "float64":
        fail(_("{label}: the result is {got}, expected float64 like the input")
             .format(label=label, got=got['dtype']), context,
             "create new tensors with dtype=x.dtype and device=x.device (or use *_like)")
    if got["device"] != torch.device(device).type:
        fail(_("{label}: the result is on {got}, expected {device} like the input")
             .format(label=label, got=got['device'], device=device), context,
             "keep every tensor on the input's device (device=x.device)")
    return check_array(label, got["out"], expected.detach().cpu().numpy(), context=context, hint=hint,
                       diagnoses=diagnoses)


def _not_a_tensor(got: dict[str, Any]) -> str:
    """The kind of mistake a result that is no tensor shows: None, or another type."""
    return NO_RETURN if got.get("type") == "NoneType" else WRONG_TYPE


def mutant_outputs(target: str, run: Callable[[Callable[..., Any]], torch.Tensor]) -> dict[str, Callable[[], Any]]:
    """Each misconception's result on the same input (``run(func)`` makes a fresh model), lazily."""
    return {m.description: lazy(lambda m=m: run(m.func).detach().cpu().numpy()) for m in _mutants(target)}


def _check_answer(label: str, got: dict[str, Any], shape: tuple[int, ...], context: str,
                  start: np.ndarray | None = None) -> None:
    """Only that, of a real answer: whether its values are right is another property's, but a
    function that returns nothing, its input as it was, or zeros, has left nothing to judge."""
    out = got.get("out")
    if not isinstance(out, np.ndarray) or out.shape != shape:
        what = f"a tensor of shape {out.shape}" if isinstance(out, np.ndarray) else got.get("type")
        fail(_("{label}: returned {what}; expected a torch.Tensor of shape {shape}")
             .format(label=label, what=what, shape=shape), context,
             mistake="" if isinstance(out, np.ndarray) else _not_a_tensor(got))
    if start is not None and np.array_equal(out, start):
        fail(_("{label}: returned x0 as it was: no step was taken").format(label=label), context)
    if start is None and not out.any():
        fail(_("{label}: returned only zeros").format(label=label), context)


# ---------------------------------------------------------------------------- models


@st.composite
def cnns(draw, scores: bool | None = None, bn: bool | None = None) -> tuple[list[list[Any]], tuple[int, int, int, int], int]:
    """(layer descriptions, input shape, K) of a small CNN mapping (N, C, H, W) to (N, K, h, w)
    features or (N, K) scores: a 3x3 convolution, maybe batch norm (always with ``bn``), ReLU,
    then a second 3x3 convolution, or a 2x2 pooling and a linear layer."""
    batch = draw(st.integers(1, 3))
    channels = draw(st.integers(1, 3))
    height, width = draw(distinct_sizes(2, 6, 12))
    hidden, k = draw(distinct_sizes(2, 2, 5))
    spec: list[list[Any]] = [["conv", channels, hidden, 3, True, 1]]
    if bn if bn is not None else draw(st.booleans()):
        spec.append(["bn", hidden])
    spec.append(["relu"])
    if scores is None:
        scores = draw(st.booleans())
    if scores:
        pool = draw(st.sampled_from(["maxpool", "avgpool"]))
        features = hidden * ((height - 2) // 2) * ((width - 2) // 2)
        spec += [[pool, 2], ["flatten"], ["linear", features, k, draw(st.booleans())]]
    else:
        spec.append(["conv", hidden, k, 3, draw(st.booleans()), 1])
    return spec, (batch, channels, height, width), k


def _layers(spec: list[list[Any]]) -> str:
    return " -> ".join(item[0] if len(item) == 1 else f"{item[0]}{tuple(item[1:])}" for item in spec)


ascents = st.tuples(st.integers(1, 5), st.sampled_from([0.01, 0.1, 0.5, 2.0]), st.booleans())


def _ascent_case(case: Any, channel: int, ascent: tuple[int, float, bool], seed: int) -> tuple[Any, ...]:
    spec, x_shape, k = case
    steps, learning_rate, defaults = ascent
    kwargs = {} if defaults else {"steps": steps, "learning_rate": learning_rate}
    if defaults:
        steps, learning_rate = 20, 0.1
    x0 = np.random.default_rng(seed).standard_normal(x_shape)
    shown = ", ".join(["model", "x0", str(channel % k), *(f"{key}={v}" for key, v in kwargs.items())])
    context = describe(call=f"activation_maximization({shown})", model=_layers(spec), x0_shape=x_shape,
                       seed=seed)
    return spec, x0, channel % k, kwargs, steps, learning_rate, context


# ---------------------------------------------------------------------------- filters_to_images


def _weights(shape: tuple[int, ...], scale: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.standard_normal(shape) * scale + rng.uniform(-scale, scale)


def _filters_context(weight: np.ndarray, seed: int, **more: Any) -> str:
    return describe(call="filters_to_images(weight)", weight_shape=weight.shape, seed=seed, **more)


@pytest.mark.points(2)
@pytest.mark.exercise(M, "filters_to_images")
@pytest.mark.hint(FILTERS_HINT)
@tm.no_shrink()
@given(shape=distinct_sizes(4, 1, 6), scale=st.sampled_from([0.1, 1.0, 10.0]), seed=seeds)
def test_filters_to_images_scales_each_filter_to_0_1_like_the_reference(impl, device, shape, scale, seed):
    weight = _weights(shape, scale, seed)
    context = _filters_context(weight, seed, scale=scale)
    expected = ref.filters_to_images(ref.tensor(weight, device))
    got = call(impl, "filters_to_images", weight, device=device)
    diagnoses = mutant_outputs("filters_to_images", lambda f: f(ref.tensor(weight, device)))
    check_tensor("filters_to_images", got, expected, device, context=context, diagnoses=diagnoses)


@pytest.mark.points(1)
@pytest.mark.exercise(M, "filters_to_images")
@pytest.mark.hint("a filter whose weights are all equal has max - min = 0: give it zeros instead of dividing by 0")
@tm.no_shrink()
@given(shape=distinct_sizes(4, 1, 6), constant=st.lists(st.booleans(), min_size=6, max_size=6), seed=seeds)
def test_filters_to_images_gives_zeros_for_a_constant_filter(impl, device, shape, constant, seed):
    weight = _weights(shape, 1.0, seed)
    flat = np.array(constant[: shape[0]])
    flat[seed % shape[0]] = True  # at least one constant filter
    values = np.random.default_rng(seed + 1).uniform(-2, 2, shape[0])
    weight[flat] = values[flat].reshape(-1, 1, 1, 1)
    context = _filters_context(weight, seed, constant_filters=[int(i) for i in np.flatnonzero(flat)])
    got = call(impl, "filters_to_images", weight, device=device)
    expected = ref.filters_to_images(ref.tensor(weight, device))
    full = got
    if "out" in got and np.shape(got["out"]) == tuple(expected.shape):
        # Only the constant filters are this property's to judge.
        got = {**got, "out": np.asarray(got["out"])[flat]}
        expected = expected[torch.as_tensor(flat, device=expected.device)]
    check_tensor("filters_to_images: the images of the constant filters", got, expected, device, context=context)
    if not flat.all():  # and not zeros for every filter: the others have weights to scale
        _check_answer("filters_to_images", full, (shape[0], shape[2], shape[3], shape[1]), context)


# ---------------------------------------------------------------------------- activation_maximization


def _ascend(impl: Any, device: str, case: Any, channel: int, ascent: Any, seed: int) -> tuple[Any, ...]:
    spec, x0, channel, kwargs, steps, learning_rate, context = _ascent_case(case, channel, ascent, seed)
    got = call(impl, "activation_maximization", x0, channel, spec=spec, seed=seed, device=device, **kwargs)
    return spec, x0, channel, steps, learning_rate, context, got


@pytest.mark.points(3)
@pytest.mark.exercise(M, "activation_maximization")
@pytest.mark.hint(ASCENT_HINT)
@tm.no_shrink()
@given(case=cnns(), channel=st.integers(0, 4), ascent=ascents, seed=seeds)
def test_activation_maximization_matches_the_reference_step_for_step(impl, device, case, channel, ascent, seed):
    spec, x0, channel, steps, learning_rate, context, got = _ascend(impl, device, case, channel, ascent, seed)
    expected = ref.activation_maximization(ref.model(spec, seed, device), ref.tensor(x0, device), channel,
                                           steps, learning_rate)

    def run(func: Callable[..., Any]) -> torch.Tensor:
        return func(ref.model(spec, seed, device), ref.tensor(x0, device), channel, steps, learning_rate)

    check_tensor(ngettext("activation_maximization after {steps} step", "activation_maximization after {steps} steps",
                          steps).format(steps=steps), got, expected, device,
                 context=context, diagnoses=mutant_outputs("activation_maximization", run))
    if got.get("requires_grad"):
        fail(_("activation_maximization: the returned x still requires a gradient"), context,
             "return x.detach(): the result is an image, not a node of a graph")


def _check_eval_mode(label: str, got: dict[str, Any], spec: list[list[Any]], seed: int, context: str) -> None:
    """Every forward pass ran in eval mode: the model (built in training mode, with batch norm)
    has its running statistics exactly as seeded, which a training-mode forward would update.
    Whether the function leaves the model in eval mode or restores its mode is its own choice
    (the contract: it calls ``model.eval()`` first)."""
    model = worker_torch.build_layers(spec).double()
    seeded = worker_torch.seeded_state(model, seed)
    names = [name for name, _unused in model.named_buffers()]
    if not names:
        raise RuntimeError("the eval-mode properties need a model with batch norm")
    buffers = got.get("buffers", {})
    changed = [name for name in names if not (isinstance(buffers.get(name), np.ndarray)  # 0-d comes back 1-d
                                             and np.array_equal(buffers[name].ravel(), seeded[name].numpy().ravel()))]
    if changed:
        training = got.get("training", [])
        still = (f"; afterwards {len(training)} module(s) are in training mode: {listing(training, sort=False)}"
                 if training else "")
        fail(_("{label}: the model ran in training mode: batch norm's {items} changed{still}")
             .format(label=label, items=listing(changed, sort=False), still=still), context, mistake=TRAINING_MODE)


def _check_parameters(label: str, got: dict[str, Any], spec: list[list[Any]], seed: int, context: str) -> None:
    """Every parameter exactly its seeded value, and none with a ``.grad``."""
    seeded = worker_torch.seeded_state(worker_torch.build_layers(spec).double(), seed)
    names = [name for name, _unused in worker_torch.build_layers(spec).named_parameters()]
    params = got.get("params", {})
    missing = [name for name in names if name not in params]
    if missing:
        fail(_("{label}: afterwards the model has no parameter {items}")
             .format(label=label, items=listing(missing)), context,
             "do not replace or delete the model's layers or parameters")
    for name in names:
        value, before = params[name], seeded[name].numpy()
        if not isinstance(value, np.ndarray) or value.shape != before.shape or not np.array_equal(value, before):
            change = (f"largest change {float(np.max(np.abs(value - before))):.3g}"
                      if isinstance(value, np.ndarray) and value.shape == before.shape else f"now {short(value)}")
            fail(_("{label} changed the model's parameter {name!r} ({change}); the parameters must "
                    "stay as they were")
                 .format(label=label, name=name, change=change),
                 context, mistake=IN_PLACE)
    grads = got.get("grads", [])
    if grads:
        fail(_("{label}: afterwards the parameters {items} have a .grad; it must be None")
             .format(label=label, items=listing(grads, sort=False)),
             context, mistake=PARAMETER_GRADS)


@pytest.mark.points(1)
@pytest.mark.exercise(M, "activation_maximization")
@pytest.mark.hint(EVAL_HINT)
@tm.no_shrink()
@given(case=cnns(bn=True), channel=st.integers(0, 4), ascent=ascents, seed=seeds)
def test_activation_maximization_runs_the_model_in_eval_mode(impl, device, case, channel, ascent, seed):
    spec, x0, *_unused, context, got = _ascend(impl, device, case, channel, ascent, seed)
    _check_eval_mode("activation_maximization", got, spec, seed, context)
    _check_answer("activation_maximization", got, x0.shape, context, start=x0)


@pytest.mark.points(1)
@pytest.mark.exercise(M, "activation_maximization")
@pytest.mark.hint(NO_GRAD_HINT)
@tm.no_shrink()
@given(case=cnns(), channel=st.integers(0, 4), ascent=ascents, seed=seeds)
def test_activation_maximization_leaves_the_parameters_unchanged_and_without_gradients(impl, device, case, channel,
                                                                                       ascent, seed):
    spec, x0, *_unused, context, got = _ascend(impl, device, case, channel, ascent, seed)
    _check_parameters("activation_maximization", got, spec, seed, context)
    _check_answer("activation_maximization", got, x0.shape, context, start=x0)


@pytest.mark.points(1)
@pytest.mark.exercise(M, "activation_maximization")
@pytest.mark.hint("start from a copy: x = x0.detach().clone(), and build each new x (x = x + ...) instead of "
                  "updating it in place (x += ..., x.add_(...), x.data ...)")
@tm.no_shrink()
@given(case=cnns(), channel=st.integers(0, 4), ascent=ascents, seed=seeds)
def test_activation_maximization_leaves_x0_unchanged(impl, device, case, channel, ascent, seed):
    _unused, x0, *_unused, context, got = _ascend(impl, device, case, channel, ascent, seed)
    after = got["args"][0]
    if not isinstance(after, np.ndarray) or after.shape != x0.shape or not np.array_equal(after, x0):
        fail(_("activation_maximization modified x0 in place; it must leave x0 as it was"), context, mistake=IN_PLACE)
    _check_answer("activation_maximization", got, x0.shape, context, start=x0)


# ---------------------------------------------------------------------------- saliency_map


@st.composite
def saliency_cases(draw, bn: bool | None = None) -> tuple[list[list[Any]], np.ndarray, Any, int, str]:
    spec, x_shape, k = draw(cnns(scores=True, bn=bn))
    seed = draw(seeds)
    classes = draw(st.lists(st.integers(0, k - 1), min_size=x_shape[0], max_size=x_shape[0]))
    as_tensor = draw(st.booleans())
    target = np.array(classes, dtype=np.int64) if as_tensor else classes
    x = np.random.default_rng(seed).standard_normal(x_shape)
    shown = f"torch.tensor({classes})" if as_tensor else str(classes)
    context = describe(call=f"saliency_map(model, x, {shown})", model=_layers(spec), x_shape=x_shape, seed=seed)
    return spec, x, target, seed, context


def _saliency(impl: Any, device: str, case: Any) -> tuple[Any, ...]:
    spec, x, target, seed, context = case
    got = call(impl, "saliency_map", x, target, spec=spec, seed=seed, device=device)
    return spec, x, target, seed, context, got


@pytest.mark.points(3)
@pytest.mark.exercise(M, "saliency_map")
@pytest.mark.hint(SALIENCY_HINT)
@tm.no_shrink()
@given(case=saliency_cases())
def test_saliency_map_matches_the_reference(impl, device, case):
    spec, x, target, seed, context, got = _saliency(impl, device, case)
    classes = [int(t) for t in target]
    expected = ref.saliency_map(ref.model(spec, seed, device), ref.tensor(x, device), classes)

    def run(func: Callable[..., Any]) -> torch.Tensor:
        return func(ref.model(spec, seed, device), ref.tensor(x, device), classes)

    check_tensor("saliency_map", got, expected, device, context=context,
                 diagnoses=mutant_outputs("saliency_map", run))


@pytest.mark.points(1)
@pytest.mark.exercise(M, "saliency_map")
@pytest.mark.hint(EVAL_HINT)
@tm.no_shrink()
@given(case=saliency_cases(bn=True))
def test_saliency_map_runs_the_model_in_eval_mode(impl, device, case):
    spec, x, _unused, seed, context, got = _saliency(impl, device, case)
    _check_eval_mode("saliency_map", got, spec, seed, context)
    _check_answer("saliency_map", got, (x.shape[0], *x.shape[2:]), context)


@pytest.mark.points(1)
@pytest.mark.exercise(M, "saliency_map")
@pytest.mark.hint(NO_GRAD_HINT)
@tm.no_shrink()
@given(case=saliency_cases())
def test_saliency_map_leaves_the_parameters_unchanged_and_without_gradients(impl, device, case):
    spec, x, _unused, seed, context, got = _saliency(impl, device, case)
    _check_parameters("saliency_map", got, spec, seed, context)
    _check_answer("saliency_map", got, (x.shape[0], *x.shape[2:]), context)
