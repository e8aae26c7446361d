"""Deep gradients: an L-layer network (depth 2-8, distinct widths) with relu, sigmoid and tanh
hidden layers, its output and every dWl, dbl against torch autograd of the mean cross-entropy
(pre-activations shifted away from the ReLU kink), and per-layer Frobenius norms in layer order."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from autograder.i18n import _
from grading_tests.compare import (
    DICT_KEYS,
    check_array,
    check_scalar,
    check_unchanged,
    describe,
    expect_raises,
    fail,
    flooded,
    lazy,
    listing,
    returned_mistake,
    type_name,
)
from grading_tests.references import deep_gradients as ref
from grading_tests.relations import shape_relation
from grading_tests.strategies import copy_tree, distinct_sizes, seeds

M = "deep_gradients"
ACTIVATIONS = ("relu", "sigmoid", "tanh")
# Weight scale times 1/sqrt(fan_in): below 1 the signal fades with depth, above it grows.
gains = st.sampled_from([0.6, 1.0, 1.5, 2.2])
UNKNOWN = st.sampled_from(["softmax", "ReLU", "linear", "leaky_relu", ""])
# The layers of the one very deep network the forward property also tries.
DEEP = 300
# Every hidden pre-activation at least this far (times the layer's RMS) from the ReLU kink.
KINK_MARGIN = 0.02
# The output's |ZL| at most this: AL stays away from 0 and 1, so that a backward pass written
# through dAL = -(Y / AL - (1 - Y) / (1 - AL)) is as exact as one written dZL = AL - Y.
OUTPUT_BOUND = 4.0


def _mutants(target):
    from grading_tests.mutants import for_module

    return [m for m in for_module(M) if m.target == target]


def _act(Z, activation):
    if activation == "relu":
        return np.maximum(Z, 0)
    if activation == "tanh":
        return np.tanh(Z)
    return 1 / (1 + np.exp(-Z))


def _away_from_kink(Z, margin):
    """Per unit (row), the smallest shift on a grid of step 2 * margin that keeps every entry at
    least ``margin`` from 0: m entries rule out at most m grid points, so m + 1 tries suffice."""
    shifts = np.zeros((Z.shape[0], 1))
    for i, row in enumerate(Z):
        for k in range(2 * Z.shape[1] + 2):
            s = (k + 1) // 2 * (1 if k % 2 else -1) * 2 * margin
            if np.min(np.abs(row + s)) >= margin:
                shifts[i, 0] = s
                break
    return shifts


@st.composite
def architectures(draw, min_layers: int = 2, max_layers: int = 8):
    """(dims [n_x, n_1, ..., n_{L-1}, 1], m, seed, gain): n_x, the hidden widths and m all different."""
    L = draw(st.integers(min_layers, max_layers))
    sizes = draw(distinct_sizes(L + 1, 2, 12))
    return [*sizes[:-1], 1], sizes[-1], draw(seeds), draw(gains)


def build(architecture, activation):
    """(X, Y, parameters) for one activation: for relu, each hidden unit's bias shifted so that no
    pre-activation lies near the kink; the output layer scaled so that |ZL| <= OUTPUT_BOUND."""
    dims, m, seed, gain = architecture
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((dims[0], m))
    Y = rng.integers(0, 2, size=(1, m)).astype(np.float64)
    L = len(dims) - 1
    params = {}
    A = X
    for l in range(1, L + 1):
        W = rng.standard_normal((dims[l], dims[l - 1])) * (gain / math.sqrt(dims[l - 1]))
        b = rng.standard_normal((dims[l], 1)) * 0.3
        Z = W @ A + b
        if l < L and activation == "relu":
            b = b + _away_from_kink(Z, KINK_MARGIN * float(np.sqrt(np.mean(Z**2))))
            Z = W @ A + b
        if l == L:
            scale = min(1.0, OUTPUT_BOUND / float(np.max(np.abs(Z))))
            W, b = W * scale, b * scale
        params[f"W{l}"], params[f"b{l}"] = W, b
        A = _act(Z, activation)
    return X, Y, params


def _unpack(label, value, count, context=""):
    if not isinstance(value, (tuple, list)) or len(value) != count:
        got = f"a {type(value).__name__} of {len(value)}" if isinstance(value, (tuple, list)) else type_name(value)
        fail(_("{label}: returned {got}; expected a tuple of {count} values")
             .format(label=label, got=got, count=count), context, final=flooded(value))
    return value


def _by_reference(caches):
    """The student's caches as they go back to the worker: an object the worker keeps (not plain
    data) travels as its handle; plain data (arrays, lists, tuples, nested handles) as it came."""
    return caches.handle if hasattr(caches, "handle") else caches


def _student_forward(impl, X, params, activation, device, context):
    """The student's (AL, caches), AL checked first: deep_backward is judged on these caches."""
    result = impl.deep_gradients.deep_forward(X, params, activation)
    AL, caches = _unpack("deep_forward", result, 2, context)
    check_array("deep_forward: AL (the caches deep_backward is given come from this same call)", AL,
                ref.forward(X, params, activation, device), context=context,
                hint="deep_backward is graded on the caches of your deep_forward: make deep_forward right first")
    return AL, _by_reference(caches)


def _same_values(got: Any, diagnoses: dict[str, Any]) -> str:
    """The first misconception whose list of numbers (computed lazily) is the student's, or ''."""
    try:
        values = np.asarray(got, dtype=np.float64)
    except Exception:  # noqa: BLE001 - values that are not numbers match no misconception
        return ""
    for name, compute in diagnoses.items():
        try:
            other = np.asarray(compute(), dtype=np.float64)
        except Exception:  # noqa: BLE001 - a mutant that does not run here names nothing
            continue
        if other.shape == values.shape and np.allclose(values, other, rtol=1e-9, atol=1e-12):
            return name
    return ""


def _gradient_keys(L):
    # From the output back to the input: the first wrong key is where the mistake starts.
    return [f"{d}{l}" for l in range(L, 0, -1) for d in ("dW", "db")]


def _check_gradient_shapes(label, got, expected, context):
    """A dict holding every dWl, dbl as an array of its shape (other keys are allowed)."""
    if not isinstance(got, dict):
        fail(_("{label}: returned {type_name}, expected a dict with keys {items}")
             .format(label=label, type_name=type_name(got), items=sorted(expected)), context,
             final=flooded(got), mistake=returned_mistake(got))
    missing = [k for k in expected if k not in got]
    if missing:
        fail(_("{label}: keys {items} are missing (expected dW1, db1, ..., dW{value}, db{value})")
             .format(label=label, items=listing(missing), value=len(expected) // 2), context, final=flooded(got), mistake=DICT_KEYS)
    for key, value in expected.items():
        shape = np.shape(value)
        if not isinstance(got[key], np.ndarray) or got[key].shape != shape:
            array = isinstance(got[key], np.ndarray)
            found = got[key].shape if array else type_name(got[key])
            fail(_("{label}[{key!r}]: is {found}; expected an np.ndarray of shape {shape}")
                 .format(label=label, key=key, found=found, shape=shape), context,
                 "dWl has the shape of Wl and dbl the shape of bl (keep the column: keepdims=True)",
                 relation=shape_relation(got[key].shape, shape) if array else "",
                 mistake="" if array else returned_mistake(got[key]))


# ----------------------------------------------------------------------------- deep_forward


@pytest.mark.points(4)
@pytest.mark.exercise(M, "deep_forward")
@pytest.mark.hint("for l = 1 .. L-1: Z = Wl @ A + bl, A = activation(Z); then AL = sigmoid(WL @ A + bL): "
                  "the output layer is always sigmoid; L = len(parameters) // 2")
@given(arch=architectures(), activation=st.sampled_from(ACTIVATIONS))
# Also one network deeper than 256 layers: the layer index must be compared with L by value
# (CPython shares one int object per value only up to 256, so `l is L` passes below that).
@example(arch=([3, *[2] * (DEEP - 1), 1], 5, 1, 1.0), activation="tanh")
def test_deep_forward_output_matches_torch_for_each_activation(impl, device, arch, activation):
    X, _unused, params = build(arch, activation)
    context = describe(X=X, parameters=params, activation=activation)
    AL, _unused = _unpack("deep_forward", impl.deep_gradients.deep_forward(X, params, activation), 2, context)
    diagnoses = {mu.description: lazy(lambda mu=mu: mu.func(X.copy(), copy_tree(params), activation)[0])
                 for mu in _mutants("deep_forward")}
    check_array("deep_forward: AL", AL, ref.forward(X, params, activation, device), context=context,
                diagnoses=diagnoses)


@pytest.mark.points(1)
@pytest.mark.exercise(M, "deep_forward")
@pytest.mark.hint("check activation first: anything but 'relu', 'sigmoid' or 'tanh' raises ValueError "
                  "naming activation")
@given(arch=architectures(max_layers=4), activation=UNKNOWN)
def test_deep_forward_rejects_an_unknown_activation(impl, arch, activation):
    X, _unused, params = build(arch, "tanh")
    expect_raises("deep_forward", lambda: impl.deep_gradients.deep_forward(X, params, activation),
                  context=describe(X=X, parameters=params, activation=activation), mention="activation")


@pytest.mark.points(1)
@pytest.mark.exercise(M, "deep_forward")
@pytest.mark.hint("keep what deep_backward needs in caches of your own; never write into X or parameters")
@given(arch=architectures(), activation=st.sampled_from(ACTIVATIONS))
def test_deep_forward_leaves_its_arguments_unchanged(impl, arch, activation):
    X, _unused, params = build(arch, activation)
    context = describe(X=X, parameters=params, activation=activation)
    call = impl.deep_gradients.deep_forward.inspect_call(X.copy(), copy_tree(params), activation)
    check_unchanged("X", X, call.args[0], context)
    check_unchanged("parameters", params, call.args[1], context)
    # Only that, of a real answer: the values are the other property's.
    AL, _unused = _unpack("deep_forward", call.value, 2, context)
    if not isinstance(AL, np.ndarray) or AL.shape != (1, X.shape[1]):
        found = AL.shape if isinstance(AL, np.ndarray) else type_name(AL)
        fail(_("deep_forward: AL is {found}; expected an np.ndarray of shape {value}")
             .format(found=found, value=(1, X.shape[1])), context)


# ----------------------------------------------------------------------------- deep_backward


@pytest.mark.points(6)
@pytest.mark.exercise(M, "deep_backward")
@pytest.mark.hint("dZL = (AL - Y) / m; for l = L .. 1: dWl = dZl @ A_{l-1}.T, dbl = sum(dZl, axis=1, keepdims=True), "
                  "dA_{l-1} = Wl.T @ dZl, dZ_{l-1} = dA_{l-1} * g'(Z_{l-1}) with g' = (Z > 0), s * (1 - s) "
                  "or 1 - tanh(Z)**2")
@given(arch=architectures(), activation=st.sampled_from(ACTIVATIONS))
def test_deep_backward_matches_autograd_of_the_mean_cross_entropy(impl, device, arch, activation):
    from grading_tests.mutants.deep_gradients import reference_caches

    X, Y, params = build(arch, activation)
    context = describe(X=X, Y=Y, parameters=params, activation=activation)
    AL, caches = _student_forward(impl, X, params, activation, device, context)
    got = impl.deep_gradients.deep_backward(AL, Y, caches, activation)
    expected = ref.gradients(X, Y, params, activation, device)
    _check_gradient_shapes("deep_backward", got, expected, context)
    # The mutants run on the grader's own caches (the solution's layout), never the student's.
    trusted = lazy(lambda: reference_caches(X, params, activation))
    diagnoses = {mu.description: lazy(lambda mu=mu: mu.func(trusted()[0].copy(), Y.copy(), trusted()[1], activation))
                 for mu in _mutants("deep_backward")}
    for key in _gradient_keys(len(params) // 2):
        per_key = {name: (lambda d=d, key=key: d()[key]) for name, d in diagnoses.items()}
        check_array(f"deep_backward[{key!r}]", got[key], expected[key], context=context, diagnoses=per_key,
                    factors={"m": X.shape[1]})


@pytest.mark.points(1)
@pytest.mark.exercise(M, "deep_backward")
@pytest.mark.hint("check activation: anything but 'relu', 'sigmoid' or 'tanh' raises ValueError naming activation")
@given(arch=architectures(max_layers=4), activation=UNKNOWN)
def test_deep_backward_rejects_an_unknown_activation(impl, arch, activation):
    X, Y, params = build(arch, "relu")
    context = describe(X=X, Y=Y, activation=activation)
    AL, caches = _student_forward(impl, X, params, "relu", "cpu", context)
    expect_raises("deep_backward", lambda: impl.deep_gradients.deep_backward(AL, Y, caches, activation),
                  context=context, mention="activation")


@pytest.mark.points(1)
@pytest.mark.exercise(M, "deep_backward")
@pytest.mark.hint("dZ = AL - Y makes a new array; dZ = AL followed by dZ -= Y changes the caller's AL")
@given(arch=architectures(), activation=st.sampled_from(ACTIVATIONS))
def test_deep_backward_leaves_its_arguments_unchanged(impl, arch, activation):
    X, Y, params = build(arch, activation)
    context = describe(X=X, Y=Y, activation=activation)
    AL, caches = _student_forward(impl, X, params, activation, "cpu", context)
    AL = np.asarray(AL, dtype=np.float64)
    call = impl.deep_gradients.deep_backward.inspect_call(AL.copy(), Y.copy(), caches, activation)
    check_unchanged("AL", AL, call.args[0], context)
    check_unchanged("Y", Y, call.args[1], context)
    # Only that, of a real answer: a dict of arrays under every key (their shapes and values are
    # the other property's).
    got, L = call.value, len(params) // 2
    if not isinstance(got, dict):
        fail(_("deep_backward: returned {type_name}, expected a dict of gradients")
             .format(type_name=type_name(got)), context, final=flooded(got))
    absent = [k for k in _gradient_keys(L) if not isinstance(got.get(k), np.ndarray)]
    if absent:
        fail(_("deep_backward: no array under the keys {items}; expected dW1, db1, ..., dW{L}, "
                "db{L}")
             .format(items=listing(absent), L=L),
             context)


# ----------------------------------------------------------------------------- gradient_norms


@st.composite
def weight_gradients(draw):
    """{"dW1", "db1", ..., "dWL", "dbL"} of distinct shapes, each layer on its own scale (from
    vanishing 1e-9 to exploding 1e3); sometimes more than nine layers, where dW10 sorts before dW2."""
    L = draw(st.integers(1, 6) | st.integers(10, 13))
    dims = draw(distinct_sizes(L + 1, 1, 14))
    rng = np.random.default_rng(draw(seeds))
    grads = {}
    for l in range(1, L + 1):
        scale = 10.0 ** rng.uniform(-9, 3)
        grads[f"dW{l}"] = rng.standard_normal((dims[l], dims[l - 1])) * scale
        grads[f"db{l}"] = rng.standard_normal((dims[l], 1)) * scale
    return grads


@pytest.mark.points(3)
@pytest.mark.exercise(M, "gradient_norms")
@pytest.mark.hint("[sqrt(sum(dWl**2)) for l = 1 .. L] with L = len(gradients) // 2: the weights only, layer 1 "
                  "first; build the keys f'dW{l}' in that order (sorted keys put dW10 before dW2)")
@given(grads=weight_gradients())
def test_gradient_norms_are_the_frobenius_norms_of_the_weight_gradients_in_layer_order(impl, device, grads):
    L = len(grads) // 2
    context = describe(gradients=grads)
    call = impl.deep_gradients.gradient_norms.inspect_call(copy_tree(grads))
    got = call.value
    expected = ref.norms(grads, device)
    if isinstance(got, np.ndarray) and got.ndim == 1:
        got = list(got)
    if not isinstance(got, (list, tuple)):
        fail(_("gradient_norms: returned {type_name}, expected a list of {L} floats")
             .format(type_name=type_name(got), L=L), context,
             mistake=returned_mistake(got))
    diagnoses = {mu.description: lazy(lambda mu=mu: mu.func(copy_tree(grads))) for mu in _mutants("gradient_norms")}
    if len(got) != L:
        fail(_("gradient_norms: returned {count} values for a network of {L} layers; expected "
                "one per weight matrix dW1 .. dWL")
             .format(count=len(got), L=L), context, "the biases' gradients have no entry",
             "" if flooded(got) else _same_values(got, diagnoses), final=flooded(got),
             relation=(f"{len(got)} = 2L values: one per entry of the gradients, the biases' included?"
                       if len(got) == 2 * L else ""))
    for l in range(1, L + 1):
        per = {name: (lambda d=d, i=l - 1: d()[i]) for name, d in diagnoses.items()}
        check_scalar(_("gradient_norms: entry {value} (||dW{l}||_F)").format(value=l - 1, l=l), got[l - 1], expected[l - 1], context=context,
                     diagnoses=per)
    check_unchanged("gradients", grads, call.args[0], context)
