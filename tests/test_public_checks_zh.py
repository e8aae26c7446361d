"""The public checks in Chinese: their own catalog (the public_checks domain) is complete and keeps
every placeholder, its .mo is the .po compiled, and the copies a Chinese build writes beside the
notebooks speak Chinese in a student's kernel (no autograder package there), the English build's
English, and ``autograder check --lang zh`` too."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.authoring.notebooks import generate
from autograder.student.public_checks import _i18n
from tests.conftest import ROOT
from tests.test_i18n import fields, marked_in  # the main catalog's helpers (placeholders, marked literals)

babel = pytest.importorskip("babel", reason="Babel manages the catalogs (the dev extra)")
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir  # noqa: E402
from babel.messages.mofile import write_mo  # noqa: E402
from babel.messages.pofile import read_po  # noqa: E402

CHECKS = ROOT / "autograder" / "student" / "public_checks"
PO = CHECKS / "locale" / "zh_CN" / "LC_MESSAGES" / "public_checks.po"
MO = PO.with_suffix(".mo")
CJK = re.compile("[\u4e00-\u9fff]")
NO_PADDING = "def zero_pad(x, pad):\n    return x  # forgets the padding\n"


def catalog():
    with open(PO, "rb") as handle:
        return read_po(handle, locale="zh_CN")


def extracted() -> dict[str, str]:
    """Every message marked in the public checks and the course helpers (their plots' words, the
    same domain) now, as ``make catalogs`` extracts them -> where."""
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    return {message: f"{filename}:{lineno}" for folder in (CHECKS, CHECKS.parent / "course")
            for filename, lineno, message, _c, _x in extract_from_dir(str(folder), keywords=keywords)}


# ------------------------------------------------------------------------------ the catalog


def test_every_message_of_the_public_checks_has_a_chinese_translation():
    translated = {m.id: m.string for m in catalog() if m.id and "fuzzy" not in m.flags}
    found = extracted()
    assert len(found) > 200, "the extraction found too few messages in autograder/student/public_checks"
    lacking = [f"{where}: {message!r}" for message, where in found.items()
               if not str(translated.get(message) or "").strip()]
    assert not lacking, ("public check messages without a zh_CN translation (run `make catalogs`, then "
                         f"translate them in {PO.relative_to(ROOT)}):\n" + "\n".join(lacking))


def test_every_message_the_checks_and_helpers_mark_is_one_the_extraction_finds():
    """As for the grader's catalog: a _() inside an f-string would never be extracted."""
    found = set(extracted())
    files = [*CHECKS.glob("*.py"), *(CHECKS.parent / "course").glob("*.py")]
    unseen = [f"{path.name}:{line}: {message!r}" for path in files for line, message in marked_in(path)
              if message not in found]
    assert len(files) > 20 and not unseen, unseen


def test_every_translation_keeps_exactly_the_placeholders_of_its_message():
    wrong = [f"{m.id!r} -> {m.string!r}" for m in catalog()
             if m.id and m.string and fields(m.string) != fields(m.id)]
    assert not wrong, "translations that drop, add or change a placeholder:\n" + "\n".join(wrong)
    assert fields("{label}: shape {shape!r}, {n:.0%}") != fields("{label}：形状为 {shape}，{n:.0%}")


def test_the_translations_are_chinese_where_the_message_is_prose():
    # A message that is only code (a call, a key, a formula) may stay as it is; prose must not.
    def words(text: str) -> int:
        return sum(token.strip(".,;:!?()[]'\"").isalpha() for token in text.split())

    untranslated = [m.id for m in catalog() if m.id and m.string == m.id and words(m.id) >= 2]
    assert not untranslated, "\n".join(untranslated)
    assert sum(bool(CJK.search(m.string)) for m in catalog() if m.id) > 250


def test_the_compiled_catalog_is_the_po_compiled_and_ships_in_the_wheel():
    out = io.BytesIO()
    write_mo(out, catalog())
    assert MO.read_bytes() == out.getvalue(), (
        f"{MO.relative_to(ROOT)} is stale against its .po: run `make catalogs` (or pybabel compile)")
    assert '"student/public_checks/locale/*/LC_MESSAGES/*.mo"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def test_the_checks_read_their_catalog_with_the_standard_library_only():
    # (That they need no autograder package either: the kernel tests below block it.)
    for path in CHECKS.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "import babel" not in text and "from babel" not in text, path


# ------------------------------------------------------------------------------ the language


def test_set_language_wins_over_autograder_lang_and_an_unknown_value_reads_english(monkeypatch):
    monkeypatch.setenv("AUTOGRADER_LANG", "zh")
    try:
        assert _i18n._("no public check ran") == "没有运行任何公开检查"
        _i18n.set_language("en")
        assert _i18n._("no public check ran") == "no public check ran"
        _i18n.set_language("zh-CN")
        monkeypatch.setenv("AUTOGRADER_LANG", "en")
        assert _i18n.current_language() == "zh"
    finally:
        _i18n.set_language(None)
    monkeypatch.setenv("AUTOGRADER_LANG", "klingon")  # a student's kernel must still run its checks
    assert _i18n.current_language() == "en"
    with pytest.raises(ValueError, match="choose one of en, zh"):
        _i18n.set_language("klingon")


def test_the_summary_is_recognised_in_each_language():
    from autograder.student.public_checks import is_summary

    try:
        for lang in ("en", "zh"):
            _i18n.set_language(lang)
            assert is_summary(_i18n._("{passed} of {ran} public checks passed (the hidden tests check much "
                                      "more)").format(passed=3, ran=4))
            assert not is_summary(_i18n._("no public check ran"))
    finally:
        _i18n.set_language(None)


# ------------------------------------------------------------------------------ in a student's kernel


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> dict[str, Path]:
    """The cnn assignment (conv only) built in each language: its folder."""
    made = {}
    for lang in ("en", "zh"):
        source = tmp_path_factory.mktemp(f"source-{lang}")
        generate(source, topics=["conv"], lang=lang)
        made[lang] = source / "cnn"
    return made


def kernel(folder: Path, code: str, **env: str) -> str:
    """What ``code`` prints in a fresh interpreter like a student's kernel: cwd the assignment
    folder, that folder first on sys.path, no autograder package importable."""
    script = (
        "import sys\n"
        "sys.modules['autograder'] = None  # a student's kernel has no grader package\n"
        f"sys.path.insert(0, {str(folder)!r})\n"
        "import public_checks\n"
        f"assert public_checks.__file__.startswith({str(folder)!r}), public_checks.__file__\n"
        + code
    )
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env}
    proc = subprocess.run([sys.executable, "-I", "-c", script], cwd=folder, env=clean, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def check_cell(folder: Path, name: str) -> str:
    """The source of the notebook's check cell of ``name``."""
    notebook = json.loads((folder / "conv.ipynb").read_text(encoding="utf-8"))
    cell = next(c for c in notebook["cells"]
                if (c["metadata"].get("nbgrader") or {}).get("grade_id") == f"check_{name}")
    return "".join(cell["source"])


FAILING = (
    f"{NO_PADDING}"
    "from public_checks import conv as checks\n"
    "try:\n"
    "    checks.check_zero_pad(zero_pad)\n"
    "except Exception as exc:\n"
    "    print(exc)\n"
)


def passing(folder: Path) -> str:
    solution = (ROOT / "solutions" / "conv.py").read_text(encoding="utf-8")
    return f"exec({solution!r})\n" + check_cell(folder, "zero_pad")


def test_a_chinese_build_prints_its_public_checks_in_chinese(builds):
    folder = builds["zh"]
    assert (folder / "public_checks" / "_language.py").is_file()
    assert (folder / "public_checks" / "locale" / "zh_CN" / "LC_MESSAGES" / "public_checks.mo").is_file()
    failed = kernel(folder, FAILING)
    assert "形状为 (1, 1, 2, 3)，期望 (1, 1, 4, 5)" in failed, failed
    # The check cell's line for a correct answer.
    assert kernel(folder, passing(folder)).strip() == "\u2713 zero_pad：公开检查通过（隐藏测试会检查更多内容）"


def test_autograder_lang_wins_over_the_build_in_a_kernel(builds):
    failed = kernel(builds["zh"], FAILING, AUTOGRADER_LANG="en")
    assert "shape (1, 1, 2, 3), expected (1, 1, 4, 5)" in failed and not CJK.search(failed), failed


def test_an_english_build_prints_english_and_carries_the_catalog(builds):
    folder = builds["en"]
    assert not (folder / "public_checks" / "_language.py").exists()
    failed = kernel(folder, FAILING)
    assert "shape (1, 1, 2, 3), expected (1, 1, 4, 5)" in failed and not CJK.search(failed), failed
    assert kernel(folder, passing(folder)).strip() == (
        "\u2713 zero_pad: public checks passed (the hidden tests check much more)")
    # Its compiled catalog came along: a student may ask for Chinese.
    assert "形状为" in kernel(folder, FAILING, AUTOGRADER_LANG="zh")


def test_rebuilding_a_chinese_folder_in_english_drops_its_language_file(tmp_path):
    generate(tmp_path, topics=["conv"], lang="zh")
    language_file = tmp_path / "cnn" / "public_checks" / "_language.py"
    assert language_file.is_file()
    assert generate(tmp_path, topics=["conv"], lang="zh", check=True) == []
    generate(tmp_path, topics=["conv"], lang="en")
    assert not language_file.exists()
    assert generate(tmp_path, topics=["conv"], lang="en", check=True) == []


# ------------------------------------------------------------------------------ autograder check


def test_autograder_check_in_chinese_prints_the_public_checks_in_chinese(tmp_path):
    shutil.copyfile(ROOT / "examples" / "faulty" / "optimizers.py", tmp_path / "optimizers.py")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    runs = {lang: subprocess.run([sys.executable, "-m", "autograder.cli", "check", "--lang", lang,
                                  str(tmp_path / "optimizers.py")], cwd=ROOT, env=env, capture_output=True,
                                 text=True, timeout=300) for lang in ("zh", "en")}
    zh, en = runs["zh"].stdout, runs["en"].stdout
    assert runs["zh"].returncode == 1 and runs["en"].returncode == 1, runs["zh"].stderr[-2000:]
    assert "未通过 update_parameters_with_momentum" in zh and "一步之后的 v['dW1']" in zh, zh
    assert "通过 step_decay" in zh
    assert "FAIL update_parameters_with_momentum" in en and not CJK.search(en), en
    # The checks' own closing count is left out (the command prints its own), in each language.
    assert "项公开检查中通过了" not in zh and "public checks passed" not in en
