"""The Chinese edition's message layer (autograder/i18n.py): complete catalogs that keep every
placeholder, a compiled catalog that matches its .po, and each path graded in the language asked."""

from __future__ import annotations

import gettext
import io
import json
import re
import shutil
import string
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from autograder import i18n
from autograder.i18n import _, language
from tests.conftest import ROOT

babel = pytest.importorskip("babel", reason="Babel manages the catalogs (the dev extra)")
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir  # noqa: E402
from babel.messages.frontend import parse_mapping_cfg  # noqa: E402
from babel.messages.mofile import write_mo  # noqa: E402
from babel.messages.pofile import read_po  # noqa: E402

LOCALE = ROOT / "autograder" / "locale"
PO = LOCALE / "zh_CN" / "LC_MESSAGES" / "autograder.po"
MO = PO.with_suffix(".mo")
FAULTY = ROOT / "examples" / "faulty"  # optimizers.py with three classic mistakes
CJK = re.compile("[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
# %-style conversions as Python formats them (a "%" before a word, as in "10% of", is none).
PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0+]?\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")


def catalog():
    with open(PO, "rb") as handle:
        return read_po(handle, locale="zh_CN")


def extracted() -> dict[str | tuple[str, ...], str]:
    """Every message marked in the sources now, as ``make catalogs`` extracts them -> where."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle, "babel.cfg")
    keywords = {**DEFAULT_KEYWORDS, "N_": None, "ngettext": (1, 2)}
    found: dict[str | tuple[str, ...], str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords):
        found.setdefault(message, f"{filename}:{lineno}")
    return found


def fields(text: str) -> Counter[str]:
    """The placeholders of a message: each {name!conversion:spec} and each %-style one."""
    found: Counter[str] = Counter()
    for _literal, name, spec, conversion in string.Formatter().parse(text):
        if name is not None:
            found[f"{{{name}{'!' + conversion if conversion else ''}{':' + spec if spec else ''}}}"] += 1
    found.update(PERCENT.findall(text))
    return found


def forms(message) -> list[str]:
    return list(message.string) if isinstance(message.string, (tuple, list)) else [message.string]


# ------------------------------------------------------------------------------ the catalogs


def test_every_marked_message_has_a_chinese_translation():
    translated = {m.id: m for m in catalog() if m.id}
    found = extracted()
    assert len(found) > 100, "the extraction found too few messages: is babel.cfg read?"
    lacking = [f"{where}: {message!r}" for message, where in found.items()
               if message not in translated or "fuzzy" in translated[message].flags
               or not all(s.strip() for s in forms(translated[message]))]
    assert not lacking, ("messages without a zh_CN translation (run `make catalogs`, then translate "
                         f"them in {PO.relative_to(ROOT)}):\n" + "\n".join(lacking))


def test_every_translation_keeps_exactly_the_placeholders_of_its_message():
    wrong = []
    for message in catalog():
        if not message.id:
            continue
        ids = list(message.id) if isinstance(message.id, (tuple, list)) else [message.id]
        for text in forms(message):
            if text and fields(text) != fields(ids[-1]):  # zh has one form: the plural's
                wrong.append(f"{ids[-1]!r}: {sorted(fields(ids[-1]).elements())} -> "
                             f"{text!r}: {sorted(fields(text).elements())}")
    assert not wrong, "translations that drop, add or change a placeholder:\n" + "\n".join(wrong)


def marked_in(path: Path) -> list[tuple[int, str]]:
    """The literal messages that ``_``, ``N_`` and ``ngettext`` calls in ``path`` mark, as Python
    itself parses them: f-strings included, which Babel's extractor does not look into."""
    import ast

    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in ("_", "N_", "ngettext") and node.args
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            found.append((node.lineno, node.args[0].value))
    return found


def test_every_message_the_code_marks_is_one_the_extraction_finds():
    """A ``_("...")`` that Babel cannot see (inside an f-string) is never translated, and the
    completeness check above cannot notice: compare with what Python parses."""
    found = extracted()
    seen = {m[0] if isinstance(m, tuple) else m for m in found}  # ngettext's: (singular, plural)
    files = {where.rsplit(":", 1)[0] for where in found.values()}
    assert any(f.endswith("report.py") for f in files), files
    unseen = [f"{name}:{line}: {message!r}" for name in sorted(files)
              for line, message in marked_in(ROOT / name) if message not in seen]
    assert not unseen, "marked messages the catalog never gets (move _() out of the f-string):\n" + \
        "\n".join(unseen)


def test_the_marked_message_check_reads_f_strings(tmp_path):
    source = tmp_path / "m.py"
    source.write_text('x = f"<h2>{_(\'Inside\')}</h2>" + _("Outside")\n', encoding="utf-8")
    assert sorted(m for _line, m in marked_in(source)) == ["Inside", "Outside"]


def test_the_placeholder_check_sees_a_dropped_or_renamed_placeholder():
    assert fields("{a} of {b!r} at {c:>4} %(d)s %s 10% of it") == Counter(
        ["{a}", "{b!r}", "{c:>4}", "%(d)s", "%s"])
    assert fields("{a} 的 {b}") != fields("{a} of {b!r}")
    assert fields("只有 {a}") != fields("{a} and {a}")


def test_the_compiled_catalog_is_the_po_compiled():
    out = io.BytesIO()
    write_mo(out, catalog())
    assert MO.read_bytes() == out.getvalue(), (
        f"{MO.relative_to(ROOT)} is stale against its .po: run `make catalogs` (or pybabel compile)")


def test_the_wheel_ships_the_compiled_catalogs():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"locale/*/LC_MESSAGES/*.mo"' in text
    assert MO.exists() and i18n.LOCALE_DIR == LOCALE


# ------------------------------------------------------------------------------ the language


def test_english_is_the_default_and_zh_translates(monkeypatch):
    monkeypatch.delenv(i18n.ENV, raising=False)
    assert i18n.current_language() == "en"
    assert _("Hint: {hint}") == "Hint: {hint}"
    with language("zh"):
        assert i18n.current_language() == "zh"
        assert _("Hint: {hint}").format(hint="x") == "提示：x"
        assert i18n.ngettext("{count} property could not be graded: {first}",
                             "{count} properties could not be graded: {first}", 2) == "{count} 个性质无法评分：{first}"
    assert i18n.current_language() == "en"


def test_autograder_lang_sets_the_language_and_a_bad_value_names_the_choices(monkeypatch):
    monkeypatch.setenv(i18n.ENV, "zh")
    assert i18n.current_language() == "zh" and _("not implemented") == "未实现"
    monkeypatch.setenv(i18n.ENV, "zh_CN")
    assert i18n.current_language() == "zh"
    monkeypatch.setenv(i18n.ENV, "fr")
    with pytest.raises(ValueError, match=r"unknown language 'fr': choose one of en, zh"):
        i18n.current_language()


def test_a_bad_autograder_lang_stops_the_cli_with_a_clear_message(tmp_path):
    env = {"PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin", "AUTOGRADER_LANG": "klingon"}
    proc = subprocess.run([sys.executable, "-m", "autograder.cli", "report", str(tmp_path)],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert proc.returncode == 2
    assert "unknown language 'klingon': choose one of en, zh" in proc.stderr


def test_a_language_set_for_a_block_is_restored_however_it_ends():
    i18n.set_language("en")
    try:
        with pytest.raises(RuntimeError), language("zh"):
            raise RuntimeError
        assert i18n.current_language() == "en"
    finally:
        i18n.set_language(None)


def test_labels_are_shown_translated_but_machine_fields_stay_english():
    from autograder.formats.gradescope import formatted
    from autograder.formats.junit import to_junit
    from autograder.results import Outcome, PropertyResult, SubmissionResult, TopicResult

    prop = PropertyResult("optimizers", "f", "f works", "id", 1.0, 0.0, "failed", "bad\n提示：look",
                          outcome=Outcome.NOT_IMPLEMENTED)
    result = SubmissionResult("s", [TopicResult("optimizers", "Optimizers", [prop])])
    with language("zh"):
        assert Outcome.TIMED_OUT.label() == "超时" and Outcome.RAISED.label("ValueError") == "抛出了 ValueError"
        junit = to_junit(result)
        assert 'type="not implemented"' in junit and 'name="outcome" value="not_implemented"' in junit
        assert "\x1b[1m提示：\x1b[0m look" in formatted("bad\n提示： look", "ansi")
        assert result.to_dict()["topics"][0]["properties"][0]["status"] == "failed"


# ------------------------------------------------------------------------------ matched wording


def test_the_batch_explains_a_module_it_did_not_ship_in_the_language_it_graded_in():
    from autograder.batch.cluster import explain_refused
    from autograder.engine.submission import not_submitted

    with language("zh"):
        record = {"topics": [{"topic": "conv", "problem": not_submitted("conv"), "properties": []}]}
        explained = explain_refused(record, {"conv.py": "conv.py is a symbolic link"})
    assert explained["topics"][0]["problem"] == "conv.py is a symbolic link"


def test_the_report_says_once_that_a_grading_did_not_finish_in_any_language():
    from autograder.batch.report import unfinished
    from autograder.batch.store import did_not_finish

    with language("zh"):
        record = {"status": "error", "error": "boom",
                  "topics": [{"topic": "conv", "problem": did_not_finish("boom"), "properties": []}]}
    for lang in ("en", "zh"):
        with language(lang):
            assert len(unfinished(record)) == 1, unfinished(record)


# ------------------------------------------------------------------------------ each path


def _made_up_class() -> dict[str, dict]:
    def prop(function, name, outcome, diagnosis=""):
        status = "passed" if outcome == "passed" else "failed"
        return {"function": function, "name": name, "status": status, "outcome": outcome,
                "diagnosis": diagnosis, "score": 1.0 if status == "passed" else 0.0, "max_score": 1.0}

    return {
        "张伟": {"student": "张伟", "status": "graded", "score": 1.0, "max_score": 2.0, "topics": [
            {"topic": "optimizers", "score": 1.0, "max_score": 2.0, "properties": [
                prop("adam", "adam matches torch", "failed", "no bias correction"),
                prop("adam", "adam leaves its arguments", "passed")]}]},
        "li": {"student": "li", "status": "graded", "score": 0.0, "max_score": 2.0, "topics": [
            {"topic": "optimizers", "score": 0.0, "max_score": 2.0, "properties": [
                prop("adam", "adam matches torch", "timed_out"),
                prop("adam", "adam leaves its arguments", "not_implemented")]}]},
        "wang": {"student": "wang", "status": "error", "error": "the grading process wrote no result",
                 "topics": []},
    }


def test_the_class_report_in_chinese():
    from autograder.batch.report import render_html, summarize

    with language("zh"):
        page = render_html(summarize(_made_up_class(), ["optimizers"]), b"", ["optimizers"])
    assert '<html lang="zh-CN">' in page and "<h1>班级报告</h1>" in page
    for words in ("各主题平均分", "谁出现了哪种误解", "超时", "未实现", "评分未完成", "通过率"):
        assert words in page, words
    english = render_html(summarize(_made_up_class(), ["optimizers"]), b"", ["optimizers"])
    assert '<html lang="en">' in english
    assert not CJK.search(english.replace("张伟", "")), "an English report with Chinese words"


def test_the_chinese_report_shows_diagnoses_in_chinese_and_keeps_them_english_on_the_record():
    """The record's diagnosis is the English machine value (what the report groups by); the page
    shows it in the report's language: a stated kind of mistake and a named misconception."""
    from autograder.batch.report import render_html, summarize
    from grading_tests.compare import IN_PLACE

    made = _made_up_class()
    made["li"]["topics"][0]["properties"][1].update(status="failed", outcome="failed", diagnosis=IN_PLACE)
    misconception = "Adam without bias correction"  # a mutant's description (grading_tests/mutants)
    made["张伟"]["topics"][0]["properties"][0]["diagnosis"] = misconception
    summary = summarize(made, ["optimizers"])
    assert f"optimizers.adam: {IN_PLACE}" in summary.who
    with language("zh"):
        stated, named = _(IN_PLACE), _(misconception)
        page = render_html(summary, b"", ["optimizers"])
    assert CJK.search(stated) and CJK.search(named), "the catalog lacks these translations"
    assert stated in page and named in page
    assert IN_PLACE not in page and misconception not in page


def test_the_chinese_charts_draw_with_a_cjk_font_or_stay_english():
    """No missing-glyph boxes (matplotlib's warning is an error here): a CJK font when the
    machine has one, else the charts' words in English."""
    from autograder.batch.report import cjk_font, render_distribution_png, render_png, summarize

    summary = summarize(_made_up_class(), ["optimizers"])
    with language("zh"):
        assert render_png(summary)[:4] == b"\x89PNG" and render_distribution_png(summary)[:4] == b"\x89PNG"
    if shutil.which("fc-list") and "CJK" in subprocess.run(["fc-list", ":lang=zh"], capture_output=True,
                                                           text=True).stdout:
        assert cjk_font() is not None


@pytest.mark.slow
def test_grade_lang_zh_prints_chinese_labels_and_lang_en_none(capsys):
    """One process grades in zh, then in en: the second is all English."""
    from autograder.cli import main

    args = ["grade", str(FAULTY), "--topics", "optimizers", "--functions",
            "update_parameters_with_momentum", "--profile", "dev", "--device", "cpu"]
    assert main([*args, "--lang", "zh"]) == 0
    chinese = capsys.readouterr().out
    for label in ("提交：", "失败", "总分：", "未通过的性质的反馈", "提示：", "要复现这个失败"):
        assert label in chinese, (label, chinese[:3000])
    assert main([*args, "--lang", "en"]) == 0
    english = capsys.readouterr().out
    assert "Hint: " in english and "TOTAL: " in english
    assert not CJK.search(english), CJK.findall(english)[:20]
    assert i18n.current_language() == "en"


@pytest.mark.slow
def test_a_grading_sets_its_language_for_the_hidden_tests_and_restores_it():
    from autograder.engine.pipeline import grade_submission

    i18n.set_language("en")
    try:
        zh = grade_submission(FAULTY, ["optimizers"], profile="dev", lang="zh",
                              functions={"update_parameters_with_momentum"})
        assert i18n.current_language() == "en"
        en = grade_submission(FAULTY, ["optimizers"], profile="dev",
                              functions={"update_parameters_with_momentum"})
    finally:
        i18n.set_language(None)
    failing = [p.full_feedback for p in zh.topics[0].properties if not p.passed]
    assert failing and all("提示：" in text for text in failing)
    assert all(not CJK.search(p.full_feedback) for p in en.topics[0].properties)


@pytest.mark.slow
def test_grade_batch_lang_zh_writes_chinese_feedback_and_report(tmp_path):
    from autograder.batch.local import serve_command
    from autograder.batch.settings import Settings
    from autograder.batch.store import load_records

    submissions = tmp_path / "class"
    (submissions / "ming").mkdir(parents=True)
    shutil.copyfile(FAULTY / "optimizers.py", submissions / "ming" / "optimizers.py")
    (submissions / "hua").mkdir()  # nothing submitted
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "autograder.cli", "grade-batch", str(submissions),
                           "-o", str(out), "--topics", "optimizers", "--functions",
                           "update_parameters_with_momentum", "--profile", "dev", "--device", "cpu",
                           "--no-progress", "--lang", "zh"],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "成绩表：" in proc.stderr
    records = load_records(out)
    feedback = "\n".join(p["feedback"] for t in records["ming"]["topics"] for p in t["properties"])
    assert "提示：" in feedback
    assert "没有可评分的内容" in records["hua"]["topics"][0]["problem"]
    assert records["ming"]["settings"]["lang"] == "zh"
    page = (out / "report.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in page and "班级报告" in page
    # Every heading and table caption of the page is Chinese (two were English once: their _()
    # sat inside f-strings, where the catalog's extraction never looked).
    headings = re.findall(r"<(h[1-3]|caption)[^>]*>(.*?)</\1>", page, re.DOTALL)
    assert len(headings) > 3
    from autograder.catalog import TOPICS

    assert [text for _tag, text in headings if not CJK.search(text) and text not in TOPICS] == []
    # The same settings reach a Dask worker: grade_shipped rebuilds them from to_dict().
    settings = Settings.from_dict(json.loads((out / "batch.json").read_text())["settings"])
    command = serve_command(settings)
    assert settings.lang == "zh" and command[command.index("--lang") + 1] == "zh"


def test_an_english_batch_keeps_the_fingerprint_of_results_stored_before_languages():
    from autograder.batch.settings import Settings

    assert "lang" not in Settings(("optimizers",)).fingerprint()
    assert Settings(("optimizers",), lang="zh").fingerprint()["lang"] == "zh"
    assert Settings.from_dict(Settings(("conv",), lang="zh").to_dict()).lang == "zh"
    with pytest.raises(ValueError, match="choose one of en, zh"):
        Settings(("conv",), lang="fr")


def test_the_gradescope_bundle_grades_in_its_language(tmp_path):
    import zipfile

    from autograder.commands.gradescope_bundle import build_bundle

    bundle = tmp_path / "autograder.zip"
    build_bundle(bundle, ["optimizers"], lang="zh", notebooks=tmp_path)
    with zipfile.ZipFile(bundle) as archive:
        env = archive.read("grading.env").decode()
        script = archive.read("run_autograder").decode()
        assert "autograder/locale/zh_CN/LC_MESSAGES/autograder.mo" in archive.namelist()
    assert "AUTOGRADER_LANG=zh" in env
    assert '--lang "${AUTOGRADER_LANG:-en}"' in script


def test_runtime_reads_the_catalog_with_the_standard_library_only():
    translations = gettext.translation(i18n.DOMAIN, str(LOCALE), languages=["zh_CN"])
    assert translations.gettext("timed out") == "超时"
    source = (ROOT / "autograder" / "i18n.py").read_text(encoding="utf-8")
    assert "import babel" not in source and "from babel" not in source


def test_check_speaks_the_language_asked_for(tmp_path):
    from autograder.commands.check import check_paths

    shutil.copyfile(ROOT / "solutions" / "optimizers.py", tmp_path / "optimizers.py")
    out = io.StringIO()
    with language("zh"):
        check_paths([tmp_path / "optimizers.py"], out=out)
    text = out.getvalue()
    assert "个模块中有" in text and "通过了公开检查" in text, text[-2000:]
    # the checks' own closing count (in the worker's language) gives way to the command's
    assert text.strip().splitlines()[-1].startswith("1 个模块中有 1 个")
    assert not any("public checks passed (the hidden" in line and "✓" not in line for line in text.splitlines())


# ------------------------------------------------------------------------------ the hidden tests


def test_the_extraction_finds_the_hidden_tests_titles_hints_and_misconceptions():
    """babel.cfg sends grading_tests/ through autograder/authoring/i18n_extract.py: what a student reads
    that is no _() call there (titles, pytest.mark.hint, mutants' descriptions) is in the catalog."""
    from grading_tests import compare

    found = extracted()
    for message in ("numerical gradient matches torch autograd at the default step",  # a title
                    "epsilon inside the square root",  # a mutant's description
                    "round down with //",  # a pytest.mark.hint
                    compare.IN_PLACE,  # a stated mistake (N_)
                    "{label}: {count} of {size} values differ from the reference"):  # compare's _()
        assert message in found, message
        assert "grading_tests" in found[message] or message == compare.IN_PLACE, found[message]


def test_every_property_title_is_extracted_as_the_engine_makes_it():
    import ast as python_ast

    from autograder.authoring.i18n_extract import title
    from autograder.engine.properties import _readable

    found = extracted()
    names = [node.name for path in sorted((ROOT / "grading_tests").glob("test_*.py"))
             for node in python_ast.walk(python_ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, python_ast.FunctionDef) and node.name.startswith("test_")]
    assert len(names) > 100
    with language("en"):
        assert all(_readable(f"{name}[cpu]") == title(name) for name in names)
    assert not [name for name in names if title(name) not in found]
    with language("zh"):
        assert all(CJK.search(_readable(name)) for name in names), "a title without its translation"


def test_the_extractor_reads_hints_misconceptions_and_diagnoses_keys():
    from autograder.authoring.i18n_extract import messages

    source = '''
@pytest.mark.hint("add the bias")
@mutant("f", "the bias left out")
def test_f_adds_the_bias(impl):
    diagnoses = {"a sum where a mean is due": 1}
    check_array("f", got, expected, hint="a keyword hint", diagnoses={"another one": 2})
    fail(f"{x}", context, "a positional hint")
    hint = f"{not_a_literal}"
'''
    got = [text for _line, text, _why in messages(source)]
    assert sorted(got) == sorted(["f adds the bias", "add the bias", "the bias left out",
                                  "a sum where a mean is due", "a keyword hint", "another one",
                                  "a positional hint"])


def test_a_command_run_in_process_leaves_the_callers_language_as_it_was(capsys):
    """main() sets the command's language for the command only: tests and notebooks that run
    several commands in one process (one in zh) keep their own language afterwards."""
    from autograder.cli import main

    assert i18n.current_language() == "en"
    main(["grade", str(ROOT / "no-such-submission"), "--topics", "optimizers", "--lang", "zh"])
    out = capsys.readouterr()
    assert CJK.search(out.out + out.err), out
    assert i18n.current_language() == "en" and _("hint: {hint}") == "hint: {hint}"
