"""Wire format between the grader and the sandboxed worker that runs student code.

A message is a JSON tree plus a list of arrays saved with ``np.save(allow_pickle=False)``.
Nothing here ever unpickles or evaluates: whatever the worker sends decodes to plain
Python containers, NumPy arrays and scalars, or inert markers (``Foreign``, ``HandleRef``,
``FigureInfo``) that tests inspect and reject with a clear message.
"""

from __future__ import annotations

import io
import json
import math
import os
import select
import struct
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

MAGIC = b"AGW1"
MAX_HEADER_BYTES = 32 * 1024 * 1024
MAX_ARRAY_BYTES = 512 * 1024 * 1024
MAX_ARRAYS = 100_000
_ALLOWED_KINDS = set("biufc")  # bool, int, uint, float, complex: the only dtypes that decode


class ProtocolError(Exception):
    """The peer sent something that is not a well-formed message."""


class PeerClosed(ProtocolError):
    """The peer closed its end (the worker died or exited)."""


class ReadTimeout(ProtocolError):
    """No whole message arrived before the deadline."""


# ---------------------------------------------------------------------------- markers


@dataclass(frozen=True)
class Foreign:
    """A value of a type the contract does not allow (tensor, ndarray subclass, object...)."""

    kind: str
    detail: str = ""
    array: np.ndarray | None = field(default=None, compare=False, repr=False)

    def __repr__(self) -> str:
        return f"<{self.kind}{': ' + self.detail if self.detail else ''}>"


@dataclass(frozen=True)
class HandleRef:
    """An object that stays in the worker (an instance, a module, a function)."""

    id: int
    type_name: str


@dataclass(frozen=True)
class FigureInfo:
    """What the worker read off a matplotlib Figure: plain data, safe to inspect."""

    data: dict[str, Any]


@dataclass(frozen=True)
class RNGState:
    """A ``np.random.Generator`` travels as its bit generator's state."""

    state: dict[str, Any]

    @classmethod
    def of(cls, gen: np.random.Generator) -> RNGState:
        return cls(dict(gen.bit_generator.state))

    def make(self) -> np.random.Generator:
        name = self.state.get("bit_generator")
        if name not in ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64"):
            raise ProtocolError(f"unknown bit generator {name!r}")
        bitgen = getattr(np.random, name)()
        bitgen.state = self.state
        return np.random.Generator(bitgen)


# ---------------------------------------------------------------------------- encoding


def _save(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    # np.save handles any memory layout; np.ascontiguousarray would turn a 0-d array into 1-d.
    np.save(buf, np.asarray(arr), allow_pickle=False)
    return buf.getvalue()


def encode(obj: Any, arrays: list[bytes], hook: Any = None) -> Any:
    """Turn ``obj`` into a JSON-able tree, appending array payloads to ``arrays``.

    ``hook(obj)`` may return a tree for objects this function does not know (the worker
    uses it for tensors, figures and handles); it returns ``None`` to decline.
    """
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, int) and type(obj) is int:
        return obj
    if type(obj) is float:
        if math.isfinite(obj):
            return obj
        return {"$float": repr(obj)}
    if isinstance(obj, np.generic):
        if obj.dtype.kind not in _ALLOWED_KINDS:
            return {"$foreign": f"numpy scalar of dtype {obj.dtype}"}
        value = obj.item()
        if isinstance(value, complex):
            value = [value.real, value.imag]
        elif isinstance(value, float) and not math.isfinite(value):
            value = {"$float": repr(value)}
        return {"$np": obj.dtype.str, "v": value}
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind not in _ALLOWED_KINDS:
            return {"$foreign": f"ndarray of dtype {obj.dtype}"}
        tree: dict[str, Any] = {"$nd": len(arrays)}
        if type(obj) is not np.ndarray:
            tree["$sub"] = f"{type(obj).__module__}.{type(obj).__qualname__}"
        arrays.append(_save(np.asarray(obj)))
        return tree
    if isinstance(obj, RNGState):
        return {"$rng": obj.state}
    if isinstance(obj, np.random.Generator):
        return {"$rng": obj.bit_generator.state}
    if type(obj) is tuple:
        return {"$tuple": [encode(x, arrays, hook) for x in obj]}
    if type(obj) is list:
        return [encode(x, arrays, hook) for x in obj]
    if type(obj) is dict:
        return {"$dict": [[encode(k, arrays, hook), encode(v, arrays, hook)] for k, v in obj.items()]}
    if isinstance(obj, HandleRef):
        return {"$handle": obj.id, "type": obj.type_name}
    if hook is not None:
        tree = hook(obj, arrays)
        if tree is not None:
            return tree
    kind = f"{type(obj).__module__}.{type(obj).__qualname__}"
    return {"$foreign": kind}


def decode(tree: Any, arrays: list[np.ndarray], depth: int = 0) -> Any:
    """Inverse of :func:`encode`, strict: anything unexpected raises ProtocolError."""
    if depth > 64:
        raise ProtocolError("value nested too deeply")
    if tree is None or isinstance(tree, (bool, int, str)):
        return tree
    if isinstance(tree, float):
        return tree
    if isinstance(tree, list):
        return [decode(x, arrays, depth + 1) for x in tree]
    if not isinstance(tree, dict) or len(tree) == 0:
        raise ProtocolError(f"unexpected tree node {type(tree).__name__}")
    tag = next(iter(tree))
    if tag == "$nd":
        arr = _array_at(arrays, tree["$nd"])
        if "$sub" in tree:
            return Foreign(f"ndarray subclass {tree['$sub']}", "", arr)
        return arr
    if tag == "$np":
        dtype = np.dtype(str(tree["$np"]))
        if dtype.kind not in _ALLOWED_KINDS:
            raise ProtocolError("bad scalar dtype")
        value = tree["v"]
        if isinstance(value, dict):
            value = _float(value)
        elif isinstance(value, list):
            value = complex(float(value[0]), float(value[1]))
        elif not isinstance(value, (bool, int, float)):
            raise ProtocolError("bad scalar value")
        return dtype.type(value)
    if tag == "$float":
        return _float(tree)
    if tag == "$tuple":
        return tuple(decode(x, arrays, depth + 1) for x in _list(tree["$tuple"]))
    if tag == "$dict":
        out = {}
        for pair in _list(tree["$dict"]):
            if not isinstance(pair, list) or len(pair) != 2:
                raise ProtocolError("bad dict item")
            key = decode(pair[0], arrays, depth + 1)
            try:
                hash(key)
            except TypeError:
                raise ProtocolError("unhashable dict key") from None
            out[key] = decode(pair[1], arrays, depth + 1)
        return out
    if tag == "$rng":
        state = tree["$rng"]
        if not isinstance(state, dict):
            raise ProtocolError("bad generator state")
        return RNGState(state)
    if tag == "$handle":
        return HandleRef(int(tree["$handle"]), str(tree.get("type", "object")))
    if tag == "$tensor":
        arr = _array_at(arrays, tree["$tensor"])
        return Foreign("torch.Tensor", f"dtype {tree.get('dtype')} on {tree.get('device')}", arr)
    if tag == "$figure":
        data = decode(tree["$figure"], arrays, depth + 1)
        if not isinstance(data, dict):
            raise ProtocolError("bad figure")
        return FigureInfo(data)
    if tag == "$foreign":
        return Foreign(str(tree["$foreign"])[:200])
    raise ProtocolError(f"unknown tag {tag[:40]!r}")


def _float(tree: dict[str, Any]) -> float:
    text = tree.get("$float")
    if text not in ("nan", "inf", "-inf"):
        raise ProtocolError("bad float")
    return float(text)


def _list(x: Any) -> list[Any]:
    if not isinstance(x, list):
        raise ProtocolError("expected a list")
    return x


def _array_at(arrays: list[np.ndarray], index: Any) -> np.ndarray:
    if not isinstance(index, int) or not 0 <= index < len(arrays):
        raise ProtocolError("array index out of range")
    return arrays[index]


def load_array(payload: bytes) -> np.ndarray:
    try:
        arr = np.load(io.BytesIO(payload), allow_pickle=False)
    except Exception as exc:  # ValueError for object arrays, others for garbage
        raise ProtocolError(f"bad array payload: {exc}") from None
    if not isinstance(arr, np.ndarray) or arr.dtype.kind not in _ALLOWED_KINDS:
        raise ProtocolError("array of a disallowed dtype")
    return arr


# ---------------------------------------------------------------------------- framing


def pack(message: Any, hook: Any = None) -> bytes:
    arrays: list[bytes] = []
    tree = encode(message, arrays, hook)
    header = json.dumps({"tree": tree, "n": len(arrays)}, allow_nan=False).encode()
    parts = [MAGIC, struct.pack(">Q", len(header)), header]
    for payload in arrays:
        parts.append(struct.pack(">Q", len(payload)))
        parts.append(payload)
    return b"".join(parts)


def write_message(fd: int, message: Any, hook: Any = None) -> None:
    data = memoryview(pack(message, hook))
    while data:
        n = os.write(fd, data)
        data = data[n:]


class Reader:
    """Reads whole messages from a file descriptor, with a deadline and size limits."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def _read_exact(self, n: int, deadline: float | None) -> bytes:
        chunks: list[bytes] = []
        remaining = n
        while remaining:
            if deadline is not None:
                timeout = deadline - time.monotonic()
                if timeout <= 0:
                    raise ReadTimeout("timed out")
                ready, _, _ = select.select([self.fd], [], [], timeout)
                if not ready:
                    raise ReadTimeout("timed out")
            chunk = os.read(self.fd, min(remaining, 1 << 20))
            if not chunk:
                raise PeerClosed("peer closed the pipe")
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)

    def read(self, deadline: float | None = None) -> Any:
        if self._read_exact(4, deadline) != MAGIC:
            raise ProtocolError("bad magic: the stream is out of step")
        (size,) = struct.unpack(">Q", self._read_exact(8, deadline))
        if size > MAX_HEADER_BYTES:
            raise ProtocolError("header too large")
        try:
            header = json.loads(self._read_exact(size, deadline))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ProtocolError(f"bad header: {exc}") from None
        if not isinstance(header, dict) or not isinstance(header.get("n"), int):
            raise ProtocolError("bad header")
        count = header["n"]
        if not 0 <= count <= MAX_ARRAYS:
            raise ProtocolError("too many arrays")
        arrays, total = [], 0
        for _ in range(count):
            (length,) = struct.unpack(">Q", self._read_exact(8, deadline))
            total += length
            if total > MAX_ARRAY_BYTES:
                raise ProtocolError("message too large")
            arrays.append(load_array(self._read_exact(length, deadline)))
        return decode(header.get("tree"), arrays)
