"""Wire format between the grader and the sandboxed worker that runs student code.

A message is a JSON tree plus a list of arrays, each as its dtype, shape and raw bytes in C
order (``_save``; a dtype is one of bool, int, uint, float or complex, nothing else decodes).
Nothing here ever unpickles or evaluates: whatever the worker sends decodes to plain
Python containers, NumPy arrays and scalars, or inert markers (``Foreign``, ``HandleRef``,
``FigureInfo``) that tests inspect and reject with a clear message.
"""

from __future__ import annotations

import json
import math
import os
import re
import select
import struct
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

MAGIC = b"AGW2"  # AGW1 carried .npy files: 60 us of header parsing per array
MAX_HEADER_BYTES = 32 * 1024 * 1024
MAX_ARRAY_BYTES = 512 * 1024 * 1024
MAX_ARRAYS = 100_000
# What one decoded message may hold. Far above any honest reply (a few dicts of arrays), and
# low enough that a flood costs the grader seconds and megabytes, not minutes and gigabytes.
MAX_VALUES = 4_000_000  # containers, keys and items, all levels together
MAX_STRING = 100_000  # characters in one string
MAX_DEPTH = 64
MAX_NAME = 200  # a type, dtype or device name inside a marker
_ALLOWED_KINDS = set("biufc")  # bool, int, uint, float, complex: the only dtypes that decode


class ProtocolError(Exception):
    """The peer sent something that is not a well-formed message."""


class PeerClosed(ProtocolError):
    """The peer closed its end (the worker died or exited)."""


class ReadTimeout(ProtocolError):
    """No whole message arrived before the deadline."""


class TooLarge(ProtocolError):
    """The message is well formed but holds more than the grader accepts; says what and how much."""


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
class PyplotUse:
    """What the call that returned a figure did with pyplot, as the worker counted it:
    ``plt.show()`` calls, pyplot figures left open besides the one returned, and what of
    pyplot's machinery it replaced (``""`` when nothing)."""

    show_calls: int = 0
    extra_figures: int = 0
    tampered: str = ""
    # ... and, read off the figure itself: its Axes shown with a frame that draw nothing
    # (autograder/sandbox/worker_pyplot.py's empty_axes).
    empty_axes: int = 0


@dataclass(frozen=True)
class FigureInfo:
    """What the worker read off a matplotlib Figure: plain data, safe to inspect. ``pyplot``
    is None when the figure is not what a call returned (an attribute, one inside a list)."""

    data: dict[str, Any]
    pyplot: PyplotUse | None = None


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


_DTYPE_RE = re.compile(r"[<>|=][biufc][0-9]{1,2}")
_DIM = struct.Struct(">q")


def _save(arr: np.ndarray) -> bytes:
    """An array's payload: its dtype (``dtype.str``, e.g. ``<f8``), its number of dimensions,
    each dimension (8 bytes), then its bytes in C order (any memory layout; a 0-d array too)."""
    arr = np.asarray(arr)
    code = arr.dtype.str.encode()
    dims = b"".join(_DIM.pack(d) for d in arr.shape)
    return b"".join((bytes((len(code),)), code, bytes((arr.ndim,)), dims, arr.tobytes(order="C")))


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


def decode(tree: Any, arrays: list[np.ndarray]) -> Any:
    """Inverse of :func:`encode`, strict: anything unexpected or too large raises ProtocolError."""
    decoder = _Decoder(arrays)
    try:
        decoder.charge(1)
        return decoder.value(tree, 0)
    except ProtocolError:
        raise
    except (TypeError, ValueError, KeyError, IndexError, OverflowError) as exc:
        # A hostile worker can send any JSON: a wrong field type must not crash the grader.
        raise ProtocolError(f"malformed value ({type(exc).__name__})") from None


_PLAIN = frozenset({int, float, bool, type(None)})  # the JSON scalars that decode as they are


class _Decoder:
    """One message's decoding. Each container pays for its items up front, so the scalars that
    make up a flood need no call of their own."""

    def __init__(self, arrays: list[np.ndarray]) -> None:
        self.arrays = arrays
        self.left = MAX_VALUES

    def charge(self, count: int) -> None:
        self.left -= count
        if self.left < 0:
            raise TooLarge(f"the value holds more than {MAX_VALUES:,} items (all levels together)")

    def value(self, tree: Any, depth: int) -> Any:
        """Decode one node, already paid for."""
        if depth > MAX_DEPTH:
            raise TooLarge(f"the value is nested more than {MAX_DEPTH} levels deep")
        if isinstance(tree, str):
            return _string(tree)
        if tree is None or isinstance(tree, (bool, int, float)):
            return tree
        if isinstance(tree, list):
            return self.items(tree, depth + 1)
        if not isinstance(tree, dict) or len(tree) == 0:
            raise ProtocolError(f"unexpected tree node {type(tree).__name__}")
        tag = next(iter(tree))
        if tag == "$nd":
            arr = _array_at(self.arrays, tree["$nd"])
            if "$sub" in tree:
                return Foreign(f"ndarray subclass {_name(tree['$sub'])}", "", arr)
            return arr
        if tag == "$np":
            dtype = np.dtype(_name(tree["$np"]))
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
            return tuple(self.items(_list(tree["$tuple"]), depth + 1))
        if tag == "$dict":
            return self.mapping(_list(tree["$dict"]), depth + 1)
        if tag == "$rng":
            state = tree["$rng"]
            if not isinstance(state, dict):
                raise ProtocolError("bad generator state")
            self.plain(state, depth + 1)
            return RNGState(state)
        if tag == "$handle":
            return HandleRef(_int(tree["$handle"]), _name(tree.get("type", "object")))
        if tag == "$tensor":
            arr = _array_at(self.arrays, tree["$tensor"])
            detail = f"dtype {_name(tree.get('dtype', ''))} on {_name(tree.get('device', ''))}"
            return Foreign("torch.Tensor", detail, arr)
        if tag == "$figure":
            self.charge(1)
            data = self.value(tree["$figure"], depth + 1)
            if not isinstance(data, dict):
                raise ProtocolError("bad figure")
            return FigureInfo(data, _pyplot_use(tree["pyplot"]) if "pyplot" in tree else None)
        if tag == "$foreign":
            return Foreign(_name(tree["$foreign"]))
        raise ProtocolError(f"unknown tag {tag[:40]!r}")

    def items(self, trees: list[Any], depth: int) -> list[Any]:
        self.charge(len(trees))
        out = []
        for tree in trees:
            kind = type(tree)
            if kind is str:
                _string(tree)
            elif kind not in _PLAIN:
                tree = self.value(tree, depth)
            out.append(tree)
        return out

    def mapping(self, pairs: list[Any], depth: int) -> dict[Any, Any]:
        self.charge(2 * len(pairs))
        out = {}
        for pair in pairs:
            if type(pair) is not list or len(pair) != 2:
                raise ProtocolError("bad dict item")
            key, item = pair
            if type(key) is str:
                _string(key)
            elif type(key) not in _PLAIN:
                key = self.value(key, depth)
                try:
                    hash(key)
                except TypeError:
                    raise ProtocolError("unhashable dict key") from None
            if type(item) is str:
                _string(item)
            elif type(item) not in _PLAIN:
                item = self.value(item, depth)
            out[key] = item
        return out

    def plain(self, tree: Any, depth: int) -> None:
        """Check untagged JSON (a generator's state) against the same caps; it stays as it is."""
        if depth > MAX_DEPTH:
            raise TooLarge(f"the value is nested more than {MAX_DEPTH} levels deep")
        if isinstance(tree, str):
            _string(tree)
        elif isinstance(tree, list):
            self.charge(len(tree))
            for x in tree:
                self.plain(x, depth + 1)
        elif isinstance(tree, dict):
            self.charge(2 * len(tree))
            for k, v in tree.items():
                _string(k)
                self.plain(v, depth + 1)


def _pyplot_use(tree: Any) -> PyplotUse:
    """A figure's ``pyplot`` record: two counts and a short text, nothing else."""
    if not isinstance(tree, dict) or set(tree) - {"empty_axes"} != {"show_calls", "extra_figures", "tampered"}:
        raise ProtocolError("bad pyplot record")
    counts = [_int(tree["show_calls"]), _int(tree["extra_figures"]), _int(tree.get("empty_axes", 0))]
    if min(counts) < 0:
        raise ProtocolError("bad pyplot record")
    tampered = tree["tampered"]
    if not isinstance(tampered, str):
        raise ProtocolError("bad pyplot record")
    return PyplotUse(counts[0], counts[1], _string(tampered)[:1000], counts[2])


def _string(text: str) -> str:
    if len(text) > MAX_STRING:
        raise TooLarge(f"the value holds a string of {len(text):,} characters; "
                       f"the grader accepts at most {MAX_STRING:,}")
    return text


def _name(text: Any) -> str:
    """A name the worker reports (a type, a dtype): display text, cut short."""
    if not isinstance(text, str):
        raise ProtocolError("expected a name")
    return text[:MAX_NAME]


def _int(value: Any) -> int:
    if type(value) is not int:
        raise ProtocolError("expected an integer")
    return value


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


def load_array(payload: bytes | bytearray | memoryview) -> np.ndarray:
    """The array ``_save`` wrote: a new, writable, aligned array of its own (never a view on the
    message), or ProtocolError for anything else."""
    view = memoryview(payload)
    try:
        size = view[0]
        code = bytes(view[1:1 + size]).decode("ascii")
        if not _DTYPE_RE.fullmatch(code):
            raise ValueError(f"dtype {code[:20]!r}")
        dtype = np.dtype(code)
        ndim = view[1 + size]
        start = 2 + size + 8 * ndim
        if ndim > 64 or start > len(view):
            raise ValueError("shape")
        shape = tuple(_DIM.unpack_from(view, 2 + size + 8 * i)[0] for i in range(ndim))
        count = math.prod(shape)
        if min(shape, default=0) < 0 or count * dtype.itemsize != len(view) - start:
            raise ValueError("the bytes do not fill the shape")
        if dtype.kind not in _ALLOWED_KINDS:
            raise ValueError("a disallowed dtype")
        return np.frombuffer(view[start:], dtype, count).reshape(shape).copy()
    except (IndexError, ValueError, TypeError, UnicodeDecodeError, struct.error) as exc:
        raise ProtocolError(f"bad array payload: {exc}") from None


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
        self._buffer = bytearray()  # read ahead: a reply's parts in one or two system calls

    def _read_exact(self, n: int, deadline: float | None) -> bytes:
        buffer = self._buffer
        while len(buffer) < n:
            if deadline is not None:
                timeout = deadline - time.monotonic()
                if timeout <= 0:
                    raise ReadTimeout("timed out")
                ready, _, _ = select.select([self.fd], [], [], timeout)
                if not ready:
                    raise ReadTimeout("timed out")
            chunk = os.read(self.fd, max(min(n - len(buffer), 1 << 20), 1 << 16))
            if not chunk:
                raise PeerClosed("peer closed the pipe")
            buffer += chunk
        data = bytes(buffer[:n])
        del buffer[:n]
        return data

    def read(self, deadline: float | None = None) -> Any:
        if self._read_exact(4, deadline) != MAGIC:
            raise ProtocolError("bad magic: the stream is out of step")
        (size,) = struct.unpack(">Q", self._read_exact(8, deadline))
        if size > MAX_HEADER_BYTES:
            raise TooLarge(f"the message is {size:,} bytes besides its arrays; "
                           f"the grader accepts at most {MAX_HEADER_BYTES:,}")
        try:
            header = json.loads(self._read_exact(size, deadline))
        except RecursionError:
            raise TooLarge(f"the value is nested more than {MAX_DEPTH} levels deep") from None
        except (UnicodeDecodeError, ValueError) as exc:  # ValueError: JSONDecodeError, an int too long
            raise ProtocolError(f"bad header: {str(exc)[:200]}") from None
        if not isinstance(header, dict) or not isinstance(header.get("n"), int):
            raise ProtocolError("bad header")
        count = header["n"]
        if not 0 <= count <= MAX_ARRAYS:
            raise TooLarge(f"the message holds {count:,} arrays; the grader accepts at most {MAX_ARRAYS:,}")
        arrays, total = [], 0
        for _ in range(count):
            (length,) = struct.unpack(">Q", self._read_exact(8, deadline))
            total += length
            if total > MAX_ARRAY_BYTES:
                raise TooLarge(f"the message's arrays exceed {MAX_ARRAY_BYTES:,} bytes")
            arrays.append(load_array(self._read_exact(length, deadline)))
        return decode(header.get("tree"), arrays)
