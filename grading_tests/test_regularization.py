"""Regularization: the L2 cost and backward pass against torch autograd of BCE + L2; dropout's
forward and backward against the same torch network fed the student's (or the grader's) masks,
and the masks' keep rate and independence checked with 6-sigma bounds."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograder.i18n import _
from grading_tests.compare import (
    FIXED_SEED,
    RNG_IGNORED,
    check_array,
    check_scalar,
    check_unchanged,
    describe,
    expect_raises,
    fail,
    flooded,
    listing,
)
from grading_tests.references import regularization as ref
from grading_tests.strategies import copy_tree, distinct_sizes, seeds

M = "regularization"
lambdas = st.sampled_from([0.0]) | st.floats(0.05, 5.0)
keep_probs = st.sampled_from([1.0]) | st.floats(0.3, 0.95)
# Keep rates away from 1/2 so that keeping with probability 1 - keep_prob shows.
STAT_KEEP_PROBS = (0.3, 0.8)
SIGMAS = 6


def _mutants(target):
    from grading_tests.mutants import for_module

    return [m for m in for_module(M) if m.target == target]


@st.composite
def networks(draw, max_size: int = 9):
    """(X (n_x, m), Y (1, m), parameters) of a three-layer network; all sizes different."""
    n_x, n1, n2, m = draw(distinct_sizes(4, 1, max_size))
    rng = np.random.default_rng(draw(seeds))
    dims = [n_x, n1, n2, 1]
    params = {}
    for l in (1, 2, 3):
        # 1/sqrt(fan_in) keeps the sigmoid away from saturation; biases make some ReLUs inactive.
        params[f"W{l}"] = rng.standard_normal((dims[l], dims[l - 1])) * (1.5 / math.sqrt(dims[l - 1]))
        params[f"b{l}"] = rng.standard_normal((dims[l], 1)) * 0.5
    X = rng.standard_normal((n_x, m))
    Y = rng.integers(0, 2, size=(1, m)).astype(np.float64)
    return X, Y, params


def _unpack(label, value, count, context=""):
    if not isinstance(value, (tuple, list)) or len(value) != count:
        got = f"a {type(value).__name__} of {len(value)}" if isinstance(value, (tuple, list)) else type(value).__name__
        fail(_("{label}: returned {got}; expected a tuple of {count} values")
             .format(label=label, got=got, count=count), context)
    return value


def _check_gradients(label, got, expected, context, diagnoses, hint="", factors=None):
    if not isinstance(got, dict):
        fail(_("{label}: returned {type}, expected a dict with keys {items}")
             .format(label=label, type=type(got).__name__, items=list(expected)), context)
    missing = [k for k in expected if k not in got]
    if missing:
        fail(_("{label}: keys {missing} are missing (expected {items})")
             .format(label=label, missing=missing, items=list(expected)), context)
    # Course order: from the output back to the input, so the first wrong key is the root cause.
    for key in expected:
        per_key = {name: (lambda d=d, key=key: d()[key]) for name, d in diagnoses.items()}
        check_array(f"{label}[{key!r}]", got[key], expected[key], context=context, diagnoses=per_key, hint=hint,
                    factors=factors)


def _check_gradient_shapes(label, got, expected, context):
    """A dict holding every expected gradient as an array of its shape: what a property that is
    not about the values still needs (a function that returns nothing has done nothing)."""
    if not isinstance(got, dict):
        fail(_("{label}: returned {type}, expected a dict with keys {items}")
             .format(label=label, type=type(got).__name__, items=list(expected)), context,
             final=flooded(got))
    missing = [k for k in expected if k not in got]
    if missing:
        fail(_("{label}: keys {items} are missing (expected {items2})")
             .format(label=label, items=listing(missing), items2=list(expected)), context)
    for key, value in expected.items():
        shape = np.shape(value)
        if not isinstance(got[key], np.ndarray) or got[key].shape != shape:
            found = got[key].shape if isinstance(got[key], np.ndarray) else type(got[key]).__name__
            fail(_("{label}[{key!r}]: is {found}; expected an np.ndarray of shape {shape}")
                 .format(label=label, key=key, found=found, shape=shape), context)


def _safe(fn, *args):
    """A mutant's output on copies of the arguments, computed only if a diagnosis is needed."""
    cache: dict[str, object] = {}

    def value():
        if "v" not in cache:
            cache["v"] = fn(*copy_tree(args))
        return cache["v"]

    return value


def _check_mask(label, mask, shape, keep_prob, context):
    """A keep mask: an array of `shape` holding only 0 and 1 (bool, int or float)."""
    if not isinstance(mask, np.ndarray) or mask.dtype.kind not in "biuf":
        fail(_("{label}: is {type}, expected a 0/1 np.ndarray of shape {shape}")
             .format(label=label, type=type(mask).__name__, shape=shape), context)
    if mask.shape != shape:
        fail(_("{label}: shape {shape} expected {shape2} (one keep/drop decision per unit and "
                "example)")
             .format(label=label, shape=mask.shape, shape2=shape), context)
    values = np.unique(mask.astype(np.float64))
    if not np.all(np.isin(values, [0.0, 1.0])):
        scaled = keep_prob < 1 and np.all(np.isclose(values, 0.0) | np.isclose(values, 1 / keep_prob))
        fail(_("{label}: holds values {values}; a keep mask holds only 0 (dropped) and 1 (kept)")
             .format(label=label, values=values[:6]), context,
             "keep the 0/1 mask itself; the division by keep_prob belongs to the activations",
             "the mask stored already divided by keep_prob" if scaled else "")


def _check_keep_rate(label, mask, keep_prob, context):
    """Keep rate within 6 sigma of keep_prob; decisions independent across both axes; with
    keep_prob = 1 every unit kept."""
    if keep_prob == 1.0:
        if not np.all(mask == 1):
            fail(_("{label}: with keep_prob = 1 every unit must be kept, but {count} were dropped")
                 .format(label=label, count=int(np.sum(mask == 0))),
                 context, "keep a unit when rng.random() < keep_prob: always true when keep_prob = 1")
        return
    d = np.asarray(mask, dtype=np.float64).reshape(mask.shape[0], -1)
    agree_prob = keep_prob**2 + (1 - keep_prob) ** 2
    for axis, what in ((1, "examples (columns)"), (0, "units (rows)")):
        a = d if axis == 1 else d.T
        if a.shape[1] < 2:
            continue
        half = a.shape[1] // 2
        agree = float(np.mean(a[:, 0:2 * half:2] == a[:, 1:2 * half:2]))
        pairs = a.shape[0] * half
        bound = SIGMAS * math.sqrt(agree_prob * (1 - agree_prob) / pairs)
        if abs(agree - agree_prob) > bound:
            fail(_("{label}: neighbouring {what} share their keep/drop decision {agree:.3f} of the "
                    "time; independent draws agree {agree_prob:.3f} of the time (bound {bound:.3f})")
                 .format(label=label, what=what, agree=agree, agree_prob=agree_prob, bound=bound), context,
                 "draw a mask of the FULL shape (units, examples): every unit of every example is kept "
                 "or dropped on its own", f"one mask shared by all {what}")
    n = d.size
    rate = float(d.mean())
    sigma = math.sqrt(keep_prob * (1 - keep_prob) / n)
    if abs(rate - keep_prob) > SIGMAS * sigma:
        diagnosis = "keeping with probability 1 - keep_prob (rand > keep_prob)" \
            if abs(rate - (1 - keep_prob)) < SIGMAS * sigma else ""
        fail(_("{label}: kept a fraction {rate:.4f} of {n} units with keep_prob = {keep_prob}; "
                "a correct mask stays within {SIGMAS} standard deviations ({value:.4f}) of "
                "keep_prob")
             .format(label=label, rate=rate, n=n, keep_prob=keep_prob, SIGMAS=SIGMAS, value=SIGMAS * sigma), context,
             "keep an entry when rng.random(shape) < keep_prob", diagnosis)


# ----------------------------------------------------------------------------- L2


@pytest.mark.points(3)
@pytest.mark.exercise(M, "compute_cost_with_regularization")
@pytest.mark.hint("compute_cost(A3, Y) + lambd / (2 * m) * (sum(W1**2) + sum(W2**2) + sum(W3**2)); "
                  "m = number of examples; biases are not penalised")
@given(net=networks(), lambd=lambdas)
def test_regularized_cost_is_cross_entropy_plus_lambda_over_2m_times_squared_weights(impl, device, net, lambd):
    X, Y, params = net
    values, _unused = ref.run(X, Y, params, device)
    A3 = values["A3"]
    expected = ref.cost(A3, Y, params, lambd, device)
    got = impl.regularization.compute_cost_with_regularization(A3, Y, params, lambd)
    diagnoses = {m.description: _safe(m.func, A3, Y, params, lambd) for m in _mutants("compute_cost_with_regularization")}
    check_scalar("compute_cost_with_regularization", got, expected, tol="loose64",
                 context=describe(A3=A3, Y=Y, parameters=params, lambd=lambd), diagnoses=diagnoses)


def _cache(values, names):
    return tuple(values[n] for n in names)


@pytest.mark.points(4)
@pytest.mark.exercise(M, "backward_propagation_with_regularization")
@pytest.mark.hint("dZ3 = A3 - Y, dWl = (dZl @ A_{l-1}.T + lambd * Wl) / m, dbl = sum(dZl, axis=1, keepdims=True) / m "
                  "(no lambd term), dA_{l-1} = Wl.T @ dZl, dZl = dAl * (Zl > 0)")
@given(net=networks(), lambd=lambdas)
def test_regularized_backward_matches_autograd_of_cross_entropy_plus_l2(impl, device, net, lambd):
    X, Y, params = net
    values, _unused = ref.run(X, Y, params, device)
    _unused, expected = ref.run(X, Y, params, device, lambd=lambd)
    cache = _cache(values, ref.CACHE_NAMES)
    got = impl.regularization.backward_propagation_with_regularization(X, Y, cache, lambd)
    diagnoses = {m.description: _safe(m.func, X, Y, cache, lambd)
                 for m in _mutants("backward_propagation_with_regularization")}
    _check_gradients("backward_propagation_with_regularization", got, expected,
                     describe(X=X, Y=Y, lambd=lambd, parameters=params), diagnoses,
                     factors={"m": X.shape[1]})


@pytest.mark.points(1)
@pytest.mark.exercise(M, "backward_propagation_with_regularization")
@given(net=networks(), lambd=st.floats(0.1, 2.0))
def test_regularized_backward_leaves_its_arguments_unchanged(impl, net, lambd):
    X, Y, params = net
    values, _unused = ref.run(X, Y, params, "cpu")
    _unused, expected = ref.run(X, Y, params, "cpu", lambd=lambd)
    cache = _cache(values, ref.CACHE_NAMES)
    call = impl.regularization.backward_propagation_with_regularization.inspect_call(X, Y, copy_tree(cache), lambd)
    context = describe(X=X, lambd=lambd)
    check_unchanged("X", X, call.args[0], context)
    check_unchanged("Y", Y, call.args[1], context)
    check_unchanged("cache", list(cache), list(call.args[2]), context)
    # Only that, of a real answer: the values are the other property's.
    _check_gradient_shapes("backward_propagation_with_regularization", call.value, expected, context)


# ----------------------------------------------------------------------------- dropout network


@pytest.mark.points(4)
@pytest.mark.exercise(M, "forward_propagation_with_dropout")
@pytest.mark.hint("Dl = (rng.random(Al.shape) < keep_prob); Al = relu(Zl) * Dl / keep_prob for l = 1, 2 only; "
                  "the output A3 = sigmoid(Z3) is never dropped")
@given(net=networks(), keep_prob=keep_probs, seed=seeds)
def test_dropout_forward_pass_matches_torch_fed_the_same_masks(impl, device, net, keep_prob, seed):
    X, Y, params = net
    context = describe(X=X, parameters=params, keep_prob=keep_prob)
    result = impl.regularization.forward_propagation_with_dropout(X, params, keep_prob, np.random.default_rng(seed))
    A3, cache = _unpack("forward_propagation_with_dropout", result, 2, context)
    cache = _unpack("forward_propagation_with_dropout: cache", cache, 14, context)
    got = dict(zip(ref.DROPOUT_CACHE_NAMES, cache))
    m = X.shape[1]
    for l in (1, 2):
        _check_mask(f"cache D{l}", got[f"D{l}"], (params[f"W{l}"].shape[0], m), keep_prob, context)
    masks = (np.asarray(got["D1"], dtype=np.float64), np.asarray(got["D2"], dtype=np.float64))
    expected, _unused = ref.run(X, Y, params, device, masks=masks, keep_prob=keep_prob)
    diagnoses = {mu.description: _safe(mu.func, X, params, keep_prob, np.random.default_rng(seed))
                 for mu in _mutants("forward_propagation_with_dropout")}
    for name in ref.DROPOUT_CACHE_NAMES:
        if name.startswith("D"):
            continue
        index = ref.DROPOUT_CACHE_NAMES.index(name)
        per = {k: (lambda v=v, i=index: v()[1][i]) for k, v in diagnoses.items()}
        note = " (after masking and scaling by 1/keep_prob)" if name in ("A1", "A2") else ""
        check_array(_("cache {name}{note}").format(name=name, note=note), got[name], expected[name], context=context, diagnoses=per)
    check_array("returned A3", A3, expected["A3"], context=context,
                hint="A3 = sigmoid(Z3): dropout is applied to the hidden layers A1 and A2 only")


def _big_network(seed):
    rng = np.random.default_rng(seed)
    dims = [12, 300, 200, 1]
    params = {}
    for l in (1, 2, 3):
        params[f"W{l}"] = rng.standard_normal((dims[l], dims[l - 1])) / math.sqrt(dims[l - 1])
        params[f"b{l}"] = np.zeros((dims[l], 1))
    return rng.standard_normal((12, 400)), params


@pytest.mark.points(2)
@pytest.mark.exercise(M, "forward_propagation_with_dropout")
@pytest.mark.hint("each unit of each example is kept independently with probability keep_prob: "
                  "rng.random(A.shape) < keep_prob")
def test_dropout_forward_pass_keeps_units_independently_at_rate_keep_prob(impl):
    X, params = _big_network(7)
    for keep_prob in (*STAT_KEEP_PROBS, 1.0):
        context = describe(X=X, parameters=params, keep_prob=keep_prob)
        result = impl.regularization.forward_propagation_with_dropout(X, params, keep_prob, np.random.default_rng(11))
        _unused, cache = _unpack("forward_propagation_with_dropout", result, 2, context)
        cache = _unpack("forward_propagation_with_dropout: cache", cache, 14, context)
        for l, index in ((1, 1), (2, 6)):
            _check_mask(f"cache D{l}", cache[index], (params[f"W{l}"].shape[0], X.shape[1]), keep_prob, context)
            _check_keep_rate(f"cache D{l}", cache[index], keep_prob, context)


@pytest.mark.points(1)
@pytest.mark.exercise(M, "forward_propagation_with_dropout")
@given(net=networks(), seed=st.integers(0, 2**31))
def test_dropout_forward_pass_draws_its_masks_from_the_rng_argument(impl, net, seed):
    X, Y, params = net
    X = np.tile(X, (1, 16))  # enough units that two different seeds cannot give the same masks
    context = describe(X=X, keep_prob=0.5, seed=seed)
    runs = [impl.regularization.forward_propagation_with_dropout(X, params, 0.5, np.random.default_rng(s))
            for s in (seed, seed, seed + 1)]
    caches = [_unpack("forward_propagation_with_dropout: cache", _unpack("forward_propagation_with_dropout", r, 2)[1], 14)
              for r in runs]
    for index, name in ((1, "D1"), (6, "D2")):
        check_array(_("cache {name} from a second generator in the same state").format(name=name),
                    np.asarray(caches[1][index], dtype=np.float64), np.asarray(caches[0][index], dtype=np.float64),
                    context=context, hint="draw the masks from the rng argument, never from np.random's global generator",
                    mistake=RNG_IGNORED)
    if all(np.array_equal(caches[0][i], caches[2][i]) for i in (1, 6)):
        fail(_("generators with different seeds gave identical masks"), context,
             "use the rng you are given; do not create a generator with a fixed seed inside the function",
             mistake=FIXED_SEED)


def _dropout_cache(X, Y, params, keep_prob, seed, device):
    rng = np.random.default_rng(seed)
    masks = tuple((rng.random((params[f"W{l}"].shape[0], X.shape[1])) < keep_prob).astype(np.float64) for l in (1, 2))
    values, grads = ref.run(X, Y, params, device, masks=masks, keep_prob=keep_prob)
    return _cache(values, ref.DROPOUT_CACHE_NAMES), grads


@pytest.mark.points(4)
@pytest.mark.exercise(M, "backward_propagation_with_dropout")
@pytest.mark.hint("reuse the cached masks: dA2 = (W3.T @ dZ3) * D2 / keep_prob, dZ2 = dA2 * (Z2 > 0), "
                  "dW2 = dZ2 @ A1.T / m, ...; never draw new masks in the backward pass")
@given(net=networks(), keep_prob=keep_probs, seed=seeds)
def test_dropout_backward_matches_autograd_through_the_cached_masks(impl, device, net, keep_prob, seed):
    X, Y, params = net
    cache, expected = _dropout_cache(X, Y, params, keep_prob, seed, device)
    got = impl.regularization.backward_propagation_with_dropout(X, Y, cache, keep_prob)
    diagnoses = {m.description: _safe(m.func, X, Y, cache, keep_prob)
                 for m in _mutants("backward_propagation_with_dropout")}
    _check_gradients("backward_propagation_with_dropout", got, expected,
                     describe(X=X, Y=Y, keep_prob=keep_prob, D1_kept=int(cache[1].sum()), D2_kept=int(cache[6].sum())),
                     diagnoses, factors={"m": X.shape[1], "keep_prob": keep_prob})


@pytest.mark.points(1)
@pytest.mark.exercise(M, "backward_propagation_with_dropout")
@given(net=networks(), seed=seeds)
def test_dropout_backward_leaves_its_arguments_unchanged(impl, net, seed):
    X, Y, params = net
    cache, expected = _dropout_cache(X, Y, params, 0.7, seed, "cpu")
    call = impl.regularization.backward_propagation_with_dropout.inspect_call(X, Y, copy_tree(cache), 0.7)
    context = describe(X=X, keep_prob=0.7)
    check_unchanged("X", X, call.args[0], context)
    check_unchanged("cache", list(cache), list(call.args[2]), context)
    # Only that, of a real answer: the values are the other property's.
    _check_gradient_shapes("backward_propagation_with_dropout", call.value, expected, context)


# ----------------------------------------------------------------------------- dropout layer


@st.composite
def activations(draw):
    ndim = draw(st.integers(1, 4))
    shape = draw(distinct_sizes(ndim, 1, 7))
    return np.random.default_rng(draw(seeds)).standard_normal(shape)


@pytest.mark.points(3)
@pytest.mark.exercise(M, "dropout_forward")
@pytest.mark.hint("mask = rng.random(A.shape) < keep_prob; out = A * mask / keep_prob; do not change A")
@given(A=activations(), keep_prob=keep_probs, seed=seeds)
def test_dropout_forward_scales_the_kept_entries_by_one_over_keep_prob(impl, device, A, keep_prob, seed):
    context = describe(A=A, keep_prob=keep_prob)
    call = impl.regularization.dropout_forward.inspect_call(A.copy(), keep_prob, np.random.default_rng(seed))
    out, mask = _unpack("dropout_forward", call.value, 2, context)
    _check_mask("dropout_forward: mask", mask, A.shape, keep_prob, context)
    diagnoses = {m.description: (lambda m=m: m.func(A.copy(), keep_prob, np.random.default_rng(seed))[0])
                 for m in _mutants("dropout_forward")}
    check_array("dropout_forward: out", out, ref.dropout_apply(A, mask, keep_prob, device), context=context,
                diagnoses=diagnoses)


@pytest.mark.points(1)
@pytest.mark.exercise(M, "dropout_forward")
@given(A=activations(), keep_prob=st.floats(0.3, 0.95), seed=seeds)
def test_dropout_forward_leaves_its_argument_unchanged(impl, A, keep_prob, seed):
    # Enough entries that any dropout at keep_prob <= 0.95 drops one (all kept: < 2e-5).
    A = np.tile(A, (-(-256 // A.size),) + (1,) * (A.ndim - 1))
    context = describe(A=A, keep_prob=keep_prob)
    call = impl.regularization.dropout_forward.inspect_call(A.copy(), keep_prob, np.random.default_rng(seed))
    check_unchanged("A", A, call.args[0], context)
    # Only that, of a real answer: the values are the other properties'.
    out, _unused = _unpack("dropout_forward", call.value, 2, context)
    if not isinstance(out, np.ndarray) or out.shape != A.shape:
        found = out.shape if isinstance(out, np.ndarray) else type(out).__name__
        fail(_("dropout_forward: out is {found}; expected a new np.ndarray of shape {shape}")
             .format(found=found, shape=A.shape), context)
    if np.array_equal(out, A):  # keep_prob < 1 and hundreds of entries: a real dropout drops some
        fail(_("dropout_forward: out equals A: nothing was dropped"), context, "out = A * mask / keep_prob")


@pytest.mark.points(1)
@pytest.mark.exercise(M, "dropout_forward")
@given(A=activations(), seed=st.integers(0, 2**31))
def test_dropout_forward_draws_its_mask_from_the_rng_argument(impl, A, seed):
    A = np.tile(A, (-(-256 // A.size),) + (1,) * (A.ndim - 1))  # two seeds cannot give one mask
    context = describe(A=A, keep_prob=0.5, seed=seed)
    masks = [np.asarray(_unpack("dropout_forward", impl.regularization.dropout_forward(
                 A, 0.5, np.random.default_rng(s)), 2, context)[1], dtype=np.float64)
             for s in (seed, seed, seed + 1)]
    check_array("dropout_forward: mask from a second generator in the same state", masks[1], masks[0],
                context=context, hint="draw the mask from the rng argument, never from np.random's global generator",
                mistake=RNG_IGNORED)
    if np.array_equal(masks[0], masks[2]):
        fail(_("dropout_forward: generators with different seeds gave identical masks"), context,
             "use the rng you are given; do not create a generator with a fixed seed inside the function",
             mistake=FIXED_SEED)


@pytest.mark.points(2)
@pytest.mark.exercise(M, "dropout_forward")
@pytest.mark.hint("each entry is kept independently with probability keep_prob: rng.random(A.shape) < keep_prob")
def test_dropout_forward_keeps_entries_independently_at_rate_keep_prob(impl):
    A = np.random.default_rng(3).standard_normal((40, 30, 25, 8))
    for keep_prob in (*STAT_KEEP_PROBS, 1.0):
        context = describe(A=A, keep_prob=keep_prob)
        out, mask = _unpack("dropout_forward", impl.regularization.dropout_forward(A, keep_prob, np.random.default_rng(5)),
                            2, context)
        _check_mask("dropout_forward: mask", mask, A.shape, keep_prob, context)
        _check_keep_rate("dropout_forward: mask", mask, keep_prob, context)


@pytest.mark.points(1)
@pytest.mark.exercise(M, "dropout_forward")
@pytest.mark.hint("check 0 < keep_prob <= 1 first and raise ValueError naming keep_prob otherwise")
@given(A=activations())
def test_dropout_forward_rejects_keep_prob_outside_zero_to_one(impl, A):
    for keep_prob in (0.0, -0.5, 1.5, 2.0, -1e-9, 1.0000001):  # every kind of invalid value, each example
        expect_raises("dropout_forward",
                      lambda keep_prob=keep_prob: impl.regularization.dropout_forward(A, keep_prob, np.random.default_rng(0)),
                      context=describe(A=A, keep_prob=keep_prob), mention="keep_prob")


@pytest.mark.points(2)
@pytest.mark.exercise(M, "dropout_backward")
@pytest.mark.hint("the gradient flows only through the kept entries, scaled like the forward pass: dout * mask / keep_prob")
@given(A=activations(), keep_prob=keep_probs, seed=seeds)
def test_dropout_backward_matches_autograd_of_the_forward_scaling(impl, device, A, keep_prob, seed):
    mask = (np.random.default_rng(seed).random(A.shape) < keep_prob).astype(np.float64)
    dout = A
    context = describe(dout=dout, keep_prob=keep_prob, kept=int(mask.sum()))
    call = impl.regularization.dropout_backward.inspect_call(dout.copy(), mask.copy(), keep_prob)
    diagnoses = {m.description: (lambda m=m: m.func(dout.copy(), mask.copy(), keep_prob))
                 for m in _mutants("dropout_backward")}
    check_array("dropout_backward", call.value, ref.dropout_backward(dout, mask, keep_prob, device),
                context=context, diagnoses=diagnoses)
    check_unchanged("dout", dout, call.args[0], context)
    check_unchanged("mask", mask, call.args[1], context)
