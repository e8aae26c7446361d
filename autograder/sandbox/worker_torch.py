"""The worker's side of grading PyTorch modules (lenet, inception, resnet, densenet, vgg, feature_vis).

``worker.op_torch`` hands every ``{"op": "torch", "action": ...}`` request to ``dispatch``.
The student's module arrives as a handle (the grader built it with an ordinary call). Weights
never cross the pipe: both sides fill a module from the same seed with ``seeded_state``, which
depends on each ``state_dict`` key and shape only. Everything returned is plain data (NumPy
arrays, strings, ints); the grader checks all of it, so this file is a convenience, not a judge.

The grader also runs these functions on its references (``grading_tests/modules.py``). In the
worker, every line that touches the student's module or its outputs is in a ``student_code()``
block: what fails there is theirs; what fails elsewhere here is a grading error.
"""

from __future__ import annotations

import importlib
import zlib
from typing import Any

import numpy as np

from autograder.sandbox.blame import StudentRaised, StudentValue, student_code

FLOAT_DTYPES = ("float64", "float32")
TILE = 65_521  # a prime: repeats of the block never line up with rows or channels


def _torch() -> Any:
    import torch

    return torch


def honest_numerics() -> None:
    """No TF32 on CUDA: float32 convolutions would otherwise be accurate to about 1e-3 only."""
    torch = _torch()
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.benchmark = False


# ---------------------------------------------------------------------------- shared with the grader


def seeded_tensor(seed: int, key: str, shape: tuple[int, ...], dtype: Any) -> Any:
    """The value both sides load under ``key``: a function of (seed, key, shape) only.

    Weights are He-scaled normals, batch-norm scales and running variances lie in [0.5, 1.5]
    (never the defaults 1 and 0, which hide a missing or misplaced normalisation), biases and
    running means are normals, ``num_batches_tracked`` a small count.
    """
    torch = _torch()
    gen = torch.Generator().manual_seed((int(seed) * 1_000_003 + zlib.crc32(key.encode())) % (2**63))
    leaf = key.rsplit(".", 1)[-1]
    if not dtype.is_floating_point:
        return torch.randint(0, 100, tuple(shape), generator=gen, dtype=torch.int64).to(dtype)
    if leaf == "running_var" or (leaf == "weight" and len(shape) == 1):
        return torch.rand(tuple(shape), generator=gen, dtype=torch.float64).add_(0.5).to(dtype)
    n = int(np.prod(shape))
    scale = (2.0 / max(int(np.prod(shape[1:])), 1)) ** 0.5 if len(shape) >= 2 else 0.5
    if n > TILE:
        # Big layers (VGG's 25088x4096) repeat a prime-length block of normals: generating
        # 10^8 normals on each side would cost more than the whole forward pass.
        block = torch.randn(TILE, generator=gen, dtype=torch.float64).mul_(scale).to(dtype)
        return block.repeat(-(-n // TILE))[:n].view(tuple(shape))
    values = torch.randn(tuple(shape), generator=gen, dtype=torch.float64).mul_(scale)
    return values.to(dtype)


def seeded_state(model: Any, seed: int) -> dict[str, Any]:
    """A state dict for ``model`` (its own keys, shapes, dtypes and devices) from ``seed``."""
    return seeded_from(state_layout(model), seed)


def state_layout(model: Any) -> list[tuple[str, tuple[int, ...], Any, Any]]:
    """(key, shape, dtype, device) of each ``state_dict`` entry."""
    return [(key, tuple(value.shape), value.dtype, value.device)
            for key, value in model.state_dict().items()]


def seeded_from(layout: list[tuple[str, tuple[int, ...], Any, Any]], seed: int) -> dict[str, Any]:
    return {key: seeded_tensor(seed, key, shape, dtype).to(device)
            for key, shape, dtype, device in layout}


def describe_module(model: Any) -> dict[str, Any]:
    """Keys, shapes and dtypes of the state dict; parameter and buffer names; counts."""
    torch = _torch()
    if not isinstance(model, torch.nn.Module):
        return {"is_module": False, "type": type(model).__qualname__}
    params = list(model.named_parameters())
    return {
        "is_module": True,
        "type": type(model).__qualname__,
        "state": [[k, list(v.shape), str(v.dtype).replace("torch.", "")]
                  for k, v in model.state_dict().items()],
        "params": [[name, bool(p.requires_grad)] for name, p in params],
        "buffers": [name for name, _ in model.named_buffers()],
        "trainable": int(sum(p.numel() for _, p in params if p.requires_grad)),
        "total": int(sum(p.numel() for _, p in params)),
    }


def build_layers(spec: list[list[Any]]) -> Any:
    """A plain ``nn.Sequential`` from a list of layer descriptions (grader-chosen, not student code).

    ``["conv", in, out, k, bias, groups]``, ``["linear", in, out, bias]``, ``["bn", C]``,
    ``["relu"]``, ``["maxpool", k]`` and ``["avgpool", k]`` (stride k), ``["flatten"]``,
    ``["frozen", layer]`` (its parameters get ``requires_grad=False``).
    """
    torch = _torch()
    nn = torch.nn
    layers = []
    for item in spec:
        kind, args = item[0], item[1:]
        frozen = kind == "frozen"
        if frozen:
            kind, args = args[0][0], args[0][1:]
        if kind == "conv":
            layer = nn.Conv2d(args[0], args[1], args[2], bias=bool(args[3]), groups=args[4])
        elif kind == "linear":
            layer = nn.Linear(args[0], args[1], bias=bool(args[2]))
        elif kind == "bn":
            layer = nn.BatchNorm2d(args[0])
        elif kind == "relu":
            layer = nn.ReLU()
        elif kind == "maxpool":
            layer = nn.MaxPool2d(int(args[0]))
        elif kind == "avgpool":
            layer = nn.AvgPool2d(int(args[0]))
        elif kind == "flatten":
            layer = nn.Flatten()
        else:
            raise ValueError(f"unknown layer kind {kind!r}")
        if frozen:
            for p in layer.parameters():
                p.requires_grad_(False)
        layers.append(layer)
    return nn.Sequential(*layers)


# ---------------------------------------------------------------------------- actions


def _module(handles: dict[int, Any], req: dict[str, Any]) -> Any:
    model = handles[int(req["handle"])]
    torch = _torch()
    if not isinstance(model, torch.nn.Module):  # the student's constructor made something else
        raise StudentRaised(TypeError(f"expected an nn.Module instance, got {type(model).__qualname__}"))
    return model


def _constructor(req: dict[str, Any]) -> Any:
    module, name = str(req["module"]), str(req["name"])
    with student_code():
        return getattr(importlib.import_module(module), name)


def _dtype(name: str) -> Any:
    if name not in FLOAT_DTYPES:
        raise ValueError(f"dtype must be one of {FLOAT_DTYPES}")
    return getattr(_torch(), name)


def _numpy(t: Any) -> Any:
    torch = _torch()
    if t is None:
        return None
    if not isinstance(t, torch.Tensor):
        return None
    t = t.detach()
    if t.dtype == torch.bfloat16 or t.dtype == torch.float16:
        t = t.float()
    # 0-d tensors (num_batches_tracked) travel as shape (1,): the wire format has no 0-d arrays.
    return t.cpu().numpy().reshape(-1 if t.dim() == 0 else t.shape).copy()


def action_describe(req: dict[str, Any], handles: dict[int, Any], materialize: Any) -> Any:
    model = handles[int(req["handle"])]
    with student_code():
        return describe_module(model)


def action_inspect_new(req: dict[str, Any], handles: dict[int, Any], materialize: Any) -> Any:
    """Build ``module.name(*args, **kwargs)`` on the meta device (no memory, no time) and describe it.

    Falls back to an ordinary CPU build if the constructor cannot run on the meta device.
    """
    torch = _torch()
    ctor = _constructor(req)
    args, kwargs = materialize(req.get("args", [])), materialize(req.get("kwargs", {}))
    with student_code():
        try:
            with torch.device("meta"):
                model = ctor(*args, **kwargs)
        except Exception:  # noqa: BLE001 - a constructor that needs real tensors
            model = ctor(*args, **kwargs)
        return describe_module(model)


def action_build(req: dict[str, Any], handles: dict[int, Any], materialize: Any) -> Any:
    """Build ``module.name(*args, **kwargs)`` and keep it under a new (negative) handle.

    With ``meta``, the constructor runs on the meta device and the module is then given real,
    uninitialised CPU memory (``to_empty``): big networks skip their weight initialisation,
    which ``prepare`` overwrites anyway. A constructor that cannot run on meta is run normally.
    ``dtype`` (with ``meta``): the dtype ``prepare`` will ask for, given while the module is
    still on meta, so that its memory is allocated once in that dtype (converting VGG-16's
    138 million float32 weights to float64 would cost a second and a half).
    """
    torch = _torch()
    ctor = _constructor(req)
    args, kwargs = materialize(req.get("args", [])), materialize(req.get("kwargs", {}))
    dtype = None if req.get("dtype") is None else _dtype(str(req["dtype"]))
    model, on_meta = None, False
    with student_code():
        if req.get("meta"):
            try:
                with torch.device("meta"):
                    model = ctor(*args, **kwargs)
                on_meta = isinstance(model, torch.nn.Module)
                if on_meta:
                    if dtype is not None:
                        model.to(dtype=dtype)
                    model = model.to_empty(device="cpu")
            except Exception:  # noqa: BLE001 - a constructor that needs real tensors
                model, on_meta = None, False
        if model is None:
            model = ctor(*args, **kwargs)
        kind = type(model).__qualname__
    hid = min([0, *handles]) - 1  # the worker's own handles count up from 1
    handles[hid] = model
    return {"handle": hid, "type": kind, "meta": on_meta}


def action_prepare(req: dict[str, Any], handles: dict[int, Any], materialize: Any) -> Any:
    """Move the module to ``device``/``dtype`` and load the seeded state with ``strict=True``."""
    honest_numerics()
    torch = _torch()
    model = _module(handles, req)
    device, dtype = torch.device(str(req["device"])), _dtype(str(req["dtype"]))
    seed = None if req.get("seed") is None else int(req["seed"])
    with student_code():
        model.to(device=device, dtype=dtype)
        layout = state_layout(model) if seed is not None else []
    state = seeded_from(layout, seed) if seed is not None else None
    with student_code():
        if state is not None:
            model.load_state_dict(state, strict=True)
        return describe_module(model)


def action_run(req: dict[str, Any], handles: dict[int, Any], materialize: Any) -> Any:
    """One forward pass (train or eval mode) and a backward pass of ``sum(out * dout)``.

    ``dout`` is seeded normals shaped like the output (``dout_seed``; none: no backward).
    Returns the output, the input gradient, each parameter's gradient (``grads``) and each
    buffer after the pass (``buffers``), with the output's type, dtype and device.
    """
    honest_numerics()
    torch = _torch()
    model = _module(handles, req)
    device, dtype = torch.device(str(req["device"])), _dtype(str(req["dtype"]))
    train, grads, buffers = bool(req["train"]), bool(req.get("grads", True)), bool(req.get("buffers", True))
    dout_seed = None if req.get("dout_seed") is None else int(req["dout_seed"])
    with student_code():
        model.train(train)
        model.zero_grad(set_to_none=True)
        if not grads:
            for p in model.parameters():  # the input gradient alone: half the backward's cost
                p.requires_grad_(False)
    x = torch.tensor(np.asarray(req["x"]), dtype=dtype, device=device, requires_grad=True)
    torch.manual_seed(int(req.get("seed", 0)))
    with student_code():
        out = model(x)
        reply: dict[str, Any] = {"type": type(out).__qualname__}
        if not isinstance(out, torch.Tensor):
            return reply
        reply.update(dtype=str(out.dtype).replace("torch.", ""), device=out.device.type,
                     out=_numpy(out), dx=None, grads={}, backward="")
        shape, out_dtype, out_device = tuple(out.shape), out.dtype, out.device
        needs_grad = bool(out.requires_grad)
    if dout_seed is not None:
        # The upstream gradient: seeded normals shaped like this output (same on both sides).
        gen = torch.Generator().manual_seed(dout_seed)
        dout_t = torch.randn(shape, generator=gen, dtype=torch.float64)
        if out_dtype.is_floating_point:
            dout_t = dout_t.to(dtype=out_dtype)
        dout_t = dout_t.to(out_device)
        if not needs_grad:
            reply["backward"] = "the output does not require a gradient (detached?)"
        else:
            with student_code():
                (out * dout_t).sum().backward()
                reply["dx"] = _numpy(x.grad)
                if grads:
                    reply["grads"] = {n: _numpy(p.grad) for n, p in model.named_parameters()}
    if buffers:
        with student_code():
            reply["buffers"] = {n: _numpy(b) for n, b in model.named_buffers()}
    return reply


def action_shapes(req: dict[str, Any], handles: dict[int, Any], materialize: Any) -> Any:
    """Output shapes for several input shapes, without gradients (seeded random inputs)."""
    honest_numerics()
    torch = _torch()
    model = _module(handles, req)
    device, dtype = torch.device(str(req["device"])), _dtype(str(req["dtype"]))
    train = bool(req["train"])
    with student_code():
        model.train(train)
    gen = torch.Generator().manual_seed(int(req.get("seed", 0)))
    shapes: list[Any] = []
    with torch.no_grad():
        for size in req["sizes"]:
            x = torch.randn(tuple(int(s) for s in size), generator=gen, dtype=dtype).to(device)
            with student_code():
                out = model(x)
                shapes.append([int(n) for n in out.shape] if isinstance(out, torch.Tensor)
                              else type(out).__qualname__)
    return shapes


def action_call_on_layers(req: dict[str, Any], handles: dict[int, Any], materialize: Any) -> Any:
    """Call the student's ``module.name(model)`` on a model built here from ``spec``.

    Real layers of real size, allocated but not initialised (``to_empty``), so that even
    VGG-16's 138 million parameters cost no initialisation time.
    """
    torch = _torch()
    with torch.device("meta"):
        model = build_layers(materialize(req["spec"]))
    model = model.to_empty(device="cpu")
    func = _constructor(req)
    with student_code():
        return StudentValue(func(model))


SEEDED_MODEL_MAX = 1_000_000  # state entries: these models are small, seeded and built anew per call


def _tensor_args(values: Any, device: Any) -> Any:
    """Arrays the grader sent become tensors on ``device`` (floats float64, integers int64);
    every other value (ints, floats, lists) is passed as it came."""
    if isinstance(values, dict):
        return {k: _tensor_arg(v, device) for k, v in values.items()}
    if isinstance(values, list):
        return [_tensor_arg(v, device) for v in values]
    raise ValueError("args must be a list and kwargs a dict")


def _tensor_arg(value: Any, device: Any) -> Any:
    torch = _torch()
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f":
            return torch.tensor(value, dtype=torch.float64, device=device)
        if value.dtype.kind in "iu":
            return torch.tensor(value, dtype=torch.int64, device=device)
        raise ValueError(f"an argument array of dtype {value.dtype} has no tensor here")
    return value


def seeded_model(spec: list[list[Any]], seed: int, device: Any) -> Any:
    """``build_layers(spec)`` in float64 on ``device`` with ``seeded_state(model, seed)`` loaded
    (the same model on both sides: the grader's reference builds it with this function too)."""
    torch = _torch()
    model = build_layers(spec)
    size = sum(v.numel() for v in model.state_dict().values())
    if size > SEEDED_MODEL_MAX:
        raise ValueError(f"a seeded model holds at most {SEEDED_MODEL_MAX:,} values, not {size:,}")
    model = model.to(device=torch.device(device), dtype=torch.float64)
    model.load_state_dict(seeded_state(model, seed), strict=True)
    return model


def action_call_on_seeded_model(req: dict[str, Any], handles: dict[int, Any], materialize: Any) -> Any:
    """Call the student's ``module.name(model, *args, **kwargs)`` on a model built here.

    ``spec`` (grader-chosen layer descriptions, see ``build_layers``) and ``seed`` make the
    model (``seeded_model``; in training mode unless ``train`` is false); without a ``spec``
    the call is ``module.name(*args, **kwargs)``. NumPy arrays among the arguments arrive as
    tensors on ``device`` (``_tensor_arg``). Returns the result (a tensor as ``out`` with its
    type, dtype, device and ``requires_grad``) and, read after the call, what the grader needs
    to judge its side effects: every parameter's value (``params``), the names of those with a
    ``.grad`` (``grads``), the modules left in training mode (``training``), every buffer's value
    (``buffers``: batch norm's running statistics change only in a training-mode forward) and
    each tensor argument's value (``args``, None for other arguments). The grader judges all of it.
    """
    honest_numerics()
    torch = _torch()
    device = torch.device(str(req["device"]))
    spec = req.get("spec")
    model = None
    if spec is not None:
        model = seeded_model(materialize(spec), int(req["seed"]), device)
        model.train(bool(req.get("train", True)))
    args = _tensor_args(materialize(req.get("args", [])), device)
    kwargs = _tensor_args(materialize(req.get("kwargs", {})), device)
    func = _constructor(req)
    with student_code():
        result = func(*([] if model is None else [model]), *args, **kwargs)
        reply: dict[str, Any] = {"type": type(result).__qualname__}
        if isinstance(result, torch.Tensor):
            reply.update(out=_numpy(result), dtype=str(result.dtype).replace("torch.", ""),
                         device=result.device.type, requires_grad=bool(result.requires_grad))
        reply["args"] = [_numpy(a) if isinstance(a, torch.Tensor) else None for a in args]
        if model is not None:
            named = list(model.named_parameters())
            reply["params"] = {name: _numpy(p) for name, p in named}
            reply["grads"] = [name for name, p in named if p.grad is not None]
            reply["training"] = [name or "model" for name, m in model.named_modules() if m.training]
            reply["buffers"] = {name: _numpy(b) for name, b in model.named_buffers()}
    return StudentValue(reply)


ACTIONS = {
    "describe": action_describe,
    "inspect_new": action_inspect_new,
    "build": action_build,
    "prepare": action_prepare,
    "run": action_run,
    "shapes": action_shapes,
    "call_on_layers": action_call_on_layers,
    "call_on_seeded_model": action_call_on_seeded_model,
}


def dispatch(req: dict[str, Any], handles: dict[int, Any], materialize: Any) -> Any:
    action = ACTIONS.get(str(req.get("action")))
    if action is None:
        raise ValueError(f"unknown torch action {req.get('action')!r}")
    return action(req, handles, materialize)
