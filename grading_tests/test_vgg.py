"""VGG-16 and AlexNet against torchvision's definitions: state_dict keys and shapes, parameter
counts, eval-mode outputs and input gradients with seeded weights, output shapes for several sizes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograder.i18n import N_, _
from grading_tests import modules as tm
from grading_tests.compare import check_scalar, describe
from grading_tests.references import vgg as ref
from grading_tests.strategies import seeds

M = "vgg"
NETS = {"vgg16": (ref.vgg16, 138_357_544), "alexnet": (ref.alexnet, 61_100_840)}
HINTS = {
    "vgg16": N_("features: Conv 3x3 pad 1 + ReLU per number of the configuration, MaxPool 2x2/2 per 'M' "
             "(convolutions at indices 0, 2, 5, 7, 10, 12, 14, 17, ...); avgpool: AdaptiveAvgPool2d((7, 7)); "
             "classifier: Linear(25088, 4096), ReLU, Dropout, Linear(4096, 4096), ReLU, Dropout, "
             "Linear(4096, num_classes)"),
    "alexnet": N_("features: Conv 11x11/4 pad 2 (64), ReLU, MaxPool 3/2, Conv 5x5 pad 2 (192), ReLU, MaxPool 3/2, "
               "Conv 3x3 pad 1 (384), ReLU, Conv 3x3 pad 1 (256), ReLU, Conv 3x3 pad 1 (256), ReLU, MaxPool 3/2; "
               "avgpool: AdaptiveAvgPool2d((6, 6)); classifier: Dropout, Linear(9216, 4096), ReLU, Dropout, "
               "Linear(4096, 4096), ReLU, Linear(4096, num_classes)"),
}


def _check_counts(impl, name):
    ctor, count_1000 = NETS[name]
    for n in (1000, 3, 517):
        context = describe(model=f"{name}(num_classes={n})")
        expected = tm.describe_reference(ctor, num_classes=n)
        got = tm.inspect_model(impl, M, name, context, num_classes=n)
        tm.check_state(name, got, expected, context, HINTS[name])
        want = count_1000 if n == 1000 else expected["trainable"]
        check_scalar(_("{name}(num_classes={n}): trainable parameters").format(name=name, n=n), got["trainable"], want,
                     context=context, hint=HINTS[name])


@pytest.mark.points(2)
@pytest.mark.exercise(M, "vgg16")
def test_vgg16_has_torchvisions_keys_shapes_and_138357544_parameters(impl):
    _check_counts(impl, "vgg16")


@pytest.mark.points(2)
@pytest.mark.exercise(M, "alexnet")
def test_alexnet_has_torchvisions_keys_shapes_and_61100840_parameters(impl):
    _check_counts(impl, "alexnet")


@pytest.mark.points(2)
@pytest.mark.exercise(M, "vgg16")
@tm.no_shrink(max_examples=1)
@given(n_classes=st.integers(2, 20), seed=seeds)
def test_vgg16_output_and_input_gradient_match_torchvision(impl, device, n_classes, seed):
    # 64x48: the features end at 2x1, so the adaptive pooling has real work to do.
    tm.grade_network(impl, M, "vgg16", ref.vgg16, n_classes, seed, device, HINTS["vgg16"], x_shape=(2, 3, 64, 48))


@pytest.mark.points(2)
@pytest.mark.exercise(M, "alexnet")
@tm.no_shrink(max_examples=1)
@given(n_classes=st.integers(2, 20), seed=seeds)
def test_alexnet_output_and_input_gradient_match_torchvision(impl, device, n_classes, seed):
    tm.grade_network(impl, M, "alexnet", ref.alexnet, n_classes, seed, device, HINTS["alexnet"],
                     x_shape=(2, 3, 95, 127))


@pytest.mark.points(1)
@pytest.mark.exercise(M, "vgg16")
@pytest.mark.hint("the adaptive average pooling to 7x7 makes any input of at least 32x32 fit the classifier")
def test_vgg16_gives_one_score_per_class_for_several_input_sizes_in_both_modes(impl, device):
    tm.grade_network_shapes(impl, M, "vgg16", 6, device, HINTS["vgg16"], [(32, 32), (40, 57), (64, 64)])


@pytest.mark.points(1)
@pytest.mark.exercise(M, "alexnet")
@pytest.mark.hint("the adaptive average pooling to 6x6 makes any input of at least 63x63 fit the classifier")
def test_alexnet_gives_one_score_per_class_for_several_input_sizes_in_both_modes(impl, device):
    tm.grade_network_shapes(impl, M, "alexnet", 6, device, HINTS["alexnet"], [(63, 63), (64, 80), (100, 71)])
