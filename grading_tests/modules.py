"""Grading PyTorch modules: the student's module runs in the worker, the reference here.

Both sides get the same weights and batch-norm statistics from a seed
(``autograder.sandbox.worker_torch.seeded_state``), loaded with ``strict=True``; then outputs, input
gradients, parameter gradients and buffers are compared in float64 on the test's device.
Shared by the lenet, inception, resnet, densenet and vgg grading tests.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import torch
from hypothesis import Phase, settings

from autograder.i18n import _
from autograder.sandbox import worker_torch
from autograder.sandbox.client import Remote, session_of
from grading_tests import reference_cache
from grading_tests.compare import (
    DEFAULT_KEPT,
    LAYER_NAMES,
    LAYER_SIZES,
    NO_MODULE,
    check_array,
    describe,
    fail,
    short,
    type_name,
)
from grading_tests.relations import shape_relation

DTYPE = "float64"


def build(label: str, ctor: Any, *args: Any, context: str = "", **kwargs: Any) -> StudentModule:
    """Call the student's constructor in the worker; the result must be an ``nn.Module``."""
    made = ctor(*args, **kwargs)
    if not isinstance(made, Remote):
        fail(_("{label}: returned {type_name}, expected an nn.Module instance")
             .format(label=label, type_name=type_name(made)), context,
             "a constructor function must return the model (did you forget `return`?)", mistake=NO_MODULE)
    module = StudentModule(made)
    desc = module.describe()
    if not desc.get("is_module"):
        fail(_("{label}: returned an object of type {get}, expected an nn.Module")
             .format(label=label, get=desc.get('type')), context,
             "subclass nn.Module (class X(nn.Module)) and call super().__init__() first", mistake=NO_MODULE)
    return module


def build_in_worker(label: str, impl: Any, module: str, name: str, *args: Any, context: str = "",
                    meta: bool = True, seeded: bool = True, **kwargs: Any) -> StudentModule:
    """Like ``build``, through the worker's ``build`` action: big networks skip initialisation,
    and get their memory in the dtype ``prepare`` will use (``seeded``: ``prepare(device, seed)``,
    float64; otherwise ``prepare(device, None)``, float32)."""
    session = session_of(getattr(impl, module))
    made = session.torch("build", module=module, name=name, args=list(args), kwargs=kwargs,
                         meta=meta, dtype=DTYPE if seeded else "float32", timeout=60.0)
    module_ = StudentModule(Remote(session, int(made["handle"]), "", str(made["type"])))
    desc = module_.describe()
    if not desc.get("is_module"):
        fail(_("{label}: returned an object of type {get}, expected an nn.Module")
             .format(label=label, get=desc.get('type')), context,
             "a constructor function must return the model (did you forget `return`?)", mistake=NO_MODULE)
    return module_


class StudentModule:
    """The worker-side module behind a handle, with the actions of ``worker_torch``."""

    def __init__(self, remote: Remote) -> None:
        self.remote = remote
        self.id = remote.handle.id
        self.session = session_of(remote)

    def _torch(self, action: str, **fields: Any) -> Any:
        return self.session.torch(action, handle=self.id, **fields)

    def describe(self) -> dict[str, Any]:
        return self._torch("describe")

    def prepare(self, device: str, seed: int | None) -> dict[str, Any]:
        return self._torch("prepare", device=device, dtype=DTYPE if seed is not None else "float32",
                           seed=seed, timeout=120.0)

    def run(self, x: np.ndarray, dout_seed: int | None, *, train: bool, device: str,
            grads: bool = True, buffers: bool = True) -> dict[str, Any]:
        return self._torch("run", x=x, dout_seed=dout_seed, train=train, device=device, dtype=DTYPE,
                           grads=grads, buffers=buffers, timeout=120.0)

    def shapes(self, sizes: Sequence[Sequence[int]], *, train: bool, device: str, seed: int = 0) -> Any:
        """Output shapes (float32, no gradients) after ``prepare(device, None)``."""
        return self._torch("shapes", sizes=[list(s) for s in sizes], train=train, device=device,
                           dtype="float32", seed=seed, timeout=60.0)


# ---------------------------------------------------------------------------- reference side


def reference(model: torch.nn.Module, device: str, seed: int) -> torch.nn.Module:
    """The reference on ``device`` in float64 with the seeded state loaded (strict)."""
    worker_torch.honest_numerics()
    model = model.to(device=torch.device(device), dtype=torch.float64)
    model.load_state_dict(worker_torch.seeded_state(model, seed), strict=True)
    return model


def run_reference(model: torch.nn.Module, x: np.ndarray, dout_seed: int | None, *, train: bool,
                  device: str, grads: bool = True, buffers: bool = True) -> dict[str, Any]:
    """What the worker's ``run`` action reports of the student's module, computed here for a
    trusted model by code of its own (``torch.autograd.grad`` of the output against the seeded
    upstream gradient), so that a bug in the worker's action cannot hit both sides alike: it
    would fail the solutions' properties, which the suite grades."""
    model.train(train)
    x_t = torch.tensor(np.asarray(x), dtype=torch.float64, device=torch.device(device), requires_grad=True)
    torch.manual_seed(0)  # the worker's seed before the forward pass (dropout draws: not compared)
    out = model(x_t)
    reply: dict[str, Any] = {"type": type(out).__qualname__, "dtype": "float64", "device": out.device.type,
                             "out": out.detach().cpu().numpy(), "dx": None, "grads": {}, "backward": ""}
    if dout_seed is not None:
        dout = torch.randn(tuple(out.shape), generator=torch.Generator().manual_seed(dout_seed),
                           dtype=torch.float64).to(out.device)
        named = list(model.named_parameters()) if grads else []
        found = torch.autograd.grad(out, [x_t, *(p for _name, p in named)], grad_outputs=dout,
                                    allow_unused=True)
        reply["dx"] = found[0].detach().cpu().numpy()
        reply["grads"] = {name: None if g is None else g.detach().cpu().numpy()
                          for (name, _p), g in zip(named, found[1:])}
    if buffers:
        reply["buffers"] = {name: b.detach().cpu().numpy().reshape(-1 if b.dim() == 0 else b.shape)
                            for name, b in model.named_buffers()}
    return reply


def reference_run(ctor: Callable[..., torch.nn.Module], args: Sequence[Any], kwargs: Mapping[str, Any],
                  x: np.ndarray, *, seed: int, dout_seed: int | None, train: bool, device: str,
                  grads: bool = True, buffers: bool = True) -> dict[str, Any]:
    """``run_reference`` of a fresh ``reference(ctor(*args, **kwargs), device, seed)``, computed once
    per class: every student meets the same derandomized examples (``reference_cache``)."""
    def compute() -> dict[str, Any]:
        return run_reference(reference(ctor(*args, **kwargs), device, seed), x, dout_seed, train=train,
                             device=device, grads=grads, buffers=buffers)

    return reference_cache.cached(ctor, args, kwargs, x, compute, seed=seed, dout_seed=dout_seed, train=train,
                                  device=device, grads=grads, buffers=buffers)


def describe_reference(ctor: Callable[..., torch.nn.Module], *args: Any, **kwargs: Any) -> dict[str, Any]:
    """Keys, shapes and counts of a reference, built on the meta device (free)."""
    with torch.device("meta"):
        return worker_torch.describe_module(ctor(*args, **kwargs))


# ---------------------------------------------------------------------------- checks


def check_state(label: str, got: Mapping[str, Any], expected: Mapping[str, Any], context: str = "",
                hint: str = "") -> None:
    """Same ``state_dict`` keys with the same shapes; same parameters (not buffers), trainable."""
    got_shapes = {k: tuple(s) for k, s, _unused in got["state"]}
    exp_shapes = {k: tuple(s) for k, s, _unused in expected["state"]}
    missing = [k for k in exp_shapes if k not in got_shapes]
    extra = [k for k in got_shapes if k not in exp_shapes]
    if missing or extra:
        lines = [f"{label}: state_dict keys differ from the reference"]
        if missing:
            lines.append(f"  missing ({len(missing)}): {_list(missing)}")
        if extra:
            lines.append(f"  unexpected ({len(extra)}): {_list(extra)}")
        fail("\n".join(lines), context, hint or
             "the keys come from the attribute names (self.conv1 = ...) and from the order of "
             "layers inside each nn.Sequential (their indices); compare with the docstring", mistake=LAYER_NAMES)
    wrong = [k for k in exp_shapes if got_shapes[k] != exp_shapes[k]]
    if wrong:
        lines = [f"{label}: {len(wrong)} state_dict entr{'y has' if len(wrong) == 1 else 'ies have'} "
                 "the wrong shape"]
        lines += [f"  {k!r}: shape {short(got_shapes[k])} expected {exp_shapes[k]}" for k in wrong[:6]]
        fail("\n".join(lines), context, hint or
             "check in/out channels, kernel sizes, groups and the Linear layers' sizes", mistake=LAYER_SIZES)
    got_params = {n: rg for n, rg in got["params"]}
    exp_params = {n for n, _unused in expected["params"]}
    if set(got_params) != exp_params:
        bad = sorted(set(got_params) ^ exp_params)
        fail(_("{label}: these entries should be {value} but are not: {list}")
             .format(label=label, value='parameters' if bad[0] in exp_params else 'buffers', list=_list(bad)), context,
             "use nn layers (or nn.Parameter for weights, register_buffer for statistics)")
    frozen = [n for n, rg in got_params.items() if not rg]
    if frozen:
        fail(_("{label}: parameters {list} have requires_grad=False; every parameter must be "
                "trainable")
             .format(label=label, list=_list(frozen)), context)


def _list(names: Sequence[str], limit: int = 8) -> str:
    shown = ", ".join(short(n, 60) for n in names[:limit])
    return shown + (f", ... ({len(names) - limit:,} more)" if len(names) > limit else "")


def check_run(label: str, got: Mapping[str, Any], expected: Mapping[str, Any], *, context: str = "",
              hint: str = "", diagnoses: Mapping[str, Any] | None = None, device: str = "cpu") -> None:
    """Output, then input gradient, then parameter gradients, then buffers."""
    if got.get("type") != "Tensor" or "out" not in got:
        fail(_("{label}: forward returned {get}, expected a torch.Tensor")
             .format(label=label, get=got.get('type')), context,
             "forward must return one tensor")
    if got.get("dtype") != DTYPE:
        fail(_("{label}: the output is {get} while the module's parameters are float64")
             .format(label=label, get=got.get('dtype')),
             context, "create new tensors with dtype=x.dtype and device=x.device (or use *_like)")
    if got.get("device") != torch.device(device).type:
        fail(_("{label}: the output is on {get} while the module is on {device}")
             .format(label=label, get=got.get('device'), device=device), context,
             "create new tensors with device=x.device")
    check_array(_("{label}: output").format(label=label), got["out"], expected["out"], context=context, hint=hint,
                diagnoses=diagnoses)
    if expected.get("dx") is not None:
        if got.get("dx") is None:
            fail(_("{label}: the input gets no gradient ({value})")
                 .format(label=label, value=got.get('backward') or 'x.grad is None'),
                 context, "do not detach tensors or use .data / numpy inside forward")
        check_array(_("{label}: gradient of the input").format(label=label), got["dx"], expected["dx"], context=context, hint=hint)
    for name, value in (expected.get("grads") or {}).items():
        mine = (got.get("grads") or {}).get(name)
        if value is not None and mine is None:
            fail(_("{label}: parameter {name!r} gets no gradient: it is not used in forward")
                 .format(label=label, name=name), context, hint)
        if value is not None:
            check_array(_("{label}: gradient of parameter {name!r}").format(label=label, name=name), mine, value, context=context, hint=hint)
    for name, value in (expected.get("buffers") or {}).items():
        mine = (got.get("buffers") or {}).get(name)
        if mine is None:
            fail(_("{label}: buffer {name!r} is missing after the forward pass")
                 .format(label=label, name=name), context, hint)
        check_array(_("{label}: buffer {name!r} after the forward pass").format(label=label, name=name), mine, value, context=context,
                    hint=hint or _("in training mode each BatchNorm must see its input exactly once"),
                    dtype_kind="f" if value.dtype.kind == "f" else "iu")


def mutant_outputs(mutants: Sequence[Any], args: Sequence[Any], kwargs: Mapping[str, Any],
                   expected_desc: Mapping[str, Any], x: np.ndarray, *, train: bool, device: str,
                   seed: int) -> dict[str, Callable[[], Any]]:
    """For feedback: each misconception's output on the same input and weights (lazily computed)."""
    keys = [k for k, _unused, _unused in expected_desc["state"]]

    def output_of(cls: Any) -> Callable[[], Any]:
        def compute() -> Any:
            model = cls(*args, **kwargs)
            if list(model.state_dict()) != keys:
                return None
            model = reference(model, device, seed)
            try:
                return run_reference(model, x, None, train=train, device=device, buffers=False)["out"]
            except Exception:  # the misconception cannot run on this input (torch raised): not this one
                return None
        return compute

    return {m.description: output_of(m.func) for m in mutants}


def rng_arrays(seed: int, *shapes: Sequence[int]) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(tuple(s)) for s in shapes]


def grade_keys(label: str, impl_ctor: Any, ref_ctor: Any, args: Sequence[Any], kwargs: Mapping[str, Any],
               context: str, hint: str = "") -> tuple[StudentModule, dict[str, Any]]:
    """Build the student's module and check its state_dict against the reference's."""
    expected = describe_reference(ref_ctor, *args, **kwargs)
    student = build(label, impl_ctor, *args, context=context, **kwargs)
    check_state(label, student.describe(), expected, context, hint)
    return student, expected


def grade_pass(label: str, impl_ctor: Any, ref_ctor: Any, args: Sequence[Any], *, x_shape: Sequence[int],
               train: bool, device: str, seed: int, context: str, hint: str = "",
               mutants: Sequence[Any] = (), kwargs: Mapping[str, Any] | None = None,
               grads: bool = True) -> None:
    """Seeded weights and statistics in both; one forward + backward in ``train`` or eval mode;
    output, input gradient, parameter gradients and buffers compared."""
    kwargs = dict(kwargs or {})
    student, expected = grade_keys(label, impl_ctor, ref_ctor, args, kwargs, context)
    student.prepare(device, seed)
    (x,) = rng_arrays(seed + 1, x_shape)
    want = reference_run(ref_ctor, args, kwargs, x, seed=seed, dout_seed=seed + 2, train=train, device=device,
                         grads=grads)
    got = student.run(x, seed + 2, train=train, device=device, grads=grads)
    diagnoses = mutant_outputs(mutants, args, kwargs, expected, x, train=train, device=device, seed=seed)
    mode = "training mode" if train else "eval mode"
    check_run(f"{label} in {mode}", got, want, context=context, hint=hint, diagnoses=diagnoses,
              device=device)


def inspect_new(impl: Any, module: str, name: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """Keys, shapes and counts of the student's ``module.name(*args, **kwargs)``, built on meta."""
    session = session_of(getattr(impl, module))
    return session.torch("inspect_new", module=module, name=name, args=list(args), kwargs=kwargs,
                         timeout=60.0)


def inspect_model(impl: Any, module: str, name: str, context: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """``inspect_new`` of what must be a module: a constructor that returns something else (None:
    a missing ``return``) fails the property as the student's mistake, never the grader's."""
    got = inspect_new(impl, module, name, *args, **kwargs)
    if not got.get("is_module"):
        fail(_("{name}: returned an object of type {get}, expected an nn.Module")
             .format(name=name, get=got.get('type')), context,
             "a constructor function must return the model (did you forget `return`?)", mistake=NO_MODULE)
    return got


def grade_network(impl: Any, module: str, name: str, ref_ctor: Any, n_classes: int, seed: int,
                  device: str, hint: str, x_shape: Sequence[int] = (2, 3, 64, 64)) -> None:
    """A whole network in eval mode: seeded weights, output and input gradient on a small input."""
    context = describe(model=f"{name}(num_classes={n_classes})", x_shape=tuple(x_shape), seed=seed)
    kwargs = {"num_classes": n_classes}
    expected = describe_reference(ref_ctor, **kwargs)
    student = build_in_worker(name, impl, module, name, context=context, **kwargs)
    check_state(name, student.describe(), expected, context, hint)
    student.prepare(device, seed)
    (x,) = rng_arrays(seed + 1, x_shape)
    want = reference_run(ref_ctor, (), kwargs, x, seed=seed, dout_seed=seed + 2, train=False, device=device,
                         grads=False, buffers=False)
    got = student.run(x, seed + 2, train=False, device=device, grads=False, buffers=False)
    check_run(_("{name} in eval mode").format(name=name), got, want, context=context, hint=hint, device=device)


# The default num_classes of every network graded here (vgg16, alexnet, resnet50, GoogLeNet,
# densenet121: torchvision's, ImageNet's): scores of this many classes for another num_classes
# are the default kept.
DEFAULT_CLASSES = 1000


def grade_network_shapes(impl: Any, module: str, name: str, n_classes: int, device: str, hint: str,
                         sizes: Sequence[tuple[int, int]]) -> None:
    """Output ``(N, num_classes)`` for several input sizes, in eval mode and in training mode."""
    context = describe(model=f"{name}(num_classes={n_classes})", input_sizes=list(sizes))
    student = build_in_worker(name, impl, module, name, context=context, seeded=False,
                              num_classes=n_classes)
    student.prepare(device, None)
    for train, batch in ((False, 1), (True, 2)):
        shapes = [(batch, 3, h, w) for h, w in sizes]
        got = student.shapes(shapes, train=train, device=device)
        for size, out in zip(shapes, got):
            if not isinstance(out, list):
                fail(_("{name} in {value} mode: input {size} gave a {out}, expected a tensor of shape "
                        "({batch}, {n_classes})")
                     .format(name=name, value='training' if train else 'eval', size=size, out=out, batch=batch, n_classes=n_classes), context, hint)
            if list(out) != [batch, n_classes]:
                kept = n_classes != DEFAULT_CLASSES and list(out) == [batch, DEFAULT_CLASSES]
                fail(_("{name} in {value} mode: input {size} gave output shape {items}, expected "
                        "({batch}, {n_classes})")
                     .format(name=name, value='training' if train else 'eval', size=size, items=tuple(out), batch=batch, n_classes=n_classes), context, hint,
                     mistake=DEFAULT_KEPT if kept else "",
                     relation=shape_relation(tuple(out), (batch, n_classes)) if not kept else "")


# Shrinking re-runs whole modules hundreds of times; the first failing configuration, named in
# the message, teaches as much. Every module property uses these phases.
def no_shrink(**kwargs: Any) -> settings:
    return settings(phases=[Phase.explicit, Phase.reuse, Phase.generate], **kwargs)


def call_on_layers(impl: Any, module: str, name: str, spec: list[list[Any]]) -> Any:
    """The student's ``module.name(model)`` on a model of real torch layers built in the worker."""
    session = session_of(getattr(impl, module))
    return session.torch("call_on_layers", module=module, name=name, spec=spec, timeout=60.0)
