"""DenseNet: DenseLayer, DenseBlock and Transition against torchvision's definitions (state_dict,
outputs, gradients, batch-norm buffers; training and eval mode), and the whole DenseNet-121."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograder.i18n import N_, _
from grading_tests import modules as tm
from grading_tests.compare import check_scalar, describe
from grading_tests.mutants import for_module
from grading_tests.references import densenet as ref
from grading_tests.strategies import seeds

M = "densenet"
HINTS = {
    "DenseLayer": N_("norm1 -> relu1 -> conv1 (1x1 to bn_size*growth_rate) -> norm2 -> relu2 -> conv2 (3x3 pad 1 "
                  "to growth_rate); return only the new growth_rate channels"),
    "DenseBlock": N_("layer i gets cat([x, new_1, ..., new_{i-1}], 1); return cat([x, new_1, ..., new_N], 1) "
                  "with x first; children named denselayer1..denselayerN"),
    "Transition": N_("norm -> relu -> conv 1x1 -> pool = AvgPool2d(kernel_size=2, stride=2)"),
}
spatial = st.tuples(st.integers(2, 7), st.integers(2, 7))
batches = st.integers(2, 3)


def _mutants(target):
    return [m for m in for_module(M) if m.target == target]


@st.composite
def configs(draw, name):
    channels = draw(st.integers(1, 7))
    if name == "DenseLayer":  # (num_input_features, growth_rate, bn_size)
        return (channels, draw(st.integers(1, 5)), draw(st.integers(1, 4)))
    if name == "DenseBlock":  # (num_layers, num_input_features, bn_size, growth_rate)
        return (draw(st.integers(1, 3)), channels, draw(st.integers(1, 3)), draw(st.integers(1, 4)))
    return (channels, draw(st.integers(1, 6)))  # Transition


def _case(name, args, size, batch, seed):
    channels = args[1] if name == "DenseBlock" else args[0]
    if name == "Transition":
        size = (2 * size[0] + seed % 2, 2 * size[1])  # odd sizes too: the pooling floors
    x_shape = (batch, channels, *size)
    return x_shape, describe(**{name: f"{name}{args}"}, x_shape=x_shape, seed=seed)


def _keys(impl, name, args, seed):
    _unused, context = _case(name, args, (3, 3), 2, seed)
    tm.grade_keys(name, getattr(impl.densenet, name), getattr(ref, name), args, {}, context, HINTS[name])


def _pass(impl, name, args, train, device, size, batch, seed):
    x_shape, context = _case(name, args, size, batch, seed)
    tm.grade_pass(name, getattr(impl.densenet, name), getattr(ref, name), args, x_shape=x_shape, train=train,
                  device=device, seed=seed, context=context, hint=HINTS[name], mutants=_mutants(name))


@pytest.mark.points(1)
@pytest.mark.exercise(M, "DenseLayer")
@tm.no_shrink()
@given(args=configs("DenseLayer"), seed=seeds)
def test_dense_layer_has_torchvisions_state_dict(impl, args, seed):
    _keys(impl, "DenseLayer", args, seed)


@pytest.mark.points(2)
@pytest.mark.exercise(M, "DenseLayer")
@tm.no_shrink()
@given(args=configs("DenseLayer"), train=st.booleans(), size=spatial, batch=batches, seed=seeds)
def test_dense_layer_returns_only_the_new_features_like_torchvision(impl, device, args, train, size, batch, seed):
    _pass(impl, "DenseLayer", args, train, device, size, batch, seed)


@pytest.mark.points(1)
@pytest.mark.exercise(M, "DenseBlock")
@tm.no_shrink()
@given(args=configs("DenseBlock"), seed=seeds)
def test_dense_block_has_torchvisions_state_dict(impl, args, seed):
    _keys(impl, "DenseBlock", args, seed)


@pytest.mark.points(2)
@pytest.mark.exercise(M, "DenseBlock")
@tm.no_shrink()
@given(args=configs("DenseBlock"), size=spatial, batch=batches, seed=seeds)
def test_dense_block_training_mode_matches_torchvision_with_gradients_and_running_stats(
        impl, device, args, size, batch, seed):
    _pass(impl, "DenseBlock", args, True, device, size, batch, seed)


@pytest.mark.points(1)
@pytest.mark.exercise(M, "DenseBlock")
@tm.no_shrink()
@given(args=configs("DenseBlock"), size=spatial, batch=batches, seed=seeds)
def test_dense_block_eval_mode_matches_torchvision_with_gradients(impl, device, args, size, batch, seed):
    _pass(impl, "DenseBlock", args, False, device, size, batch, seed)


@pytest.mark.points(1)
@pytest.mark.exercise(M, "Transition")
@tm.no_shrink()
@given(args=configs("Transition"), seed=seeds)
def test_transition_has_torchvisions_state_dict(impl, args, seed):
    _keys(impl, "Transition", args, seed)


@pytest.mark.points(2)
@pytest.mark.exercise(M, "Transition")
@tm.no_shrink()
@given(args=configs("Transition"), train=st.booleans(), size=spatial, batch=batches, seed=seeds)
def test_transition_matches_torchvision_with_gradients_and_running_stats(impl, device, args, train, size, batch, seed):
    _pass(impl, "Transition", args, train, device, size, batch, seed)


# ---------------------------------------------------------------------------- whole networks

NET_HINT = (N_("features: conv0, norm0, relu0, pool0, then denseblockK and (between blocks) transitionK that "
            "halves the channels (num_features // 2), then norm5; forward: features -> ReLU -> adaptive "
            "average pooling to 1x1 -> flatten -> classifier"))


@pytest.mark.points(2)
@pytest.mark.exercise(M, "DenseNet")
@pytest.mark.hint(NET_HINT)
@tm.no_shrink(max_examples=2)
@given(growth=st.integers(2, 5), blocks=st.lists(st.integers(1, 3), min_size=2, max_size=3),
       init=st.integers(3, 9), bn_size=st.integers(1, 3), n_classes=st.integers(2, 9), seed=seeds)
def test_small_densenet_matches_torchvision_in_both_modes(impl, device, growth, blocks, init, bn_size,
                                                          n_classes, seed):
    kwargs = {"growth_rate": growth, "block_config": tuple(blocks), "num_init_features": init,
              "bn_size": bn_size, "num_classes": n_classes}
    context = describe(model="DenseNet(" + ", ".join(f"{k}={v}" for k, v in kwargs.items()) + ")",
                       x_shape=(2, 3, 36, 40), seed=seed)
    student, _unused = tm.grade_keys("DenseNet", impl.densenet.DenseNet, ref.DenseNet, (), kwargs, context, NET_HINT)
    student.prepare(device, seed)
    (x,) = tm.rng_arrays(seed + 1, (2, 3, 36, 40))
    for train in (False, True):
        want = tm.reference_run(ref.DenseNet, (), kwargs, x, seed=seed, dout_seed=seed + 2, train=train,
                                device=device)
        got = student.run(x, seed + 2, train=train, device=device)
        tm.check_run(_("DenseNet in {value} mode").format(value='training' if train else 'eval'), got, want, context=context,
                     hint=NET_HINT, device=device)


@pytest.mark.points(2)
@pytest.mark.exercise(M, "densenet121")
@pytest.mark.hint(NET_HINT)
def test_densenet121_has_torchvisions_keys_shapes_and_7978856_parameters(impl):
    for n in (1000, 5, 333):
        context = describe(model=f"densenet121(num_classes={n})")
        expected = tm.describe_reference(ref.densenet121, num_classes=n)
        got = tm.inspect_model(impl, M, "densenet121", context, num_classes=n)
        tm.check_state("densenet121", got, expected, context, NET_HINT)
        want = 7_978_856 if n == 1000 else expected["trainable"]
        check_scalar(_("densenet121(num_classes={n}): trainable parameters").format(n=n), got["trainable"], want,
                     context=context, hint=NET_HINT)


@pytest.mark.points(2)
@pytest.mark.exercise(M, "densenet121")
@pytest.mark.hint(NET_HINT)
@tm.no_shrink(max_examples=1)
@given(n_classes=st.integers(2, 20), seed=seeds)
def test_densenet121_output_and_input_gradient_match_torchvision(impl, device, n_classes, seed):
    tm.grade_network(impl, M, "densenet121", ref.densenet121, n_classes, seed, device, NET_HINT)


@pytest.mark.points(1)
@pytest.mark.exercise(M, "densenet121")
@pytest.mark.hint("adaptive average pooling to 1x1 makes any input size fit the classifier")
def test_densenet121_gives_one_score_per_class_for_several_input_sizes_in_both_modes(impl, device):
    tm.grade_network_shapes(impl, M, "densenet121", 13, device, NET_HINT, [(32, 32), (47, 33), (64, 64)])
