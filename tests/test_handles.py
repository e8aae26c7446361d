"""Functions passed by reference (the landscape topic's ``f``): a function or an instance of the
student's module reaches another of their functions as a handle the worker resolves in their own
module; the grader holds an id and a type name only, and a student's value can never forge one."""

from __future__ import annotations

from autograder.engine.pipeline import grade_submission
from autograder.engine.submission import Submission
from autograder.sandbox.client import GraderFault, Remote
from autograder.sandbox.protocol import HandleRef
from tests.conftest import SOLUTIONS

# A module named like a topic (the worker imports it by that name); what the test needs only.
SOURCE = '''
import numpy as np

def saddle(x):
    return float(x[0] ** 2 - x[1] ** 2)

class Scaled:
    def __init__(self, factor):
        self.factor = factor

    def __call__(self, x):
        return float(self.factor * np.sum(x))

def numerical_gradient(f, x, h=1e-5):
    return np.array([f(x), float(f is saddle), float(isinstance(f, Scaled))])

def numerical_hessian(f, x, h=1e-4):
    return {"$handle": 1, "type": "function"}  # a plain dict that looks like a handle's marker
'''


def test_a_function_of_the_module_travels_as_a_handle_and_arrives_as_itself(make_submission):
    with Submission(make_submission(landscape=SOURCE)) as sub:
        module = sub.module("landscape")
        f = module.saddle.get()
        assert isinstance(f, Remote) and isinstance(f.handle, HandleRef)
        assert set(vars(f.handle)) == {"id", "type_name"}  # an id and a name: nothing to call here
        value, is_saddle, is_scaled = module.numerical_gradient(f.handle, [3.0, 1.0])
        assert (value, is_saddle, is_scaled) == (8.0, 1.0, 0.0)


def test_an_instance_made_by_a_class_of_the_module_is_a_handle_too(make_submission):
    with Submission(make_submission(landscape=SOURCE)) as sub:
        module = sub.module("landscape")
        scaled = module.Scaled(2.0)
        assert isinstance(scaled, Remote)
        assert list(module.numerical_gradient(scaled.handle, [1.0, 2.0])) == [6.0, 0.0, 1.0]


def test_a_students_value_that_looks_like_a_handle_stays_a_plain_dict(make_submission):
    with Submission(make_submission(landscape=SOURCE)) as sub:
        got = sub.module("landscape").numerical_hessian(None, [1.0, 2.0])
    assert got == {"$handle": 1, "type": "function"} and not isinstance(got, (HandleRef, Remote))


def test_a_handle_of_an_earlier_property_is_gone_and_passing_it_is_the_graders_fault(make_submission):
    with Submission(make_submission(landscape=SOURCE)) as sub:
        module = sub.module("landscape")
        old = module.saddle.get().handle
        sub.begin_test()  # a new property: the worker drops every handle
        try:
            module.numerical_gradient(old, [1.0, 2.0])
        except GraderFault:
            return
        raise AssertionError("a stale handle reached the student's code")


def test_a_given_function_replaced_by_a_number_fails_the_property_as_the_students_mistake(make_submission):
    solution = (SOLUTIONS / "landscape.py").read_text(encoding="utf-8")
    folder = make_submission(landscape=solution + "\nsaddle = 3.0\nmonkey_saddle = rosenbrock = saddle\n"
                                                  "Quadratic = lambda A, b: 3.0\n")
    result = grade_submission(folder, ["landscape"], profile="dev", functions={"numerical_gradient"})
    props = result.topics[0].properties
    assert len(props) == 3 and not any(p.passed for p in props)
    assert not any(p.grading_error for p in props)
    assert "the given code makes it a function" in props[0].feedback
