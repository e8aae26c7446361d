"""Initialization: zero / He / Xavier parameters (shapes, zero biases, and a distribution test
against torch.nn.init's standard deviation that cannot flake), and standardization against torch."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograder.i18n import _
from grading_tests.compare import (
    DICT_KEYS,
    FIXED_SEED,
    RNG_IGNORED,
    check_array,
    check_dict,
    check_unchanged,
    describe,
    fail,
    flooded,
    listing,
    returned_mistake,
)
from grading_tests.references import initialization as ref
from grading_tests.relations import shape_relation
from grading_tests.strategies import distinct_sizes, seeds

M = "initialization"

# Big layers with fan_in and fan_out far apart (ratios 2.1, 0.4, 7.5): a fan_out-for-fan_in or a
# 1/n-for-2/n mistake moves the distribution by far more than the test's bound.
BIG_DIMS = [250, 120, 300, 40]
STAT_SEED = 20261128
# Dvoretzky-Kiefer-Wolfowitz (Massart): P(KS distance > d) <= 2 exp(-2 n d^2) for a correct sampler.
FALSE_ALARM = 1e-9


@st.composite
def network_dims(draw, max_layers: int = 4) -> list[int]:
    """[n_x, n_1, ..., n_L] with neighbouring sizes different, so a transposed W shows."""
    layers = draw(st.integers(1, max_layers))
    return list(draw(distinct_sizes(layers + 1, 1, 9)))


def _mutants(target):
    from grading_tests.mutants import for_module

    return [m for m in for_module(M) if m.target == target]


def _expected_shapes(dims):
    return {name: shape for l in range(1, len(dims))
            for name, shape in ((f"W{l}", (dims[l], dims[l - 1])), (f"b{l}", (dims[l], 1)))}


def _check_structure(label, got, dims, context, *, weights_only=False):
    """Right keys, float64 arrays of the right shapes, biases exactly zero. ``weights_only``: just
    the weights' keys and shapes, what a property about the weights' values needs to judge them
    (the biases and dtypes are the structure property's)."""
    shapes = _expected_shapes(dims)
    if weights_only:
        shapes = {name: shape for name, shape in shapes.items() if name.startswith("W")}
    if not isinstance(got, dict):
        fail(_("{label}: returned {type}, expected a dict with keys {items}")
             .format(label=label, type=type(got).__name__, items=sorted(shapes)), context,
             final=flooded(got), mistake=returned_mistake(got))
    missing = [k for k in shapes if k not in got]
    extra = [] if weights_only else [k for k in got if k not in shapes]
    if missing or extra:
        fail(_("{label}: keys differ: missing {items}, unexpected {items2}")
             .format(label=label, items=listing(missing), items2=listing(extra)), context,
             "one W and one b per layer: W1..WL, b1..bL with L = len(layer_dims) - 1", final=flooded(got),
             mistake=DICT_KEYS)
    for name, shape in shapes.items():
        value = got[name]
        if not isinstance(value, np.ndarray):
            fail(_("{label}[{name!r}]: returned {type}, expected an np.ndarray of shape {shape}")
                 .format(label=label, name=name, type=type(value).__name__, shape=shape),
                 context, mistake=returned_mistake(value))
        if value.shape != shape:
            fail(_("{label}[{name!r}]: shape {shape} expected {shape2}")
                 .format(label=label, name=name, shape=value.shape, shape2=shape), context,
                 _("W{name} is (layer_dims[l], layer_dims[l-1]) and b{name} is (layer_dims[l], 1)")
                 .format(name=name[1:]),
                 relation=shape_relation(value.shape, shape))
        if weights_only:
            continue
        if name.startswith("b"):
            check_array(f"{label}[{name!r}]", value, np.zeros(shape), context=context,
                        hint="biases start at zero; only the weights are random")
        elif value.dtype != np.float64:
            fail(_("{label}[{name!r}]: dtype {dtype} expected float64")
                 .format(label=label, name=name, dtype=value.dtype), context)


def _normal_cdf(x: np.ndarray, std: float) -> np.ndarray:
    erf = np.frompyfunc(math.erf, 1, 1)
    return 0.5 * (1.0 + erf(x / (std * math.sqrt(2.0))).astype(np.float64))


def _check_normal_sample(label, w, std, formula, candidates, context):
    """``w`` must look like iid N(0, std^2) draws: Kolmogorov-Smirnov distance within the DKW bound."""
    x = np.sort(w.ravel())
    n = x.size
    cdf = _normal_cdf(x, std)
    ks = float(max(np.max(np.arange(1, n + 1) / n - cdf), np.max(cdf - np.arange(n) / n)))
    bound = math.sqrt(math.log(2 / FALSE_ALARM) / (2 * n))
    if not np.all(np.isfinite(x)):
        fail(_("{label}: holds non-finite values").format(label=label), context)
    if ks <= bound:
        return
    mean, var = float(np.mean(x)), float(np.var(x))
    centred = x - mean
    kurtosis = float(np.mean(centred**4) / np.mean(centred**2) ** 2) if var > 0 else float("nan")
    diagnosis = ""
    for name, cand_var in candidates.items():
        # 6-sigma band of a sample variance of n normal draws: relative sd sqrt(2/n).
        if cand_var > 0 and abs(var / cand_var - 1) < 6 * math.sqrt(2 / n) and abs(var / std**2 - 1) > 0.1:
            diagnosis = name
            break
    if not diagnosis and abs(var / std**2 - 1) < 0.1 and abs(kurtosis - 3) > 0.5:
        diagnosis = f"a non-normal distribution (kurtosis {kurtosis:.2f}; a normal has 3, a uniform 1.8)"
    fail(_("{label}: its {n} weights do not look like draws from N(0, {formula} = "
            "{value:.6g})\n  sample mean {mean:.4g} (expected about 0), sample variance "
            "{var:.6g} (expected {value:.6g}, ratio {value2:.3f})\n  Kolmogorov-Smirnov "
            "distance to N(0, {value:.6g}): {ks:.4f}; a correct sampler stays below "
            "{bound:.4f} except with probability {FALSE_ALARM:g}")
         .format(label=label, n=n, formula=formula, value=std**2, mean=mean, var=var, value2=var / std**2, ks=ks, bound=bound, FALSE_ALARM=FALSE_ALARM), context, diagnosis=diagnosis)


def _distribution_test(fn, kind, formula):
    context = describe(layer_dims=BIG_DIMS, rng=f"default_rng({STAT_SEED})")
    got = fn(BIG_DIMS, np.random.default_rng(STAT_SEED))
    _check_structure(fn_label(kind), got, BIG_DIMS, context, weights_only=True)
    for l in range(1, len(BIG_DIMS)):
        fan_in, fan_out = BIG_DIMS[l - 1], BIG_DIMS[l]
        std = ref.weight_std(kind, (fan_out, fan_in))
        candidates = {
            "the variance computed with fan_out (layer_dims[l]) instead of fan_in (layer_dims[l-1])":
                (std**2) * (fan_in / fan_out if kind == "he" else 1.0),
            "variance 1/fan_in (LeCun, sqrt(1/layer_dims[l-1]))": 1 / fan_in,
            "variance 1/(fan_in + fan_out) instead of 2/(fan_in + fan_out)": 1 / (fan_in + fan_out),
            "variance 2/fan_in (He's, not Xavier's)": 2 / fan_in,
            "the standard deviation set to the variance (no square root)": std**4,
        }
        candidates = {k: v for k, v in candidates.items() if not math.isclose(v, std**2, rel_tol=0.05)}
        _check_normal_sample(f"{fn_label(kind)}: W{l} (fan_in {fan_in}, fan_out {fan_out})",
                             got[f"W{l}"], std, formula.format(fan_in=fan_in, fan_out=fan_out),
                             candidates, context)


def fn_label(kind):
    return {"he": "initialize_parameters_he", "xavier": "initialize_parameters_xavier"}[kind]


def _rng_test(fn, label, dims, seed):
    context = describe(layer_dims=dims, seed=seed)
    first = fn(dims, np.random.default_rng(seed))
    again = fn(dims, np.random.default_rng(seed))
    other = fn(dims, np.random.default_rng(seed + 1))
    # Only where the weights come from: the biases and dtypes are the structure property's.
    _check_structure(label, first, dims, context, weights_only=True)
    weights = [f"W{l}" for l in range(1, len(dims))]
    for name in weights:
        check_array(_("{label}: {name} from a second generator in the same state")
                    .format(label=label, name=name),
                    again.get(name) if isinstance(again, dict) else again, first[name],
                    context=context, dtype_kind="fiu", mistake=RNG_IGNORED,  # identical, whatever the dtype
                    hint="draw every weight from the rng argument (rng.standard_normal / rng.normal), "
                         "never from np.random's global generator")
    if all(isinstance(other, dict) and np.array_equal(first[k], other.get(k)) for k in weights):
        fail(_("{label}: generators with different seeds gave identical weights").format(label=label), context,
             "use the rng you are given; do not create a generator with a fixed seed inside the function",
             mistake=FIXED_SEED)


# ----------------------------------------------------------------------------- zeros


@pytest.mark.points(2)
@pytest.mark.exercise(M, "initialize_parameters_zeros")
@pytest.mark.hint("W{l} is (layer_dims[l], layer_dims[l-1]), b{l} is (layer_dims[l], 1), one pair per layer after the input")
@given(dims=network_dims())
def test_zero_initialization_gives_zeros_of_every_layer_shape(impl, device, dims):
    got = impl.initialization.initialize_parameters_zeros(list(dims))
    context = describe(layer_dims=dims)
    _check_structure("initialize_parameters_zeros", got, dims, context)
    diagnoses = {m.description: m.func(list(dims)) for m in _mutants("initialize_parameters_zeros")}
    check_dict("initialize_parameters_zeros", got, ref.zeros(dims, device), context=context,
               diagnoses={k: v for k, v in diagnoses.items() if isinstance(v, dict)})


# ----------------------------------------------------------------------------- He


@pytest.mark.points(1)
@pytest.mark.exercise(M, "initialize_parameters_he")
@given(dims=network_dims())
def test_he_initialization_has_every_layer_shape_and_zero_biases(impl, dims):
    context = describe(layer_dims=dims, rng=None)
    # rng=None must work too: a fresh default_rng().
    _check_structure("initialize_parameters_he", impl.initialization.initialize_parameters_he(list(dims)), dims, context)


@pytest.mark.points(3)
@pytest.mark.exercise(M, "initialize_parameters_he")
@pytest.mark.hint("He for ReLU: W = rng.standard_normal((n_l, n_{l-1})) * sqrt(2 / n_{l-1}); "
                  "the fan-in n_{l-1} = layer_dims[l-1] is the number of INPUTS of the layer")
def test_he_weights_are_normal_with_variance_two_over_fan_in(impl):
    _distribution_test(impl.initialization.initialize_parameters_he, "he", "2/fan_in = 2/{fan_in}")


@pytest.mark.points(1)
@pytest.mark.exercise(M, "initialize_parameters_he")
@given(dims=network_dims(), seed=st.integers(0, 2**31))
def test_he_initialization_draws_from_the_rng_argument(impl, dims, seed):
    _rng_test(impl.initialization.initialize_parameters_he, "initialize_parameters_he", list(dims), seed)


# ----------------------------------------------------------------------------- Xavier


@pytest.mark.points(1)
@pytest.mark.exercise(M, "initialize_parameters_xavier")
@given(dims=network_dims())
def test_xavier_initialization_has_every_layer_shape_and_zero_biases(impl, dims):
    context = describe(layer_dims=dims, rng=None)
    _check_structure("initialize_parameters_xavier", impl.initialization.initialize_parameters_xavier(list(dims)),
                     dims, context)


@pytest.mark.points(3)
@pytest.mark.exercise(M, "initialize_parameters_xavier")
@pytest.mark.hint("Xavier normal: W = rng.standard_normal((n_l, n_{l-1})) * sqrt(2 / (n_{l-1} + n_l)), "
                  "both the fan-in and the fan-out")
def test_xavier_weights_are_normal_with_variance_two_over_fan_in_plus_fan_out(impl):
    _distribution_test(impl.initialization.initialize_parameters_xavier, "xavier",
                       "2/(fan_in + fan_out) = 2/({fan_in} + {fan_out})")


@pytest.mark.points(1)
@pytest.mark.exercise(M, "initialize_parameters_xavier")
@given(dims=network_dims(), seed=st.integers(0, 2**31))
def test_xavier_initialization_draws_from_the_rng_argument(impl, dims, seed):
    _rng_test(impl.initialization.initialize_parameters_xavier, "initialize_parameters_xavier", list(dims), seed)


# ----------------------------------------------------------------------------- standardization


@st.composite
def train_test_sets(draw):
    """X_train (n_x, m_train), X_test (n_x, m_test) from different distributions, with features of
    very different offsets and scales, some nearly constant so epsilon's place matters."""
    n_x, m_train, m_test = draw(distinct_sizes(3, 1, 9))
    seed = draw(seeds)
    rng = np.random.default_rng(seed)
    scales = 10.0 ** rng.uniform(-5, 1, size=(n_x, 1))
    offsets = rng.uniform(-5, 5, size=(n_x, 1))
    X_train = offsets + scales * rng.standard_normal((n_x, m_train))
    # The test set is shifted and stretched: its own statistics differ from the training ones.
    X_test = offsets + scales * (1.5 + 3.0 * rng.standard_normal((n_x, m_test)))
    if draw(st.booleans()):
        X_train[rng.integers(n_x)] = offsets[0, 0]  # a constant feature: variance exactly 0
    return X_train, X_test


@pytest.mark.points(3)
@pytest.mark.exercise(M, "standardize_inputs")
@pytest.mark.hint("per feature (row, axis=1): mu = X_train.mean(axis=1, keepdims=True), var = X_train.var(axis=1, "
                  "keepdims=True) (divide by m, not m-1); BOTH sets use the TRAINING mu and var: "
                  "(X - mu) / sqrt(var + epsilon)")
@given(sets=train_test_sets(), epsilon=st.sampled_from([1e-8, 1e-6, 1e-3]))
def test_standardize_inputs_uses_training_statistics_for_both_sets(impl, device, sets, epsilon):
    X_train, X_test = sets
    expected = ref.standardize(X_train, X_test, epsilon, device)
    got = impl.initialization.standardize_inputs(X_train.copy(), X_test.copy(), epsilon)
    context = describe(X_train=X_train, X_test=X_test, epsilon=epsilon)
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        fail(_("standardize_inputs: returned {type}; expected a tuple (X_train_std, X_test_std)")
             .format(type=type(got).__name__), context)
    mutants = _mutants("standardize_inputs")
    for i, name in enumerate(["X_train_std", "X_test_std"]):
        diagnoses = {m.description: (lambda m=m, i=i: m.func(X_train.copy(), X_test.copy(), epsilon)[i])
                     for m in mutants}
        check_array(f"standardize_inputs: {name}", got[i], expected[i], tol="loose64", context=context,
                    diagnoses=diagnoses)


@pytest.mark.points(1)
@pytest.mark.exercise(M, "standardize_inputs")
@given(sets=train_test_sets())
def test_standardize_inputs_leaves_its_arguments_unchanged(impl, sets):
    X_train, X_test = sets
    call = impl.initialization.standardize_inputs.inspect_call(X_train.copy(), X_test.copy())
    context = describe(X_train=X_train, X_test=X_test)
    check_unchanged("X_train", X_train, call.args[0], context)
    check_unchanged("X_test", X_test, call.args[1], context)
    # Only that, of a real answer: whether the values are right is the other property's, but a
    # function that returns nothing, or its inputs as they were, has left nothing to judge.
    got = call.value
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        fail(_("standardize_inputs: returned {type}; expected a tuple (X_train_std, X_test_std)")
             .format(type=type(got).__name__),
             context, final=flooded(got))
    for name, value, given_array in (("X_train_std", got[0], X_train), ("X_test_std", got[1], X_test)):
        if not isinstance(value, np.ndarray) or value.shape != given_array.shape:
            shape = value.shape if isinstance(value, np.ndarray) else type(value).__name__
            fail(_("standardize_inputs: {name} is {shape}; expected a new np.ndarray of shape "
                    "{shape2}")
                 .format(name=name, shape=shape, shape2=given_array.shape),
                 context)
    if np.array_equal(got[0], X_train) and np.array_equal(got[1], X_test):
        fail(_("standardize_inputs: returned the inputs as they were: nothing was standardized"), context,
             "compute new arrays (X - mu) / sqrt(var + epsilon) and return them")
