"""A failing property's feedback ends with code that reproduces the failure in a fresh Python."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from autograder.engine import reproduce
from autograder.engine.pipeline import grade_submission
from autograder.formats import render
from autograder.results import (
    MAX_TOPIC_REPRODUCE,
    REPRODUCE_INTRO,
    REPRODUCE_LEFT_OUT,
    PropertyResult,
    SubmissionResult,
    TopicResult,
)
from autograder.sandbox.client import CallLog, Remote
from grading_tests.mutants import for_module
from tests.conftest import ASSIGNMENTS, GRADING_TESTS, SOLUTIONS
from tests.test_mutants import mutated_source


def run_snippet(code: str, folder: Path) -> subprocess.CompletedProcess[str]:
    """``code`` in a fresh interpreter, in ``folder``, with nothing of the grader importable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    return subprocess.run([sys.executable, "-E", "-s", "-c", code], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=120)


def hidden_lines(module: str) -> set[str]:
    """Lines of hidden code (grading tests, references, mutants, the solution but for what its
    public stub repeats) long enough to be telling."""
    files = [GRADING_TESTS / f"test_{module}.py", GRADING_TESTS / "references" / f"{module}.py",
             GRADING_TESTS / "mutants" / f"{module}.py", GRADING_TESTS / "compare.py",
             GRADING_TESTS / "strategies.py", SOLUTIONS / f"{module}.py"]
    public = set((ASSIGNMENTS / f"{module}.py").read_text(encoding="utf-8").splitlines())
    lines = set()
    for path in files:
        if path.exists():
            lines |= {line.strip() for line in path.read_text(encoding="utf-8").splitlines()
                      if len(line.strip()) >= 25 and line not in public}
    return lines


# (module, mutant, how the faulty call shows against a correct module on the same inputs)
CASES = [
    ("optimizers", "momentum_from_g", "output"),
    ("optimizers", "adam_in_place", "unchanged"),
    ("regularization", "backward_half_lambda", "output"),
    ("regularization", "dropout_forward_no_check", "raises"),
    ("conv", "conv_backward_db_mean", "output"),
    ("early_stopping", "EarlyStoppingNoReset", "output"),
]


@pytest.mark.parametrize("module,name,shows", CASES, ids=[f"{m}-{n}" for m, n, _ in CASES])
def test_the_snippet_reproduces_the_failure_in_a_fresh_interpreter(tmp_path, module, name, shows):
    (mutant,) = [m for m in for_module(module) if m.name == name]
    faulty, correct = tmp_path / "faulty", tmp_path / "correct"
    faulty.mkdir()
    correct.mkdir()
    (faulty / f"{module}.py").write_text(mutated_source(module, mutant), encoding="utf-8")
    shutil.copy(SOLUTIONS / f"{module}.py", correct / f"{module}.py")
    result = grade_submission(faulty, [module], profile="ci", functions={mutant.target})
    failed = [p for p in result.topics[0].properties if not p.passed]
    assert failed and all(p.reproduce for p in failed), [p.name for p in failed if not p.reproduce]
    hidden = hidden_lines(module)
    for prop in failed:
        code = prop.reproduce
        assert code.count("\n") <= reproduce.MAX_LINES
        assert f"from {module} import " in code
        assert "torch" not in code  # a NumPy topic
        assert not [line for line in hidden if line in code]
        assert "autograder" not in code and "grading_tests" not in code and "impl." not in code
        first = prop.feedback.splitlines()[0]
        assert first.split(":")[0] in code  # the failing check, as the feedback says it
        bad, good = run_snippet(code, faulty), run_snippet(code, correct)
        if shows == "raises":  # the faulty call returns where the contract asks for an error
            assert bad.returncode == 0, bad.stderr
            assert good.returncode != 0 and "ValueError" in good.stderr, good.stderr
            continue
        assert bad.returncode == 0 and good.returncode == 0, bad.stderr + good.stderr
        if shows == "unchanged":
            assert "unchanged: False" in bad.stdout, bad.stdout
            assert "unchanged: False" not in good.stdout and "unchanged: True" in good.stdout
        else:
            assert bad.stdout.strip() and bad.stdout != good.stdout, (bad.stdout, good.stdout)


def test_regrading_writes_the_same_snippet(tmp_path):
    (mutant,) = [m for m in for_module("conv") if m.name == "conv_backward_db_mean"]
    (tmp_path / "conv.py").write_text(mutated_source("conv", mutant), encoding="utf-8")
    first, second = (grade_submission(tmp_path, ["conv"], profile="ci", functions={"conv_backward"})
                     for _ in range(2))
    snippets = [[p.reproduce for p in r.topics[0].properties] for r in (first, second)]
    assert snippets[0] == snippets[1] and any(snippets[0])


# ---------------------------------------------------------------------------- literals, exactly

PROBE = '''
import hashlib

import numpy as np


def probe(x, *rest, rng=None, **named):
    parts = [x, *rest, *named.items()]
    def digest(v):
        if isinstance(v, np.ndarray):
            return [v.dtype.str, v.shape, hashlib.sha256(v.tobytes()).hexdigest()]
        if isinstance(v, dict):
            return {repr(k): digest(w) for k, w in v.items()}
        if isinstance(v, (list, tuple)):
            return [type(v).__name__, [digest(w) for w in v]]
        return [type(v).__name__, repr(v)]
    return [digest(p) for p in parts] + [rng.random() if rng is not None else None]
'''


class FakeSession:
    def __init__(self, results):
        self.results = list(results)

    def call(self, root, path, args, kwargs, return_args=False):
        return self.results.pop(0)

    def get(self, root, path):
        return self.results.pop(0)


def probe_snippet(*args, kind="numpy", **kwargs):
    from autograder.sandbox import client

    log = CallLog()
    saved, client.CALLS = client.CALLS, log
    try:
        Remote(FakeSession([None]), "probe", "probe")(*args, **kwargs)
    finally:
        client.CALLS = saved
    return reproduce.snippet(log.records, module="probe", kind=kind, check="probe: wrong",
                             source=PROBE)


def test_values_are_written_so_that_they_rebuild_exactly(tmp_path):
    rng = np.random.default_rng(7)
    big = rng.standard_normal((3, 5, 7))  # over MAX_LITERAL numbers: embedded as bytes
    odd = np.array([[0.1 + 0.2, np.nan], [np.inf, -0.0]])
    values = dict(
        x=big,
        rest=(odd, np.arange(6, dtype=np.int32).reshape(2, 3), np.array([True, False]),
              np.float64(1 / 3), 0.1 + 0.2, float("nan"), 7, None, "max", (1, 2),
              {"W1": rng.standard_normal((2, 3)), "b1": np.zeros((2, 1))}, np.zeros((0, 3)),
              np.array(2.5)),
        named={"keep_prob": 0.7},
    )
    gen = np.random.default_rng(11)
    gen.random(3)  # a generator part-way through its stream
    code = probe_snippet(values["x"], *values["rest"], rng=gen, **values["named"])
    assert code and "base64" in code and code.count("\n") <= reproduce.MAX_LINES
    (tmp_path / "probe.py").write_text(PROBE, encoding="utf-8")
    out = run_snippet(code.replace("print(result)", "import json; print(json.dumps(result))"),
                      tmp_path)
    assert out.returncode == 0, out.stderr
    again = np.random.default_rng(11)
    again.random(3)
    namespace: dict = {}
    exec(PROBE, namespace)  # the same probe, on the grader's own values
    want = namespace["probe"](values["x"], *values["rest"], rng=again, **values["named"])
    assert json.loads(out.stdout) == json.loads(json.dumps(want))


def test_the_generator_is_recorded_as_it_was_sent_not_as_it_is_later():
    gen = np.random.default_rng(3)
    code = probe_snippet(np.zeros(2), rng=gen)
    gen.random(10)
    assert str(np.random.default_rng(3).bit_generator.state["state"]["state"]) in code


def test_inputs_too_large_to_write_say_so_instead():
    code = probe_snippet(np.random.default_rng(0).standard_normal(5000))
    assert code == reproduce.too_large("probe")
    assert code.startswith("#") and "smallest failing input" in code


def test_no_snippet_for_what_cannot_be_written_or_a_torch_call_that_did_not_fail():
    assert probe_snippet({1, 2}) == ""  # not a value the protocol sends as data
    assert probe_snippet(np.zeros(2), kind="torch") == ""
    assert reproduce.snippet([], module="probe", kind="numpy", check="x") == ""


def test_parameter_names_come_from_the_students_own_source():
    code = probe_snippet(np.zeros(3), np.ones(2))
    assert "\nx = np.array([0.0, 0.0, 0.0]" in code and "\narg2 = np.array([1.0, 1.0]" in code
    assert "result = probe(x, arg2)" in code


# ---------------------------------------------------------------------------- records and formats


def failing(reproduce_code: str, name: str = "matches the reference") -> PropertyResult:
    return PropertyResult("conv", "conv_forward", name, "n", 1.0, 0.0, "failed",
                          "out: values differ\n  for input: x shape (1, 1, 2, 2)", "cpu", "",
                          reproduce_code)


CODE = "import numpy as np\nfrom conv import conv_forward\nresult = conv_forward(1)\nprint(result)\n"


def test_the_snippet_survives_the_json_round_trip_and_formats_show_it_last():
    sub = SubmissionResult("s", [TopicResult("conv", "Convolution", [failing(CODE)])])
    back = SubmissionResult.from_dict(json.loads(json.dumps(sub.to_dict())))
    assert back.topics[0].properties[0].reproduce == CODE
    text = render(back, "text")
    assert f"  {REPRODUCE_INTRO}\n{CODE}" in text  # unindented: pasted as it stands
    assert text.index("for input:") < text.index(REPRODUCE_INTRO)
    for fmt in ("gradescope", "junit"):
        shown = render(back, fmt)
        assert "result = conv_forward(1)" in shown and REPRODUCE_INTRO in shown
    props = json.loads(render(back, "gradescope"))["tests"]
    assert props[0]["output"].rstrip("`\n").endswith("print(result)")


def test_a_topic_leaves_out_whole_snippets_when_they_are_too_many():
    long = CODE + "# " + "x" * 5000 + "\n"
    topic = TopicResult("conv", "Convolution", [failing(long, f"p{i}") for i in range(6)])
    kept = [p.reproduce for p in topic.properties]
    assert sum(len(k) for k in kept) <= MAX_TOPIC_REPRODUCE
    assert all(k in (long, REPRODUCE_LEFT_OUT) for k in kept) and long in kept
    assert failing("# " + "y" * 10_000).reproduce == REPRODUCE_LEFT_OUT


def test_an_nbgrader_grade_cell_ends_with_the_code_that_reproduces_its_failure():
    from autograder.nbgrader_grade import FEEDBACK_LIMIT, feedback_for
    from autograder.results import PropertyResult, TopicResult

    def prop(name: str, passed: bool, reproduce: str = "", feedback: str = "wrong") -> PropertyResult:
        return PropertyResult("optimizers", "f", name, name, 2, 2 if passed else 0,
                              "passed" if passed else "failed", "" if passed else feedback, reproduce=reproduce)

    snippet = "import numpy as np\nfrom optimizers import f\nprint(f(np.array([1.0])))"
    topic = TopicResult("optimizers", "Optimizers", [prop("a", True), prop("b", False, snippet)])
    text = feedback_for("f", topic, 2, 4)
    assert "      wrong" in text and text.rstrip().endswith(snippet)
    assert "\nfrom optimizers import f\n" in text  # unindented: it pastes as it is
    # Feedback that fills the cell cuts the feedback, never a snippet: left out whole, with a note.
    flood = TopicResult("optimizers", "Optimizers",
                        [prop("c", False, snippet, "x" * 3 * FEEDBACK_LIMIT)] +
                        [prop(f"d{i}", False, snippet + "\n" + "#" * 3000) for i in range(5)])
    text = feedback_for("f", flood, 0, 12)
    assert "(feedback cut)" in text and "run `autograder grade` on your module" in text
    assert all(part.endswith("#" * 3000) or "import numpy" not in part
               for part in text.split("\n\n# d")[1:-1])
