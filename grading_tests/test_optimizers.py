"""Optimizers: momentum, RMSProp and Adam against torch.optim over several consecutive steps,
mini-batches as a partition of the examples, and schedules against torch.optim.lr_scheduler."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograder.i18n import _
from grading_tests.compare import (
    NOT_UNIFORM,
    RNG_IGNORED,
    UNPAIRED,
    check_array,
    check_dict,
    check_scalar,
    check_unchanged,
    describe,
    fail,
    flooded,
    lazy,
    listing,
)
from grading_tests.references import optimizers as ref
from grading_tests.strategies import (
    copy_tree,
    layer_dims,
    magnitudes,
    make_gradients,
    make_parameters,
    seeds,
)

M = "optimizers"
learning_rates = st.sampled_from([1e-3, 0.01, 0.1, 0.5])
# Values at or below 0.5 too: there 1 % beta differs from 1 - beta (a mutation survived on 0.9+ only).
betas = st.floats(0.1, 0.99)
beta2s = st.sampled_from([0.3, 0.9, 0.99, 0.999, 0.9999])
epsilons = st.sampled_from([1e-8, 1e-7, 1e-6])
steps = st.integers(1, 4)


def _zeros(params):
    return {"d" + k: np.zeros_like(v) for k, v in params.items()}


def _unpack(label, value, count):
    if not isinstance(value, (tuple, list)) or len(value) != count:
        got = f"a {type(value).__name__} of {len(value)}" if isinstance(value, (tuple, list)) else type(value).__name__
        fail(_("{label}: returned {got}; expected a tuple of {count} values")
             .format(label=label, got=got, count=count), final=flooded(value))
    return value


def _mutant_history(fn, params, grad_steps, *state_and_hp, with_t=False, n_state=1):
    """Run a (trusted) mutant over the same steps, to recognise a misconception by its output."""
    history, state = [], [_zeros(params) for _unused in range(n_state)]
    for t, grads in enumerate(grad_steps, start=1):
        args = [params, grads, *state] + ([t] if with_t else [])
        out = fn(*copy_tree(args), *state_and_hp)
        params, state = out[0], list(out[1:])
        history.append(out)
    return history


def _init_check(impl_fn, label, dims, seed, count):
    params = make_parameters(np.random.default_rng(seed), dims)
    context = describe(parameters=params)
    result = impl_fn(params)
    dicts = [result] if count == 1 else _unpack(label, result, count)
    for i, got in enumerate(dicts):
        check_dict(f"{label}{'' if count == 1 else f' [{i}]'}", got, _zeros(params), context=context,
                   hint="one zero array per parameter, under the gradient's key (dW1 for W1), same shape")


@pytest.mark.points(1)
@pytest.mark.exercise(M, "initialize_momentum")
@given(dims=layer_dims(), seed=seeds)
def test_initialize_momentum_gives_zeros_shaped_like_each_parameter(impl, dims, seed):
    _init_check(impl.optimizers.initialize_momentum, "initialize_momentum", dims, seed, 1)


@pytest.mark.points(1)
@pytest.mark.exercise(M, "initialize_rmsprop")
@given(dims=layer_dims(), seed=seeds)
def test_initialize_rmsprop_gives_zeros_shaped_like_each_parameter(impl, dims, seed):
    _init_check(impl.optimizers.initialize_rmsprop, "initialize_rmsprop", dims, seed, 1)


@pytest.mark.points(1)
@pytest.mark.exercise(M, "initialize_adam")
@given(dims=layer_dims(), seed=seeds)
def test_initialize_adam_gives_two_dicts_of_zeros(impl, dims, seed):
    _init_check(impl.optimizers.initialize_adam, "initialize_adam", dims, seed, 2)


HP_NAMES = {
    "update_parameters_with_momentum": ("beta", "learning_rate"),
    "update_parameters_with_rmsprop": ("beta2", "learning_rate", "epsilon"),
    "update_parameters_with_adam": ("learning_rate", "beta1", "beta2", "epsilon"),
}


def _run_student(label, fn, params, grad_steps, n_state, hp_args, expected, with_t=False,
                 diagnoses_fns=()):
    state = [_zeros(params) for _unused in range(n_state)]
    names = ["v", "s"] if n_state == 2 else (["s"] if "rmsprop" in label else ["v"])
    current = params
    for t, grads in enumerate(grad_steps, start=1):
        context = describe(parameters=current, step=t, of_steps=len(grad_steps),
                           gradient_magnitude=float(np.abs(grads["dW1"]).max()),
                           **dict(zip(HP_NAMES[label], hp_args)))
        args = [current, grads, *state] + ([t] if with_t else []) + list(hp_args)
        out = _unpack(label, fn(*args), 1 + n_state)
        histories = {m.description: lazy(lambda m=m: _mutant_history(
                         m.func, params, grad_steps, *hp_args, with_t=with_t, n_state=n_state))
                     for m in diagnoses_fns}

        def diagnoses(index, t=t):
            return {name: (lambda h=h: h()[t - 1][index]) for name, h in histories.items()}

        hp = dict(zip(HP_NAMES[label], hp_args))
        factors = {"learning_rate": hp["learning_rate"]}
        for beta in ("beta", "beta1", "beta2"):
            if beta in hp:
                factors |= {beta: hp[beta], f"1 - {beta}": 1 - hp[beta]}
        check_dict(_("{label}: parameters after step {t}").format(label=label, t=t), out[0], expected[t - 1]["parameters"],
                   context=context, diagnoses=diagnoses(0))
        for index, (name, got) in enumerate(zip(names, out[1:]), start=1):
            check_dict(_("{label}: {name} after step {t}").format(label=label, name=name, t=t), got, expected[t - 1][name], context=context,
                       diagnoses=diagnoses(index), factors=factors)
        _check_update(label, t, current, out[0], params if t == 1 else expected[t - 2]["parameters"],
                      expected[t - 1]["parameters"], context, factors)
        current, state = out[0], list(out[1:])


def _check_update(label, t, before, after, ref_before, ref_after, context, factors):
    """The step itself (new minus old parameters) against the reference's step, each on its own
    scale: a step of 1e-9 (small gradients, momentum) that is wrong would hide in the parameters'
    tolerance, which is relative to the parameters. Only the rounding of the parameters
    themselves (a few eps times their size) is allowed on top."""
    for key in ref_before:
        scale = max(float(np.abs(ref_before[key]).max(initial=0.0)), float(np.abs(ref_after[key]).max(initial=0.0)))
        check_array(_("{label}: the update of {key} at step {t} (new {key} - old {key})")
                    .format(label=label, key=key, t=t),
                    after[key] - before[key], ref_after[key] - ref_before[key], tol="loose64",
                    context=context, factors=factors, atol_floor=64 * np.finfo(np.float64).eps * scale)


def _registry():
    from grading_tests.mutants import for_module

    return for_module("optimizers")


def _mutant_objs(target):
    return [m for m in _registry() if m.target == target and "in place" not in m.description]


@pytest.mark.points(3)
@pytest.mark.exercise(M, "update_parameters_with_momentum")
@pytest.mark.hint("v starts at zero and is an average: v = beta*v + (1-beta)*g; then W -= learning_rate*v")
@given(dims=layer_dims(), seed=seeds, magnitude=magnitudes, n=steps, beta=betas, lr=learning_rates)
def test_momentum_matches_torch_sgd_over_consecutive_steps(impl, device, dims, seed, magnitude, n, beta, lr):
    rng = np.random.default_rng(seed)
    params = make_parameters(rng, dims)
    grad_steps = [make_gradients(rng, params, magnitude) for _unused in range(n)]
    expected = ref.run_optimizer("momentum", params, grad_steps, device, beta=beta, learning_rate=lr)
    _run_student("update_parameters_with_momentum", impl.optimizers.update_parameters_with_momentum,
                 params, grad_steps, 1, (beta, lr), expected,
                 diagnoses_fns=_mutant_objs("update_parameters_with_momentum"))


@pytest.mark.points(3)
@pytest.mark.exercise(M, "update_parameters_with_rmsprop")
@pytest.mark.hint("s = beta2*s + (1-beta2)*g**2; W -= learning_rate*g/(sqrt(s)+epsilon), epsilon outside the root")
@given(dims=layer_dims(), seed=seeds, magnitude=magnitudes, n=steps, beta2=beta2s, lr=learning_rates, eps=epsilons)
def test_rmsprop_matches_torch_rmsprop_over_consecutive_steps(impl, device, dims, seed, magnitude, n, beta2, lr, eps):
    rng = np.random.default_rng(seed)
    params = make_parameters(rng, dims)
    grad_steps = [make_gradients(rng, params, magnitude) for _unused in range(n)]
    expected = ref.run_optimizer("rmsprop", params, grad_steps, device, beta2=beta2, learning_rate=lr, epsilon=eps)
    _run_student("update_parameters_with_rmsprop", impl.optimizers.update_parameters_with_rmsprop,
                 params, grad_steps, 1, (beta2, lr, eps), expected,
                 diagnoses_fns=_mutant_objs("update_parameters_with_rmsprop"))


@pytest.mark.points(4)
@pytest.mark.exercise(M, "update_parameters_with_adam")
@pytest.mark.hint("bias-correct with the step number t (1 for the first step): v/(1-beta1**t), s/(1-beta2**t); "
                  "epsilon goes outside the square root")
@given(dims=layer_dims(), seed=seeds, magnitude=magnitudes, n=steps, lr=learning_rates,
       beta1=betas, beta2=beta2s, eps=epsilons)
def test_adam_matches_torch_adam_over_consecutive_steps(impl, device, dims, seed, magnitude, n, lr, beta1, beta2, eps):
    rng = np.random.default_rng(seed)
    params = make_parameters(rng, dims)
    grad_steps = [make_gradients(rng, params, magnitude) for _unused in range(n)]
    expected = ref.run_optimizer("adam", params, grad_steps, device, learning_rate=lr,
                                 beta1=beta1, beta2=beta2, epsilon=eps)
    _run_student("update_parameters_with_adam", impl.optimizers.update_parameters_with_adam,
                 params, grad_steps, 2, (lr, beta1, beta2, eps), expected, with_t=True,
                 diagnoses_fns=_mutant_objs("update_parameters_with_adam"))


def _side_effect_free_step(fn, kind, names, dims, seed, device, hp, with_t=False):
    """One step from zero state: the updated parameters come back in a new dict and every
    argument is left as it was. Only that: whether the values are right is the other
    property's (a function that returns its input unchanged still fails here: it updated
    nothing)."""
    rng = np.random.default_rng(seed)
    params = make_parameters(rng, dims)
    grads = make_gradients(rng, params, 1.0)
    state = [_zeros(params) for _unused in names]
    args = [params, grads, *state] + ([1] if with_t else []) + list(hp.values())
    context = describe(parameters=params, **hp)
    call = fn.inspect_call(*copy_tree(args))
    out = _unpack(fn._path, call.value, 1 + len(names))
    for name, before, after in zip(["parameters", "gradients", *names], args, call.args):
        check_unchanged(name, before, after, context)
    returned = out[0]
    if not isinstance(returned, dict):
        fail(_("{path}: returned {type} as the parameters; expected a new dict with the keys "
                "{items}")
             .format(path=fn._path, type=type(returned).__name__, items=listing(params)), context, final=flooded(returned))
    missing = [key for key in params if key not in returned]
    extra = [key for key in returned if key not in params]
    if missing or extra:
        fail(_("{path}: parameters: keys differ: missing {items}, unexpected {items2}")
             .format(path=fn._path, items=listing(missing), items2=listing(extra)), context, final=flooded(returned))
    moved = [k for k in params if not (isinstance(returned[k], np.ndarray)
                                      and returned[k].shape == params[k].shape
                                      and np.array_equal(returned[k], params[k]))]
    if not moved:
        fail(_("{path}: the returned parameters equal the given ones: nothing was updated")
             .format(path=fn._path),
             context, "compute the new parameters into a new dict and return it")


@pytest.mark.points(2)
@pytest.mark.exercise(M, "update_parameters_with_adam")
@given(dims=layer_dims(), seed=seeds)
def test_adam_returns_new_dicts_and_leaves_its_arguments_unchanged(impl, device, dims, seed):
    _side_effect_free_step(impl.optimizers.update_parameters_with_adam, "adam", ["v", "s"], dims, seed, device,
                           {"learning_rate": 0.01, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}, with_t=True)


@pytest.mark.points(1)
@pytest.mark.exercise(M, "update_parameters_with_momentum")
@given(dims=layer_dims(), seed=seeds)
def test_momentum_returns_new_dicts_and_leaves_its_arguments_unchanged(impl, device, dims, seed):
    _side_effect_free_step(impl.optimizers.update_parameters_with_momentum, "momentum", ["v"], dims, seed, device,
                           {"beta": 0.9, "learning_rate": 0.1})


@pytest.mark.points(1)
@pytest.mark.exercise(M, "update_parameters_with_rmsprop")
@given(dims=layer_dims(), seed=seeds)
def test_rmsprop_returns_new_dicts_and_leaves_its_arguments_unchanged(impl, device, dims, seed):
    _side_effect_free_step(impl.optimizers.update_parameters_with_rmsprop, "rmsprop", ["s"], dims, seed, device,
                           {"beta2": 0.9, "learning_rate": 0.1, "epsilon": 1e-8})


# ----------------------------------------------------------------------------- mini-batches


def _batches(impl, X, Y, size, rng):
    return _batches_of(impl.optimizers.random_mini_batches.inspect_call(X, Y, size, rng), X, Y)


def _batches_of(call, X, Y):
    """The (X_batch, Y_batch) pairs of one random_mini_batches call, X and Y left unchanged."""
    batches = call.value
    if not isinstance(batches, (list, tuple)):
        fail(_("random_mini_batches: returned {type}; expected a list of (X_batch, Y_batch)")
             .format(type=type(batches).__name__))
    check_unchanged("X", X, call.args[0])
    check_unchanged("Y", Y, call.args[1])
    return [_unpack("random_mini_batches: each batch", b, 2) for b in batches]


def _sizes_relation(sizes: list[int], expected: list[int]) -> str:
    """How wrong batch sizes relate to the expected ones: the last, smaller batch left out or
    merged into the one before."""
    if len(expected) < 2 or expected[-1] == expected[0]:
        return ""  # no smaller last batch
    if sizes == expected[:-1]:
        return ("the batches without the last, smaller one (only m // mini_batch_size batches: the "
                "m % mini_batch_size examples left over dropped?)")
    if sizes == expected[:-2] + [expected[-2] + expected[-1]]:
        return "the last, smaller batch merged into the one before it"
    return ""


def _column_ids(arrays):
    return [int(round(c)) for arr in arrays for c in arr[0]]


@pytest.mark.points(3)
@pytest.mark.exercise(M, "random_mini_batches")
@pytest.mark.hint("one permutation of range(m) for both X and Y; then slices of mini_batch_size columns, "
                  "with a smaller last batch when m % mini_batch_size != 0")
@given(n_x=st.integers(1, 4), classes=st.integers(1, 3), m=st.integers(1, 40), size=st.integers(1, 16), seed=seeds)
def test_mini_batches_partition_the_examples_keeping_x_and_y_together(impl, n_x, classes, m, size, seed):
    # Column j of X starts with j and of Y with 1000+j: pairs and coverage are readable.
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_x, m))
    X[0] = np.arange(m)
    Y = rng.integers(0, 2, size=(classes, m)).astype(np.float64)
    Y[0] = 1000 + np.arange(m)
    context = describe(X=X, Y=Y, mini_batch_size=size)
    batches = _batches(impl, X, Y, size, np.random.default_rng(seed))
    expected_sizes = [size] * (m // size) + ([m % size] if m % size else [])
    sizes = []
    for i, (xb, yb) in enumerate(batches):
        if not isinstance(xb, np.ndarray) or not isinstance(yb, np.ndarray):
            fail(_("batch {i}: expected two ndarrays, got {type}, {type2}")
                 .format(i=i, type=type(xb).__name__, type2=type(yb).__name__), context)
        if xb.ndim != 2 or xb.shape[0] != n_x or yb.ndim != 2 or yb.shape[0] != classes or xb.shape[1] != yb.shape[1]:
            fail(_("batch {i}: shapes X {shape}, Y {shape2}; expected ({n_x}, k) and ({classes}, k)")
                 .format(i=i, shape=xb.shape, shape2=yb.shape, n_x=n_x, classes=classes), context)
        sizes.append(xb.shape[1])
        ids_x = [int(round(v)) for v in xb[0]]
        ids_y = [int(round(v)) - 1000 for v in yb[0]]
        if ids_x != ids_y:
            fail(_("batch {i}: X columns {ids_x} are paired with Y columns {ids_y}")
                 .format(i=i, ids_x=ids_x[:8], ids_y=ids_y[:8]), context,
                 "shuffle X and Y with the SAME permutation", mistake=UNPAIRED)
        for col, j in enumerate(ids_x):
            if not 0 <= j < m or not np.array_equal(xb[:, col], X[:, j]):
                fail(_("batch {i}: column {col} is not a column of X").format(i=i, col=col), context)
    if sizes != expected_sizes:
        fail(_("batch sizes {items}, expected {expected_sizes}")
             .format(items=listing(sizes, 40, sort=False), expected_sizes=expected_sizes), context,
             relation=_sizes_relation(sizes, expected_sizes))
    seen = Counter(_column_ids(xb for xb, _unused in batches))
    if sorted(seen) != list(range(m)) or max(seen.values()) != 1:
        fail(_("every example must appear exactly once; counts {items}")
             .format(items=dict(sorted(seen.items())[:10])), context)


@pytest.mark.points(1)
@pytest.mark.exercise(M, "random_mini_batches")
@pytest.mark.hint("return every example once, shuffled with a permutation drawn from the rng argument "
                  "(rng.permutation(m)), not from np.random")
@given(m=st.integers(8, 30), seed=seeds)
def test_mini_batches_come_from_the_rng_argument(impl, m, seed):
    # Only where the order comes from: sizes and coverage are the partition property's. m is a
    # multiple of the batch size, so a last batch that is dropped or merged changes nothing here.
    m -= m % 4
    X = np.arange(m, dtype=np.float64)[None, :]
    Y = X.copy()
    order = []
    for _unused in range(2):
        call = impl.optimizers.random_mini_batches.inspect_call(X.copy(), Y.copy(), 4,
                                                                 np.random.default_rng(seed))
        batches = call.value if isinstance(call.value, (list, tuple)) else []
        order.append(_column_ids(_unpack("random_mini_batches: each batch", b, 2)[0] for b in batches))
    if sorted(order[0]) != list(range(m)):  # nothing to judge the order of
        fail(_("the batches do not hold every example once (columns {items})")
             .format(items=listing(order[0], 10, sort=False)),
             describe(m=m, seed=seed))
    if order[0] != order[1]:
        fail(_("two generators in the same state gave different batches"), describe(m=m, seed=seed),
             mistake=RNG_IGNORED)
    if order[0] == sorted(order[0]):
        fail(_("the examples were not shuffled"), describe(m=m, seed=seed), mistake=NOT_UNIFORM)


@pytest.mark.points(1)
@pytest.mark.exercise(M, "random_mini_batches")
@pytest.mark.hint("every ordering must be equally likely: use rng.permutation (or a correct Fisher-Yates)")
def test_mini_batches_use_every_ordering_equally_often(impl):
    # 4 examples: 24 orderings, 2400 draws; chi-square with 23 d.o.f. above 80 has p < 1e-8.
    X = np.arange(4, dtype=np.float64)[None, :]
    counts: Counter[tuple[int, ...]] = Counter()
    master = np.random.default_rng(20261128)
    draws = [((X, X.copy(), 4, np.random.default_rng(int(master.integers(2**32)))), {}) for _unused in range(2400)]
    # One round trip for all 2400 draws (the same calls, as a loop of inspect_call would make).
    for call in impl.optimizers.random_mini_batches.call_many(draws, inspect=True):
        counts[tuple(_column_ids(xb for xb, _unused in _batches_of(call, X, X)))] += 1
    chi2 = sum((counts.get(p, 0) - 100) ** 2 / 100 for p in _perms(4))
    if len(counts) > 24 or chi2 > 80:
        fail(_("orderings of 4 examples are not uniform (chi-square {chi2:.0f} on 23 degrees of "
                "freedom; {count} of 24 orderings seen)")
             .format(chi2=chi2, count=len(counts)), mistake=NOT_UNIFORM if len(counts) <= 24 else "")


def _perms(n):
    from itertools import permutations

    return list(permutations(range(n)))


# ----------------------------------------------------------------------------- schedules


@pytest.mark.points(1)
@pytest.mark.exercise(M, "step_decay")
@pytest.mark.hint("the rate drops once every epochs_drop epochs: use floor(epoch / epochs_drop)")
@given(lr0=st.floats(1e-4, 1.0), epoch=st.integers(0, 60), drop=st.floats(0.1, 0.9), every=st.integers(1, 12))
def test_step_decay_matches_step_lr(impl, device, lr0, epoch, drop, every):
    expected = ref.scheduled_lr("step", lr0, epoch, device, epochs_drop=every, drop=drop)
    got = impl.optimizers.step_decay(lr0, epoch, drop, every)
    diag = {m.description: (lambda m=m: m.func(lr0, epoch, drop, every)) for m in _mutant_objs("step_decay")}
    check_scalar("step_decay", got, expected, context=describe(learning_rate0=lr0, epoch=epoch, drop=drop, epochs_drop=every), diagnoses=diag)


@pytest.mark.points(1)
@pytest.mark.exercise(M, "exponential_decay")
@given(lr0=st.floats(1e-4, 1.0), epoch=st.integers(0, 60), rate=st.floats(0.5, 0.999))
def test_exponential_decay_matches_exponential_lr(impl, device, lr0, epoch, rate):
    expected = ref.scheduled_lr("exponential", lr0, epoch, device, decay_rate=rate)
    got = impl.optimizers.exponential_decay(lr0, epoch, rate)
    diag = {m.description: (lambda m=m: m.func(lr0, epoch, rate)) for m in _mutant_objs("exponential_decay")}
    check_scalar("exponential_decay", got, expected, context=describe(learning_rate0=lr0, epoch=epoch, decay_rate=rate), diagnoses=diag)


@pytest.mark.points(1)
@pytest.mark.exercise(M, "inverse_time_decay")
@given(lr0=st.floats(1e-4, 1.0), epoch=st.integers(0, 60), rate=st.floats(0.01, 2.0), interval=st.integers(1, 10))
def test_inverse_time_decay_matches_lambda_lr(impl, device, lr0, epoch, rate, interval):
    expected = ref.scheduled_lr("inverse_time", lr0, epoch, device, decay_rate=rate, time_interval=interval)
    got = impl.optimizers.inverse_time_decay(lr0, epoch, rate, interval)
    diag = {m.description: (lambda m=m: m.func(lr0, epoch, rate, interval)) for m in _mutant_objs("inverse_time_decay")}
    check_scalar("inverse_time_decay", got, expected, context=describe(learning_rate0=lr0, epoch=epoch, decay_rate=rate, time_interval=interval), diagnoses=diag)


@pytest.mark.points(1)
@pytest.mark.exercise(M, "cosine_annealing")
@given(lr0=st.floats(1e-3, 1.0), data=st.data(), total=st.integers(1, 50), floor=st.sampled_from([0.0, 1e-4, 1e-3]))
def test_cosine_annealing_matches_cosine_annealing_lr(impl, device, lr0, data, total, floor):
    epoch = data.draw(st.integers(0, total), label="epoch")
    expected = ref.scheduled_lr("cosine", lr0, epoch, device, total_epochs=total, min_learning_rate=floor)
    got = impl.optimizers.cosine_annealing(lr0, epoch, total, floor)
    diag = {m.description: (lambda m=m: m.func(lr0, epoch, total, floor)) for m in _mutant_objs("cosine_annealing")}
    check_scalar("cosine_annealing", got, expected, tol="loose64", context=describe(learning_rate0=lr0, epoch=epoch, total_epochs=total, min_learning_rate=floor), diagnoses=diag)
