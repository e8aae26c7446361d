"""Each class of failure the properties now diagnose carries its diagnosis: a misconception's
graded failure records the kind of mistake its message states (compare.STATED_MISTAKES), the
misconception a computed output names, or shows a generic relation ("looks like:").

One grading per misconception (profile "mutation", only its function's properties); each row
names the property that fails and what its record must say. Without the diagnosis the row's
record has an empty diagnosis and no relation line, and the row fails.
"""

from __future__ import annotations

import pytest

from grading_tests import compare
from grading_tests.mutants import for_module

RELATION = "\n  looks like: "

# (module, mutant, words of the failing property's name, expected diagnosis or a relation's words)
ROWS = [
    ("initialization", "zeros_transposed", "zero initialization", ("relation", "expected shape transposed")),
    ("initialization", "zeros_flat_bias", "zero initialization", ("relation", "without its axes of length 1")),
    ("initialization", "zeros_missing_layer", "zero initialization", ("mistake", compare.DICT_KEYS)),
    ("optimizers", "batches_drop_last", "partition the examples", ("relation", "without the last, smaller one")),
    ("optimizers", "batches_two_permutations", "partition the examples", ("mistake", compare.UNPAIRED)),
    ("optimizers", "batches_naive_shuffle", "every ordering", ("mistake", compare.NOT_UNIFORM)),
    ("optimizers", "batches_unshuffled", "rng argument", ("mistake", compare.NOT_UNIFORM)),
    ("tuning", "log_mixed_bases", "within low and high", ("named", None)),
    ("tuning", "log_exponent_not_logged", "within low and high", ("named", None)),
    ("tuning", "log_returns_exponent", "within low and high", ("named", None)),
    ("tuning", "log_always_array", "within low and high", ("mistake", compare.WRONG_TYPE)),
    ("tuning", "log_global_rng", "draws from its rng", ("mistake", compare.RNG_IGNORED)),
    ("tuning", "log_fixed_seed", "draws from its rng", ("mistake", compare.FIXED_SEED)),
    ("tuning", "configs_int_as_float", "valid value", ("mistake", compare.WRONG_TYPE)),
    ("tuning", "configs_unknown_kind_unnamed", "unknown kind", ("mistake", compare.UNNAMED_ARGUMENT)),
    ("augmentation", "crop_global_random", "rng argument", ("mistake", compare.RNG_IGNORED)),
    ("augmentation", "crop_corner_swapped", "valid corner", ("mistake", compare.OUT_OF_RANGE)),
    ("augmentation", "crop_misses_last_corner", "every corner", ("mistake", compare.NOT_UNIFORM)),
    ("visualization", "plot_default_cmap", "own grey axes", ("mistake", compare.MPL_DEFAULT)),
    ("visualization", "plot_with_ticks", "no ticks", ("mistake", compare.MPL_DEFAULT)),
    ("visualization", "plot_no_titles", "titles each map", ("mistake", compare.MPL_DEFAULT)),
    ("visualization", "plot_reversed", "own grey axes", ("relation", "the expected picture of map")),
    ("visualization", "plot_returns_nothing", "own grey axes", ("mistake", compare.NO_RETURN)),
    ("visualization", "plot_calls_show", "without showing it", ("mistake", compare.PYPLOT_SHOW)),
    ("visualization", "plot_leaves_a_figure_open", "leaving others open", ("mistake", compare.FIGURE_LEFT_OPEN)),
    ("visualization", "plot_empty_second_row", "own grey axes", ("mistake", compare.EMPTY_AXES)),
    ("conv", "zero_pad_swapped", "zero pad", ("named", None)),
    ("conv", "conv_forward_one_padding", "conv forward", ("named", None)),
    ("conv", "conv_backward_minus_pad_slice", "conv backward", ("named", None)),
    ("pooling", "pool_forward_square_kernel", "pool forward", ("named", None)),
    ("deep_gradients", "backward_db_flat", "deep backward", ("relation", "without its axes of length 1")),
    ("deep_gradients", "norms_with_biases", "gradient norms", ("named", None)),
    ("feature_vis", "ascent_in_place", "x0 unchanged", ("mistake", compare.IN_PLACE)),
    ("feature_vis", "ascent_leaves_parameter_grads", "without gradients", ("mistake", compare.PARAMETER_GRADS)),
    ("feature_vis", "saliency_train_mode", "eval mode", ("mistake", compare.TRAINING_MODE)),
    ("inception", "GoogLeNetNoDropout", "eval and training mode", ("relation", "no dropout in training mode")),
    ("inception", "GoogLeNetDropoutHalf", "eval and training mode", ("relation", "a dropout probability of 0.5")),
    ("inception", "GoogLeNetFixedClasses", "one score per class", ("mistake", compare.DEFAULT_KEPT)),
    ("vgg", "vgg16_fixed_classes", "one score per class", ("mistake", compare.DEFAULT_KEPT)),
]


def _mutant(module: str, name: str):
    found = [m for m in for_module(module) if m.name == name]
    assert found, f"no mutant {module}.{name}"
    return found[0]


@pytest.mark.parametrize("module,name,prop,want", ROWS, ids=[f"{r[0]}-{r[1]}" for r in ROWS])
def test_a_misconceptions_failure_carries_its_diagnosis(mutant_gradings, module, name, prop, want):
    mutant = _mutant(module, name)
    # The grading test_mutants judges too (every property of the function, profile "mutation").
    result = mutant_gradings.grade(module, mutant)
    failed = [p for p in result.topics[0].properties if not p.passed and prop in p.name]
    assert failed, f"{name}: no failed property with {prop!r} in its name"
    record = failed[0]
    kind, what = want
    if kind == "mistake":
        assert record.diagnosis == what, record.feedback
    elif kind == "named":
        assert record.diagnosis == mutant.description, record.feedback
    else:
        assert RELATION in record.feedback and what in record.feedback, record.feedback
