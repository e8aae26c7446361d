"""The hidden tests speak the grading's language: a misconception (a mutant pasted into the
solution, as tests/test_mutants.py builds it) graded with ``autograder grade --lang zh`` reads
its property's title, hint, compare.py's labels and its diagnosis in Chinese, with no English
label of compare.py left; ``--lang en`` reads as before. The record's diagnosis stays the
mutant's English description (a machine field: the class report and scripts match it)."""

from __future__ import annotations

import re

import pytest

from autograder import i18n
from autograder.i18n import _, language
from grading_tests.mutants import for_module
from tests.mutant_gradings import mutated_source

MODULE = "optimizers"
MUTANT = "adam_no_bias_correction"
PROPERTY = "test_adam_matches_torch_adam_over_consecutive_steps"
CJK = re.compile("[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
# compare.py's labels, as an English grading writes them.
ENGLISH_LABELS = ("values differ from the reference", "largest difference at index", "\n    expected ",
                  "\n    got      ", "for input:", "diagnosis: this is exactly what", "looks like:",
                  "hint:", "Hint:", "# Reproduce this failure", "# The property fails on this call")


def _mutant():
    return next(m for m in for_module(MODULE) if m.name == MUTANT)


def _hint() -> str:
    from grading_tests import test_optimizers

    marks = getattr(test_optimizers, PROPERTY).pytestmark
    return next(str(m.args[0]) for m in marks if m.name == "hint")


def _grade(capsys, folder, lang: str) -> str:
    from autograder.cli import main

    assert main(["grade", str(folder), "--topics", MODULE, "--functions", _mutant().target,
                 "--profile", "dev", "--device", "cpu", "--lang", lang]) == 0
    return capsys.readouterr().out


@pytest.fixture
def faulty(make_submission):
    return make_submission(**{MODULE: mutated_source(MODULE, _mutant())})


@pytest.mark.slow
def test_a_misconception_graded_in_chinese_reads_chinese_and_in_english_as_before(capsys, faulty):
    mutant = _mutant()
    title = PROPERTY.removeprefix("test_").replace("_", " ")
    with language("zh"):
        zh_title, zh_hint, zh_diagnosis = _(title), _(_hint()), _(mutant.description)
    assert CJK.search(zh_title) and CJK.search(zh_hint) and CJK.search(zh_diagnosis)

    try:
        chinese = _grade(capsys, faulty, "zh")  # the CLI sets the process's language
        english = _grade(capsys, faulty, "en")
    finally:
        i18n.set_language(None)
    for words in (zh_title, "提示：" + zh_hint, "与参考实现不同", "最大差异在索引", "期望值 ", "实际值 ",
                  "输入：", f"诊断：这正是“{zh_diagnosis}”会得到的结果", "# 复现这个失败"):
        assert words in chinese, (words, chinese[-4000:])
    left = [label for label in ENGLISH_LABELS if label in chinese]
    assert not left, (left, chinese[-4000:])
    assert title not in chinese and mutant.description not in chinese

    assert not CJK.search(english), CJK.findall(english)[:20]
    for words in (title, f"Hint: {_hint()}", "values differ from the reference", "largest difference at index",
                  "for input:", f"diagnosis: this is exactly what {mutant.description} gives",
                  "# Reproduce this failure"):
        assert words in english, (words, english[-4000:])


@pytest.mark.slow
def test_the_diagnosis_field_stays_the_english_description_in_a_chinese_grading(faulty):
    from autograder.engine.pipeline import grade_submission

    mutant = _mutant()
    result = grade_submission(faulty, [MODULE], profile="mutation", functions={mutant.target}, lang="zh")
    failed = [p for p in result.topics[0].properties if not p.passed]
    assert failed and all(CJK.search(p.name) and CJK.search(p.feedback) for p in failed)
    assert mutant.description in [p.diagnosis for p in failed]
    assert all(p.nodeid.startswith("test_") or "::test_" in p.nodeid for p in failed)
