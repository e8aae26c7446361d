"""The worker: the only process that imports and runs student code.

It jails itself (see ``sandbox``), then answers requests from the grader over a pipe:
import a module, call a function or method, read an attribute, run a torch module. Results
go back through ``protocol`` (plain data only). Nothing this process says is trusted: the
grader validates every answer, and a student who patches this file's code at run time can
only make their own answers wrong or late (or flag a grading error that costs them the property).

The student's code runs only inside ``blame.student_code()`` blocks; an error raised anywhere
else here is the grader's own, and its reply says so (``"fault": "grader"``).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import sys
import traceback
from typing import Any

from autograder.i18n import _
from autograder.sandbox import blame, worker_pyplot
from autograder.sandbox.blame import StudentValue, student_code

MAX_CAPTURE = 4000

_handles: dict[int, Any] = {}
_next_handle = [1]
_capture_fd = -1
_capture_pos = [0]
_config: dict[str, Any] = {}


class _BlockForeign:
    """Meta-path finder refusing array/ML libraries inside NumPy exercises."""

    def __init__(self, names: list[str]) -> None:
        self.names = set(names)

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> None:
        if fullname.split(".")[0] in self.names:
            raise ImportError(
                _("{module} is not available here: NumPy exercises may import NumPy and the standard "
                  "library only").format(module=fullname)
            )
        return None


# ---------------------------------------------------------------------------- encoding hook


def _hook(obj: Any, arrays: list[bytes]) -> Any:
    """Encode what plain ``protocol.encode`` does not know: tensors, figures, handles."""
    from autograder.sandbox import protocol

    torch = sys.modules.get("torch")
    if torch is not None and isinstance(obj, torch.Tensor):
        arr = obj.detach().cpu().numpy() if obj.dtype != torch.bfloat16 else obj.detach().float().cpu().numpy()
        arrays.append(protocol._save(arr))
        return {"$tensor": len(arrays) - 1, "dtype": str(obj.dtype), "device": str(obj.device)}
    figure_mod = sys.modules.get("matplotlib.figure")
    if figure_mod is not None and isinstance(obj, figure_mod.Figure):
        tree = {"$figure": protocol.encode(_describe_figure(obj), arrays)}
        use = worker_pyplot.report_for(obj)
        if use is not None:
            tree["pyplot"] = use  # plain JSON: what the call that returned it did with pyplot
        return tree
    # A named tuple is a tuple, an OrderedDict a dict: their items travel as plain containers
    # (converted here, in the student's process; the grader never calls their methods).
    if isinstance(obj, tuple):
        return protocol.encode(tuple(obj), arrays, _hook)
    if isinstance(obj, list):
        return protocol.encode(list(obj), arrays, _hook)
    if isinstance(obj, dict):
        return protocol.encode(dict(obj), arrays, _hook)
    return {"$handle": _store(obj), "type": type(obj).__qualname__}


def _store(obj: Any) -> int:
    hid = _next_handle[0]
    _next_handle[0] += 1
    _handles[hid] = obj
    return hid


def _describe_figure(fig: Any) -> dict[str, Any]:
    axes = []
    for ax in fig.get_axes():
        images = []
        for im in ax.get_images():
            data = im.get_array()
            arr = None if data is None else __import__("numpy").asarray(data, dtype=float)
            cmap = im.get_cmap()
            clim = im.get_clim()
            images.append({"data": arr, "cmap": getattr(cmap, "name", str(cmap)),
                           "clim": [None if c is None else float(c) for c in clim]})
        axes.append(
            {
                "images": images,
                "title": ax.get_title(),
                "xticks": [float(t) for t in ax.get_xticks()],
                "yticks": [float(t) for t in ax.get_yticks()],
                "xticklabels_visible": any(t.get_visible() and t.get_text() for t in ax.get_xticklabels()),
                "axis_on": bool(ax.axison),
                "visible": bool(ax.get_visible()),
                "xaxis_visible": bool(ax.xaxis.get_visible()),
                "yaxis_visible": bool(ax.yaxis.get_visible()),
            }
        )
    return {"axes": axes, "type": type(fig).__qualname__}


# ---------------------------------------------------------------------------- decoding


def _materialize(value: Any) -> Any:
    from autograder.sandbox import protocol

    if isinstance(value, protocol.RNGState):
        return value.make()
    if isinstance(value, protocol.HandleRef):
        return _handles[value.id]
    if isinstance(value, list):
        return [_materialize(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_materialize(v) for v in value)
    if isinstance(value, dict):
        return {k: _materialize(v) for k, v in value.items()}
    return value


def _resolve(root: Any, path: str) -> Any:
    """The object at ``path`` from a handle or a student's module (a stale handle is the
    grader's mistake; importing and reading attributes run the student's code)."""
    by_handle = isinstance(root, int)
    obj = _handles[root] if by_handle else None
    with student_code():
        if not by_handle:
            obj = importlib.import_module(str(root))
        for part in filter(None, path.split(".")):
            obj = getattr(obj, part)
    return obj


# ---------------------------------------------------------------------------- operations


def op_ping(req: dict[str, Any]) -> Any:
    return "pong"


def op_import(req: dict[str, Any]) -> Any:
    name = str(req["module"])
    with student_code():
        importlib.import_module(name)
    return None


def _call(target: Any, args: Any, kwargs: Any, return_args: bool) -> Any:
    args = _materialize(args)
    kwargs = _materialize(kwargs)
    result = None
    worker_pyplot.start_call()
    try:
        with student_code():
            result = target(*args, **kwargs)
    finally:  # count the shows and the figures left open, and close those, even after a raise
        worker_pyplot.finish_call(result, _canvas_figure)
    if return_args:
        return {"value": result, "args": list(args), "kwargs": kwargs}
    return result


def op_call(req: dict[str, Any]) -> Any:
    target = _resolve(req["root"], req.get("path", ""))
    return StudentValue(_call(target, req.get("args", []), req.get("kwargs", {}), bool(req.get("return_args"))))


MAX_CALLS_PER_REQUEST = 10_000


def op_call_many(req: dict[str, Any]) -> Any:
    """The same function called with each of ``calls`` (``[args, kwargs]`` pairs) in order, one
    reply for all: a statistical property's thousands of draws without thousands of round
    trips. The first call that raises ends the request as a single call would."""
    target = _resolve(req["root"], req.get("path", ""))
    calls = req.get("calls")
    if not isinstance(calls, list) or len(calls) > MAX_CALLS_PER_REQUEST or not all(
            isinstance(c, list) and len(c) == 2 and isinstance(c[0], list) and isinstance(c[1], dict)
            for c in calls):
        raise ValueError(f"call_many needs at most {MAX_CALLS_PER_REQUEST} [args, kwargs] pairs")
    return_args = bool(req.get("return_args"))
    return StudentValue([_call(target, args, kwargs, return_args) for args, kwargs in calls])


def _canvas_figure(manager: Any) -> Any:
    """The figure a pyplot figure manager holds (the student's objects; None when reading fails)."""
    try:
        with student_code():
            return manager.canvas.figure
    except blame.StudentRaised:
        return None


def op_get(req: dict[str, Any]) -> Any:
    return StudentValue(_resolve(req["root"], req.get("path", "")))


def op_reset(req: dict[str, Any]) -> Any:
    """Between properties: drop handles, and reseed global RNGs so regrades match."""
    import random

    import numpy as np

    _handles.clear()
    random.seed(0)
    np.random.seed(0)
    torch = sys.modules.get("torch")
    if torch is not None and hasattr(torch, "manual_seed"):
        torch.manual_seed(0)
    return None


def op_torch(req: dict[str, Any]) -> Any:
    # The grader's own helpers, imported outside any student block: if this import fails (the
    # package is not visible in the jail, a broken copy), the reply names a grading error.
    from autograder.sandbox import worker_torch

    return worker_torch.dispatch(req, _handles, _materialize)


def op_checks(req: dict[str, Any]) -> Any:
    """``autograder check``: the public checks of one module, run here, in the jail."""
    import io

    from autograder.student.public_checks import run_checks

    out = io.StringIO()
    module = str(req["module"])
    with student_code():  # the checks import and call the student's module and report on it
        code = run_checks([f"{module}.py"], out=out)
    return {"code": int(code), "text": out.getvalue()[-20000:]}


OPS = {"ping": op_ping, "import": op_import, "call": op_call, "call_many": op_call_many, "get": op_get,
       "reset": op_reset, "torch": op_torch, "checks": op_checks}


def _read_captured() -> str:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - the student may have replaced or closed it
            pass
    if _capture_fd < 0:
        return ""
    try:
        end = os.lseek(_capture_fd, 0, os.SEEK_END)
        start = _capture_pos[0]
        _capture_pos[0] = end
        if end <= start:
            return ""
        os.lseek(_capture_fd, start, os.SEEK_SET)
        data = os.read(_capture_fd, min(end - start, MAX_CAPTURE * 4))
        text = data.decode("utf-8", "replace")
        if end - start > MAX_CAPTURE:
            text = text[:MAX_CAPTURE] + f"\n... [{end - start - MAX_CAPTURE} more bytes cut]"
        return text
    except OSError:
        return ""


_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep  # autograder/


def _is_grader_file(filename: str) -> bool:
    return os.path.abspath(filename).startswith(_PACKAGE_DIR)


def _error_info(exc: BaseException, *, grader: bool = False) -> dict[str, Any]:
    """The reply for an exception: the student's (their frames only: the worker's own are noise
    to them), or, with ``grader``, the grader's own, whole traceback for the staff."""
    tb = list(traceback.extract_tb(exc.__traceback__))
    if not grader:  # every frame of this package is the grader's, whatever its files are called
        tb = [f for f in tb if not _is_grader_file(f.filename)]
    lines = traceback.format_list(tb[-6:])
    try:
        message = str(exc)[:2000]
    except BaseException:  # noqa: BLE001 - a student's exception whose __str__ raises
        message = f"<{type(exc).__name__} whose message cannot be shown>"
    info = {
        "type": type(exc).__name__,
        "message": message,
        "traceback": "".join(lines)[-4000:],
        "bases": [c.__name__ for c in type(exc).__mro__],
    }
    if grader:
        info["fault"] = "grader"
    return info


def _answer(req: Any) -> tuple[dict[str, Any], bool]:
    """(reply without output, whether its value is the student's) for one request."""
    try:
        op = OPS.get(str(req.get("op"))) if isinstance(req, dict) else None
        if op is None:
            raise ValueError(f"the worker knows no request {req!r:.200}")
        value = op(req)
    except blame.StudentRaised as raised:
        return {"ok": False, "error": _error_info(raised.exc)}, False
    except BaseException as exc:  # noqa: BLE001 - the grader's own code failed
        return {"ok": False, "error": _error_info(exc, grader=True)}, False
    if isinstance(value, StudentValue):
        return {"ok": True, "value": value.value}, True
    return {"ok": True, "value": value}, False


def serve(proto_in: int, proto_out: int) -> None:
    from autograder.sandbox import protocol

    reader = protocol.Reader(proto_in)
    while True:
        try:
            req = reader.read()
        except protocol.PeerClosed:
            return
        reply, students = _answer(req)
        reply["output"] = _read_captured()
        try:
            # Encoding the student's value runs their code (subclasses, tensors, figures).
            with student_code() if students else contextlib.nullcontext():
                data = protocol.pack(reply, _hook)
        except blame.StudentRaised as raised:
            data = protocol.pack({"ok": False, "error": _error_info(raised.exc), "output": ""})
        except BaseException as exc:  # noqa: BLE001 - encoding the grader's own values failed
            data = protocol.pack({"ok": False, "error": _error_info(exc, grader=True),
                                  "output": ""})
        view = memoryview(data)
        while view:
            view = view[os.write(proto_out, view):]


def main() -> None:
    global _capture_fd
    cfg = json.loads(sys.argv[1])
    _config.update(cfg)
    import numpy  # noqa: F401 - every exercise needs it; load it while the files are there

    from autograder.sandbox import (
        jail,
        protocol,  # noqa: F401 - loaded before the jail closes
    )

    proto_in, proto_out = os.dup(0), os.dup(1)
    jail.join_cgroups(cfg.get("cgroups") or [])
    if cfg.get("sandbox"):
        jail.enter_jail(cfg)
        subdir = jail.SANDBOX_ROOT_MOUNT
        tmp = "/tmp"
    else:
        subdir = cfg["submission"]
        tmp = cfg.get("tmpdir") or "/tmp"
        os.chdir(subdir)
        if cfg.get("uid"):
            jail.drop_privileges(int(cfg["uid"]))
    jail.apply_limits(cfg)
    os.environ.update({"HOME": tmp, "TMPDIR": tmp, "MPLCONFIGDIR": tmp + "/mpl",
                       "MPLBACKEND": "Agg"})

    _capture_fd = os.open(os.path.join(tmp, f".captured-{os.getpid()}"),
                          os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(_capture_fd, 1)
    os.dup2(_capture_fd, 2)
    sys.stdout = open(1, "w", buffering=1, closefd=False)
    sys.stderr = open(2, "w", buffering=1, closefd=False)
    worker_pyplot.install()  # before any student code: plt.show() calls and open figures are counted
    # The grader's libraries for this kind of worker (torch), imported before the first ping is
    # answered: their seconds count against the worker's start (a grader fault if too slow, graded
    # again), never against the student's import limit, so a loaded machine cannot cost points.
    # Before the submission's folder is on sys.path: a shipped torch.py cannot stand in for torch.
    for name in cfg.get("preload") or []:
        importlib.import_module(name)
    if cfg.get("block"):
        sys.meta_path.insert(0, _BlockForeign(cfg["block"]))
    sys.path.insert(0, subdir)
    sys.argv = ["student"]
    serve(proto_in, proto_out)
    os._exit(0)


if __name__ == "__main__":
    main()
