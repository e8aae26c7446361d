"""Comparisons that produce teaching messages. Runs in the grader only: never the student's numpy.

Order of checks: type, shape, dtype, finiteness, values. One tolerance table, no literals in tests.
Each failure raises ``PropertyFailure`` with a labelled message, the input context, and, when the
wrong value matches a known misconception, a diagnosis; when none matches, a generic relation
(grading_tests/relations.py: a factor, a transpose, a shift...) as a "looks like:" line.
"""

from __future__ import annotations

import heapq
import math
import numbers
import reprlib
from collections.abc import Callable, Collection, Mapping
from typing import Any

import numpy as np

from autograder.i18n import N_, _
from autograder.sandbox.client import Remote, StudentAbort
from autograder.sandbox.protocol import FigureInfo, Foreign, HandleRef
from grading_tests import relations

# Tolerances per quantity: ``rtol`` per entry, and ``atol`` times the scale of the quantity (the
# largest magnitude of the expected array), so that a gradient of size 1e-6 is checked as closely
# as one of size 1 (the absolute 1e-9 used before let a 1e-6 gradient be 0.1% wrong, and rejected
# correct sums of 1e8-sized terms whose result cancels to near 0). An entry near 0 by cancellation
# keeps the room that rounding in another order needs: about eps times the terms summed, far
# below 1e-9 of the largest entry. ``ATOL_FLOOR`` matters only where every expected value is 0.
# float32: torch's defaults, made relative; "loose64" for long chains (batch norm's backward).
TOLERANCES = {
    "float64": {"rtol": 1e-7, "atol": 1e-9},
    "float32": {"rtol": 1.3e-6, "atol": 1e-5},
    "loose64": {"rtol": 1e-6, "atol": 1e-8},
    # Central differences (landscape): truncation and rounding errors, bounded where the grader
    # draws its points and steps. "floor": the absolute atol where the quantity itself is 0.
    "central_gradient": {"rtol": 1e-6, "atol": 1e-6, "floor": 1e-6},
    "central_hessian": {"rtol": 1e-4, "atol": 1e-4, "floor": 1e-6},
}
ATOL_FLOOR = 1e-30


def tolerance(tol: str, expected: Any) -> dict[str, float]:
    """``rtol`` and the absolute ``atol`` for comparing with the trusted ``expected`` (never with
    the student's value: a huge answer must not widen its own tolerance)."""
    t = TOLERANCES[tol]
    exp = np.asarray(expected, dtype=np.float64)
    finite = np.abs(exp[np.isfinite(exp)])
    scale = float(finite.max()) if finite.size else 0.0
    return {"rtol": t["rtol"], "atol": max(t.get("floor", ATOL_FLOOR), t["atol"] * scale)}


# A student's value goes into a message as a few items and a count, never whole: a reply may
# hold millions of keys or a string of 100,000 characters.
LIST_ITEMS = 10  # items of a collection that a message shows
REPR_CHARS = 100  # characters of one value's repr
# More items than this where the contract asks for a handful: every input fails the same way,
# and each replay costs seconds, so the failure is not shrunk.
FLOOD = 10_000
_CONTAINERS = (list, tuple, dict, set, frozenset)


class PropertyFailure(AssertionError):
    """``diagnosis``: a named misconception (the record's field, counted by the class report);
    ``relation``: a generic relation to the expected value, shown in the message only."""

    def __init__(self, message: str, diagnosis: str = "", relation: str = "") -> None:
        super().__init__(message)
        self.diagnosis = diagnosis
        self.relation = relation


class PropertyAbort(StudentAbort):
    """A property failure that no smaller input would explain better: Hypothesis does not shrink it."""

    def __init__(self, message: str, diagnosis: str = "", relation: str = "") -> None:
        super().__init__(message)
        self.diagnosis = diagnosis
        self.relation = relation


def fail(message: str, context: str = "", hint: str = "", diagnosis: str = "", *,
         final: bool = False, relation: str = "", mistake: str = "") -> None:
    """Raise the property's failure; ``final`` (a flood) skips shrinking, see ``FLOOD``.
    ``relation`` (grading_tests/relations.py) shows only when no ``diagnosis`` names the mistake.
    ``mistake``: a kind of mistake that the message itself states (an argument changed in place,
    no ValueError for an invalid argument), recorded as the diagnosis, for the class report to
    count, without the "this is exactly what ... gives" line."""
    # Labels and named diagnoses (N_() constants, mutants' descriptions) are shown in the
    # grading's language; ``diagnosis`` itself stays the English description (a machine field
    # that the class report and scripts/diagnosis_share.py match).
    parts = [message]
    if context:
        parts.append("  " + _("for input: {context}").format(context=context))
    if diagnosis:
        parts.append("  " + _("diagnosis: this is exactly what {diagnosis} gives").format(diagnosis=_(diagnosis)))
    elif relation:
        parts.append("  " + _("looks like: {relation}").format(relation=relation))
    if hint:
        parts.append("  " + _("hint: {hint}").format(hint=_(hint)))
    raise (PropertyAbort if final else PropertyFailure)("\n".join(parts), diagnosis or mistake,
                                                        "" if diagnosis else relation)


# The kinds of mistake that compare.py's own checks name (``fail(mistake=...)``).
IN_PLACE = N_("changing an argument in place")
NO_VALIDATION = N_("no check of an invalid argument")
WRONG_EXCEPTION = N_("raising another exception than the contract's")
UNNAMED_ARGUMENT = N_("an error message that does not name the argument")
# ... and grading_tests/modules.py's checks of a torch module's structure.
LAYER_NAMES = N_("a layer missing, added or named otherwise (state_dict keys)")
LAYER_SIZES = N_("a layer of the wrong size (state_dict shapes)")
NO_MODULE = N_("a constructor that returns no nn.Module")
# ... and the properties that a function's random draws come from its ``rng`` argument.
RNG_IGNORED = N_("random draws that do not come from the rng argument")
FIXED_SEED = N_("a generator with a fixed seed inside the function")
# ... and the other kinds of mistake a property's message states outright.
NO_RETURN = N_("a function that returns None (a return statement missing?)")
WRONG_TYPE = N_("a result of another type than the contract's")
DICT_KEYS = N_("a dict whose keys differ from the contract's (a key missing, added or named otherwise)")
OUT_OF_RANGE = N_("values outside the range the contract allows")
NOT_UNIFORM = N_("random draws that are not uniform (some values, corners or orderings favoured or never drawn)")
UNPAIRED = N_("examples of X and Y no longer paired (each shuffled with its own permutation?)")
DEFAULT_KEPT = N_("an argument ignored: its default value used instead (such as num_classes=1000)")
TRAINING_MODE = N_("a model run in training mode where eval mode is due (model.eval() missing?)")
PARAMETER_GRADS = N_("gradients left on the model's parameters (.grad set)")
MPL_DEFAULT = N_("a matplotlib default kept where the contract asks for another (colour map, ticks, titles)")
PYPLOT_SHOW = N_("plt.show() called inside the function")
FIGURE_LEFT_OPEN = N_("pyplot figures left open besides the one returned")
EMPTY_AXES = N_("empty Axes besides the ones the contract asks for (a grid larger than the maps?)")
STATED_MISTAKES = (IN_PLACE, NO_VALIDATION, WRONG_EXCEPTION, UNNAMED_ARGUMENT, LAYER_NAMES, LAYER_SIZES,
                   NO_MODULE, RNG_IGNORED, FIXED_SEED, NO_RETURN, WRONG_TYPE, DICT_KEYS, OUT_OF_RANGE,
                   NOT_UNIFORM, UNPAIRED, DEFAULT_KEPT, TRAINING_MODE, PARAMETER_GRADS, MPL_DEFAULT,
                   PYPLOT_SHOW, FIGURE_LEFT_OPEN, EMPTY_AXES)


def returned_mistake(got: Any) -> str:
    """The kind of mistake a result of the wrong type shows: None, or another type."""
    return NO_RETURN if got is None else WRONG_TYPE


def flooded(value: Any) -> bool:
    """A container far larger than any answer the contract allows."""
    return isinstance(value, _CONTAINERS) and len(value) > FLOOD


# reprlib walks only what it shows: a repr of a million-key dict costs as little as one of ten keys.
_REPR = reprlib.Repr()
_REPR.maxlevel = 4
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = _REPR.maxfrozenset = LIST_ITEMS
_REPR.maxstring = _REPR.maxother = 60
_REPR.maxlong = 40


def short(value: Any, limit: int = REPR_CHARS) -> str:
    """``repr(value)`` in at most about ``limit`` characters, saying how much was left out."""
    if isinstance(value, str):
        if len(value) <= limit:
            return repr(value)
        return _("{start}... ({count} characters)").format(start=repr(value[: limit // 2]), count=f"{len(value):,}")
    if not isinstance(value, _CONTAINERS):
        text = repr(value)
    else:
        text = _REPR.repr(value)
        if len(value) > LIST_ITEMS:
            text += " " + _("({count} items)").format(count=f"{len(value):,}")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def excerpt(text: str, limit: int = 300) -> str:
    """Student text (an exception's message) cut to ``limit`` characters, saying how long it was."""
    return text if len(text) <= limit else _("{start}... ({count} characters)").format(
        start=text[:limit], count=f"{len(text):,}")


def _order(item: Any) -> tuple[str, str]:
    return str(item), type(item).__name__


def listing(items: Collection[Any], limit: int = LIST_ITEMS, *, sort: bool = True) -> str:
    """``['a', 'b', ... and 1,699,990 more]``: the first few items (sorted by their text), and a count."""
    if sort:
        shown = (sorted(items, key=_order) if len(items) <= limit
                 else heapq.nsmallest(limit, items, key=_order))
    else:
        shown = [x for x, _ in zip(items, range(limit))]
    more = _(", ... and {count} more").format(count=f"{len(items) - limit:,}") if len(items) > limit else ""
    return "[" + ", ".join(short(x, 60) for x in shown) + more + "]"


def type_name(value: Any) -> str:
    if isinstance(value, Foreign):
        return value.kind
    if isinstance(value, Remote):
        return _("an object of type {type}").format(type=object.__getattribute__(value, '_type') or 'unknown')
    if isinstance(value, (FigureInfo, HandleRef)):
        return type(value).__name__
    if isinstance(value, np.ndarray):
        return f"ndarray {value.dtype} {value.shape}"
    return type(value).__name__


def fmt(arr: Any, limit: int = 6) -> str:
    a = np.asarray(arr)
    if a.size <= limit:
        return np.array2string(a, precision=6, separator=", ", threshold=limit)
    flat = a.ravel()[:limit]
    return "[" + ", ".join(f"{x:.6g}" for x in flat) + ", ...] " + _("({count} values)").format(count=a.size)


def _matches(got: np.ndarray, value: Any, tol: str) -> bool:
    try:
        cand = np.asarray(value() if callable(value) else value, dtype=np.float64)
    except Exception:  # noqa: BLE001 - a diagnosis that cannot be computed is no diagnosis
        return False
    return cand.shape == got.shape and bool(np.allclose(got, cand, equal_nan=False,
                                                        **tolerance(tol, cand)))


def _diagnosis(got: np.ndarray, diagnoses: Mapping[str, Any] | None) -> str:
    """The first misconception whose output (shape and values) is the student's, or ''."""
    for name, value in (diagnoses or {}).items():
        if _matches(got, value, "loose64"):
            return name
    return ""


def _expected_of(values: Mapping[str, Any] | None) -> dict[str, np.ndarray]:
    """The other results' expected arrays (a swap of two results shows), those that convert."""
    found = {}
    for name, value in (values or {}).items():
        try:
            found[name] = np.asarray(value, dtype=np.float64)
        except Exception:  # noqa: BLE001 - what does not convert cannot have been swapped in
            continue
    return found


def check_array(
    label: str,
    got: Any,
    expected: Any,
    *,
    tol: str = "float64",
    context: str = "",
    hint: str = "",
    diagnoses: Mapping[str, Any] | None = None,
    dtype_kind: str = "f",
    factors: Mapping[str, float] | None = None,
    others: Mapping[str, Any] | None = None,
    atol_floor: float = 0.0,
    mistake: str = "",
) -> np.ndarray:
    """``got`` must be a float64 ndarray equal to ``expected`` within the table's tolerance.

    When it is not and no ``diagnoses`` entry matches, the message says how it relates to the
    expected array; ``factors`` ({"m": m, "keep_prob": kp}) name the constants a wrong factor may
    be, ``others`` ({"'db1'": expected_db1}) the other results it may have been swapped with.
    ``atol_floor``: the least absolute tolerance, for a difference of two larger quantities
    (an update, new minus old parameters, keeps the rounding error of the parameters).
    ``mistake``: the kind of mistake any failure here states (``fail``), e.g. ``RNG_IGNORED``
    where the expected array is the student's own first result."""
    exp = np.asarray(expected, dtype=np.float64 if dtype_kind == "f" else None)
    if isinstance(got, Foreign):
        extra = (" " + _("NumPy exercises return np.ndarray")
                 if "Tensor" in got.kind or "subclass" in got.kind else "")
        fail(_("{label}: returned {kind}, expected an np.ndarray of shape {shape}.").format(
             label=label, kind=got.kind, shape=exp.shape) + extra,
             context, hint, mistake=mistake or WRONG_TYPE)
    if not isinstance(got, np.ndarray):
        fail(_("{label}: returned {type}, expected an np.ndarray of shape {shape}").format(
             label=label, type=type_name(got), shape=exp.shape),
             context, hint, final=flooded(got), mistake=mistake or returned_mistake(got))
    if got.shape != exp.shape:
        # A misconception can give another shape (padding on the wrong axis, a square kernel):
        # its output, of the student's shape and values, names it.
        diagnosis = _diagnosis(got, diagnoses) if got.dtype.kind in "biuf" else ""
        found = "" if diagnosis else (relations.relation(got, exp) if got.dtype.kind in "biuf" else "")
        found = found or relations.shape_relation(got.shape, exp.shape)
        fail(_("{label}: shape {got} expected {expected}").format(label=label, got=got.shape, expected=exp.shape),
             context, hint, diagnosis, relation=found,
             mistake=mistake)
    if dtype_kind == "f" and got.dtype != np.float64:
        fail(_("{label}: dtype {dtype} expected float64").format(label=label, dtype=got.dtype), context,
             hint or _("create arrays with float64 (np.zeros(shape) is float64; np.zeros_like of an int "
                       "array is not)"),
             mistake=mistake)
    if dtype_kind != "f":
        if got.dtype.kind not in dtype_kind:
            fail(_("{label}: dtype {dtype} expected one of kind {kind}").format(
                 label=label, dtype=got.dtype, kind=repr(dtype_kind)), context, hint, mistake=mistake)
        if not np.array_equal(got, exp):
            bad = np.argwhere(got != exp)
            idx = tuple(int(i) for i in bad[0])
            fail(_("{label}: {count} of {size} entries differ; first at {index}: expected {expected}, "
                   "got {got}").format(label=label, count=len(bad), size=exp.size, index=idx,
                                       expected=exp[idx], got=got[idx]), context, hint,
                 relation=relations.relation(got, exp, factors, _expected_of(others)), mistake=mistake)
        return got
    t = tolerance(tol, exp)
    t["atol"] = max(t["atol"], atol_floor)
    if np.isnan(got).any() and not np.isnan(exp).any():
        where = tuple(int(i) for i in np.argwhere(np.isnan(got))[0])
        fail(_("{label}: contains NaN (first at {index}) where the reference has none").format(
             label=label, index=where), context,
             hint or _("look for 0/0, sqrt of a negative number, or log(0)"),
             relation=relations.relation(got, exp, factors), mistake=mistake)
    close = np.isclose(got, exp, rtol=t["rtol"], atol=t["atol"])
    if not close.all():
        diff = np.abs(got - exp)
        diff[np.isnan(diff)] = np.inf
        worst = tuple(int(i) for i in np.unravel_index(int(np.argmax(diff)), diff.shape))
        message = "\n".join([
            _("{label}: {count} of {size} values differ from the reference").format(
                label=label, count=int((~close).sum()), size=exp.size),
            "  " + _("largest difference at index {index}: expected {expected}, got {got}").format(
                index=worst, expected=f"{exp[worst]:.10g}", got=f"{got[worst]:.10g}"),
            "  " + _("expected {values}").format(values=fmt(exp)),
            "  " + _("got      {values}").format(values=fmt(got)),
        ])
        diagnosis = _diagnosis(got, diagnoses)
        found = "" if diagnosis else relations.relation(got, exp, factors, _expected_of(others))
        fail(message, context, hint, diagnosis, relation=found, mistake=mistake)
    return got


def check_scalar(label: str, got: Any, expected: float, *, tol: str = "float64", context: str = "",
                 hint: str = "", diagnoses: Mapping[str, Any] | None = None,
                 factors: Mapping[str, float] | None = None) -> float:
    """A real number (Python or NumPy scalar, or a 0-d float array) equal to ``expected``; a
    wrong one that is the expected times 2, 1/2, -1, a count or one of ``factors`` is told so."""
    if isinstance(got, np.ndarray) and got.ndim == 0 and got.dtype.kind in "fiu":
        got = got[()]
    if isinstance(got, (bool, np.bool_)) or not isinstance(got, numbers.Real):
        fail(_("{label}: returned {type}, expected a float").format(label=label, type=type_name(got)),
             context, hint, final=flooded(got),
             mistake=returned_mistake(got))
    value = float(got)
    t = tolerance(tol, expected)
    if math.isnan(value) or not math.isclose(value, expected, rel_tol=t["rtol"], abs_tol=t["atol"]):
        diagnosis = ""
        for name, cand in (diagnoses or {}).items():
            try:
                cval = float(cand() if callable(cand) else cand)
            except Exception:  # noqa: BLE001
                continue
            near = tolerance("loose64", cval)
            if math.isclose(value, cval, rel_tol=near["rtol"], abs_tol=near["atol"]):
                diagnosis = name
                break
        found = "" if diagnosis else relations.scalar_relation(value, expected, factors)
        fail(_("{label}: expected {expected}, got {got}").format(
             label=label, expected=f"{expected:.10g}", got=f"{value:.10g}"), context, hint, diagnosis,
             relation=found)
    return value


def check_dict(label: str, got: Any, expected: Mapping[str, Any], *, context: str = "",
               hint: str = "", diagnoses: Mapping[str, Mapping[str, Any]] | None = None,
               tol: str = "float64", factors: Mapping[str, float] | None = None) -> dict[str, Any]:
    """A dict with exactly ``expected``'s keys, each value an array checked by ``check_array``
    (a value that is another key's expected one is told so; ``factors`` as for check_array)."""
    if not isinstance(got, dict):
        fail(_("{label}: returned {type}, expected a dict with keys {keys}").format(
             label=label, type=type_name(got), keys=sorted(expected)),
             context, hint, final=flooded(got), mistake=returned_mistake(got))
    missing = [key for key in expected if key not in got]
    extra = [key for key in got if key not in expected]
    if missing or extra:
        fail(_("{label}: keys differ: missing {missing}, unexpected {unexpected}").format(
             label=label, missing=listing(missing), unexpected=listing(extra)),
             context, hint, final=flooded(got), mistake=DICT_KEYS)
    for key in expected:
        per_key = {name: _lazy_item(d, key) for name, d in (diagnoses or {}).items()}
        others = {repr(k): v for k, v in expected.items() if k != key}
        check_array(f"{label}[{key!r}]", got[key], expected[key], context=context, hint=hint,
                    diagnoses=per_key, tol=tol, factors=factors, others=others)
    return got


def _lazy_item(source: Any, key: str) -> Callable[[], Any]:
    """``source[key]``, evaluated only when a diagnosis is needed (``source`` may be a callable)."""
    def item() -> Any:
        value = source() if callable(source) else source
        return value[key]

    return item


def lazy(compute: Callable[[], Any]) -> Callable[[], Any]:
    """Compute a diagnosis once, and only if a check fails."""
    cache: list[Any] = []

    def value() -> Any:
        if not cache:
            cache.append(compute())
        return cache[0]

    return value


def check_unchanged(label: str, before: Any, after: Any, context: str = "") -> None:
    """An argument came back from the call exactly as it was sent: nothing changed in place."""
    floods: list[bool] = []

    def walk(a: Any, b: Any, path: str) -> str | None:
        floods.append(flooded(b))
        if isinstance(a, np.ndarray):
            if not isinstance(b, np.ndarray) or a.shape != b.shape or not np.array_equal(a, b, equal_nan=True):
                return path
            return None
        if isinstance(a, dict):
            if not isinstance(b, dict) or set(a) != set(b):
                return f"{path} (keys)"
            for k in a:
                hit = walk(a[k], b[k], f"{path}[{k!r}]")
                if hit:
                    return hit
            return None
        if isinstance(a, (list, tuple)):
            if not isinstance(b, (list, tuple)) or len(a) != len(b):
                return path
            for i, (x, y) in enumerate(zip(a, b)):
                hit = walk(x, y, f"{path}[{i}]")
                if hit:
                    return hit
        return None

    where = walk(before, after, label)
    if where:
        fail(_("{where} was modified in place; the function must leave its inputs untouched").format(where=where),
             context, _("build new arrays and new dicts (x = x - ..., or dict(d)) instead of "
                        "assigning into the arguments (d[key] = ..., x -= ..., x[...] = ...)"), final=any(floods),
             mistake=IN_PLACE)


def expect_raises(label: str, call: Callable[[], Any], exc_name: str = "ValueError",
                  context: str = "", mention: str | None = None) -> None:
    """The student's call must raise ``exc_name`` (a subclass is fine)."""
    from autograder.sandbox.client import StudentCodeError

    try:
        call()
    except StudentCodeError as err:
        if exc_name not in err.bases:
            fail(_("{label}: raised {type} ({message}); expected {expected}").format(
                 label=label, type=err.type_name, message=excerpt(err.message), expected=exc_name), context,
                 mistake=WRONG_EXCEPTION)
        if mention and mention not in err.message:
            fail(_("{label}: the {type} message should name {name}; it says {message}").format(
                 label=label, type=exc_name, name=repr(mention), message=short(err.message, 300)),
                 context, mistake=UNNAMED_ARGUMENT)
        return
    fail(_("{label}: returned normally; expected it to raise {expected}").format(label=label, expected=exc_name),
         context, mistake=NO_VALIDATION)


def describe(**values: Any) -> str:
    """A one-line summary of a property's inputs for the feedback."""
    parts = []
    for key, value in values.items():
        if isinstance(value, np.ndarray):
            parts.append(_("{name} shape {shape}").format(name=key, shape=value.shape))
        elif isinstance(value, dict):
            inner = ", ".join(f"{k} {np.shape(v)}" for k, v in list(value.items())[:4 * LIST_ITEMS])
            more = (_(", ... and {count} more").format(count=f"{len(value) - 4 * LIST_ITEMS:,}")
                    if len(value) > 4 * LIST_ITEMS else "")
            parts.append(f"{key} {{{inner}{more}}}")
        elif isinstance(value, float):
            parts.append(f"{key}={value:.6g}")
        else:
            parts.append(f"{key}={value!r}")
    return ", ".join(parts)
