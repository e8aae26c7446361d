"""ResNet: BasicBlock and Bottleneck against torchvision's definitions (state_dict, outputs,
gradients, batch-norm buffers; training and eval mode), and the whole ResNet-34 and ResNet-50."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograder.i18n import N_
from grading_tests import modules as tm
from grading_tests.compare import check_scalar, describe
from grading_tests.mutants import for_module
from grading_tests.references import resnet as ref
from grading_tests.strategies import seeds

M = "resnet"
# (inplanes, planes, stride): both strides, with and without a channel change.
block_configs = st.tuples(st.integers(1, 9), st.integers(1, 6), st.sampled_from([1, 2]))
spatial = st.tuples(st.integers(3, 9), st.integers(3, 9))
batches = st.integers(2, 3)  # training-mode batch norm needs more than one value per channel


def _mutants(target):
    return [m for m in for_module(M) if m.target == target]


def _block_case(name, config, size, batch, seed):
    inplanes, planes, stride = config
    if name == "BasicBlock" and stride == 1 and seed % 3 == 0:
        inplanes = planes  # the identity shortcut: no downsample at all
    if name == "Bottleneck" and stride == 1 and seed % 3 == 0:
        inplanes = planes * 4
    if name == "Bottleneck" and stride == 1 and seed % 3 == 1:
        inplanes += planes * 4  # more channels than the block returns: still a projection shortcut
    args = (inplanes, planes, stride)
    context = describe(**{name: f"{name}{args}"}, x_shape=(batch, inplanes, *size), seed=seed)
    return args, (batch, inplanes, *size), context


BLOCK_HINT = {
    "BasicBlock": N_("conv1 (3x3, stride) -> bn1 -> relu -> conv2 -> bn2, add the shortcut "
                  "(downsample(x) or x), and only then the final ReLU"),
    "Bottleneck": N_("1x1 conv1 -> bn1 -> relu -> 3x3 conv2 WITH the stride -> bn2 -> relu -> 1x1 conv3 "
                  "-> bn3, add the shortcut, then ReLU; downsample = Sequential(conv 1x1 stride, BatchNorm2d)"),
}


@pytest.mark.points(1)
@pytest.mark.exercise(M, "BasicBlock")
@pytest.mark.hint("downsample exists exactly when stride != 1 or inplanes != planes, and is "
                  "Sequential(Conv2d 1x1 with the stride and no bias, BatchNorm2d)")
@tm.no_shrink()
@given(config=block_configs, seed=seeds)
def test_basic_block_has_torchvisions_state_dict(impl, config, seed):
    args, _, context = _block_case("BasicBlock", config, (4, 4), 2, seed)
    tm.grade_keys("BasicBlock", impl.resnet.BasicBlock, ref.BasicBlock, args, {}, context)


@pytest.mark.points(1)
@pytest.mark.exercise(M, "Bottleneck")
@pytest.mark.hint("conv1 1x1, conv2 3x3, conv3 1x1 to planes*4, bn1..bn3, and downsample when "
                  "stride != 1 or inplanes != planes*4")
@tm.no_shrink()
@given(config=block_configs, seed=seeds)
def test_bottleneck_has_torchvisions_state_dict(impl, config, seed):
    args, _, context = _block_case("Bottleneck", config, (4, 4), 2, seed)
    tm.grade_keys("Bottleneck", impl.resnet.Bottleneck, ref.Bottleneck, args, {}, context)


def _block_pass(impl, name, train, device, config, size, batch, seed):
    args, x_shape, context = _block_case(name, config, size, batch, seed)
    tm.grade_pass(name, getattr(impl.resnet, name), getattr(ref, name), args, x_shape=x_shape,
                  train=train, device=device, seed=seed, context=context, hint=BLOCK_HINT[name],
                  mutants=_mutants(name))


@pytest.mark.points(2)
@pytest.mark.exercise(M, "BasicBlock")
@tm.no_shrink()
@given(config=block_configs, size=spatial, batch=batches, seed=seeds)
def test_basic_block_training_mode_matches_torchvision_with_gradients_and_running_stats(
        impl, device, config, size, batch, seed):
    _block_pass(impl, "BasicBlock", True, device, config, size, batch, seed)


@pytest.mark.points(2)
@pytest.mark.exercise(M, "BasicBlock")
@tm.no_shrink()
@given(config=block_configs, size=spatial, batch=batches, seed=seeds)
def test_basic_block_eval_mode_matches_torchvision_with_gradients(impl, device, config, size, batch, seed):
    _block_pass(impl, "BasicBlock", False, device, config, size, batch, seed)


@pytest.mark.points(2)
@pytest.mark.exercise(M, "Bottleneck")
@tm.no_shrink()
@given(config=block_configs, size=spatial, batch=batches, seed=seeds)
def test_bottleneck_training_mode_matches_torchvision_with_gradients_and_running_stats(
        impl, device, config, size, batch, seed):
    _block_pass(impl, "Bottleneck", True, device, config, size, batch, seed)


@pytest.mark.points(2)
@pytest.mark.exercise(M, "Bottleneck")
@tm.no_shrink()
@given(config=block_configs, size=spatial, batch=batches, seed=seeds)
def test_bottleneck_eval_mode_matches_torchvision_with_gradients(impl, device, config, size, batch, seed):
    _block_pass(impl, "Bottleneck", False, device, config, size, batch, seed)


# ---------------------------------------------------------------------------- whole networks

NETS = {"resnet34": (ref.resnet34, 21_797_672), "resnet50": (ref.resnet50, 25_557_032)}
NET_HINT = (N_("layer1..layer4 have 64/128/256/512 planes and first-block strides 1/2/2/2; ResNet-34 "
            "uses BasicBlock, ResNet-50 Bottleneck, both with (3, 4, 6, 3) blocks; fc takes "
            "512 * block.expansion features"))
num_classes = st.integers(2, 20)


@pytest.mark.points(1)
@pytest.mark.exercise(M, "ResNet")
@pytest.mark.hint(NET_HINT)
@tm.no_shrink(max_examples=1)
@given(n_classes=num_classes, seed=seeds)
def test_small_resnet_matches_torchvision_in_both_modes(impl, device, n_classes, seed):
    """ResNet(block, [1, 1, 1, 1]) with the student's own blocks: the class on its own, cheaply."""
    kwargs = {"layers": [1, 1, 1, 1], "num_classes": n_classes}
    bottleneck = impl.resnet.Bottleneck.get()
    context = describe(model=f"ResNet(Bottleneck, [1, 1, 1, 1], num_classes={n_classes})")
    expected = tm.describe_reference(ref.ResNet, ref.Bottleneck, **kwargs)
    got = tm.inspect_model(impl, M, "ResNet", context, bottleneck.handle, **kwargs)
    tm.check_state("ResNet(Bottleneck, ...)", got, expected, context, NET_HINT)

    basic = impl.resnet.BasicBlock.get()
    context = describe(model=f"ResNet(BasicBlock, [1, 1, 1, 1], num_classes={n_classes})",
                       x_shape=(2, 3, 40, 36), seed=seed)
    expected = tm.describe_reference(ref.ResNet, ref.BasicBlock, **kwargs)
    student = tm.build("ResNet", impl.resnet.ResNet, basic.handle, context=context, **kwargs)
    tm.check_state("ResNet(BasicBlock, ...)", student.describe(), expected, context, NET_HINT)
    student.prepare(device, seed)
    (x,) = tm.rng_arrays(seed + 1, (2, 3, 40, 36))
    for train in (False, True):
        want = tm.reference_run(ref.ResNet, (ref.BasicBlock,), kwargs, x, seed=seed, dout_seed=seed + 2,
                                train=train, device=device)
        got = student.run(x, seed + 2, train=train, device=device)
        tm.check_run(f"ResNet(BasicBlock, [1, 1, 1, 1]) in {'training' if train else 'eval'} mode",
                     got, want, context=context, hint=NET_HINT, device=device)


def _check_counts(impl, name):
    ctor, count_1000 = NETS[name]
    for n in (1000, 7, 263):
        context = describe(model=f"{name}(num_classes={n})")
        expected = tm.describe_reference(ctor, num_classes=n)
        got = tm.inspect_model(impl, M, name, context, num_classes=n)
        tm.check_state(name, got, expected, context, NET_HINT)
        want = count_1000 if n == 1000 else expected["trainable"]
        check_scalar(f"{name}(num_classes={n}): trainable parameters", got["trainable"], want,
                     context=context, hint=NET_HINT)


@pytest.mark.points(2)
@pytest.mark.exercise(M, "resnet34")
@pytest.mark.hint(NET_HINT)
def test_resnet34_has_torchvisions_keys_shapes_and_21797672_parameters(impl):
    _check_counts(impl, "resnet34")


@pytest.mark.points(2)
@pytest.mark.exercise(M, "resnet50")
@pytest.mark.hint(NET_HINT)
def test_resnet50_has_torchvisions_keys_shapes_and_25557032_parameters(impl):
    _check_counts(impl, "resnet50")


@pytest.mark.points(2)
@pytest.mark.exercise(M, "resnet34")
@pytest.mark.hint(NET_HINT)
@tm.no_shrink(max_examples=1)
@given(n_classes=num_classes, seed=seeds)
def test_resnet34_output_and_input_gradient_match_torchvision(impl, device, n_classes, seed):
    tm.grade_network(impl, M, "resnet34", ref.resnet34, n_classes, seed, device, NET_HINT)


@pytest.mark.points(2)
@pytest.mark.exercise(M, "resnet50")
@pytest.mark.hint(NET_HINT)
@tm.no_shrink(max_examples=1)
@given(n_classes=num_classes, seed=seeds)
def test_resnet50_output_and_input_gradient_match_torchvision(impl, device, n_classes, seed):
    tm.grade_network(impl, M, "resnet50", ref.resnet50, n_classes, seed, device, NET_HINT)


@pytest.mark.points(1)
@pytest.mark.exercise(M, "resnet50")
@pytest.mark.hint("adaptive average pooling to 1x1 makes any input size fit fc; flatten with "
                  "torch.flatten(x, 1), not a fixed view")
def test_resnet50_gives_one_score_per_class_for_several_input_sizes_in_both_modes(impl, device):
    tm.grade_network_shapes(impl, M, "resnet50", 11, device, NET_HINT, [(32, 32), (45, 38), (64, 71)])
