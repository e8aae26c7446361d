"""Generic relations between a wrong result and the expected one, for when no named misconception
matches: a constant factor or offset, a transpose, a shift or flip, another order, some entries.

Runs in the grader on values already decoded; each finder is O(n log n) at most, skips arrays
above ``MAX_VALUES`` values and never raises: a relation that cannot be worked out is none.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping

import numpy as np

from autograder.i18n import N_, _

MAX_VALUES = 1_000_000  # larger arrays get no relation (its search would cost seconds)
MAX_NDIM = 6
# A relation holds within a tolerance looser than grading's (the student's arithmetic is not the
# mutant's) but far tighter than any difference that would make it a different relation.
RTOL = 1e-6
ATOL = 1e-9  # times the scale (the largest magnitude) of the array compared with
TINY = 1e-300
# Factors the finder names without being told: value -> (name, what it suggests).
_NAMED = (
    (-1.0, "-1", N_("with its sign flipped (times -1: a minus sign missing or extra?)")),
    (2.0, "2", N_("times 2 (a factor of 2: a factor 1/2 missing, or an extra 2?)")),
    (0.5, "1/2", N_("times 0.5 (a factor of 1/2: missing or extra factor 2?)")),
    (-2.0, "-2", N_("times -2 (a factor of 2 and the sign both wrong?)")),
    (-0.5, "-1/2", N_("times -0.5 (a factor of 1/2 and the sign both wrong?)")),
)
MAX_COUNT = 1024  # integer factors up to this read as counts (m, N, H * W, ...)

Factors = Mapping[str, float] | None


def _guard(find: Callable[[], str]) -> str:
    try:
        with np.errstate(all="ignore"):  # a student's 1e308 overflows a product: no relation, no warning
            return find()
    except Exception:  # noqa: BLE001 - a relation that cannot be worked out is no relation
        return ""


def _scale(a: np.ndarray) -> float:
    """The largest finite magnitude in ``a`` (0 when there is none)."""
    if a.size == 0:
        return 0.0
    hi, lo = float(np.max(a)), float(np.min(a))
    if math.isfinite(hi) and math.isfinite(lo):
        return max(hi, -lo)
    finite = a[np.isfinite(a)]
    return float(np.max(np.abs(finite))) if finite.size else 0.0


def _close(got: np.ndarray, cand: np.ndarray, scale: float | None = None) -> np.ndarray:
    """Entries of ``got`` equal to the trusted ``cand`` (whose largest magnitude is ``scale``)
    within the relation tolerance."""
    atol = max(ATOL * (_scale(cand) if scale is None else scale), TINY)
    return np.isclose(got, cand, rtol=RTOL, atol=atol)


SAMPLE = 256  # entries compared first: most candidates fail on them, before a full pass


def _same(got: np.ndarray, cand: np.ndarray) -> bool:
    if got.shape != cand.shape:
        return False
    scale = _scale(cand)
    if got.size > 16 * SAMPLE:
        idx = np.linspace(0, got.size - 1, SAMPLE).astype(np.int64)
        if not _close(got.flat[idx], cand.flat[idx], scale).all():
            return False
    return bool(_close(got, cand, scale).all())


def _num(x: float) -> str:
    return f"{x:.6g}"


def _index(idx: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(i) for i in idx) + ("," if len(idx) == 1 else "") + ")"


def factor_name(c: float, factors: Factors = None, *, counts: bool = True) -> str:
    """How a factor ``c`` reads: 'times keep_prob = 0.8 (got = expected * keep_prob)', ... or ''."""
    for name, value in (factors or {}).items():
        try:
            v = float(value)
        except (TypeError, ValueError):
            continue
        if not math.isfinite(v) or v == 0 or math.isclose(abs(v), 1.0):
            continue
        if math.isclose(c, v, rel_tol=RTOL):
            return _("times {name} = {value} (got = expected * {name})").format(name=name, value=_num(v))
        if math.isclose(c, 1 / v, rel_tol=RTOL):
            return _("divided by {name} = {value} (got = expected / {name})").format(name=name, value=_num(v))
        if math.isclose(c, -v, rel_tol=RTOL):
            return _("times -{name} = {value} (got = -expected * {name}: the sign is wrong too)").format(
                name=name, value=_num(-v))
        if math.isclose(c, -1 / v, rel_tol=RTOL):
            return _("divided by -{name} (got = -expected / {name}: the sign is wrong too)").format(name=name)
    for value, _name, words in _NAMED:
        if math.isclose(c, value, rel_tol=RTOL):
            return _(words)
    if counts and abs(c) >= 1:
        n = round(c)
        if 3 <= abs(n) <= MAX_COUNT and math.isclose(c, n, rel_tol=RTOL):
            return _("times {n} (got = expected * {n}: a sum where a mean is expected, or an "
                     "extra count such as m?)").format(n=n)
    if counts and 0 < abs(c) < 1:
        n = round(1 / c)
        if 3 <= abs(n) <= MAX_COUNT and math.isclose(c, 1 / n, rel_tol=RTOL):
            return _("divided by {n} (got = expected / {n}: a mean where a sum is expected, or a "
                     "division by a count such as m once too often?)").format(n=n)
    return ""


def scalar_relation(got: float, expected: float, factors: Factors = None) -> str:
    """A named relation between two numbers (one number fits any factor: only named ones count)."""
    return _guard(lambda: _scalar(float(got), float(expected), factors))


def _scalar(got: float, expected: float, factors: Factors) -> str:
    if not math.isfinite(got) and math.isfinite(expected):
        return _("{got} where a finite value is expected (an overflow, 0/0, log(0) or sqrt of a "
                 "negative?)").format(got=got)
    if math.isfinite(got) and not math.isfinite(expected):
        return _("a finite value where {expected} is expected").format(expected=expected)
    if not math.isfinite(got) or expected == 0:
        return _("0 where a non-zero value is expected") if got == 0 and expected != 0 else ""
    if got == 0:
        return _("0 where a non-zero value is expected (a term left out, or a result never assigned?)")
    words = factor_name(got / expected, factors)
    return _("the expected value {relation}").format(relation=words) if words else ""


def relation(got: np.ndarray, expected: np.ndarray, factors: Factors = None,
             others: Mapping[str, np.ndarray] | None = None) -> str:
    """The simplest relation found between ``got`` and ``expected`` (numeric arrays), as the end
    of a sentence ('every value is the expected one times 0.5 (...)'), or '' when none holds.
    ``others``: the expected values of the other results, by name (a swap shows)."""
    return _guard(lambda: _relation(got, expected, factors, others))


def _relation(got: np.ndarray, expected: np.ndarray, factors: Factors,
              others: Mapping[str, np.ndarray] | None) -> str:
    g = np.asarray(got)
    e = np.asarray(expected, dtype=np.float64)
    if g.dtype.kind not in "biuf" or g.size > MAX_VALUES or e.size > MAX_VALUES or e.ndim > MAX_NDIM:
        return ""
    g = g.astype(np.float64)
    if g.shape != e.shape:
        return _reshaped(g, e) or _part(g, e) or _summed(g, e)
    if e.size == 0:
        return ""
    if e.size == 1:
        return _scalar(float(g.ravel()[0]), float(e.ravel()[0]), factors)
    finite_e, finite_g = np.isfinite(e), np.isfinite(g)
    if not (finite_e == finite_g).all() or not (finite_e.all() or _same_nonfinite(g, e)):
        return _nonfinite(g, e, finite_g, finite_e)
    if not finite_e.all():
        g, e = g[finite_e], e[finite_e]  # only the finite entries can relate; their positions do not
        return _elementwise(g, e, factors)
    for name, other in (others or {}).items():
        o = np.asarray(other, dtype=np.float64)
        if _same(g, o) and not _same(e, o):
            return _("every value is the expected {name} (two results swapped, or the wrong one "
                     "returned?)").format(name=name)
    return (_elementwise(g, e, factors) or _rearranged(g, e) or _some_entries(g, e, factors))


def _same_nonfinite(g: np.ndarray, e: np.ndarray) -> bool:
    bad = ~np.isfinite(e)
    return bool(np.array_equal(g[bad], e[bad], equal_nan=True))


def _nonfinite(g: np.ndarray, e: np.ndarray, finite_g: np.ndarray, finite_e: np.ndarray) -> str:
    both = finite_g & finite_e
    rest = (_("the other entries are right") if both.any() and _close(g[both], e[both]).all()
            else _("the other entries differ too"))
    wrong = ~finite_g & finite_e
    if wrong.any():
        first = tuple(int(i) for i in np.argwhere(wrong)[0])
        kinds = sorted({"NaN" if np.isnan(x) else "inf" for x in g[wrong][:1000]})
        return _("{kinds} at {count} of {size} entries (the first at {index}) where the expected "
                 "values are finite; {rest} (an overflow, 0/0, log(0) or sqrt of a negative?)").format(
            kinds=" or ".join(kinds), count=int(wrong.sum()), size=e.size, index=_index(first), rest=rest)
    missing = finite_g & ~finite_e
    if missing.any():
        first = tuple(int(i) for i in np.argwhere(missing)[0])
        return _("finite values at {count} of {size} entries (the first at {index}) where the "
                 "expected value is {expected}; {rest}").format(
            count=int(missing.sum()), size=e.size, index=_index(first), expected=e[first], rest=rest)
    signs = ~np.isfinite(e) & ~np.isclose(g, e, equal_nan=True)
    first = tuple(int(i) for i in np.argwhere(signs)[0])
    return _("{got} at {index} where {expected} is expected; {rest}").format(
        got=g[first], index=_index(first), expected=e[first], rest=rest)


def _elementwise(g: np.ndarray, e: np.ndarray, factors: Factors) -> str:
    """All zeros, a constant factor, a constant offset."""
    scale = _scale(e)
    if scale == 0:
        first = float(g.ravel()[0])
        if g.size >= 2 and first != 0 and bool(np.all(g == first)):
            return _("every value is {value}, where every expected value is 0 (filled with a constant "
                     "instead of zeros?)").format(value=_num(first))
        return ""
    if not g.any():
        return _("every value is 0 (nothing computed, or a result never assigned?)")
    c = float(np.dot(g.ravel(), e.ravel()) / np.dot(e.ravel(), e.ravel()))
    informative = int((np.abs(e) > ATOL * scale).sum())
    if math.isfinite(c) and not math.isclose(c, 1.0, rel_tol=RTOL) and _same(g, c * e):
        words = factor_name(c, factors)
        if words:
            return _("every value is the expected one {relation}").format(relation=words)
        if informative >= 2:
            return _("every value is the expected one times a constant factor {c} (got = {c} * "
                     "expected)").format(c=_num(c))
    d = float(np.mean(g - e))
    if e.size >= 2 and math.isfinite(d) and not _same(e, np.full_like(e, e.ravel()[0])) \
            and _same(g, e + d) and abs(d) > ATOL * scale:
        named = ""
        for name, value in (factors or {}).items():
            try:
                if math.isclose(abs(d), abs(float(value)), rel_tol=RTOL):
                    named = _(", which is {name}").format(name=f"{'-' if d < 0 else ''}{name}")
            except (TypeError, ValueError):
                continue
        if d > 0:
            return _("every value is the expected one plus {offset}{which} (off by a constant: a term "
                     "added or left out everywhere?)").format(offset=_num(abs(d)), which=named)
        return _("every value is the expected one minus {offset}{which} (off by a constant: a term "
                 "added or left out everywhere?)").format(offset=_num(abs(d)), which=named)
    return ""


def _reshaped(g: np.ndarray, e: np.ndarray) -> str:
    """A result of another shape that holds the expected values: axes reordered, or reshaped."""
    if g.size != e.size or g.size == 0 or e.ndim > MAX_NDIM:
        return ""
    if sorted(g.shape) == sorted(e.shape) and e.ndim <= 4:
        for perm in itertools.permutations(range(e.ndim)):
            cand = e.transpose(perm)
            if cand.shape == g.shape and _same(g, cand):
                if e.ndim == 2:
                    return _("the expected array transposed (rows and columns swapped)")
                return _("the expected values with the axes in another order (expected.transpose{perm})").format(
                    perm=perm)
    if _same(g, e.reshape(g.shape)):
        return _("the expected values in the shape {shape} (a reshape, a missing keepdims or an "
                 "extra axis?)").format(shape=g.shape)
    return ""


MAX_WINDOWS = 64  # placements of the smaller array inside the larger one that _part tries


def _part(g: np.ndarray, e: np.ndarray) -> str:
    """Arrays of the same rank where one is a window (or a strided sample) of the other."""
    if g.ndim != e.ndim or g.size == 0 or e.size == 0 or e.ndim > MAX_NDIM or _scale(e) == 0:
        return ""
    larger_got = all(a >= b for a, b in zip(g.shape, e.shape))
    if not larger_got and not all(a <= b for a, b in zip(g.shape, e.shape)):
        return ""  # some axes longer, some shorter: no window
    big, small = (g, e) if larger_got else (e, g)
    if float(np.max(small)) == float(np.min(small)):
        return ""  # a constant fits every window
    options: list[list[tuple[slice, str]]] = []
    for n, k in zip(big.shape, small.shape):
        if n == k:
            options.append([(slice(None), ":")])
            continue
        axis = [(slice(o, o + k), f"{o}:{o + k}") for o in range(n - k + 1)]
        for step in (2, 3, 4):
            for o in range(step):
                if len(range(o, n, step)) == k:
                    axis.append((slice(o, None, step), f"{o or ''}::{step}"))
        options.append(axis)
    if math.prod(len(o) for o in options) > MAX_WINDOWS:
        return ""
    for choice in itertools.product(*options):
        window = big[tuple(sl for sl, _text in choice)]
        if not _same(small if larger_got else window, window if larger_got else small):
            continue
        texts = [t for _slice, t in choice]
        while texts and texts[-1] == ":":
            texts.pop()
        where = "[" + ", ".join(texts) + "]"
        strided = any("::" in t for t in texts)
        if larger_got:
            why = (_("a stride of 1 where a larger one is due?") if strided else
                   _("extra entries: padding, or a concatenation, where none is due?"))
            return _("got{where} holds the expected values and the rest is extra ({why})").format(
                where=where, why=why)
        why = _("every second window: a stride where none is due?") if strided else _("a part left out?")
        return _("only part of the expected array, expected{where} ({why})").format(where=where, why=why)
    return ""


def _summed_words(got_reduced: bool, summed: bool) -> str:
    if got_reduced and summed:
        return _("got summed over the axes {axes} gives the expected values (a sum over too few axes?)")
    if got_reduced:
        return _("got averaged over the axes {axes} gives the expected values (a mean over too few axes?)")
    if summed:
        return _("the expected array summed over the axes {axes} (a sum over too many axes?)")
    return _("the expected array averaged over the axes {axes} (a mean over too many axes?)")


def _summed(g: np.ndarray, e: np.ndarray) -> str:
    """One array is the other summed (or averaged) over some of its axes."""
    if _scale(e) == 0:
        return ""
    for a, b in ((g, e), (e, g)):
        if a.ndim > 4 or a.ndim == 0 or a.size <= b.size or a.size > MAX_VALUES:
            continue
        for r in range(1, a.ndim + 1):
            for axes in itertools.combinations(range(a.ndim), r):
                kept = tuple(n for k, n in enumerate(a.shape) if k not in axes)
                squeezed = tuple(n for n in b.shape if n != 1)
                if tuple(n for n in kept if n != 1) != squeezed:
                    continue
                total = a.sum(axis=axes).reshape(b.shape)
                count = math.prod(a.shape[k] for k in axes)
                for reduced, how in ((total, "summed"), (total / count, "averaged")):
                    if _same(b, reduced) if a is g else _same(reduced, b):
                        return _summed_words(a is g, how == "summed").format(axes=axes)
    return ""


def _rearranged(g: np.ndarray, e: np.ndarray) -> str:
    """The expected values moved: axes swapped, flipped, shifted by one, or in another order."""
    if 2 <= e.ndim <= 4:
        for perm in itertools.permutations(range(e.ndim)):
            if perm == tuple(range(e.ndim)):
                continue
            cand = e.transpose(perm)
            if cand.shape == e.shape and _same(g, cand) and not _same(e, cand):
                if e.ndim == 2:
                    return _("the expected array transposed (rows and columns swapped)")
                return _("the expected values with two axes swapped (expected.transpose{perm})").format(perm=perm)
    flips: list[tuple[tuple[int, ...], str]] = []
    if e.ndim >= 2:
        flips.append(((e.ndim - 2, e.ndim - 1), _(
            "the expected array flipped along the last two axes, rotated by 180 degrees (a flipped "
            "kernel: a true convolution instead of a cross-correlation?)")))
    flips += [((k,), _("the expected array flipped along axis {k} (that axis reversed)").format(k=k))
              for k in range(e.ndim)]
    for axes, words in flips:
        if all(e.shape[k] >= 2 for k in axes):
            cand = np.flip(e, axes)
            if _same(g, cand) and not _same(e, cand):
                return words
    for k in range(e.ndim):
        if e.shape[k] < 3:
            continue
        head = tuple(slice(None) if j != k else slice(None, -1) for j in range(e.ndim))
        tail = tuple(slice(None) if j != k else slice(1, None) for j in range(e.ndim))
        if _same(e[tail], e[head]):
            continue  # the expected values do not change along the axis: a shift would not show
        if _same(g[tail], e[head]):
            return _("the expected values shifted by one along axis {k} (got[i] = expected[i - 1]: "
                     "an index off by one?)").format(k=k)
        if _same(g[head], e[tail]):
            return _("the expected values shifted by one along axis {k} (got[i] = expected[i + 1]: "
                     "an index off by one?)").format(k=k)
    moments = [(float(np.sum(a)), float(np.sum(a * a))) for a in (g, e)]
    if math.isclose(moments[0][1], moments[1][1], rel_tol=RTOL) \
            and math.isclose(moments[0][0], moments[1][0], rel_tol=RTOL, abs_tol=RTOL * math.sqrt(moments[1][1])) \
            and len(np.unique(e)) >= 3 and _same(np.sort(g, axis=None), np.sort(e, axis=None)):
        return _("the right values in another order (axes mixed up in a reshape or a transpose, or "
                 "the wrong index order?)")
    return ""


def _some_entries(g: np.ndarray, e: np.ndarray, factors: Factors) -> str:
    """Only some entries wrong: one, one index along an axis, the border, the zeros."""
    bad = ~_close(g, e)
    count = int(bad.sum())
    if count == 0 or count == bad.size:
        return ""
    there = _elementwise(g[bad], e[bad], factors) if count >= 2 else ""
    there = _("; there, {relation}").format(relation=there.replace("every value is", "each is")) if there else ""
    right = _("the other {count} are right").format(count=bad.size - count)
    if count == 1:
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        return _("only one entry is wrong, at {index} (expected {expected}, got {got}); {rest}").format(
            index=_index(idx), expected=f"{e[idx]:.6g}", got=f"{g[idx]:.6g}", rest=right)
    fixed = []
    for k in range(e.ndim):
        along = np.unique(np.nonzero(bad)[k])
        fixed.append(int(along[0]) if len(along) == 1 and e.shape[k] >= 2 else None)
    if any(i is not None for i in fixed):
        parts = [":" if i is None else str(i) for i in fixed]
        while parts and parts[-1] == ":":
            parts.pop()
        where = ", ".join(_end(i, k, e.shape[k]) for k, i in enumerate(fixed) if i is not None)
        return _("only the entries [{entries}] are wrong ({where}){there}; {rest}").format(
            entries=", ".join(parts), where=where, there=there, rest=right)
    if e.ndim >= 2 and e.shape[-1] >= 3 and e.shape[-2] >= 3:
        interior = np.zeros(e.shape[-2:], dtype=bool)
        interior[1:-1, 1:-1] = True
        if not (bad & interior).any():
            return _("only entries on the border (the first or last row or column of the last two "
                     "axes) are wrong: {count} of {size}{there}; {rest} (padding, or the edge "
                     "windows?)").format(count=count, size=bad.size, there=there, rest=right)
    zero_e = np.abs(e) <= ATOL * _scale(e)
    zero_g = g == 0
    if (bad <= zero_e).all():
        return _("wrong only where the expected value is 0 ({count} of {size} entries): a mask "
                 "or the zero side of a ReLU not applied?; {rest}").format(count=count, size=bad.size, rest=right)
    if (bad <= zero_g).all():
        return _("0 at {count} of {size} entries where the expected value is not: entries "
                 "dropped or masked that should not be?; {rest}").format(count=count, size=bad.size, rest=right)
    # (two masks of 0s and 1s differ only where one of them is 0: there it says nothing)
    if (bad <= (zero_e | zero_g)).all() and (len(np.unique(e)) > 2 or len(np.unique(g)) > 2):
        return _("wrong only where one of the two is 0 ({count} of {size} entries): the zeros in "
                 "other places, as with another mask?; {rest}").format(count=count, size=bad.size, rest=right)
    return ""


def _end(i: int, k: int, n: int) -> str:
    """'index i along axis k', with ' (the first)' or ' (the last)' where it is one of those."""
    if i == 0:
        return _("index {i} along axis {k} (the first)").format(i=i, k=k)
    if i == n - 1:
        return _("index {i} along axis {k} (the last)").format(i=i, k=k)
    return _("index {i} along axis {k}").format(i=i, k=k)


def shape_relation(got: tuple[int, ...], expected: tuple[int, ...]) -> str:
    """How a wrong shape relates to the expected one, whatever the values: transposed, an axis
    of length 1 missing or extra, an axis missing or extra, the sizes in another order, an
    empty axis; '' when none of these holds."""
    return _guard(lambda: _shape(tuple(int(n) for n in got), tuple(int(n) for n in expected)))


def _without(shape: tuple[int, ...], k: int) -> tuple[int, ...]:
    return shape[:k] + shape[k + 1:]


def _shape(got: tuple[int, ...], exp: tuple[int, ...]) -> str:
    if got == exp or len(got) > 2 * MAX_NDIM or len(exp) > 2 * MAX_NDIM:
        return ""
    if 0 in got and 0 not in exp:
        axes = [k for k, n in enumerate(got) if n == 0]
        return _("an empty array: axis {axis} has length 0 (a slice that ends where it starts, such as "
                 "a[p:-p] with p = 0, or a range that stops too early?)").format(axis=axes[0])
    if len(got) == len(exp) == 2 and got == exp[::-1]:
        return _("the expected shape transposed (rows and columns swapped)")
    if tuple(n for n in got if n != 1) == tuple(n for n in exp if n != 1):
        if len(got) < len(exp):
            return _("the expected shape without its axes of length 1 (a flat vector where a column or row "
                     "{shape} is expected: keepdims=True, or reshape?)").format(shape=exp)
        return _("the expected shape with extra axes of length 1 (an axis added by a reshape or keepdims?)")
    if len(got) == len(exp) - 1:
        for k in range(len(exp)):
            if _without(exp, k) == got:
                return _("the expected shape without axis {k} of length {n} (a batch or channel axis "
                         "dropped?)").format(k=k, n=exp[k])
    if len(got) == len(exp) + 1:
        for k in range(len(got)):
            if _without(got, k) == exp:
                return _("the expected shape with an extra axis {k} of length {n} (an extra batch axis, or "
                         "one that is due to be summed over?)").format(k=k, n=got[k])
    if len(got) == len(exp) and sorted(got) == sorted(exp):
        return _("the expected sizes in another order {shape} (axes swapped, or (W, H) where (H, W) is "
                 "expected?)").format(shape=got)
    return ""
