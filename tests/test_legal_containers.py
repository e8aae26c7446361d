"""Legal variants of a return value: a named tuple is a tuple, an OrderedDict a dict, a list
subclass a list. The worker hands over their items; a correct solution that returns one
keeps its points."""

from __future__ import annotations

from autograder.engine.pipeline import grade_submission
from tests.conftest import SOLUTIONS

NAMEDTUPLE_RF = '''

from collections import namedtuple as _namedtuple

_ReceptiveField = _namedtuple("ReceptiveField", "size jump start")
_Region = _namedtuple("Region", "first last")
_plain_rf, _plain_region = receptive_field, receptive_field_region


def receptive_field(layers):
    return _ReceptiveField(*_plain_rf(layers))


def receptive_field_region(layers, index):
    return _Region(*_plain_region(layers, index))
'''

ORDERED_DICTS = '''

from collections import OrderedDict as _OrderedDict
_plain_zeros = initialize_parameters_zeros


def initialize_parameters_zeros(layers_dims):
    return _OrderedDict(_plain_zeros(layers_dims))
'''


def test_a_named_tuple_return_keeps_full_marks(make_submission):
    source = (SOLUTIONS / "receptive_field.py").read_text() + NAMEDTUPLE_RF
    result = grade_submission(make_submission(receptive_field=source), ["receptive_field"],
                              profile="dev", device="cpu")
    failed = [(p.name, p.feedback) for t in result.topics for p in t.properties if not p.passed]
    assert failed == [] and result.score == result.max_score > 0


def test_an_ordered_dict_return_keeps_full_marks(make_submission):
    source = (SOLUTIONS / "initialization.py").read_text() + ORDERED_DICTS
    result = grade_submission(make_submission(initialization=source), ["initialization"],
                              profile="dev", device="cpu",
                              functions={"initialize_parameters_zeros"})
    assert result.score == result.max_score > 0


TWO_BUGS = '''

def exponential_decay(learning_rate0, epoch, decay_rate):
    if epoch % 2:
        raise ValueError("odd epochs are not supported")
    return float(learning_rate0 * decay_rate ** epoch) + 1.0
'''


def test_a_property_with_two_distinct_failures_reports_one_of_them_not_a_grading_error(
        make_submission):
    source = (SOLUTIONS / "optimizers.py").read_text() + TWO_BUGS
    result = grade_submission(make_submission(optimizers=source), ["optimizers"], profile="ci",
                              device="cpu", functions={"exponential_decay"})
    (prop,) = [p for t in result.topics for p in t.properties]
    assert not prop.passed
    assert "grading error" not in prop.feedback and "ExceptionGroup" not in prop.feedback
    assert "odd epochs" in prop.feedback or "expected" in prop.feedback
