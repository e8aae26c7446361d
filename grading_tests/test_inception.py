"""The Inception module and the depthwise separable convolution against SPEC's definitions:
state_dict keys and shapes, outputs, input and parameter gradients on random configurations;
the whole GoogLeNet: keys, parameter count, output and input gradient in eval and training mode."""

from __future__ import annotations

import contextlib
import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from autograder.i18n import N_, _
from grading_tests import modules as tm
from grading_tests.compare import PropertyAbort, PropertyFailure, check_scalar, describe, fail, tolerance
from grading_tests.mutants import for_module
from grading_tests.references import inception as ref
from grading_tests.strategies import distinct_sizes, seeds

M = "inception"
INCEPTION_HINT = (N_("branch1: 1x1; branch2: 1x1 reduce, ReLU, 3x3 pad 1; branch3: 1x1 reduce, ReLU, 5x5 pad 2; "
                  "branch4: 3x3 max pool stride 1 pad 1, then 1x1; a ReLU after every convolution; "
                  "concatenate along dim 1 in branch order"))
DSC_HINT = (N_("depthwise = Conv2d(in, in, kernel_size, stride, padding, groups=in_channels, bias=bias); "
            "pointwise = Conv2d(in, out, 1, bias=bias); nothing in between"))
spatial = st.tuples(st.integers(3, 8), st.integers(3, 8))


def _mutants(target):
    return [m for m in for_module(M) if m.target == target]


def _inception_case(channels, size, batch, seed):
    args = tuple(channels)
    context = describe(InceptionModule=f"InceptionModule{args}", x_shape=(batch, args[0], *size), seed=seed)
    return args, (batch, args[0], *size), context


@pytest.mark.points(1)
@pytest.mark.exercise(M, "InceptionModule")
@pytest.mark.hint(INCEPTION_HINT)
@tm.no_shrink()
@given(channels=distinct_sizes(7, 1, 9), seed=seeds)
def test_inception_module_has_the_specified_state_dict(impl, channels, seed):
    args, _unused, context = _inception_case(channels, (4, 4), 1, seed)
    tm.grade_keys("InceptionModule", impl.inception.InceptionModule, ref.InceptionModule, args, {}, context)


@pytest.mark.points(3)
@pytest.mark.exercise(M, "InceptionModule")
@tm.no_shrink()
@given(channels=distinct_sizes(7, 1, 9), size=spatial, batch=st.integers(1, 3), seed=seeds)
def test_inception_module_output_and_gradients_match_the_reference(impl, device, channels, size, batch, seed):
    args, x_shape, context = _inception_case(channels, size, batch, seed)
    tm.grade_pass("InceptionModule", impl.inception.InceptionModule, ref.InceptionModule, args,
                  x_shape=x_shape, train=True, device=device, seed=seed, context=context,
                  hint=INCEPTION_HINT, mutants=_mutants("InceptionModule"))


@st.composite
def dsc_configs(draw):
    in_channels, out_channels = draw(distinct_sizes(2, 1, 8))
    kernel = draw(st.sampled_from([1, 3, 5]))
    stride = draw(st.sampled_from([1, 2]))
    padding = draw(st.integers(0, kernel // 2))
    bias = draw(st.booleans())
    use_defaults = draw(st.booleans())
    if use_defaults:  # the SPEC defaults: kernel 3, stride 1, padding 1, no bias
        return (in_channels, out_channels), {}
    return (in_channels, out_channels), {"kernel_size": kernel, "stride": stride, "padding": padding,
                                         "bias": bias}


def _dsc_context(args, kwargs, x_shape, seed):
    call = ", ".join([*map(str, args), *(f"{k}={v}" for k, v in kwargs.items())])
    return describe(DepthwiseSeparableConv=f"DepthwiseSeparableConv({call})", x_shape=x_shape, seed=seed)


@pytest.mark.points(1)
@pytest.mark.exercise(M, "DepthwiseSeparableConv")
@pytest.mark.hint(DSC_HINT)
@tm.no_shrink()
@given(config=dsc_configs(), seed=seeds)
def test_depthwise_separable_conv_has_the_specified_state_dict(impl, config, seed):
    args, kwargs = config
    context = _dsc_context(args, kwargs, None, seed)
    tm.grade_keys("DepthwiseSeparableConv", impl.inception.DepthwiseSeparableConv, ref.DepthwiseSeparableConv,
                  args, kwargs, context)


@pytest.mark.points(2)
@pytest.mark.exercise(M, "DepthwiseSeparableConv")
@tm.no_shrink()
@given(config=dsc_configs(), size=st.tuples(st.integers(5, 9), st.integers(5, 9)), batch=st.integers(1, 3),
       seed=seeds)
def test_depthwise_separable_conv_output_and_gradients_match_the_reference(impl, device, config, size, batch, seed):
    args, kwargs = config
    x_shape = (batch, args[0], *size)
    context = _dsc_context(args, kwargs, x_shape, seed)
    tm.grade_pass("DepthwiseSeparableConv", impl.inception.DepthwiseSeparableConv, ref.DepthwiseSeparableConv,
                  args, kwargs=kwargs, x_shape=x_shape, train=True, device=device, seed=seed, context=context,
                  hint=DSC_HINT, mutants=_mutants("DepthwiseSeparableConv"))


# ---------------------------------------------------------------------------- GoogLeNet

GOOGLENET_HINT = (N_("conv1 7x7/2 pad 3, ReLU, maxpool1, conv2 1x1 (64), ReLU, conv3 3x3 pad 1 (192), ReLU, maxpool2, "
                  "inception3a-3b, maxpool3, inception4a-4e, maxpool4, inception5a-5b, then adaptive average "
                  "pooling to 1x1, flatten, dropout(0.4) and fc; maxpool1-3 are 3x3 stride 2 and maxpool4 2x2 "
                  "stride 2, all with ceil_mode=True; return fc's scores (no softmax)"))
DROPOUT_HINT = (N_("in training mode only the dropout differs from eval mode: nn.Dropout(p=0.4) (or F.dropout(x, 0.4, "
                "self.training)) between the flattened pooling and fc zeroes each feature with probability 0.4 "
                "and multiplies the others by 1 / 0.6"))
# Sizes whose features reach maxpool4 at 3x3 or 4x4 and end at 2x2: every pooling does real work there.
googlenet_sizes = st.tuples(st.integers(47, 54), st.integers(63, 70))
# Odd sizes need ceil_mode (without it 32x32 reaches maxpool4 at 1x1 and ends at 0x0).
GOOGLENET_SHAPE_SIZES = [(32, 32), (33, 47), (64, 64), (95, 80)]
# Dropout misconceptions give the reference's scores in eval mode: never a diagnosis there.
SAME_IN_EVAL_MODE = {"GoogLeNetDropoutHalf", "GoogLeNetNoDropout"}
# Rates outside these bounds from a dropout at 0.4 over the ~500 or more features it is judged on:
# below 1e-5 (4.5 standard deviations).
DROP_RATE_BOUNDS = (0.3, 0.5)


@pytest.mark.points(2)
@pytest.mark.exercise(M, "GoogLeNet")
@pytest.mark.hint(GOOGLENET_HINT)
def test_googlenet_has_torchvisions_keys_shapes_and_6998552_parameters(impl):
    for n in (1000, 10, 263):
        context = describe(model=f"GoogLeNet(num_classes={n})")
        expected = tm.describe_reference(ref.GoogLeNet, num_classes=n)
        got = tm.inspect_model(impl, M, "GoogLeNet", context, num_classes=n)
        tm.check_state("GoogLeNet", got, expected, context, GOOGLENET_HINT)
        want = 6_998_552 if n == 1000 else expected["trainable"]
        check_scalar(_("GoogLeNet(num_classes={n}): trainable parameters").format(n=n), got["trainable"], want,
                     context=context, hint=GOOGLENET_HINT)


def _dropout_relation(reached: np.ndarray, features: np.ndarray) -> str:
    """What one factor shared by every feature that reached fc (the dropped ones left out) says:
    1, no dropout (or one without its scaling); 1 / (1 - q), a dropout of another probability q."""
    with np.errstate(all="ignore"):
        factors = reached / features
    if factors.size == 0 or not np.isfinite(factors).all():
        return ""
    c = float(np.median(factors))
    if not np.allclose(factors, c, rtol=1e-6, atol=0):
        return ""
    if math.isclose(c, 1.0, rel_tol=1e-6):
        return ("every feature reaches fc unscaled: no dropout in training mode, or one without the "
                "1 / (1 - p) scaling?")
    if c > 1:
        q = 1 - 1 / c
        return f"every kept feature is scaled by {c:.4g} = 1 / (1 - {q:.3g}): a dropout probability of {q:.3g}, not 0.4?"
    return ""


def _dropout_draws(out, model, features, context):
    """The 0/1 keep-draws of the dropout before fc, read back from the student's training-mode
    scores ``out`` (N, K): with K > 1024 classes fc's weight has full column rank, so the
    features that reached fc are ``lstsq(W, out - b)``, each either 0 or ``features / (1 - p)``.
    Whatever the student's dropout draws, the reference can then use the same ones. Scores that
    are not an (N, K) float array are left to ``check_run`` (all kept)."""
    keep = np.ones(features.shape)
    if not (isinstance(out, np.ndarray) and out.dtype == np.float64
            and out.shape == (features.shape[0], model.fc.out_features) and np.isfinite(out).all()):
        return keep
    weight = model.fc.weight.detach().cpu().numpy()
    bias = model.fc.bias.detach().cpu().numpy()
    reached = np.linalg.lstsq(weight, (out - bias).T, rcond=None)[0].T
    scaled = features / (1 - ref.DROPOUT)
    t = tolerance("loose64", scaled)
    # Features pooled to (about) 0 send nothing to fc either way: their draw cannot be read.
    known = np.abs(scaled) > 100 * t["atol"]
    kept = np.isclose(reached, scaled, rtol=t["rtol"], atol=t["atol"]) & known
    dropped = (np.abs(reached) <= t["atol"]) & known
    wrong = known & ~kept & ~dropped
    if wrong.any():
        i, j = (int(v) for v in np.argwhere(wrong)[0])
        fail(_("GoogLeNet in training mode: {count} of {count2} pooled features reach fc "
                "neither dropped (0) nor scaled by 1 / (1 - 0.4) = 1.667; for example, feature "
                "{j} of example {i} reaches it multiplied by {value:.4g}")
             .format(count=int(wrong.sum()), count2=int(known.sum()), j=j, i=i, value=reached[i, j] / features[i, j]), context, DROPOUT_HINT,
             relation=_dropout_relation(reached[known & ~dropped], features[known & ~dropped]))
    rate = float(dropped.sum() / known.sum())
    low, high = DROP_RATE_BOUNDS
    if not low <= rate <= high:
        fail(_("GoogLeNet in training mode: the dropout before fc dropped {rate:.1%} of {count} "
                "pooled features, expected about 40%")
             .format(rate=rate, count=int(known.sum())), context, DROPOUT_HINT)
    keep[dropped] = 0.0
    return keep


def _misconception_output(misconception, reference, device, x):
    """Eval-mode scores of a GoogLeNet misconception with the reference's weights (no seeding
    again), or None where its keys differ or it cannot run on this input (a fixed 7x7 pooling on
    2x2 features: torch raises)."""
    def compute():
        state = reference.state_dict()
        model = misconception.func(num_classes=reference.fc.out_features)
        if list(model.state_dict()) != list(state):
            return None
        model = model.to(device=torch.device(device), dtype=torch.float64)
        model.load_state_dict(state, strict=True)
        try:
            return tm.run_reference(model, x, None, train=False, device=device, grads=False, buffers=False)["out"]
        except Exception:  # this misconception cannot run on this input
            return None
    return compute


@contextlib.contextmanager
def _reported_at_once():
    """One example and nothing to shrink: a failure ends the property at once, where Hypothesis
    would run the whole failing example (seconds of GoogLeNet) again to report it."""
    try:
        yield
    except PropertyFailure as exc:
        raise PropertyAbort(str(exc), exc.diagnosis, exc.relation) from None


@pytest.mark.points(4)
@pytest.mark.exercise(M, "GoogLeNet")
@tm.no_shrink(max_examples=1)
@given(n_classes=st.integers(1280, 1600), size=googlenet_sizes, seed=seeds)
def test_googlenet_output_and_input_gradient_match_the_reference_in_eval_and_training_mode(
        impl, device, n_classes, size, seed):
    """More than 1024 classes: the training-mode scores then tell which features the student's
    dropout dropped (``_dropout_draws``), and the reference uses the same draws."""
    with _reported_at_once():
        _grade_googlenet(impl, device, n_classes, (2, 3, *size), seed)


def _grade_googlenet(impl, device, n_classes, x_shape, seed):
    kwargs = {"num_classes": n_classes}
    context = describe(model=f"GoogLeNet(num_classes={n_classes})", x_shape=x_shape, seed=seed)
    expected = tm.describe_reference(ref.GoogLeNet, **kwargs)
    student = tm.build_in_worker("GoogLeNet", impl, M, "GoogLeNet", context=context, **kwargs)
    tm.check_state("GoogLeNet", student.describe(), expected, context, GOOGLENET_HINT)
    student.prepare(device, seed)
    model = tm.reference(ref.GoogLeNet(**kwargs), device, seed)
    (x,) = tm.rng_arrays(seed + 1, x_shape)

    # Eval mode; the probe (the identity, as eval-mode dropout is) keeps the pooled features.
    model.dropout = probe = ref.KnownDropout(torch.ones(1), p=0.0)
    want = tm.run_reference(model, x, seed + 2, train=False, device=device, grads=False, buffers=False)
    got = student.run(x, seed + 2, train=False, device=device, grads=False, buffers=False)
    diagnoses = {m.description: _misconception_output(m, model, device, x) for m in _mutants("GoogLeNet")
                 if m.name not in SAME_IN_EVAL_MODE}
    tm.check_run("GoogLeNet in eval mode", got, want, context=context, hint=GOOGLENET_HINT,
                 diagnoses=diagnoses, device=device)

    # Training mode differs only by the dropout (no batch norm): its draws are not graded, its effect is.
    got = student.run(x, seed + 2, train=True, device=device, grads=False, buffers=False)
    keep = _dropout_draws(got.get("out"), model, probe.seen.cpu().numpy(), context)
    model.dropout = ref.KnownDropout(torch.from_numpy(keep))
    want = tm.run_reference(model, x, seed + 2, train=True, device=device, grads=False, buffers=False)
    tm.check_run("GoogLeNet in training mode", got, want, context=context, hint=DROPOUT_HINT, device=device)


@pytest.mark.points(1)
@pytest.mark.exercise(M, "GoogLeNet")
@pytest.mark.hint("ceil_mode=True in every max pool and the adaptive average pooling to 1x1 make any input of at "
                  "least 32x32 fit fc; flatten with torch.flatten(x, 1), not a fixed view")
def test_googlenet_gives_one_score_per_class_for_inputs_from_32x32_in_both_modes(impl, device):
    tm.grade_network_shapes(impl, M, "GoogLeNet", 7, device, GOOGLENET_HINT, GOOGLENET_SHAPE_SIZES)
