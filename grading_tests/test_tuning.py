"""Tuning: log-uniform samples and random configurations judged by their distributions (against
torch.distributions, on a fixed list of seeds), never by which draws a sampler makes.

Each statistical property rejects a correct sampler with probability at most ``ALPHA`` over the
seeds: its checks share ``ALPHA`` (union bound). The bounds of the distance and frequency checks
hold exactly for any sample size (Dvoretzky-Kiefer-Wolfowitz with Massart's constant for
Kolmogorov-Smirnov distances, Bernstein's inequality per cell for frequencies); the independence
check is Pearson's chi-square, asymptotic, with at least 100 draws expected per cell. The seeds
are fixed: a submission gets the same score on every run."""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograder.i18n import _
from autograder.sandbox.client import StudentCodeError
from grading_tests.compare import (
    DICT_KEYS,
    FIXED_SEED,
    NO_VALIDATION,
    OUT_OF_RANGE,
    RNG_IGNORED,
    UNNAMED_ARGUMENT,
    WRONG_EXCEPTION,
    WRONG_TYPE,
    describe,
    excerpt,
    fail,
    flooded,
    fmt,
    lazy,
    listing,
    returned_mistake,
    short,
    type_name,
)
from grading_tests.references import tuning as ref
from grading_tests.relations import shape_relation
from grading_tests.strategies import distinct_sizes, seeds

M = "tuning"

# False rejection of a correct sampler, per statistical property (all its checks together).
ALPHA = 1e-4
# A mutant's sample "looks like" the student's when this two-sample test does not tell them apart.
DIAGNOSIS_ALPHA = 1e-3
STAT_SEEDS = (20261201, 4242)
STAT_DRAWS = 2000
# Every kind, ranges far from each other's, int and choice with a handful of values each. Two
# uniform ranges: beta's is too narrow (high / low = 1.25) for 2000 draws to tell a log-uniform
# draw from a uniform one (their distributions are 0.028 apart); dropout's spans a decade (0.27).
STAT_SPACE: dict[str, tuple[Any, ...]] = {
    "learning_rate": ("log", 1e-4, 1e-1),
    "beta": ("uniform", 0.8, 0.999),
    "dropout": ("uniform", 0.05, 0.5),
    "layers": ("int", 2, 6),
    "batch_size": ("choice", [16, 32, 64, 128]),
    "activation": ("choice", ["relu", "tanh", "sigmoid"]),
}
# Pairs judged for independence (Pearson's chi-square given the pair's own margins: asymptotic,
# with at least 100 draws expected per cell): continuous with continuous, discrete with
# discrete, and across.
PAIRS = (("learning_rate", "beta"), ("layers", "batch_size"), ("batch_size", "activation"),
         ("learning_rate", "layers"))
QUARTILES = 4  # a continuous value's cell in the independence test: its quarter of the range
# Ranges for sample_log_uniform's distribution: many decades, less than one, in both directions of 1.
LOG_CASES = ((1e-5, 1e-1, (STAT_DRAWS,)), (0.5, 2.0, (50, 80)), (3.0, 3e4, STAT_DRAWS))
BAD_RANGES = ((0.0, 1.0), (-1.0, 1.0), (1.0, 1.0), (2.0, 1.0), (-2.0, -1.0), (1e-3, 1e-3), (0.5, -0.5),
              (1e-2, 1e-4))
UNKNOWN_KINDS = ("normal", "loguniform", "categorical", "integer", "exp", "float")
NAMES = ("learning_rate", "beta1", "beta2", "hidden_units", "layers", "activation", "keep_prob",
         "weight_decay", "batch_size", "epsilon")
# A value may lie this little outside [low, high] (10**log10(high) is one rounding from high).
EDGE = 1e-12


def _mutants(target):
    from grading_tests.mutants import for_module

    return [m for m in for_module(M) if m.target == target]


# ----------------------------------------------------------------------------- statistics


def ks_distance(cdf_at_sorted: np.ndarray) -> float:
    """Kolmogorov-Smirnov distance between a sample's empirical CDF and the reference CDF, given
    the reference CDF at the sample's values in increasing order."""
    n = cdf_at_sorted.size
    above = np.arange(1, n + 1) / n - cdf_at_sorted
    below = cdf_at_sorted - np.arange(n) / n
    return float(max(above.max(), below.max()))


def ks_critical(n: int, alpha: float) -> float:
    """DKW-Massart: P(distance > d) <= 2 exp(-2 n d^2) for n draws from the reference, any n."""
    return math.sqrt(math.log(2 / alpha) / (2 * n))


def kolmogorov_p_value(n: int, distance: float) -> float:
    """Kolmogorov's asymptotic p-value (Stephens' small-sample correction), for the message."""
    lam = (math.sqrt(n) + 0.12 + 0.11 / math.sqrt(n)) * distance
    if lam < 0.2:
        return 1.0
    total = sum((-1) ** (k - 1) * math.exp(-2 * k * k * lam * lam) for k in range(1, 101))
    return min(1.0, max(0.0, 2 * total))


def two_sample_distance(a: np.ndarray, b: np.ndarray) -> float:
    a, b = np.sort(a), np.sort(b)
    points = np.concatenate([a, b])
    return float(np.max(np.abs(np.searchsorted(a, points, side="right") / a.size
                               - np.searchsorted(b, points, side="right") / b.size)))


def two_sample_critical(n: int, m: int, alpha: float) -> float:
    return math.sqrt(math.log(2 / alpha) / 2 * (n + m) / (n * m))


def cell_bound(n: int, p: np.ndarray, alpha_per_cell: float) -> np.ndarray:
    """Bernstein: a cell of probability p holds a share further than t from p, in n independent
    draws, with probability at most alpha_per_cell, for the t returned (per cell)."""
    log_term = math.log(2 / alpha_per_cell)
    linear = log_term / (3 * n)
    return linear + np.sqrt(linear**2 + 2 * log_term * p * (1 - p) / n)


def chi2_sf(statistic: float, dof: int) -> float:
    """P(chi-square with ``dof`` degrees of freedom > statistic): the regularized upper incomplete
    gamma function Q(dof/2, statistic/2) (series below a + 1, Lentz's continued fraction above)."""
    a, x = dof / 2, statistic / 2
    if x <= 0:
        return 1.0
    log_front = -x + a * math.log(x) - math.lgamma(a)
    if x < a + 1:
        term = total = 1 / a
        k = a
        for _unused in range(10_000):
            k += 1
            term *= x / k
            total += term
            if term < total * 1e-16:
                break
        return min(1.0, max(0.0, 1 - total * math.exp(log_front)))
    tiny = 1e-300
    b = x + 1 - a
    c, d = 1 / tiny, 1 / b
    h = d
    for i in range(1, 10_000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = 1 / (d if abs(d) > tiny else tiny)
        c = b + an / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        if abs(d * c - 1) < 1e-16:
            break
    return min(1.0, max(0.0, math.exp(log_front) * h))


# ----------------------------------------------------------------------------- reading results


def _real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _integer(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def _values_array(label: str, got: Any, shape: tuple[int, ...], context: str) -> np.ndarray:
    """A float64 array of ``shape``, finite: what a property about the values needs to judge them."""
    if not isinstance(got, np.ndarray):
        fail(_("{label}: returned {type_name}; expected an np.ndarray of shape {shape}")
             .format(label=label, type_name=type_name(got), shape=shape), context,
             final=flooded(got), mistake=returned_mistake(got))
    if got.shape != shape:
        fail(_("{label}: shape {shape} expected {shape2}")
             .format(label=label, shape=got.shape, shape2=shape), context,
             "pass size on to the generator: rng.uniform(a, b, size=size) gives an array of shape size",
             relation=shape_relation(got.shape, shape))
    if got.dtype.kind not in "fiu":
        fail(_("{label}: dtype {dtype}; expected float64 numbers").format(label=label, dtype=got.dtype), context)
    values = got.astype(np.float64)
    if not np.all(np.isfinite(values)):
        fail(_("{label}: holds {count} NaN or infinite values")
             .format(label=label, count=int((~np.isfinite(values)).sum())), context)
    return values


def _numbers(label: str, got: Any, shape: tuple[int, ...], context: str) -> np.ndarray:
    """A numeric array of ``shape``, whatever its values: what comparing two results needs."""
    if not isinstance(got, np.ndarray) or got.dtype.kind not in "biuf":
        fail(_("{label}: returned {type_name}; expected an np.ndarray of shape {shape}")
             .format(label=label, type_name=type_name(got), shape=shape), context,
             final=flooded(got), mistake=returned_mistake(got))
    if got.shape != shape:
        fail(_("{label}: shape {shape} expected {shape2}")
             .format(label=label, shape=got.shape, shape2=shape), context, relation=shape_relation(got.shape, shape))
    return got


def _identical(a: Any, b: Any) -> bool:
    """Two results of the student's code are the same value (NaN equal to NaN; never raises)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape
                and a.dtype.kind in "biuf" and b.dtype.kind in "biuf" and bool(np.array_equal(a, b, equal_nan=True)))
    if _real(a) and _real(b):
        x, y = float(a), float(b)
        return x == y or (math.isnan(x) and math.isnan(y))
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str) and a == b
    try:
        return type(a) is type(b) and bool(a == b)
    except Exception:  # noqa: BLE001 - values that cannot be compared are not the same
        return False


def _check_in_range(label: str, values: np.ndarray, low: float, high: float, context: str, hint: str = "",
                    diagnoses: Mapping[str, Callable[[], Any]] | None = None) -> None:
    """Every value within [low, high]; values outside that are a misconception's draws from the
    same generator state (``diagnoses``) name it."""
    margin = EDGE * max(abs(low), abs(high))
    outside = (values < low - margin) | (values > high + margin)
    if outside.any():
        index = tuple(int(i) for i in np.argwhere(outside)[0])
        fail(_("{label}: {count} of {size} values lie outside [low, high] = [{low:.6g}, "
                "{high:.6g}]; first at index {index}: {values:.10g} (smallest {min:.6g}, largest "
                "{max:.6g})")
             .format(label=label, count=int(outside.sum()), size=values.size, low=low, high=high, index=index, values=values[index], min=values.min(), max=values.max()),
             context, hint, _same_draws(values, diagnoses), mistake=OUT_OF_RANGE)


def _same_draws(values: np.ndarray, diagnoses: Mapping[str, Callable[[], Any]] | None) -> str:
    """The first misconception whose values, from the same generator state, are the student's."""
    for description, compute in (diagnoses or {}).items():
        try:
            other = np.asarray(compute(), dtype=np.float64).ravel()
        except Exception:  # noqa: BLE001 - a mutant that does not run here names nothing
            continue
        if other.shape == (values.size,) and np.allclose(values.ravel(), other, rtol=1e-9, atol=0):
            return description
    return ""


def _configurations(label: str, got: Any, n: int, names: Sequence[str], context: str) -> list[dict]:
    """A list of ``n`` dicts, each with exactly ``names``: what every property of the sampler needs."""
    if not isinstance(got, (list, tuple)):
        fail(_("{label}: returned {type_name}; expected a list of {n} dicts")
             .format(label=label, type_name=type_name(got), n=n), context, final=flooded(got),
             mistake=returned_mistake(got))
    if len(got) != n:
        fail(_("{label}: returned {count:,} configurations; expected n = {n}")
             .format(label=label, count=len(got), n=n), context,
             "one dict per draw: a loop of n iterations", final=flooded(got))
    for i, config in enumerate(got):
        if not isinstance(config, dict):
            fail(_("{label}: configuration {i} is {type_name}; expected a dict")
                 .format(label=label, i=i, type_name=type_name(config)), context,
                 mistake=returned_mistake(config))
        missing = [k for k in names if k not in config]
        extra = [k for k in config if k not in names]
        if missing or extra:
            fail(_("{label}: configuration {i} has keys {items}; missing {items2}, unexpected "
                    "{items3}")
                 .format(label=label, i=i, items=listing(list(config)), items2=listing(missing), items3=listing(extra)), context, "every configuration holds every name of the space, "
                 "and nothing else", final=flooded(config), mistake=DICT_KEYS)
    return list(got)


_PLAIN_NUMBERS = (int, float, np.int64, np.float64, np.int32)


def _key(value: Any) -> tuple[str, Any] | None:
    """What a value is for matching it with the space's values: a string, a number (3, 3.0 and
    np.int64(3) alike), or None (anything else, bool included)."""
    if type(value) in _PLAIN_NUMBERS or (_real(value) and not isinstance(value, str)):
        return ("number", float(value))
    if isinstance(value, str):
        return ("string", str(value))
    return None


def _lookup(values: Sequence[Any]) -> dict[tuple[str, Any], int]:
    found: dict[tuple[str, Any], int] = {}
    for i, v in enumerate(values):
        key = _key(v)
        if key is not None:
            found.setdefault(key, i)
    return found


def _choice_index(value: Any, values: Sequence[Any], lookup: dict | None = None) -> int:
    """Which of ``values`` the value is (equal and of the same sort: a string or a number), or -1."""
    key = _key(value)
    return -1 if key is None else (lookup if lookup is not None else _lookup(values)).get(key, -1)


def _check_value(label: str, value: Any, spec: tuple[Any, ...], context: str) -> None:
    kind = spec[0]
    if kind in ("log", "uniform"):
        low, high = spec[1], spec[2]
        if not _real(value) or not math.isfinite(float(value)):
            fail(_("{label}: is {value} ({type_name}); a {kind!r} value is a finite float")
                 .format(label=label, value=short(value), type_name=type_name(value), kind=kind), context,
                 mistake=WRONG_TYPE if not _real(value) else "")
        _check_in_range(label, np.array([float(value)]), low, high, context,
                        "10 ** rng.uniform(log10(low), log10(high)) for 'log'" if kind == "log" else "")
    elif kind == "int":
        low, high = spec[1], spec[2]
        if not _integer(value):
            fail(_("{label}: is {value} ({type_name}); an 'int' value is an integer (int)")
                 .format(label=label, value=short(value), type_name=type_name(value)), context,
                 "int(rng.integers(low, high + 1)) gives an int; a float such as 3.0 is not one", mistake=WRONG_TYPE)
        if not low <= value <= high:
            fail(_("{label}: is {value}; expected an integer from low = {low} to high = {high}, "
                    "both included")
                 .format(label=label, value=value, low=low, high=high),
                 context, mistake=OUT_OF_RANGE)
    else:
        values = spec[1]
        if _choice_index(value, values) < 0:
            fail(_("{label}: is {value} ({type_name}); expected one of the values {value2}")
                 .format(label=label, value=short(value), type_name=type_name(value), value2=short(values)),
                 context, "pick an index with rng.integers(len(values)) and return values[index] itself",
                 mistake=OUT_OF_RANGE)


def _column(configs: list[dict], name: str) -> list[Any]:
    return [config[name] for config in configs]


def _continuous(label: str, column: list[Any], context: str) -> np.ndarray:
    bad = [v for v in column if not _real(v)]
    if bad:
        fail(_("{label}: {count} of {count2} values are not numbers (first {value})")
             .format(label=label, count=len(bad), count2=len(column), value=short(bad[0])), context)
    values = np.array([float(v) for v in column])
    if not np.all(np.isfinite(values)):
        fail(_("{label}: holds NaN or infinite values").format(label=label), context)
    return values


def _cells(spec: tuple[Any, ...]) -> list[Any]:
    return list(range(spec[1], spec[2] + 1)) if spec[0] == "int" else list(spec[1])


def _cells_of(column: list[Any], spec: tuple[Any, ...]) -> np.ndarray:
    """The index of each discrete value among its kind's values (by value: 3.0 counts as 3), -1 if none."""
    lookup = _lookup(_cells(spec))
    return np.array([_choice_index(v, (), lookup) for v in column], dtype=np.int64)


def _quartile(cdf: np.ndarray) -> np.ndarray:
    return np.minimum((cdf * QUARTILES).astype(int), QUARTILES - 1)


# ----------------------------------------------------------------------------- distribution checks


def _diagnose_continuous(values: np.ndarray, samples: Mapping[str, Callable[[], Any]],
                         cdf: Callable[[np.ndarray], np.ndarray], critical: float) -> str:
    """The misconception whose sample the student's cannot be told from (and that is itself wrong)."""
    for description, sample in samples.items():
        try:
            other = np.asarray(sample(), dtype=np.float64).ravel()
        except Exception:  # noqa: BLE001 - a mutant that does not run here names nothing
            continue
        if other.size == 0 or not np.all(np.isfinite(other)):
            continue
        if ks_distance(cdf(np.sort(other))) <= critical:
            continue  # right distribution: not the student's mistake
        if two_sample_distance(values, other) <= two_sample_critical(values.size, other.size, DIAGNOSIS_ALPHA):
            return description
    return ""


def _check_ks(label: str, values: np.ndarray, cdf: Callable[[np.ndarray], np.ndarray], alpha: float,
              law: str, context: str, hint: str, samples: Mapping[str, Callable[[], Any]]) -> None:
    """The sample must look like iid draws of ``law`` (whose CDF is ``cdf``)."""
    ordered = np.sort(values)
    distance = ks_distance(cdf(ordered))
    critical = ks_critical(values.size, alpha)
    if distance <= critical:
        return
    deciles = np.quantile(cdf(ordered), np.linspace(0.1, 0.9, 9))
    fail(_("{label}: its {size} values do not look like independent draws of {law}\n  "
            "Kolmogorov-Smirnov distance {distance:.4f} (p-value about "
            "{kolmogorov_p_value:.2g}); a correct sampler stays below {critical:.4f} except "
            "with probability {alpha:.2g}\n  where the sample's deciles fall on the expected "
            "distribution's scale (0.1, 0.2, ..., 0.9 if right): {join}")
         .format(label=label, size=values.size, law=law, distance=distance, kolmogorov_p_value=kolmogorov_p_value(values.size, distance), critical=critical, alpha=alpha, join=', '.join(f'{d:.2f}' for d in deciles)),
         context, hint, _diagnose_continuous(values, samples, cdf, critical))


def _check_cells(label: str, counts: np.ndarray, draws: int, probs: np.ndarray, alpha: float, what: str,
                 cell_names: list[str], context: str, hint: str,
                 diagnoses: dict[str, Callable[[], np.ndarray]]) -> None:
    """Counts over cells of known probabilities in ``draws`` draws (a draw in no cell counts in
    none), each share within Bernstein's bound."""
    total = max(draws, 1)
    share = counts / total
    bound = cell_bound(total, probs, alpha / probs.size)
    off = np.abs(share - probs) - bound
    if off.max() <= 0:
        return
    worst = int(np.argmax(off))
    diagnosis = ""
    for description, counts_of in diagnoses.items():
        try:
            other = np.asarray(counts_of(), dtype=np.float64)
        except Exception:  # noqa: BLE001 - a mutant that does not run here names nothing
            continue
        if other.shape != counts.shape:
            continue
        other_share = other / total
        if np.all(np.abs(other_share - probs) <= bound):
            continue  # right frequencies: not the student's mistake
        if np.all(np.abs(other_share - share) <= 2 * cell_bound(total, other_share, DIAGNOSIS_ALPHA / probs.size)):
            diagnosis = description
            break
    shown = ", ".join(f"{name}: {int(c)}" for name, c in zip(cell_names, counts))
    fail(_("{label}: {what} are not drawn with the expected frequencies\n  {cell_names} came "
            "{count} times in {total} draws (share {share:.4f}); expected share {probs:.4f}, "
            "and a correct sampler stays within {bound:.4f} of it except with probability "
            "{alpha:.2g} (all cells together)\n  counts: {excerpt}")
         .format(label=label, what=what, cell_names=cell_names[worst], count=int(counts[worst]), total=total, share=share[worst], probs=probs[worst], bound=bound[worst], alpha=alpha, excerpt=excerpt(shown, 600)), context, hint, diagnosis)


def _expect_value_error(label: str, call: Callable[[], Any], names: Sequence[str], context: str) -> None:
    """The call must raise ValueError with a message naming one of ``names``."""
    try:
        call()
    except StudentCodeError as err:
        if "ValueError" not in err.bases:
            fail(_("{label}: raised {type_name} ({excerpt}); expected ValueError")
                 .format(label=label, type_name=err.type_name, excerpt=excerpt(err.message)), context,
                 "check the arguments first and raise ValueError(...) yourself", mistake=WRONG_EXCEPTION)
        if not any(name in err.message for name in names):
            fail(_("{label}: the ValueError message should name {join}; it says {value}")
                 .format(label=label, join=' or '.join(repr(n) for n in names), value=short(err.message, 300)), context, mistake=UNNAMED_ARGUMENT)
        return
    fail(_("{label}: returned normally; expected it to raise ValueError").format(label=label), context, mistake=NO_VALIDATION)


# ----------------------------------------------------------------------------- sample_log_uniform


@st.composite
def log_ranges(draw, top: float = 8.0) -> tuple[float, float]:
    """0 < low < high from 1e-7 to at most 10**top: less than a decade to six decades."""
    exponent = draw(st.floats(-7, min(2.0, top - 0.05)))
    span = draw(st.floats(0.05, min(6.0, top - exponent)))
    return 10.0**exponent, 10.0 ** (exponent + span)


sizes = st.one_of(st.none(), st.integers(1, 9), distinct_sizes(2, 1, 6), distinct_sizes(3, 1, 5))


def _shape(size) -> tuple[int, ...]:
    return (size,) if isinstance(size, int) else tuple(size)


@pytest.mark.points(2)
@pytest.mark.exercise(M, "sample_log_uniform")
@pytest.mark.hint("return float(10 ** u) when size is None, and the array 10 ** u otherwise, with "
                  "u = rng.uniform(np.log10(low), np.log10(high), size=size)")
@given(bounds=log_ranges(), size=sizes, seed=seeds, default=st.booleans())
def test_sample_log_uniform_returns_a_float_or_an_array_of_shape_size_within_low_and_high(
        impl, bounds, size, seed, default):
    low, high = bounds
    context = describe(low=low, high=high, size=size, rng="None" if default else f"default_rng({seed})")
    fn = impl.tuning.sample_log_uniform
    # rng=None must work too: a fresh default_rng().
    got = fn(low, high, size) if default else fn(low, high, size, np.random.default_rng(seed))
    label = "sample_log_uniform"
    if size is None:
        if isinstance(got, np.ndarray):
            fail(_("{label}: returned an array of shape {shape} with size=None; expected one float")
                 .format(label=label, shape=got.shape), context,
                 "with size=None the generator already returns one number: return float(...) of it",
                 mistake=WRONG_TYPE)
        if not isinstance(got, float):
            fail(_("{label}: returned {type_name} with size=None; expected a float")
                 .format(label=label, type_name=type_name(got)), context, final=flooded(got),
                 mistake=returned_mistake(got))
        values = np.array([got])
        if not math.isfinite(got):
            fail(_("{label}: returned {got}; expected a finite float").format(label=label, got=got), context)
    else:
        values = _values_array(label, got, _shape(size), context)
        if got.dtype != np.float64:
            fail(_("{label}: dtype {dtype} expected float64").format(label=label, dtype=got.dtype), context)
    # Values out of range that a misconception draws from the same generator state name it.
    same_state = {} if default else {
        m.description: partial(m.func, low, high, size, np.random.default_rng(seed))
        for m in _mutants("sample_log_uniform")}
    _check_in_range(label, values, low, high, context,
                    "draw the EXPONENT uniformly between log10(low) and log10(high), then return 10 ** exponent",
                    same_state)


@pytest.mark.points(1)
@pytest.mark.exercise(M, "sample_log_uniform")
@pytest.mark.hint("before drawing: if not 0 < low < high: raise ValueError(...) naming low and high")
@given(size=st.one_of(st.none(), st.integers(1, 5)), seed=seeds)
def test_sample_log_uniform_rejects_a_range_unless_zero_below_low_below_high(impl, size, seed):
    for low, high in BAD_RANGES:
        context = describe(low=low, high=high, size=size)
        _expect_value_error(f"sample_log_uniform({low:g}, {high:g})",
                            partial(impl.tuning.sample_log_uniform, low, high, size, np.random.default_rng(seed)),
                            ("low", "high"), context)


@pytest.mark.points(1)
@pytest.mark.exercise(M, "sample_log_uniform")
@pytest.mark.hint("draw from the rng argument (rng.uniform), never from np.random's global generator or "
                  "a generator made inside the function")
# high at most 100: even a sampler wrong in every other way (10 ** uniform(low, high)) stays finite,
# so its samples still show where they come from.
@given(bounds=log_ranges(top=2.0), seed=st.integers(0, 2**31))
def test_sample_log_uniform_draws_from_its_rng_argument(impl, bounds, seed):
    low, high = bounds
    fn = impl.tuning.sample_log_uniform
    context = describe(low=low, high=high, size=6, seed=seed)
    # Only where the samples come from: their type, range and distribution are the other properties'.
    first, again, other = (_numbers("sample_log_uniform", fn(low, high, 6, np.random.default_rng(s)), (6,), context)
                           for s in (seed, seed, seed + 1))
    if not _identical(first, again):
        fail(_("sample_log_uniform: two generators in the same state gave different samples\n  "
                "first {values}\n  again {values2}")
             .format(values=fmt(first), values2=fmt(again)), context,
             "draw every number from the rng argument, never from np.random or the random module",
             mistake=RNG_IGNORED)
    if _identical(first, other):
        fail(_("sample_log_uniform: generators with different seeds gave identical samples"), context,
             "use the rng you are given; do not create a generator with a fixed seed inside the function",
             mistake=FIXED_SEED)
    one = fn(low, high, None, np.random.default_rng(seed))
    if not _identical(fn(low, high, None, np.random.default_rng(seed)), one):
        fail(_("sample_log_uniform: with size=None, two generators in the same state gave "
                "different values"),
             describe(low=low, high=high, size=None, seed=seed), mistake=RNG_IGNORED)


@pytest.mark.points(3)
@pytest.mark.exercise(M, "sample_log_uniform")
@pytest.mark.hint("uniform on the log scale: u = rng.uniform(np.log10(low), np.log10(high), size), then 10 ** u; "
                  "rng.uniform(low, high) puts almost every sample in the top decade")
def test_sample_log_uniform_is_uniform_in_log10_between_low_and_high(impl, device):
    checks = len(LOG_CASES) * len(STAT_SEEDS)
    for low, high, size in LOG_CASES:
        for seed in STAT_SEEDS:
            context = describe(low=low, high=high, size=size, rng=f"default_rng({seed})")
            got = impl.tuning.sample_log_uniform(low, high, size, np.random.default_rng(seed))
            values = _values_array("sample_log_uniform", got, _shape(size), context).ravel()
            samples = {m.description: partial(m.func, low, high, size, np.random.default_rng(seed))
                       for m in _mutants("sample_log_uniform")}
            _check_ks(f"sample_log_uniform({low:g}, {high:g})", values,
                      partial(ref.log_uniform_cdf, low=low, high=high, device=device), ALPHA / checks,
                      f"10**u, u ~ U(log10({low:g}), log10({high:g})) (the same share of samples in every decade)",
                      context, "", samples)


# ----------------------------------------------------------------------------- sample_configurations


@st.composite
def specs(draw, kind: str) -> tuple[Any, ...]:
    if kind == "log":
        return ("log", *draw(log_ranges()))
    if kind == "uniform":
        low = draw(st.floats(-5, 5))
        return ("uniform", low, low + draw(st.floats(0.01, 10)))
    if kind == "int":
        low = draw(st.integers(-5, 20))
        return ("int", low, low + draw(st.integers(1, 6)))
    pool = draw(st.sampled_from([["relu", "tanh", "sigmoid", "leaky_relu", "elu"], [16, 32, 64, 128, 256],
                                 [0.0, 0.25, 0.5, 0.75], [1, 2.5, 10]]))
    count = draw(st.integers(1, len(pool)))
    return ("choice", list(draw(st.permutations(pool))[:count]))


@st.composite
def spaces(draw, min_names: int = 1) -> dict[str, tuple[Any, ...]]:
    names = draw(st.permutations(NAMES))[: draw(st.integers(min_names, 5))]
    kinds = st.sampled_from(["log", "uniform", "int", "choice"])
    return {name: draw(specs(draw(kinds))) for name in names}


def _check_configurations(label: str, got: Any, space: dict, n: int, context: str) -> list[dict]:
    configs = _configurations(label, got, n, list(space), context)
    for i, config in enumerate(configs):
        for name, spec in space.items():
            _check_value(f"{label}: configuration {i}[{name!r}] (kind {spec[0]!r})", config[name], spec, context)
    return configs


@pytest.mark.points(2)
@pytest.mark.exercise(M, "sample_configurations")
@pytest.mark.hint("for each of the n draws build a new dict with every name of the space: 'log' as "
                  "sample_log_uniform, 'uniform' rng.uniform(low, high), 'int' int(rng.integers(low, high + 1)), "
                  "'choice' values[rng.integers(len(values))]")
@given(space=spaces(), n=st.integers(0, 6), seed=seeds)
def test_sample_configurations_returns_n_dicts_with_a_valid_value_for_every_name(impl, space, n, seed):
    context = describe(space=_space_text(space), n=n, rng=f"default_rng({seed})")
    got = impl.tuning.sample_configurations(space, n, np.random.default_rng(seed))
    _check_configurations("sample_configurations", got, space, n, context)


@pytest.mark.points(1)
@pytest.mark.exercise(M, "sample_configurations")
@pytest.mark.hint("check every kind of the space first and raise ValueError(f\"unknown kind {kind!r}\") for "
                  "any other than 'log', 'uniform', 'int' and 'choice'")
@given(space=spaces(), kind=st.sampled_from(UNKNOWN_KINDS), n=st.integers(1, 4), seed=seeds, where=st.integers(0, 5))
def test_sample_configurations_rejects_an_unknown_kind_naming_it(impl, space, kind, n, seed, where):
    items = list(space.items())
    items.insert(where % (len(items) + 1), ("mystery", (kind, 0.1, 1.0)))
    bad = dict(items)
    _expect_value_error(f"sample_configurations with the kind {kind!r}",
                        lambda: impl.tuning.sample_configurations(bad, n, np.random.default_rng(seed)),
                        (kind,), describe(space=_space_text(bad), n=n))


def _same_configs(first: list[dict], again: list[dict]) -> str:
    """Where two lists of configurations differ ("" when equal value for value)."""
    for i, (a, b) in enumerate(zip(first, again)):
        for name in a:
            if not _identical(a[name], b[name]):
                return f"configuration {i}[{name!r}]: {short(a[name])} then {short(b[name])}"
    return ""


@pytest.mark.points(1)
@pytest.mark.exercise(M, "sample_configurations")
@pytest.mark.hint("draw every value from the rng argument (and pass it on to sample_log_uniform), never from "
                  "np.random's global generator or a generator made inside the function")
@given(space=spaces(min_names=2), seed=st.integers(0, 2**31))
def test_sample_configurations_draws_from_its_rng_argument(impl, space, seed):
    # Enough randomness that two seeds cannot give the same configurations: a continuous name.
    space = {**space, "learning_rate": ("log", 1e-5, 1e-1)}
    fn = impl.tuning.sample_configurations
    context = describe(space=_space_text(space), n=5, seed=seed)
    # Only where the values come from: whether they are valid is the other properties'.
    names = list(space)
    first = _configurations("sample_configurations", fn(space, 5, np.random.default_rng(seed)), 5, names, context)
    again = _configurations("sample_configurations", fn(space, 5, np.random.default_rng(seed)), 5, names, context)
    where = _same_configs(first, again)
    if where:
        fail(_("sample_configurations: two generators in the same state gave different "
                "configurations; {where}")
             .format(where=where),
             context, "draw every value from the rng argument, never from np.random or the random module",
             mistake=RNG_IGNORED)
    other = _configurations("sample_configurations", fn(space, 5, np.random.default_rng(seed + 1)), 5, names,
                            context)
    if not _same_configs(first, other):
        fail(_("sample_configurations: generators with different seeds gave identical "
                "configurations"), context,
             "use the rng you are given; do not create a generator with a fixed seed inside the function",
             mistake=FIXED_SEED)
    # rng=None must work too: a fresh default_rng().
    _configurations("sample_configurations", fn(space, 3), 3, names, describe(space=_space_text(space), n=3, rng=None))


def _space_text(space: dict) -> str:
    return short(space, 400)


def _stat_configs(impl, seed: int) -> tuple[list[dict], str]:
    context = describe(space=_space_text(STAT_SPACE), n=STAT_DRAWS, rng=f"default_rng({seed})")
    got = impl.tuning.sample_configurations(STAT_SPACE, STAT_DRAWS, np.random.default_rng(seed))
    return _configurations("sample_configurations", got, STAT_DRAWS, list(STAT_SPACE), context), context


def _mutant_configs(seed: int) -> dict[str, Callable[[], list[dict]]]:
    """Each misconception's configurations of the same space and seed, computed once if needed."""
    return {m.description: lazy(partial(m.func, STAT_SPACE, STAT_DRAWS, np.random.default_rng(seed)))
            for m in _mutants("sample_configurations")}


def _continuous_cdf(name: str, device: str) -> tuple[Callable[[np.ndarray], np.ndarray], str]:
    kind, low, high = STAT_SPACE[name]
    if kind == "log":
        return (lambda x: ref.log_uniform_cdf(x, low, high, device),
                f"the log-uniform 10**u, u ~ U(log10({low:g}), log10({high:g}))")
    return lambda x: ref.uniform_cdf(x, low, high, device), f"U({low:g}, {high:g})"


def _safe_column(configs: Callable[[], list[dict]], name: str) -> Callable[[], np.ndarray]:
    return lambda: np.array([float(c[name]) for c in configs()])


@pytest.mark.points(2)
@pytest.mark.exercise(M, "sample_configurations")
@pytest.mark.hint("'log': 10 ** rng.uniform(log10(low), log10(high)) (every decade equally often); "
                  "'uniform': rng.uniform(low, high)")
def test_sample_configurations_draws_log_and_uniform_kinds_with_their_distributions(impl, device):
    continuous = [name for name, spec in STAT_SPACE.items() if spec[0] in ("log", "uniform")]
    checks = len(continuous) * len(STAT_SEEDS)
    for seed in STAT_SEEDS:
        configs, context = _stat_configs(impl, seed)
        mutants = _mutant_configs(seed)
        for name in continuous:
            spec = STAT_SPACE[name]
            cdf, law = _continuous_cdf(name, device)
            values = _continuous(f"sample_configurations: {name!r} (kind {spec[0]!r})", _column(configs, name),
                                 context)
            _check_ks(f"sample_configurations: {name!r} (kind {spec[0]!r})", values, cdf, ALPHA / checks, law,
                      context, "", {d: _safe_column(c, name) for d, c in mutants.items()})


def _counts(column: list[Any], spec: tuple[Any, ...]) -> np.ndarray:
    cells = _cells_of(column, spec)
    return np.bincount(cells[cells >= 0], minlength=len(_cells(spec))).astype(np.float64)


def _safe_counts(configs: Callable[[], list[dict]], name: str) -> Callable[[], np.ndarray]:
    return lambda: _counts(_column(configs(), name), STAT_SPACE[name])


@pytest.mark.points(2)
@pytest.mark.exercise(M, "sample_configurations")
@pytest.mark.hint("'int' includes BOTH ends: rng.integers(low, high + 1) (or endpoint=True); 'choice' gives "
                  "every value the same chance: values[rng.integers(len(values))]")
def test_sample_configurations_draws_every_int_from_low_to_high_and_every_choice_equally_often(impl, device):
    discrete = [name for name, spec in STAT_SPACE.items() if spec[0] in ("int", "choice")]
    checks = len(discrete) * len(STAT_SEEDS)
    for seed in STAT_SEEDS:
        configs, context = _stat_configs(impl, seed)
        mutants = _mutant_configs(seed)
        for name in discrete:
            spec = STAT_SPACE[name]
            cells = _cells(spec)
            what = (f"the integers {spec[1]} to {spec[2]} (both included)" if spec[0] == "int"
                    else f"the values {short(cells)}")
            _check_cells(f"sample_configurations: {name!r} (kind {spec[0]!r})", _counts(_column(configs, name), spec),
                         STAT_DRAWS, ref.equal_probabilities(len(cells), device), ALPHA / checks, what,
                         [repr(c) for c in cells], context, "",
                         {d: _safe_counts(c, name) for d, c in mutants.items()})


def _joint_table(configs: list[dict], pair: tuple[str, str], device: str) -> tuple[np.ndarray, list[list[str]]]:
    """The contingency table of a pair of names (a continuous name's cell: its quarter of the
    reference distribution; a value in no cell is left out) and the cells' names per axis."""
    indices, names = [], []
    for name in pair:
        spec = STAT_SPACE[name]
        column = _column(configs, name)
        if spec[0] in ("log", "uniform"):
            cdf, _unused = _continuous_cdf(name, device)
            values = np.array([float(v) if _real(v) else np.nan for v in column])
            ok = np.isfinite(values)
            cell = np.full(values.size, -1)
            cell[ok] = _quartile(cdf(np.clip(values[ok], spec[1], spec[2])))
            indices.append(cell)
            names.append([f"{name} in quarter {q + 1}" for q in range(QUARTILES)])
        else:
            indices.append(_cells_of(column, spec))
            names.append([f"{name}={c!r}" for c in _cells(spec)])
    first, second = indices
    ok = (first >= 0) & (second >= 0)
    table = np.zeros((len(names[0]), len(names[1])))
    np.add.at(table, (first[ok], second[ok]), 1.0)
    return table, names


def _independence(table: np.ndarray, device: str) -> tuple[float, int, float, np.ndarray]:
    """Pearson's chi-square test of independence given the table's own margins (rows and columns
    that never occur left out): statistic, degrees of freedom, p-value, expected counts."""
    rows, cols = table.sum(axis=1) > 0, table.sum(axis=0) > 0
    observed = table[rows][:, cols]
    total = observed.sum()
    dof = (observed.shape[0] - 1) * (observed.shape[1] - 1)
    if total == 0 or dof == 0:
        return 0.0, 0, 1.0, observed
    expected = ref.joint_probabilities(observed.sum(axis=1) / total, observed.sum(axis=0) / total, device) * total
    statistic = float(((observed - expected) ** 2 / expected).sum())
    full = np.zeros_like(table)
    full[np.ix_(rows, cols)] = expected
    return statistic, dof, chi2_sf(statistic, dof), full


@pytest.mark.points(2)
@pytest.mark.exercise(M, "sample_configurations")
@pytest.mark.hint("draw every name with its own call to the generator: one shared random number for all the "
                  "names ties them together (a small learning rate would always come with a small beta)")
def test_sample_configurations_draws_the_names_independently(impl, device):
    # Only the dependence between names: each name's own distribution is the other properties'
    # (the test conditions on the table's margins, whatever they are).
    checks = len(PAIRS) * len(STAT_SEEDS)
    for seed in STAT_SEEDS:
        configs, context = _stat_configs(impl, seed)
        mutants = _mutant_configs(seed)
        for pair in PAIRS:
            table, names = _joint_table(configs, pair, device)
            statistic, dof, p_value, expected = _independence(table, device)
            if p_value >= ALPHA / checks:
                continue
            diagnosis = ""
            for description, other_configs in mutants.items():
                try:
                    other = _joint_table(other_configs(), pair, device)[0]
                except Exception:  # noqa: BLE001 - a mutant that does not run here names nothing
                    continue
                other_p = _independence(other, device)[2]
                share, other_share = table / max(table.sum(), 1), other / max(other.sum(), 1)
                bound = 2 * cell_bound(int(max(table.sum(), 1)), other_share, DIAGNOSIS_ALPHA / table.size)
                if other_p < ALPHA / checks and np.all(np.abs(share - other_share) <= bound):
                    diagnosis = description
                    break
            residual = np.where(expected > 0, (table - expected) / np.sqrt(np.maximum(expected, 1e-300)), 0.0)
            worst = np.argsort(-np.abs(residual), axis=None)[:3]
            cells = "; ".join(f"({names[0][i]}, {names[1][j]}): {int(table[i, j])} times, {expected[i, j]:.0f} "
                              f"if independent" for i, j in (np.unravel_index(k, table.shape) for k in worst))
            fail(_("sample_configurations: {pair!r} and {pair2!r} are not drawn independently\n  "
                    "chi-square {statistic:.1f} on {dof} degrees of freedom, p-value {p_value:.2g}; "
                    "a correct sampler's p-value falls below {value:.2g} with probability "
                    "{value:.2g}\n  the combinations furthest from independence: {cells}")
                 .format(pair=pair[0], pair2=pair[1], statistic=statistic, dof=dof, p_value=p_value, value=ALPHA / checks, cells=cells), context,
                 "each combination should come as often as the product of its two values' shares", diagnosis)
