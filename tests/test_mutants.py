"""Every misconception in grading_tests/mutants is caught by a property of its own function."""

from __future__ import annotations

import ast

import pytest

from grading_tests.mutants import Mutant, for_module
from tests.conftest import GRADING_TESTS, graded_topics
from tests.mutant_gradings import mutated_source
from tests.test_diagnoses import ROWS

__all__ = ["mutated_source"]  # imported from here by other tests


def all_mutants() -> list[tuple[str, Mutant]]:
    found = []
    for module in graded_topics():
        if (GRADING_TESTS / "mutants" / f"{module}.py").exists():
            found += [(module, m) for m in for_module(module)]
    return found


MUTANTS = all_mutants()


def test_every_graded_topic_has_mutants():
    missing = [t for t in graded_topics() if not (GRADING_TESTS / "mutants" / f"{t}.py").exists()]
    assert not missing, f"topics without mutants: {missing}"


# Graded in full for test_diagnoses too (same ids): that grading is shared, graded once.
DIAGNOSED = {(module, name) for module, name, _, _ in ROWS}


@pytest.mark.parametrize("module,mutant", MUTANTS, ids=[f"{m}-{x.name}" for m, x in MUTANTS])
def test_mutant_loses_points_on_its_function_and_only_for_its_mistake(mutant_gradings, module, mutant):
    """One grading per mutant: every property of its function when the mutant says which of
    them are about its mistake (``ABOUT_ITS_MISTAKE``) or test_diagnoses judges it, else up to
    the first failure."""
    focused = (module, mutant.name) in FOCUSED_SET
    full = focused or (module, mutant.name) in DIAGNOSED
    result = mutant_gradings.grade(module, mutant, exitfirst=not full)
    props = result.topics[0].properties
    assert props, f"no property grades {mutant.target}"
    assert not result.topics[0].problem, result.topics[0].problem
    failed = [p for p in props if not p.passed]
    assert failed, f"{mutant.description!r} ({mutant.name}) passes every property of {mutant.target}"
    assert all(p.function == mutant.target for p in props)
    _assert_failed_for_its_own_code(mutant, failed)
    if focused:
        allowed = ABOUT_ITS_MISTAKE[module][mutant.name]
        wrong = [p.name for p in failed if not any(a in p.name for a in allowed)]
        assert wrong == [], f"{mutant.description!r} also loses points on {wrong}"


def _assert_failed_for_its_own_code(mutant: Mutant, failed) -> None:
    """A student's mistake is never shown as the grader's (issue 15), and a mutant fails by its
    mistake, not because its pasted source names something the solution does not define."""
    errors = [p.name for p in failed if p.grading_error or "grading error" in p.feedback.lower()]
    assert errors == [], f"{mutant.name}: a grading error shown for the student's own code in {errors}"
    broken = [p.name for p in failed if "NameError" in p.feedback]
    assert broken == [], f"{mutant.name} does not run beside the solution (NameError) in {broken}"


# One mistake, one penalty: a mutant may fail only the properties about its mistake (their
# names, as the feedback shows them). Functions graded by a single property need no entry.
VALUES = "matches torch"
UNCHANGED = "returns new dicts and leaves its arguments unchanged"
ABOUT_ITS_MISTAKE = {
    "optimizers": {
        "adam_no_bias_correction": {VALUES}, "adam_epsilon_inside_sqrt": {VALUES},
        "adam_t_off_by_one": {VALUES}, "adam_in_place": {UNCHANGED},
        "momentum_from_g": {VALUES}, "momentum_swapped_beta": {VALUES},
        "momentum_steps_with_gradient": {VALUES},
        "rmsprop_epsilon_inside_sqrt": {VALUES}, "rmsprop_no_sqrt": {VALUES},
        "batches_drop_last": {"partition the examples"},
        "batches_two_permutations": {"partition the examples"},
        "batches_unshuffled": {"come from the rng argument", "every ordering"},
        "batches_global_rng": {"come from the rng argument"},
        "batches_naive_shuffle": {"every ordering"},
    },
    "initialization": {
        **dict.fromkeys(["he_fan_out", "he_one_over_n", "he_no_sqrt", "he_uniform"], {"normal with variance"}),
        "he_random_bias": {"zero biases"}, "he_global_rng": {"rng argument"},
        **dict.fromkeys(["xavier_lecun", "xavier_half", "xavier_uniform"], {"normal with variance"}),
        "xavier_fixed_seed": {"rng argument"}, "xavier_ones_bias": {"zero biases"},
        **dict.fromkeys(["standardize_test_statistics", "standardize_unbiased", "standardize_eps_outside",
                         "standardize_wrong_axis"], {"uses training statistics"}),
        "standardize_in_place": {"leaves its arguments unchanged"},
    },
    "regularization": {
        **dict.fromkeys(["backward_half_lambda", "backward_bias_decay", "backward_lambda_not_over_m",
                         "backward_relu_of_gradient", "dropout_back_new_mask", "dropout_back_no_scaling",
                         "dropout_back_no_mask"], {"matches autograd"}),
        **dict.fromkeys(["dropout_net_no_scaling", "dropout_net_drops_output"], {"fed the same masks"}),
        **dict.fromkeys(["dropout_net_greater", "dropout_net_shared_mask"], {"independently at rate"}),
        "dropout_net_global_rng": {"rng argument"},
        "dropout_forward_no_check": {"rejects keep prob"}, "dropout_forward_greater": {"independently at rate"},
        "dropout_forward_no_scaling": {"scales the kept entries"},
        "dropout_forward_in_place": {"leaves its argument unchanged"},
        "dropout_forward_global_rng": {"from the rng argument"},
    },
    "batchnorm": {
        # Statistics over the wrong axes, or epsilon in the wrong place, are wrong in every mode
        # that computes with them.
        "bn_unbiased_normalisation": {"training forward matches"},
        "bn_biased_running_var": {"running statistics follow"},
        "bn_eps_outside": {"training forward matches", "eval forward"},
        "bn_momentum_swapped": {"running statistics follow"},
        "bn_eval_uses_batch": {"eval forward"},
        "bn_batch_axis_only": {"training forward matches", "running statistics follow"},
        "bn_running_in_place": {"leaves its arguments unchanged"},
    },
    "early_stopping": {
        **dict.fromkeys(["EarlyStoppingLessOrEqual", "EarlyStoppingNoReset", "EarlyStoppingOneLate",
                         "EarlyStoppingOneEarly", "EarlyStoppingNoMinDelta", "EarlyStoppingOneBasedEpoch",
                         "EarlyStoppingBestWithinDelta"], {"agrees with the rule"}),
        "EarlyStoppingNoCheck": {"rejects a patience"},
    },
    "conv": {
        **dict.fromkeys(["conv_course_exit", "conv_accepts_even"], {"raises value error"}),
        **dict.fromkeys(["conv_first_channel", "conv_transposed_filter"], {"matches torch conv2d"}),
    },
    "pooling": {
        **dict.fromkeys(["pool_forward_stride_one", "pool_forward_always_max", "pool_forward_square_kernel"],
                        {"matches torch max and avg"}),
        "pool_forward_any_mode": {"rejects an unknown mode"},
        **dict.fromkeys(["pool_backward_avg_no_scale", "pool_backward_overwrite"], {"matches autograd"}),
        "pool_backward_all_ties": {"tie to the first maximum"},
        # Spread over the whole window, a max's gradient reaches every tied maximum too.
        "pool_backward_max_as_avg": {"matches autograd", "tie to the first maximum"},
    },
    "receptive_field": dict.fromkeys(["rf_no_dilation", "rf_jump_too_early", "rf_start_without_padding",
                                      "rf_no_jump_in_size"], {"matches the gradient probe"}),
    "visualization": {
        "plot_default_cmap": {"own grey axes"}, "plot_with_ticks": {"no ticks"},
        "plot_transposed": {"own grey axes"}, "plot_reversed": {"own grey axes"},
        "plot_no_titles": {"titles each map"}, "plot_fixed_clim": {"own grey axes"},
        # No figure: nothing to judge, and nothing returned is what the last property is about.
        "plot_returns_nothing": {"own grey axes", "no ticks", "titles each map", "returns its figure"},
        "plot_calls_show": {"without showing it"}, "plot_leaves_a_figure_open": {"leaving others open"},
        "plot_empty_second_row": {"own grey axes"},
    },
    "augmentation": {
        "crop_misses_last_corner": {"every corner equally often"}, "crop_global_random": {"rng argument"},
        "crop_corner_swapped": {"at a valid corner"}, "crop_past_the_edge": {"at a valid corner"},
    },
    # A model of the wrong shape cannot run the reference's weights: its outputs are not judged.
    "lenet": {
        **dict.fromkeys(["count_all_parameters", "count_state_dict"], {"counts trainable parameters"}),
        **dict.fromkeys(["LeNet5AvgPool", "LeNet5ReluOnScores", "LeNet5ChannelsLastFlatten"],
                        {"output and gradients"}),
        "LeNet5OneChannel": {"state dict", "output and gradients"},
    },
    "inception": {
        **dict.fromkeys(["InceptionThreeForFive", "InceptionOneForFive", "DSCNoGroups", "DSCAlwaysBias"],
                        {"state dict", "output and gradients"}),
        **dict.fromkeys(["InceptionWrongOrder", "InceptionNoReduceRelu", "InceptionAvgPool", "DSCReluBetween"],
                        {"output and gradients"}),
        # A pooling that does not fit small inputs breaks 32x32 as well as the values' sizes.
        **dict.fromkeys(["GoogLeNetNoCeilMode", "GoogLeNetMaxPool4ThreeByThree", "GoogLeNetFixedAvgPool"],
                        {"eval and training mode", "one score per class"}),
        **dict.fromkeys(["GoogLeNetNoReluAfterConv2", "GoogLeNetDropoutHalf", "GoogLeNetNoDropout",
                         "GoogLeNetDropoutInEval", "GoogLeNetSoftmax"], {"eval and training mode"}),
        "GoogLeNetBatchNorm": {"keys shapes", "eval and training mode"},
        "GoogLeNetFixedClasses": {"keys shapes", "eval and training mode", "one score per class"},
    },
    # A block's forward is the same computation in both modes: a wrong one is wrong in both.
    "resnet": {
        **dict.fromkeys(["BasicBlockReluBeforeAdd", "BasicBlockWrongShortcut",
                         "BottleneckStrideOnConv1", "BottleneckMissingMiddleRelu"], {"training mode", "eval mode"}),
        # No downsample where the channels change: its keys are missing, and the forward is wrong.
        "BasicBlockDownsampleOnlyOnStride": {"state dict", "training mode", "eval mode"},
        "BasicBlockNoDownsampleBN": {"state dict", "training mode", "eval mode"},
        "resnet34_layer2_no_stride": {"output and input gradient"},
        **dict.fromkeys(["resnet34_with_bottleneck", "resnet50_with_basic_blocks"],
                        {"keys shapes", "output and input gradient"}),
        "resnet34_without_return": {"keys shapes", "output and input gradient"},
    },
    "densenet": {
        "DenseLayerReturnsCat": {"returns only the new features"},
        "DenseLayerPostActivation": {"state dict", "returns only the new features"},
        **dict.fromkeys(["DenseBlockNewFirst", "DenseBlockDropsInput"], {"training mode", "eval mode"}),
        **dict.fromkeys(["TransitionMaxPool", "TransitionReluFirst"], {"matches torchvision"}),
        **dict.fromkeys(["densenet121_no_norm5", "densenet121_no_halving"], {"keys shapes", "output and input gradient"}),
        # No model: nothing to judge in any property.
        "densenet121_without_return": {"keys shapes", "output and input gradient", "one score per class"},
    },
    "vgg": {
        # num_classes ignored: the classifier's shape, the scores and their number are all wrong.
        **dict.fromkeys(["vgg16_fixed_classes", "alexnet_fixed_classes"],
                        {"keys shapes", "output and input gradient", "one score per class"}),
        "vgg16_no_classifier_relu": {"output and input gradient"},
        # The output property's input needs the adaptive pooling (its features do not end at 6x6).
        "alexnet_no_adaptive_pool": {"output and input gradient", "one score per class"},
        "alexnet_stride2": {"output and input gradient"},
        "alexnet_without_return": {"keys shapes", "output and input gradient", "one score per class"},
    },
    "deep_gradients": {
        **dict.fromkeys(["forward_always_sigmoid", "forward_output_hidden_activation",
                         "forward_activation_before_output_sigmoid", "forward_no_hidden_bias",
                         "forward_tanh_from_sigmoid"], {"output matches torch"}),
        "forward_no_check": {"rejects an unknown activation"},
        "forward_caches_in_parameters": {"leaves its arguments unchanged"},
        **dict.fromkeys(["backward_summed_cost", "backward_db_flat", "backward_relu_of_gradient",
                         "backward_tanh_of_z", "backward_sigmoid_of_z", "backward_always_sigmoid_derivative",
                         "backward_output_sigmoid_twice"], {"matches autograd"}),
        "backward_no_check": {"rejects an unknown activation"},
        "backward_changes_al": {"leaves its arguments unchanged"},
    },
    "tuning": {
        "log_linear_scale": {"uniform in log10"},
        # A sample on the wrong scale falls outside [low, high] as well.
        **dict.fromkeys(["log_mixed_bases", "log_exponent_not_logged", "log_returns_exponent"],
                        {"within low and high", "uniform in log10"}),
        **dict.fromkeys(["log_checks_only_low", "log_no_check"], {"rejects a range"}),
        "log_always_array": {"float or an array of shape size"},
        **dict.fromkeys(["log_global_rng", "log_fixed_seed"], {"rng argument"}),
        **dict.fromkeys(["configs_int_excludes_high", "configs_int_rounded", "configs_choice_misses_last"],
                        {"every int from low to high"}),
        "configs_int_as_float": {"valid value for every name"},
        "configs_log_linear": {"log and uniform kinds"},
        "configs_shared_draw": {"names independently"},
        # n copies of one configuration: no kind has its distribution.
        "configs_repeated": {"log and uniform kinds", "every int from low to high"},
        **dict.fromkeys(["configs_unknown_kind_skipped", "configs_unknown_kind_unnamed"], {"rejects an unknown kind"}),
        "configs_global_rng": {"rng argument"},
    },
    "landscape": {
        **dict.fromkeys(["gradient_forward", "gradient_over_h", "gradient_all_coordinates"],
                        {"matches torch autograd"}),
        "gradient_in_place": {"matches torch autograd", "leaves x unchanged"},
        "gradient_fixed_step": {"for other steps"},
        **dict.fromkeys(["hessian_two_h_squared", "hessian_h_squared", "hessian_diagonal_quarter"],
                        {"matches torch hessian"}),
        "hessian_upper_triangle": {"matches torch hessian", "is symmetric"},
        # A point left moved changes every later entry: the values and their symmetry too.
        "hessian_in_place": {"matches torch hessian", "is symmetric", "leaves x unchanged"},
        **dict.fromkeys(["classify_against_zero", "classify_no_degenerate", "classify_zero_as_negative"],
                        {"within tol as zero"}),
        **dict.fromkeys(["classify_diagonal", "classify_unsorted", "classify_fixed_tol"],
                        {"matches torch eigvalsh", "within tol as zero"}),
        "classify_no_check": {"rejects an H"},
    },
    "feature_vis": {
        # A wrong shape, or a wrong scale for every filter, fails both properties of the images.
        **dict.fromkeys(["filters_global_minmax", "filters_channels_first", "filters_transposed_kernel"],
                        {"scales each filter", "constant filter"}),
        "filters_per_channel": {"scales each filter"}, "filters_nan_for_constant": {"constant filter"},
        **dict.fromkeys(["ascent_plain_gradient", "ascent_descends", "ascent_norm_per_example"], {"step for step"}),
        "ascent_without_eval": {"step for step", "eval mode"},
        "ascent_leaves_parameter_grads": {"without gradients"}, "ascent_in_place": {"x0 unchanged"},
        **dict.fromkeys(["saliency_without_abs", "saliency_sum_over_channels", "saliency_all_scores",
                         "saliency_of_softmax"], {"matches the reference"}),
        "saliency_train_mode": {"matches the reference", "eval mode"},
        "saliency_leaves_parameter_grads": {"without gradients"},
    },
}


def properties_of(module: str) -> dict[str, list[str]]:
    """Each graded function's properties, named as the feedback names them, from the test file."""
    tree = ast.parse((GRADING_TESTS / f"test_{module}.py").read_text(encoding="utf-8"))
    found: dict[str, list[str]] = {}
    for node in tree.body:
        if not (isinstance(node, ast.FunctionDef) and node.name.startswith("test_")):
            continue
        for mark in node.decorator_list:
            if isinstance(mark, ast.Call) and ast.unparse(mark.func) == "pytest.mark.exercise":
                target = mark.args[1]
                assert isinstance(target, ast.Constant), f"{module}: {node.name}'s exercise is not a literal"
                found.setdefault(target.value, []).append(node.name.removeprefix("test_").replace("_", " "))
    return found


PROPERTIES = {module: properties_of(module) for module in {module for module, _ in MUTANTS}}


def _allowed_everywhere(module: str, mutant: Mutant) -> bool:
    """The mutant may fail every property of its function: the test above says all there is."""
    allowed = ABOUT_ITS_MISTAKE[module][mutant.name]
    return all(any(a in name for a in allowed) for name in PROPERTIES[module].get(mutant.target, []))


FOCUSED = [(module, m) for module, m in MUTANTS
           if m.name in ABOUT_ITS_MISTAKE.get(module, {}) and not _allowed_everywhere(module, m)]
FOCUSED_SET = {(module, m.name) for module, m in FOCUSED}


def test_every_mutant_says_what_it_is_about():
    """Every mutant of a function graded by several properties names the properties it may fail,
    each by a part of its name."""
    assert set(ABOUT_ITS_MISTAKE) <= set(PROPERTIES), "a listed module is gone"
    for module, properties in sorted(PROPERTIES.items()):
        names = ABOUT_ITS_MISTAKE.get(module, {})
        mutants = {m.name: m for m in for_module(module)}
        several = {f for f, props in properties.items() if len(props) > 1}
        unlisted = [name for name, m in mutants.items() if m.target in several and name not in names]
        assert unlisted == [], f"say which properties these {module} mutants may fail: {unlisted}"
        assert set(names) <= set(mutants), f"a listed {module} mutant is gone"
        for name, allowed in names.items():
            own = properties.get(mutants[name].target, [])
            stale = [a for a in allowed if not any(a in prop for prop in own)]
            assert stale == [], f"{module}.{name}: no property of {mutants[name].target} is named {stale}"
