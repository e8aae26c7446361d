"""The release's behavioural leak check: a shipped function that scores on the hidden tests as an
exercise fails the release with its name, however differently it is written; the course's own
helpers score nothing."""

from __future__ import annotations

import ast
import json
import math
import subprocess
import sys

import pytest

from autograder.authoring.answer_leaks import Arity, answer_leaks, arity_of, exercises, is_stub, scratch_code
from tests.conftest import SOLUTIONS

# The helpers as they were shipped before: He initialization and mini-batches, written so that
# no line equals a solution line (the line-based check passed them).
OLD_HELPERS = '''\
# ruff: noqa
import numpy as np


def he_parameters(layer_sizes, rng=None):
    """Gaussian weights scaled by sqrt(2 / fan_in), zero biases."""
    rng = np.random.default_rng() if rng is None else rng
    weights = {}
    for depth in range(1, len(layer_sizes)):
        fan_in, fan_out = layer_sizes[depth - 1], layer_sizes[depth]
        weights["W%d" % depth] = rng.normal(0.0, (2.0 / fan_in) ** 0.5, size=(fan_out, fan_in))
        weights["b%d" % depth] = np.zeros((fan_out, 1))
    return weights


def batches(X, Y, size=64, rng=None):
    rng = np.random.default_rng() if rng is None else rng
    order = rng.permutation(X.shape[1])
    return [(X[:, order[i:i + size]], Y[:, order[i:i + size]]) for i in range(0, X.shape[1], size)]


def keep(X, Y, size=64, rng=None):
    """Returns its input untouched: passes only what doing nothing passes."""
    return X
'''


def parse(code: str) -> ast.stmt:
    return ast.parse(code).body[0]


def test_a_candidate_fits_when_the_exercises_full_call_binds():
    he = Arity(1, 2)  # initialize_parameters_he(layer_dims, rng=None)
    assert arity_of(parse("def f(layer_sizes, rng): pass")).fits(he)
    assert arity_of(parse("def f(*args): pass")).fits(he)
    assert not arity_of(parse("def f(layer_sizes): pass")).fits(he)
    assert not arity_of(parse("def f(a, b, c): pass")).fits(he)
    assert arity_of(parse("def f(a, *, key): pass")) is None  # required keyword-only: never called so
    assert arity_of(parse("class C:\n    def __init__(self, a, b=1): pass")) == Arity(1, 2)
    assert arity_of(parse("@dataclass\nclass C:\n    a: int\n    b: int = 0")) == Arity(1, 2)
    assert arity_of(parse("class E(ValueError): pass")) == Arity(0, math.inf)


def test_stubs_are_not_candidates_and_given_code_is():
    assert is_stub(parse('def f(x):\n    """Doc."""\n    # YOUR CODE HERE\n    raise NotImplementedError'))
    assert not is_stub(parse("def f(x):\n    return x"))


def test_exercises_come_from_the_grading_markers_with_the_solutions_signatures():
    found = {e.name: e for e in exercises(SOLUTIONS, ["initialization", "lenet"])}
    assert found["initialize_parameters_he"].arity == Arity(1, 2)
    assert found["LeNet5"].builds_model and not found["count_parameters"].builds_model


def test_scratch_code_imports_like_the_bundle_and_reads_notebook_definitions(tmp_path):
    (tmp_path / "public_checks").mkdir()
    (tmp_path / "public_checks" / "__init__.py").write_text("from ._common import twice\n")
    (tmp_path / "public_checks" / "_common.py").write_text("def twice(x):\n    return 2 * x\n")
    (tmp_path / "nb").mkdir()
    (tmp_path / "nb" / "public_checks").mkdir()  # the same package beside a notebook: one module
    for name in ("__init__.py", "_common.py"):
        (tmp_path / "nb" / "public_checks" / name).write_text((tmp_path / "public_checks" / name).read_text())
    cells = [{"cell_type": "code", "metadata": {}, "source": "%matplotlib inline\nfrom public_checks import twice\n"
              "def four(x):\n    return twice(twice(x))\nprint(four(1))"}]
    (tmp_path / "nb" / "work.ipynb").write_text(json.dumps({"cells": cells}))
    code = scratch_code(tmp_path)
    names = {s.name: s for s in code.shipped}
    assert set(names) == {"twice", "four"}
    assert sorted(names["twice"].origins) == ["nb/public_checks/_common.py", "public_checks/_common.py"]
    scratch = tmp_path / "scratch"  # the modules as a submission folder holds them
    scratch.mkdir()
    for module, text in code.modules.items():
        (scratch / f"{module}.py").write_text(text)
    proc = subprocess.run([sys.executable, "-c", f"from {names['four'].module} import four; print(four(3))"],
                          cwd=scratch, capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "12", proc.stderr


@pytest.mark.slow
def test_helpers_that_hand_out_an_answer_fail_with_their_names(tmp_path):
    (tmp_path / "course").mkdir()
    (tmp_path / "course" / "helpers.py").write_text(OLD_HELPERS, encoding="utf-8")
    findings = answer_leaks(tmp_path, SOLUTIONS, ["initialization", "optimizers"], jobs=2)  # rounds in parallel
    text = "\n".join(map(str, findings))
    assert "course/helpers.py: he_parameters scores" in text and "as initialization.initialize_parameters_he" in text
    assert "course/helpers.py: batches scores" in text and "as optimizers.random_mini_batches" in text
    assert "keep" not in text  # what doing nothing scores (arguments left unchanged) is no answer
    assert all(not f.problem for f in findings), text


@pytest.mark.slow
def test_a_candidate_that_cannot_be_graded_fails_the_check_instead_of_passing_it(tmp_path):
    (tmp_path / "helpers.py").write_text("import missing_module\n\ndef zeros(layer_dims):\n    return {}\n")
    findings = answer_leaks(tmp_path, SOLUTIONS, ["initialization"])
    assert findings and all(f.problem for f in findings), findings
    assert "missing_module" in str(findings[0])
