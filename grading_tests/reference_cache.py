"""Reference outputs computed once per class, not once per student.

The examples are derandomized, so every student of a class is graded on the same inputs: the
float64 run of a reference network (VGG-16, ResNet-50, DenseNet-121, ...) on an example is
the same for all of them. ``cached`` (through ``grading_tests.modules.reference_run``) and
``per_class`` (a pure reference function) keep each in memory for this process and, where a
batch names a folder (``AUTOGRADER_REFERENCE_CACHE``), on disk for the batch's other
submissions. What is kept depends on the reference's code, the seeded weights, the example and
the device only, never on a submission: the key holds the sources of the reference, of this
package's torch helpers and of the seeded weights, and torch's version. Values are stored in
the worker protocol's format (no pickle, its size limits); a file that cannot be read is
computed again.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import hashlib
import inspect
import json
import os
import stat
import sys
import tempfile
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from autograder.engine.properties import REFERENCE_CACHE_ENV as ENV

MEMORY_BYTES = 256 * 1024 * 1024  # of arrays kept per process (nbgrader grades a class in one)


def _nbytes(value: Any) -> int:
    if isinstance(value, np.ndarray):
        return value.nbytes
    if isinstance(value, Mapping):
        return sum(_nbytes(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return sum(_nbytes(v) for v in value)
    return 64


class _Memory(OrderedDict):  # type: ignore[type-arg]
    """The values computed in this process, least recently used first out past MEMORY_BYTES."""

    def __init__(self) -> None:
        super().__init__()
        self.size = 0

    def keep(self, digest: str, value: Any) -> None:
        if digest in self:
            self.move_to_end(digest)
            return
        self[digest] = value
        self.size += _nbytes(value)
        while self.size > MEMORY_BYTES and len(self) > 1:
            _old, dropped = self.popitem(last=False)
            self.size -= _nbytes(dropped)


_MEMORY = _Memory()


def _name(value: Any) -> Any:
    """A stable name for a key: a class or function by where it is defined, an array by its
    shape, dtype and bytes."""
    if inspect.isclass(value) or inspect.isfunction(value):
        return f"{value.__module__}.{value.__qualname__}"
    if isinstance(value, np.ndarray):
        return ["ndarray", list(value.shape), str(value.dtype),
                hashlib.sha256(np.ascontiguousarray(value).tobytes()).hexdigest()]
    if isinstance(value, np.generic):
        return ["scalar", str(value.dtype), repr(value.item())]
    if isinstance(value, Mapping):
        return {str(k): _name(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [_name(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return repr(value)


@functools.cache
def _source_digest(module_name: str) -> str:
    module = sys.modules.get(module_name)
    path = getattr(module, "__file__", None)
    return hashlib.sha256(Path(path).read_bytes()).hexdigest() if path else ""


def _digest(key: dict[str, Any]) -> str:
    import torch

    return hashlib.sha256(json.dumps({**key, "torch": torch.__version__}, sort_keys=True).encode()).hexdigest()


def _folder() -> Path | None:
    """The cache folder named by the environment, if this process owns it and nobody else may
    write there (what is read from it decides grades)."""
    folder = os.environ.get(ENV)
    if not folder:
        return None
    try:
        info = os.lstat(folder)
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o022:
        return None
    return Path(folder)


def _read_value(path: Path) -> tuple[bool, Any]:
    from autograder.sandbox import protocol

    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return False, None
    try:
        return True, protocol.Reader(fd).read()
    except (OSError, protocol.ProtocolError, ValueError, TypeError, KeyError):
        return False, None
    finally:
        os.close(fd)


def _write_value(folder: Path, digest: str, value: Any) -> None:
    from autograder.sandbox import protocol

    try:
        data = protocol.pack(value)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".ref-", suffix=".msg")
    except (OSError, ValueError, TypeError):
        return
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, folder / f"{digest}.msg")
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _once(digest: str, compute: Callable[[], Any]) -> Any:
    """What ``compute()`` gave before under ``digest`` (this process's memory, then the cache
    folder), else ``compute()`` now, kept in both; always a copy the caller may change."""
    if digest in _MEMORY:
        _MEMORY.keep(digest, _MEMORY[digest])
        return copy.deepcopy(_MEMORY[digest])
    folder = _folder()
    found, value = _read_value(folder / f"{digest}.msg") if folder is not None else (False, None)
    if not found:
        value = compute()
        if folder is not None:
            _write_value(folder, digest, value)
    _MEMORY.keep(digest, value)
    return copy.deepcopy(value)


def cached(ctor: Any, args: Sequence[Any], kwargs: Mapping[str, Any], x: np.ndarray,
           compute: Callable[[], dict[str, Any]], **run: Any) -> dict[str, Any]:
    """``compute()`` (the reference ``ctor(*args, **kwargs)`` run on ``x`` as ``run`` says), or
    what it gave before for the same reference, example and run. The key holds the sources of
    the reference and its block classes, of this module, of ``grading_tests.modules`` and of
    the seeded weights (``worker_torch``)."""
    from autograder.sandbox import worker_torch

    modules = sorted({ctor.__module__, __name__, "grading_tests.modules", worker_torch.__name__,
                      *(a.__module__ for a in args if inspect.isclass(a))})
    key = {"ctor": _name(ctor), "args": _name(list(args)), "kwargs": _name(dict(kwargs)), "x": _name(x),
           "run": _name(run), "sources": {m: _source_digest(m) for m in modules}}
    return _once(_digest(key), compute)


def per_class(func: Callable[..., Any]) -> Callable[..., Any]:
    """A reference function whose value depends on its arguments alone (arrays, numbers, strings
    and containers of them in; plain data out), computed once per class as ``cached`` keeps a
    network's run."""
    @functools.wraps(func)
    def once(*args: Any, **kwargs: Any) -> Any:
        key = {"func": _name(func), "args": _name(list(args)), "kwargs": _name(dict(kwargs)),
               "sources": {func.__module__: _source_digest(func.__module__)}}
        return _once(_digest(key), lambda: func(*args, **kwargs))

    return once
