"""A snippet the student pastes into Python to see a failing property's call for themselves.

Written from the calls the failing example made (``client.CALLS``): the grader's own argument
values as literals, never a hidden test's source or a reference, and no torch for a NumPy topic.
"""

from __future__ import annotations

import ast
import base64
import keyword
import re
from collections.abc import Iterator
from typing import Any

import numpy as np

from autograder.i18n import N_, _
from autograder.sandbox.client import CallRecord, Remote, Unrecorded
from autograder.sandbox.protocol import HandleRef, RNGState

MAX_LITERAL = 50  # numbers of an array written out; a larger array is embedded as base64 bytes
MAX_LINES = 40
MAX_CHARS = 6_000  # results.MAX_REPRODUCE
MAX_MATCH = 100_000  # numbers compared when looking for an argument among earlier results
_INLINE = 40  # a scalar literal up to this long goes straight into the call
_WIDE = 88  # a container literal wider than this is written one item per line

# Student-facing sentences (whole, with placeholders), the snippet's comment lines: translated
# where the snippet is written, in the grading's language (the code stays code).
HEADER = N_("# Reproduce this failure: run this in the folder that holds {module}.py.")
EXPECTED = N_("# The property fails on this call: {check}")
UNCHANGED = N_("# The property also checks that the call leaves its arguments unchanged:")
TOO_LARGE = N_("# The failing call's inputs are too large to write out here; rebuild them from the "
               "smallest failing input shown above and call {function} on them.")

_RESERVED = {"np", "base64", "copy", "same", "before", "name", "old", "new", "result"}
_SAME = [
    "def same(old, new):",
    "    if isinstance(old, dict):",
    "        return (isinstance(new, dict) and old.keys() == new.keys()"
    " and all(same(old[k], new[k]) for k in old))",
    "    if isinstance(old, (list, tuple)):",
    "        return type(old) is type(new) and len(old) == len(new) and all(map(same, old, new))",
    "    nan = np.asarray(old).dtype.kind in 'fc'",
    "    return type(old) is type(new) and np.array_equal(old, new, equal_nan=nan)",
]


class Unwritable(Exception):
    """The failing call cannot be written as a snippet (a value that is no plain data, a call
    the log no longer holds)."""


def snippet(records: list[CallRecord], *, module: str, kind: str, check: str,
            source: str | None = None) -> str:
    """The snippet for the last call of ``records`` (the failing example's), or "" when there
    is none to write. ``check`` is the failure's first line; ``source`` the student's module,
    for the names of the parameters."""
    if not records:
        return ""
    target = records[-1]
    # A torch topic's properties run the student's model through the grader's own actions after
    # the last recorded call; only a call that itself raised is the whole failure.
    if kind == "torch" and not target.raised:
        return ""
    try:
        writer = _Writer(records, module, kind, _signatures(source))
        for wide in (True, False):
            lines = writer.write(check, wide)
            text = "\n".join(lines) + "\n"
            if len(lines) <= MAX_LINES and len(text) <= MAX_CHARS:
                return text
    except Unwritable:
        return ""
    return too_large(target.path or module)


def too_large(function: str) -> str:
    return _(TOO_LARGE).format(function=function) + "\n"


# ---------------------------------------------------------------------------- which calls


class _Writer:
    def __init__(self, records: list[CallRecord], module: str, kind: str,
                 signatures: dict[str, list[str]]) -> None:
        self.records = records
        self.module = module
        self.kind = kind
        self.signatures = signatures
        self.origins: dict[int, int] = {}  # handle id -> the record that returned it
        for i, rec in enumerate(records):
            if isinstance(rec.result, Remote):
                root = object.__getattribute__(rec.result, "_root")
                if isinstance(root, int) and not object.__getattribute__(rec.result, "_path"):
                    self.origins.setdefault(root, i)
        self.refs: dict[tuple[int, int], tuple[int, int | None, bool]] = {}
        self.needed: set[int] = set()
        self._need(len(records) - 1)

    def _need(self, i: int) -> None:
        if i in self.needed:
            return
        self.needed.add(i)
        rec = self.records[i]
        if isinstance(rec.root, int):
            self._history(rec.root, i)
        sent = [*rec.sent[0], *rec.sent[1].values()]
        copies = [*rec.args, *rec.kwargs.values()]
        for n, (orig, value) in enumerate(zip(sent, copies)):
            for handle in _handles(value):
                self._history(handle.id, i)
            ref = self._earlier_result(i, orig, value)
            if ref is not None:
                self.refs[(i, n)] = ref
                self._need(ref[0])

    def _history(self, handle: int, before: int) -> None:
        """The call that made the handle and every call on it before record ``before``."""
        start = self.origins.get(handle)
        if start is None or start >= before:
            raise Unwritable("a handle made outside the recorded calls")
        self._need(start)
        for k in range(start + 1, before):
            rec = self.records[k]
            if rec.kind == "call" and rec.root == handle:
                self._need(k)

    def _earlier_result(self, i: int, orig: Any, value: Any) -> tuple[int, int | None, bool] | None:
        """(record, item or None, is a copy) of an earlier call's result this argument is."""
        if not isinstance(orig, (np.ndarray, dict, list, tuple)):
            return None
        for j in range(i - 1, -1, -1):
            rec = self.records[j]
            if not rec.done or isinstance(rec.result, Remote):
                continue
            for item, part in _parts(rec.result):
                if part is orig:
                    return j, item, False
        if _size(value) < 8:
            return None  # a small value is written out more clearly than found
        for j in range(i - 1, -1, -1):
            rec = self.records[j]
            if not rec.done or isinstance(rec.result, Remote):
                continue
            for item, part in _parts(rec.result):
                if _equal(part, value, [MAX_MATCH]):
                    return j, item, True
        return None

    # ------------------------------------------------------------------------ writing

    def write(self, check: str, wide: bool) -> list[str]:
        self.wide = wide
        self.names: set[str] = set(_RESERVED)
        self.uses_base64 = self.uses_copy = False
        order = sorted(self.needed)
        target = order[-1]
        imports: dict[str, None] = {}
        for i in order:
            rec = self.records[i]
            if not isinstance(rec.root, int):
                imports.setdefault(rec.path.split(".")[0], None)
        self.names.update(imports)
        used = {ref[0] for ref in self.refs.values()}
        var_of: dict[int, str] = {}
        self.handle_vars: dict[int, str] = {}
        body: list[str] = []
        compare: list[str] = []
        for i in order:
            rec = self.records[i]
            args, setup = self._arguments(i, var_of, force=(i == target and rec.inspect))
            body += setup
            callee = self._callee(rec)
            expr = callee if rec.kind == "get" else f"{callee}({', '.join(args)})"
            if i == target:
                mutable = [a for a, v in zip(args, self._values(rec)) if _mutable(v)]
                if rec.inspect and mutable and rec.kind == "call":
                    self.uses_copy = True
                    names = ", ".join(a.split("=")[-1] for a in mutable)
                    body.append(f"before = copy.deepcopy([{names}])")
                    compare = [_(UNCHANGED),
                               f"for name, old, new in zip({[a.split('=')[-1] for a in mutable]!r}, "
                               f"before, [{names}]):",
                               "    print(name, 'unchanged:', same(old, new))"]
                body += [f"result = {expr}", "print(result)"]
            elif isinstance(rec.result, Remote) and i in self.origins.values():
                handle = object.__getattribute__(rec.result, "_root")
                name = self._fresh(_snake(object.__getattribute__(rec.result, "_type")) or "obj")
                self.handle_vars[handle] = name
                body.append(f"{name} = {expr}")
            elif i in used:
                var_of[i] = self._fresh(f"result{len(var_of) + 1}")
                body.append(f"{var_of[i]} = {expr}")
            else:
                body.append(expr)
        head = [_(HEADER).format(module=self.module)]
        if self.uses_base64:
            head.append("import base64")
        if self.uses_copy:
            head.append("import copy")
        if any("np." in line for line in [*body, *compare]):
            head.append("import numpy as np")
        if imports:
            head.append(f"from {self.module} import {', '.join(imports)}")
        head.append("")
        if compare:
            head += [*_SAME, ""]
        check = _one_line(check)
        if self.kind == "numpy":  # a NumPy topic's snippet names no torch, not even in a comment
            check = re.sub(r"\btorch\b[\w.]*", _("the reference"), check)
        return [*head, *body, _(EXPECTED).format(check=check), *compare]

    def _values(self, rec: CallRecord) -> list[Any]:
        return [*rec.args, *rec.kwargs.values()]

    def _callee(self, rec: CallRecord) -> str:
        if isinstance(rec.root, int):
            owner = self.handle_vars.get(rec.root)
            if owner is None:
                raise Unwritable("a handle without its origin")
            return f"{owner}.{rec.path}" if rec.path else owner
        return rec.path

    def _arguments(self, i: int, var_of: dict[int, str], force: bool) -> tuple[list[str], list[str]]:
        rec = self.records[i]
        params = self._params(rec)
        setup: list[str] = []
        out: list[str] = []
        items: list[tuple[str | None, Any]] = [(None, a) for a in rec.args]
        items += list(rec.kwargs.items())
        for n, (key, value) in enumerate(items):
            ref = self.refs.get((i, n))
            if ref is not None:
                j, item, copied = ref
                if j not in var_of:
                    raise Unwritable("an earlier result without a name")
                expr = var_of[j] + ("" if item is None else f"[{item}]")
                if copied:
                    self.uses_copy = True
                    expr = f"copy.deepcopy({expr})"
            else:
                expr = self._literal(value, setup, top=True)
            inline = ref is None and not _mutable(value) and len(expr) <= _INLINE and "\n" not in expr
            if not inline or (force and _mutable(value)):
                base = key if key is not None else (params[n] if n < len(params) else f"arg{n + 1}")
                name = self._fresh(base)
                setup.append(f"{name} = {expr}")
                expr = name
            out.append(expr if key is None else f"{key}={expr}")
        return out, setup

    def _params(self, rec: CallRecord) -> list[str]:
        if isinstance(rec.root, int):
            origin = self.records[self.origins[rec.root]].result
            owner = object.__getattribute__(origin, "_type")
            return self.signatures.get(f"{owner}.{rec.path}", [])
        return self.signatures.get(rec.path, [])

    def _fresh(self, base: str) -> str:
        base = base if base.isidentifier() and not keyword.iskeyword(base) else "arg"
        name, k = base, 2
        while name in self.names:
            name, k = f"{base}_{k}", k + 1
        self.names.add(name)
        return name

    # ------------------------------------------------------------------------ literals

    def _literal(self, value: Any, setup: list[str], top: bool = False) -> str:
        if isinstance(value, Unrecorded):
            raise Unwritable(value.why)
        if value is None or type(value) in (bool, int, str):
            return repr(value)
        if type(value) is float:
            return repr(value) if np.isfinite(value) else f'float("{value!r}")'
        if type(value) is complex:
            return repr(value) if np.isfinite(value) else f'complex("{value!r}")'
        if isinstance(value, np.generic):
            item = value.item()
            text = self._literal(item, setup) if type(item) in (bool, int, float, complex) else None
            if text is None:
                raise Unwritable("a NumPy scalar of an odd type")
            return f"np.{_dtype_name(value.dtype)}({text})"
        if isinstance(value, np.ndarray):
            return self._array(value)
        if isinstance(value, HandleRef):
            name = self.handle_vars.get(value.id)
            if name is None:
                raise Unwritable("a handle without its origin")
            return name
        if isinstance(value, RNGState):
            kind = str(value.state.get("bit_generator", ""))
            if kind not in ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64"):
                raise Unwritable("an unknown bit generator")
            name = self._fresh("rng")
            make = "np.random.default_rng()" if kind == "PCG64" else f"np.random.Generator(np.random.{kind}())"
            setup += [f"{name} = {make}",
                      f"{name}.bit_generator.state = {self._literal(value.state, setup, top=True)}"]
            return name
        if type(value) in (list, tuple, dict):
            # Items are written flat; only a top-level container too wide for one line gets one
            # line per item.
            if type(value) is dict:
                parts = [f"{self._literal(k, setup)}: {self._literal(v, setup)}"
                         for k, v in value.items()]
                left, right = "{", "}"
            else:
                parts = [self._literal(v, setup) for v in value]
                left, right = ("[", "]") if type(value) is list else ("(", ")")
                if type(value) is tuple and len(parts) == 1:
                    parts[0] += ","
            flat = left + ", ".join(parts) + right
            if top and self.wide and len(flat) > _WIDE:
                return left + "\n" + "".join(f"    {p},\n" for p in parts) + right
            return flat
        raise Unwritable(f"a value of type {type(value).__name__}")

    def _array(self, arr: np.ndarray) -> str:
        if arr.dtype.kind not in "biufc":
            raise Unwritable("an array of an odd dtype")
        dtype = f"np.{_dtype_name(arr.dtype)}" if arr.dtype.isnative else f'np.dtype("{arr.dtype.str}")'
        if arr.size == 0:
            return f"np.zeros({arr.shape!r}, dtype={dtype})"
        finite = arr.dtype.kind not in "fc" or bool(np.isfinite(arr).all())
        if arr.size <= MAX_LITERAL and finite:
            return f"np.array({_nested(arr)}, dtype={dtype})"
        self.uses_base64 = True
        data = base64.b64encode(np.ascontiguousarray(arr).tobytes()).decode("ascii")
        return (f'np.frombuffer(base64.b64decode("{data}"), dtype="{arr.dtype.str}")'
                f".reshape({arr.shape!r}).copy()")


# ---------------------------------------------------------------------------- helpers


def _dtype_name(dtype: np.dtype[Any]) -> str:
    return "bool_" if dtype.kind == "b" else dtype.name


def _nested(arr: np.ndarray) -> str:
    if arr.ndim == 0:
        return repr(arr.item())
    return "[" + ", ".join(_nested(x) for x in arr) + "]"


def _mutable(value: Any) -> bool:
    return isinstance(value, (np.ndarray, dict, list)) or (
        type(value) is tuple and any(_mutable(v) for v in value))


def _handles(value: Any) -> Iterator[HandleRef]:
    if isinstance(value, HandleRef):
        yield value
    elif type(value) in (list, tuple):
        for v in value:
            yield from _handles(v)
    elif type(value) is dict:
        for v in value.values():
            yield from _handles(v)


def _parts(result: Any) -> Iterator[tuple[int | None, Any]]:
    """A result and, for a tuple or list, its first items (what a property unpacks)."""
    yield None, result
    if type(result) in (tuple, list):
        yield from enumerate(result[:20])


def _size(value: Any) -> int:
    if isinstance(value, np.ndarray):
        return int(value.size)
    if type(value) in (list, tuple):
        return sum(_size(v) for v in value[:1000])
    if type(value) is dict:
        return sum(_size(v) for v in list(value.values())[:1000])
    return 1


def _equal(a: Any, b: Any, budget: list[int]) -> bool:
    """Same types and values, nested, within ``budget`` numbers (a student's result may be huge)."""
    budget[0] -= 1
    if budget[0] < 0 or type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        budget[0] -= a.size
        return (budget[0] >= 0 and a.dtype == b.dtype and a.shape == b.shape
                and bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")))
    if type(a) in (list, tuple):
        return len(a) == len(b) and all(_equal(x, y, budget) for x, y in zip(a, b))
    if type(a) is dict:
        return list(a) == list(b) and all(_equal(a[k], b[k], budget) for k in a)
    if type(a) in (bool, int, float, str, complex) or a is None:
        return bool(a == b)
    return False


def _snake(name: str) -> str:
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", name.split(".")[-1]).lower()
    return snake if snake.isidentifier() and not keyword.iskeyword(snake) else ""


def _one_line(text: str) -> str:
    line = (text.strip().splitlines() or [""])[0]
    line = re.sub(r"[\x00-\x1f\x7f\u2028\u2029]", " ", line).strip()
    return line if len(line) <= 200 else line[:197] + "..."


def _signatures(source: str | None) -> dict[str, list[str]]:
    """Parameter names of the module's functions, classes (their __init__) and methods, read
    from the student's own source (parsed, never run)."""
    if not source:
        return {}
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return {}
    found: dict[str, list[str]] = {}

    def params(node: ast.FunctionDef | ast.AsyncFunctionDef, method: bool) -> list[str]:
        names = [a.arg for a in (*node.args.posonlyargs, *node.args.args)]
        return names[1:] if method else names

    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found[node.name] = params(node, False)
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    found[f"{node.name}.{item.name}"] = params(item, True)
                    if item.name == "__init__":
                        found[node.name] = params(item, True)
    return found
