"""The engine end to end: full marks for the solutions, zero for the stubs, clear reasons for
submissions that cannot be graded, identical results on a regrade, Gradescope's format."""

from __future__ import annotations

import json

import pytest

from autograder.engine.pipeline import grade_submission
from autograder.engine.verdict import student_feedback
from autograder.formats import render
from autograder.formats.gradescope import gradescope_dict
from autograder.results import Outcome
from tests.conftest import ASSIGNMENTS, SOLUTIONS, graded_topics

OPT = (SOLUTIONS / "optimizers.py").read_text()


@pytest.mark.parametrize("topic", graded_topics())
def test_reference_solutions_get_full_marks(topic):
    result = grade_submission(SOLUTIONS, [topic], profile="ci")
    failures = [f"{p.name}: {p.feedback}" for t in result.topics for p in t.properties if not p.passed]
    assert not failures, "\n\n".join(failures)
    assert result.score == result.max_score > 0


@pytest.mark.parametrize("topic", graded_topics())
def test_generated_stubs_score_zero_with_not_implemented_feedback(topic):
    result = grade_submission(ASSIGNMENTS, [topic], profile="ci")
    props = result.topics[0].properties
    assert props and result.score == 0
    assert all(p.outcome is Outcome.NOT_IMPLEMENTED and not p.diagnosis for p in props), [
        p.feedback for p in props]


def test_missing_module_scores_zero_for_its_topic_and_says_so(make_submission):
    folder = make_submission(conv="x = 1\n")
    result = grade_submission(folder, ["optimizers"], profile="dev")
    topic = result.topics[0]
    assert topic.score == 0 and topic.max_score > 0
    assert topic.problem == "optimizers.py was not submitted"
    assert all(p.feedback == "optimizers.py was not submitted" for p in topic.properties)


def test_syntax_error_shows_the_line(make_submission):
    folder = make_submission(optimizers=OPT + "\ndef broken(:\n    pass\n")
    topic = grade_submission(folder, ["optimizers"], profile="dev").topics[0]
    assert topic.score == 0
    assert "syntax error on line" in topic.problem and "def broken(:" in topic.problem


@pytest.mark.parametrize("line", [
    "import torch",
    "from scipy import linalg",
    "import importlib\n_t = importlib.import_module('torch')",
    "_t = __import__('torch.nn')",
])
def test_numpy_module_that_uses_torch_or_scipy_scores_zero_with_the_reason(make_submission, line):
    folder = make_submission(optimizers=line + "\n" + OPT)
    topic = grade_submission(folder, ["optimizers"], profile="dev").topics[0]
    assert topic.score == 0
    assert "NumPy exercises may import NumPy and the standard library only" in topic.problem


def test_torch_reached_by_an_obfuscated_route_is_not_there(make_submission):
    sneaky = "_imp = getattr(__builtins__, '__imp' + 'ort__') if isinstance(__builtins__, dict) is False else __builtins__['__imp' + 'ort__']\n_t = _imp('to' + 'rch')\n"
    folder = make_submission(optimizers=sneaky + OPT)
    topic = grade_submission(folder, ["optimizers"], profile="dev").topics[0]
    assert topic.score == 0 and "torch" in topic.problem


def test_helper_module_importing_torch_is_caught(make_submission):
    folder = make_submission(optimizers="from helpers import *\n" + OPT, helpers="import torch\n")
    topic = grade_submission(folder, ["optimizers"], profile="dev").topics[0]
    assert topic.score == 0 and "through helpers.py" in topic.problem


def test_import_error_is_reported_with_the_students_traceback(make_submission):
    folder = make_submission(optimizers=OPT + "\nraise RuntimeError('boom at import')\n")
    topic = grade_submission(folder, ["optimizers"], profile="dev").topics[0]
    assert topic.score == 0 and "RuntimeError: boom at import" in topic.problem


BUGGY = OPT.replace("v_hat = new_v[dkey] / (1 - beta1**t)", "v_hat = new_v[dkey]").replace(
    "s_hat = new_s[dkey] / (1 - beta2**t)", "s_hat = new_s[dkey]")


def test_a_misconception_loses_points_only_on_its_function_and_is_named(make_submission):
    folder = make_submission(optimizers=BUGGY)
    result = grade_submission(folder, ["optimizers"], profile="ci")
    failed = [p for p in result.topics[0].properties if not p.passed]
    assert {p.function for p in failed} == {"update_parameters_with_adam"}
    (adam,) = [p for p in failed if "matches torch" in p.name]
    assert adam.diagnosis == "Adam without bias correction"
    assert "expected" in adam.feedback and "got" in adam.feedback
    # The shrunk example once, in the exercise's words (not Hypothesis' test-argument names)
    assert adam.feedback.count("for input:") == 1 and "gradient_magnitude=" in adam.feedback
    assert "Failing test case" not in adam.feedback and "Smallest failing" not in adam.feedback
    assert "Hint:" in adam.feedback


HYPOTHESIS_NOTE = ("Failing test case: test_adam_matches_torch_adam(\n    impl=impl,\n"
                   "    device='cpu',\n    magnitude=1e-06,\n    n=1,\n)")


def test_a_failure_naming_its_input_does_not_repeat_hypothesis_example():
    exc = AssertionError("W1: expected 0.12, got 0.13\n  for input: gradient_magnitude=5.2e-07")
    exc.add_note(HYPOTHESIS_NOTE)
    text = student_feedback(exc).text
    assert text.count("5.2e-07") == 1 and "magnitude=1e-06" not in text
    assert "Failing test case" not in text and "Smallest failing" not in text


def test_a_failure_without_its_input_shows_the_drawn_values_without_the_tests_name():
    exc = AssertionError("W1 differs from the reference")
    exc.add_note(HYPOTHESIS_NOTE)
    text = student_feedback(exc).text
    assert text == ("W1 differs from the reference\nSmallest failing input Hypothesis found:\n"
                    "    magnitude=1e-06\n    n=1")


def test_regrading_gives_identical_results(make_submission):
    folder = make_submission(optimizers=BUGGY.replace("return float(learning_rate0 * decay_rate**epoch)",
                                                      "print('decaying'); return learning_rate0 * decay_rate ** (epoch + 1)"))
    first = grade_submission(folder, ["optimizers"], profile="ci").to_dict()
    second = grade_submission(folder, ["optimizers"], profile="ci").to_dict()
    assert first == second
    assert "decaying" in first["output"]


def test_wrong_return_types_fail_with_a_clear_message(make_submission):
    wrong = OPT.replace(
        "    return {dkey: np.zeros_like(parameters[key], dtype=np.float64)\n            for key, dkey in _layer_keys(parameters)}",
        "    return {dkey: np.matrix(np.zeros(parameters[key].shape)) for key, dkey in _layer_keys(parameters)}",
    ).replace("    return initialize_momentum(parameters)\n", "    return {k: v.tolist() for k, v in initialize_momentum(parameters).items()}\n", 1)
    folder = make_submission(optimizers=wrong)
    props = {p.function: p for p in grade_submission(folder, ["optimizers"], profile="dev").topics[0].properties}
    assert "ndarray subclass numpy.matrix" in props["initialize_momentum"].feedback
    assert "returned list, expected an np.ndarray" in props["initialize_rmsprop"].feedback


def test_nan_is_reported_as_nan(make_submission):
    folder = make_submission(optimizers=OPT.replace(
        "(np.sqrt(s_hat) + epsilon)", "(np.sqrt(s_hat) * 0.0) * 0.0"))
    props = grade_submission(folder, ["optimizers"], profile="dev", functions={"update_parameters_with_adam"}).topics[0].properties
    assert any("contains NaN" in p.feedback or "inf" in p.feedback for p in props if not p.passed)


def test_patching_numpy_in_the_worker_does_not_fool_the_comparison(make_submission):
    patched = OPT.replace("new_v[dkey] = beta1 * v[dkey] + (1 - beta1) * g", "new_v[dkey] = 2 * g") + (
        "\nnp.allclose = lambda *a, **k: True\nnp.isclose = lambda a, b, **k: np.ones(np.shape(a), bool)\n"
        "np.array_equal = lambda *a, **k: True\nprint('ALL TESTS PASSED')\n")
    folder = make_submission(optimizers=patched)
    result = grade_submission(folder, ["optimizers"], profile="dev", functions={"update_parameters_with_adam"})
    assert not all(p.passed for p in result.topics[0].properties)


def test_gradescope_results_have_the_required_fields(make_submission):
    folder = make_submission(optimizers=BUGGY)
    result = grade_submission(folder, ["optimizers"], profile="dev")
    data = json.loads(render(result, "gradescope"))
    assert data["score"] == result.score and data["max_score"] == result.max_score
    for test in data["tests"]:
        assert set(test) >= {"name", "score", "max_score", "status", "output", "tags"}
        assert test["tags"][0] == "optimizers" and len(test["tags"]) == 2
        assert test["status"] in ("passed", "failed")
    assert ["optimizers", "update_parameters_with_adam"] in [t["tags"] for t in data["tests"]]
    assert gradescope_dict(result) == data


def test_text_report_shows_totals_and_feedback(make_submission):
    folder = make_submission(optimizers=BUGGY)
    text = render(grade_submission(folder, ["optimizers"], profile="dev"), "text")
    assert "TOTAL:" in text and "Feedback on failing properties" in text
    assert "Adam without bias correction" in text


def test_unknown_topic_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown topic"):
        grade_submission(SOLUTIONS, "optimisers")


def test_cuda_variants_are_collected_and_skip_without_a_gpu():
    import subprocess
    import sys

    from autograder.engine.pipeline import cuda_available
    from autograder.engine.properties import INI

    if cuda_available():
        pytest.skip("a GPU is present: the cuda variants run instead of skipping")
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "grading_tests/test_optimizers.py", "-c", str(INI), "-k", "cuda",
         "-q", "-rs", "-p", "no:cacheprovider"],
        capture_output=True, text=True, timeout=300, cwd=str(SOLUTIONS.parent), check=False,
    ).stdout
    assert "[cuda]" in out or "skipped" in out
    assert "no CUDA device" in out and " passed" not in out


def test_asking_for_cuda_without_a_gpu_is_a_clear_error():
    from autograder.engine.pipeline import cuda_available

    if cuda_available():
        pytest.skip("a GPU is present")
    with pytest.raises(ValueError, match="no CUDA device"):
        grade_submission(SOLUTIONS, ["optimizers"], device="cuda")



def test_without_shrinking_a_failing_example_runs_once_and_reads_the_same(make_submission, monkeypatch):
    """The "mutation" profile shrinks nothing: a failure ends its property at once instead of
    Hypothesis running the whole failing example again to report it; the verdict is the same."""
    import autograder.engine.pipeline as engine
    from autograder.engine.submission import Submission

    calls: list[str] = []
    request = Submission.request

    def counted(self, module, message, timeout=None):
        if message.get("op") == "call":
            calls.append(str(message.get("path")))
        return request(self, module, message, timeout)

    monkeypatch.setattr(Submission, "request", counted)
    folder = make_submission(optimizers=OPT.replace("return float(learning_rate0 * decay_rate**epoch)",
                                                    "return float(learning_rate0 * decay_rate**(epoch + 1))"))
    seen = {}
    for at_once in (False, True, True):
        monkeypatch.setattr(engine, "NO_SHRINK_PROFILES", ("mutation",) if at_once else ())
        calls.clear()
        result = grade_submission(folder, ["optimizers"], profile="mutation", functions={"exponential_decay"})
        failed = [p for p in result.topics[0].properties if not p.passed]
        assert len(failed) == 1 and failed[0].outcome is Outcome.FAILED, [p.feedback for p in failed]
        assert "exponential_decay: expected" in failed[0].feedback and "for input:" in failed[0].feedback
        if at_once in seen:  # graded again: the same calls, the same failing example
            assert seen[at_once] == (len(calls), failed[0].feedback, failed[0].diagnosis, result.score)
        seen[at_once] = (len(calls), failed[0].feedback, failed[0].diagnosis, result.score)
    assert seen[False][0] > 0
    assert seen[True][0] < seen[False][0], seen
    # The score and the diagnosis are the same; the example shown may be another failing one
    # (Hypothesis, replaying, reports the simplest of those it found; at once, the first).
    assert seen[True][2:] == seen[False][2:]


def test_each_grading_runs_its_own_profile_whatever_this_process_graded_before(monkeypatch):
    """Hypothesis binds a test's settings at import: a grading after one with another profile
    must still run its own profile's examples (properties.forget_test_modules)."""
    from autograder.engine.submission import Submission

    calls: list[int] = []
    request = Submission.request

    def counted(self, module, message, timeout=None):
        if message.get("op") == "call":
            calls.append(1)
        return request(self, module, message, timeout)

    monkeypatch.setattr(Submission, "request", counted)
    seen = []
    for profile in ("dev", "ci", "dev"):  # 4 and 12 examples of one call each
        calls.clear()
        result = grade_submission(SOLUTIONS, ["optimizers"], profile=profile, functions={"exponential_decay"})
        assert result.score == result.max_score > 0
        seen.append(len(calls))
    assert seen == [4, 12, 4], seen


def test_feature_vis_that_restores_the_models_mode_after_eval_gets_full_marks(make_submission):
    """The contract: activation_maximization and saliency_map call model.eval() first. What they
    leave behind is theirs to choose: a function that puts the model back in its mode passes;
    one whose forward passes run in training mode loses the eval-mode points."""
    source = (SOLUTIONS / "feature_vis.py").read_text()
    first = "    model.eval()  # batch norm with its running statistics, no dropout\n"
    assert source.count(first) == 2
    restoring = source.replace(first, "    was_training = model.training\n" + first)
    restoring = restoring.replace("    return x\n", "    model.train(was_training)\n    return x\n", 1)
    restoring = restoring.replace("    return g.abs().amax(dim=1)\n",
                                  "    out = g.abs().amax(dim=1)\n    model.train(was_training)\n    return out\n", 1)
    assert restoring.count("model.train(was_training)") == 2
    result = grade_submission(make_submission(feature_vis=restoring), ["feature_vis"], profile="ci")
    assert result.score == result.max_score, [p.feedback for t in result.topics for p in t.properties if not p.passed]
    training = source.replace(first, "    model.train()\n")
    result = grade_submission(make_submission(feature_vis=training), ["feature_vis"], profile="ci",
                              functions={"activation_maximization", "saliency_map"})
    failed = {p.name for t in result.topics for p in t.properties if not p.passed}
    assert {n for n in failed if "eval mode" in n} == {"activation maximization runs the model in eval mode",
                                                      "saliency map runs the model in eval mode"}, failed
