"""LeNet-5 against SPEC's definition (state_dict, outputs, gradients), and parameter counts
against torch's own: a Conv2d's count for any groups/bias, any model's trainable count."""

from __future__ import annotations

import numbers

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograder.i18n import N_, _
from autograder.sandbox import worker_torch
from grading_tests import modules as tm
from grading_tests.compare import describe, fail, short
from grading_tests.mutants import for_module
from grading_tests.references import lenet as ref
from grading_tests.strategies import seeds

M = "lenet"


def _mutants(target):
    return [m for m in for_module(M) if m.target == target]


def _check_count(label, got, expected, context, hint, diagnoses=None):
    """An exact integer count (a Python or NumPy integer; not a float, not a tensor)."""
    if isinstance(got, np.ndarray) and got.ndim == 0 and got.dtype.kind in "iu":
        got = got[()]
    if isinstance(got, bool) or not isinstance(got, numbers.Integral):
        fail(_("{label}: returned {type} {value}, expected an int")
             .format(label=label, type=type(got).__name__, value=short(got)), context,
             "return a Python int: int(...) around a tensor or float result")
    if int(got) != expected:
        diagnosis = next((name for name, value in (diagnoses or {}).items() if value == int(got)), "")
        fail(_("{label}: expected {expected:,}, got {count:,} (off by {value:+,})")
             .format(label=label, expected=expected, count=int(got), value=int(got) - expected),
             context, hint, diagnosis)


@st.composite
def conv_configs(draw):
    groups = draw(st.sampled_from([1, 1, 2, 3, 4]))
    in_channels = groups * draw(st.integers(1, 6))
    out_channels = groups * draw(st.integers(1, 6))
    kernel = draw(st.integers(1, 7))
    bias = draw(st.booleans())
    return in_channels, out_channels, kernel, bias, groups


@pytest.mark.points(2)
@pytest.mark.exercise(M, "conv2d_param_count")
@pytest.mark.hint("each of the out_channels filters has (in_channels / groups) * kernel_size**2 weights, "
                  "plus one bias per filter when bias=True")
@tm.no_shrink()
@given(config=conv_configs())
def test_conv2d_param_count_equals_torchs_conv2d(impl, config):
    cin, cout, k, bias, groups = config
    context = f"conv2d_param_count({cin}, {cout}, {k}, bias={bias}, groups={groups})"
    got = impl.lenet.conv2d_param_count(cin, cout, k, bias=bias, groups=groups)
    expected = ref.conv2d_param_count(cin, cout, k, bias=bias, groups=groups)
    weights = cout * cin * k * k
    diagnoses = {"ignoring groups": weights + (cout if bias else 0),
                 "ignoring bias=False": cout * (cin // groups) * k * k + cout,
                 "ignoring the bias": cout * (cin // groups) * k * k}
    _check_count("conv2d_param_count", got, expected, context, "", diagnoses)


LAYERS = st.sampled_from([["conv", 3, 8, 3, True, 1], ["conv", 8, 8, 3, False, 8], ["conv", 4, 6, 5, True, 2],
                          ["linear", 12, 7, True], ["linear", 7, 5, False], ["bn", 8], ["relu"]])


@pytest.mark.points(2)
@pytest.mark.exercise(M, "count_parameters")
@pytest.mark.hint("count p.numel() over model.parameters() with p.requires_grad; batch-norm running "
                  "statistics are buffers, not parameters, and frozen layers do not count")
@tm.no_shrink()
@given(layers=st.lists(LAYERS, min_size=1, max_size=5), frozen=st.lists(st.booleans(), min_size=5, max_size=5))
def test_count_parameters_counts_trainable_parameters_like_torch(impl, layers, frozen):
    spec = [["frozen", layer] if f and layer[0] != "relu" else layer for layer, f in zip(layers, frozen)]
    if all(layer[0] != "bn" for layer in spec):
        spec.append(["bn", 3])  # buffers must never count
    model = worker_torch.build_layers(spec)
    expected = ref.count_parameters(model)
    every = sum(p.numel() for p in model.parameters())
    state = sum(v.numel() for v in model.state_dict().values())
    context = describe(model=repr(model).replace("\n", " "))
    got = tm.call_on_layers(impl, M, "count_parameters", spec)
    _check_count("count_parameters", got, expected, context, "",
                 {"counting frozen parameters too": every, "counting every state_dict entry (buffers too)": state})


VGG16_LAYERS = (
    [["conv", cin, cout, 3, True, 1] for cin, cout in [(3, 64), (64, 64), (64, 128), (128, 128), (128, 256),
                                                     (256, 256), (256, 256), (256, 512), (512, 512),
                                                     (512, 512), (512, 512), (512, 512), (512, 512)]]
    + [["linear", 25088, 4096, True], ["linear", 4096, 4096, True], ["linear", 4096, 1000, True]]
)


@pytest.mark.points(1)
@pytest.mark.exercise(M, "count_parameters")
@pytest.mark.hint("sum p.numel() over model.parameters(); the result must be an int")
def test_count_parameters_gives_138357544_for_vgg16s_real_layers(impl):
    got = tm.call_on_layers(impl, M, "count_parameters", VGG16_LAYERS)
    _check_count("count_parameters(VGG-16's 13 Conv2d and 3 Linear layers)", got, 138_357_544,
                 "VGG-16's layers as real nn.Conv2d / nn.Linear", "")


LENET_HINT = (N_("conv1 5x5 in_channels->6, ReLU, 2x2 max pool, conv2 5x5 6->16, ReLU, 2x2 max pool, "
              "flatten to 400, fc1 120, ReLU, fc2 84, ReLU, fc3 num_classes (no ReLU or softmax at the end)"))
lenet_args = st.tuples(st.integers(2, 12), st.integers(1, 4))


@pytest.mark.points(1)
@pytest.mark.exercise(M, "LeNet5")
@pytest.mark.hint(LENET_HINT)
@tm.no_shrink()
@given(args=lenet_args)
def test_lenet5_has_the_specified_state_dict(impl, args):
    n_classes, in_channels = args
    context = describe(model=f"LeNet5(num_classes={n_classes}, in_channels={in_channels})")
    tm.grade_keys("LeNet5", impl.lenet.LeNet5, ref.LeNet5, (), {"num_classes": n_classes, "in_channels": in_channels},
                  context)


@pytest.mark.points(3)
@pytest.mark.exercise(M, "LeNet5")
@tm.no_shrink()
@given(args=lenet_args, batch=st.integers(1, 3), train=st.booleans(), seed=seeds)
def test_lenet5_output_and_gradients_match_the_reference(impl, device, args, batch, train, seed):
    n_classes, in_channels = args
    kwargs = {"num_classes": n_classes, "in_channels": in_channels}
    context = describe(model=f"LeNet5(num_classes={n_classes}, in_channels={in_channels})",
                       x_shape=(batch, in_channels, 32, 32), seed=seed)
    tm.grade_pass("LeNet5", impl.lenet.LeNet5, ref.LeNet5, (), x_shape=(batch, in_channels, 32, 32),
                  train=train, device=device, seed=seed, context=context, hint=LENET_HINT,
                  mutants=_mutants("LeNet5"), kwargs=kwargs)
