"""The Chinese edition of the course text (``autograder/authoring/text/zh/``) and the notebooks that
``autograder notebooks --lang zh`` builds from it: the same sections, code and math as the English
text, Chinese prose, and notebooks whose code is that of the English build."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import nbformat
import pytest

from autograder.authoring.notebooks import ASSIGNMENTS, CELL_TEXT, SECTION_RE, TEXT_DIR, read_text
from autograder.catalog import TOPICS
from autograder.cli import main
from tests.conftest import ROOT, SOLUTIONS

ZH_DIR = TEXT_DIR / "zh"
TEXT_TOPICS = [t for t in TOPICS if (TEXT_DIR / f"{t}.md").exists()]
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
# Six English words in a row outside code and math: a sentence left untranslated. Chinese prose
# names an English term in parentheses at its first use, a few words at most.
ENGLISH_RUN = re.compile(r"\b[A-Za-z][A-Za-z'-]*(?:[ ,;:\n]+[A-Za-z][A-Za-z'-]*){5,}")
RUN_BLOCK = re.compile(r"^```python run\n.*?^```$", re.S | re.M)
DISPLAY_MATH = re.compile(r"\$\$.*?\$\$", re.S)
INLINE_MATH = re.compile(r"(?<!\$)\$(?!\$)[^$\n]+?\$")
INLINE_CODE = re.compile(r"`[^`\n]*`")
# CJK characters among CJK characters and English words in a prose paragraph (English text: 0;
# a Chinese heading that names an English term, such as "把 Dropout 写成一层": 0.83).
MIN_CJK_SHARE = 0.6


def zh_path(topic: str) -> Path:
    return ZH_DIR / f"{topic}.md"


def markers(path: Path) -> list[str]:
    return [m.group(1) for line in path.read_text(encoding="utf-8").splitlines()
            if (m := SECTION_RE.match(line))]


def run_blocks(text: str) -> list[str]:
    return RUN_BLOCK.findall(text)


MAGIC_MARK = "__ipython_magic__"
PLACEHOLDER = "<text>"


def _is_font_setting(node: ast.stmt) -> bool:
    """``<module>.rcParams["font.<key>"] = ...``: the font a Chinese plot needs, zh-only code."""
    if not isinstance(node, ast.Assign) or len(node.targets) != 1:
        return False
    target = node.targets[0]
    return (isinstance(target, ast.Subscript) and isinstance(target.value, ast.Attribute)
            and target.value.attr == "rcParams" and isinstance(target.slice, ast.Constant)
            and isinstance(target.slice.value, str) and target.slice.value.startswith("font."))


def _is_import_matplotlib(node: ast.stmt) -> bool:
    return isinstance(node, ast.Import) and [(a.name, a.asname) for a in node.names] == [("matplotlib", None)]


class _Shown(ast.NodeTransformer):
    """Every string constant replaced by one placeholder; an f-string keeps its ``{...}`` fields
    (expressions, conversions and format specs exactly) in their order, its literal parts dropped;
    the font settings (and an ``import matplotlib`` right before them) dropped from each body."""

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        return ast.Constant(PLACEHOLDER) if isinstance(node.value, str) else node

    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.AST:
        return ast.JoinedStr([v for v in node.values if isinstance(v, ast.FormattedValue)])

    def generic_visit(self, node: ast.AST) -> ast.AST:
        for field in ("body", "orelse", "finalbody"):
            body = getattr(node, field, None)
            if isinstance(body, list) and body and all(isinstance(s, ast.stmt) for s in body):
                kept = [s for i, s in enumerate(body) if not _is_font_setting(s) and not (
                    _is_import_matplotlib(s) and i + 1 < len(body) and _is_font_setting(body[i + 1]))]
                setattr(node, field, kept or [ast.Pass()])
        return super().generic_visit(node)


def same_code_key(code: str) -> tuple[list[str], str, list[str]]:
    """What two editions of a demo must share: "the same code" whatever its shown texts.

    - IPython magic lines (``%...`` or ``!...``, indented or not) must be identical and in the same
      places: each becomes a marker statement, their texts are compared as they are;
    - the ``ast.dump`` of the code with every string constant (and each f-string's literal parts)
      replaced by a placeholder: prints, titles, labels, docstrings may be translated, comments
      too (ast drops them); an f-string's fields ``{expr!r:spec}`` must stay, in their order;
    - the f-strings' field expressions, compared exactly (a string inside a field is code);
    - ignored: statements that assign to an ``rcParams`` key starting with ``"font."``
      (``plt.rcParams["font.sans-serif"] = [...]``) and an ``import matplotlib`` right before one:
      the font a Chinese plot needs, which only the Chinese edition sets.
    Strings that code compares are placeholders too: translating one by mistake is caught when the
    notebook runs, not here.
    """
    magic: list[str] = []
    lines = []
    for line in code.splitlines():
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")):
            magic.append(stripped)
            lines.append(line[: len(line) - len(stripped)] + MAGIC_MARK)
        else:
            lines.append(line)
    tree = ast.parse("\n".join(lines))
    fields = [ast.dump(v) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr)
              for v in node.values if isinstance(v, ast.FormattedValue)]
    return magic, ast.dump(_Shown().visit(tree)), fields


def block_code(block: str) -> str:
    """A ```python run block without its fences."""
    return block.split("\n", 1)[1].rsplit("```", 1)[0]


def same_code(chinese: str, english: str) -> bool:
    return same_code_key(chinese) == same_code_key(english)


def maths(text: str) -> list[str]:
    text = RUN_BLOCK.sub("", text)
    display = DISPLAY_MATH.findall(text)
    return display + INLINE_MATH.findall(DISPLAY_MATH.sub("", INLINE_CODE.sub("", text)))


def prose_paragraphs(text: str) -> list[str]:
    """Paragraphs of a section with code blocks, math and inline code taken out."""
    text = DISPLAY_MATH.sub("", RUN_BLOCK.sub("", text))
    text = INLINE_MATH.sub("", INLINE_CODE.sub("", text))
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def function_names(topic: str) -> set[str]:
    tree = ast.parse((SOLUTIONS / f"{topic}.py").read_text(encoding="utf-8"))
    return {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}


def test_the_heuristics_tell_an_english_paragraph_from_a_chinese_one():
    english = "Momentum keeps an exponentially weighted average of past gradients, the velocity."
    chinese = "动量（momentum）方法维护过去梯度的指数加权平均，称为*速度* $v$，并沿着它的方向更新参数。"
    assert ENGLISH_RUN.search(english) and not ENGLISH_RUN.search(chinese)
    assert len(CJK.findall(english)) == 0
    share = len(CJK.findall(chinese)) / (len(CJK.findall(chinese)) + len(LATIN_WORD.findall(chinese)))
    assert share >= MIN_CJK_SHARE
    assert maths("a $x$ and $$y = 1$$ `$z$`") == ["$$y = 1$$", "$x$"]


DEMO = """\
%matplotlib inline
import numpy as np

def score(lr):
    \"\"\"The score of a learning rate.\"\"\"
    return float(np.exp(-lr))

for lr in (1e-3, 1e-2):
    # one run per learning rate
    print(f"learning rate {lr:.0e}: score {score(lr):.3f}", "done")
ax.set(title="scores", xlabel="learning rate")
"""


def test_chinese_texts_in_place_of_the_english_ones_are_the_same_code():
    chinese = DEMO.replace('"""The score of a learning rate."""', '"""学习率的得分。"""') \
        .replace("# one run per learning rate", "# 每个学习率运行一次") \
        .replace('f"learning rate {lr:.0e}: score {score(lr):.3f}"', 'f"学习率 {lr:.0e}：得分 {score(lr):.3f}"') \
        .replace('"done"', '"完成"').replace('title="scores", xlabel="learning rate"', 'title="得分", xlabel="学习率"')
    assert not re.search(r"learning rate|score[ s]|done|one run", chinese) and same_code(chinese, DEMO)
    # The font a Chinese plot needs is the one line only the Chinese edition has.
    font = ('import matplotlib\nmatplotlib.rcParams["font.sans-serif"] = ["Noto Sans CJK SC", '
            '*matplotlib.rcParams["font.sans-serif"]]\n')
    assert same_code(chinese.replace("import numpy as np\n", "import numpy as np\n" + font), DEMO)
    assert same_code(chinese.replace("    # ", '    plt.rcParams["font.family"] = "sans-serif"\n    # '), DEMO)


@pytest.mark.parametrize("changed, edit", [
    ("a number", ("1e-2", "1e-1")),
    ("a variable's name", ("return float(np.exp(-lr))", "return float(np.exp(-rate))")),
    ("a missing line", ('ax.set(title="scores", xlabel="learning rate")\n', "")),
    ("an f-string's field", ("{score(lr):.3f}", "{score(2 * lr):.3f}")),
    ("an f-string's format spec", ("{lr:.0e}", "{lr:.1e}")),
    ("an f-string's conversion", ("{lr:.0e}", "{lr!r:.0e}")),
    ("an f-string's field dropped", (": score {score(lr):.3f}", "")),
    ("a keyword", ("xlabel=", "ylabel=")),
    ("a magic line", ("%matplotlib inline", "%matplotlib widget")),
    ("a magic line's place", ("%matplotlib inline\nimport numpy as np\n", "import numpy as np\n%matplotlib inline\n")),
    ("an rcParams key that is not a font", ("import numpy as np\n", 'import numpy as np\nplt.rcParams["lines.linewidth"] = 3\n')),
    ("an import without font settings", ("import numpy as np\n", "import numpy as np\nimport matplotlib\n")),
])
def test_other_code_in_a_demo_is_not_the_same_code(changed, edit):
    old, new = edit
    assert old in DEMO
    assert not same_code(DEMO.replace(old, new), DEMO), changed


def test_every_topic_with_an_english_text_has_a_chinese_one_and_no_other():
    assert TEXT_TOPICS == list(TOPICS), "a topic without an English text"
    assert sorted(p.stem for p in ZH_DIR.glob("*.md")) == sorted(TEXT_TOPICS)


def test_a_topic_without_its_chinese_text_stops_the_zh_build(monkeypatch, tmp_path):
    from autograder.authoring import notebooks

    monkeypatch.setattr(notebooks, "TEXT_DIR", tmp_path)
    (tmp_path / "conv.md").write_text("# Convolution\n", encoding="utf-8")
    with pytest.raises(FileNotFoundError, match="conv"):
        notebooks.read_text("conv", "zh")
    assert notebooks.read_text("conv") == {"intro": "# Convolution"}


@pytest.mark.parametrize("topic", TEXT_TOPICS)
def test_the_chinese_text_has_the_english_sections_in_their_order(topic):
    assert markers(zh_path(topic)) == markers(TEXT_DIR / f"{topic}.md")


@pytest.mark.parametrize("topic", TEXT_TOPICS)
def test_each_section_runs_the_same_code_and_keeps_the_same_math(topic):
    english, chinese = read_text(topic), read_text(topic, "zh")
    assert list(chinese) == list(english)
    for name, text in english.items():
        zh_blocks, en_blocks = run_blocks(chinese[name]), run_blocks(text)
        assert len(zh_blocks) == len(en_blocks), f"{topic}, section {name}: not the same run blocks"
        for zh_block, en_block in zip(zh_blocks, en_blocks):
            assert same_code(block_code(zh_block), block_code(en_block)), \
                f"{topic}, section {name}: a run block's code differs from the English one"
        missing = [m for m in maths(text) if m not in maths(chinese[name])]
        assert not missing, f"{topic}, section {name}: math of the English text missing: {missing}"


@pytest.mark.parametrize("topic", TEXT_TOPICS)
def test_each_section_is_chinese_prose_without_english_paragraphs(topic):
    for name, text in read_text(topic, "zh").items():
        assert CJK.search(text), f"{topic}, section {name}: no Chinese character"
        for paragraph in prose_paragraphs(text):
            left = ENGLISH_RUN.search(paragraph)
            assert left is None, f"{topic}, section {name}: English left: {left.group(0)!r}"
            cjk, latin = len(CJK.findall(paragraph)), len(LATIN_WORD.findall(paragraph))
            if cjk + latin >= 4:
                assert cjk / (cjk + latin) >= MIN_CJK_SHARE, \
                    f"{topic}, section {name}: mostly not Chinese: {paragraph[:80]!r}"


@pytest.mark.parametrize("topic", TEXT_TOPICS)
def test_a_section_of_a_function_names_that_function(topic):
    functions = function_names(topic)
    for name, text in read_text(topic, "zh").items():
        if name in functions:
            assert re.search(rf"\b{re.escape(name)}\b", text), f"{topic}: section {name} never names it"


# ---------------------------------------------------------------------- the zh notebooks


@pytest.fixture(scope="module")
def zh_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("zh") / "source_zh"
    assert main(["notebooks", "--lang", "zh", "--output", str(out)]) == 0
    return out


def without_comments(code: str) -> str:
    """The code of a cell, comments and assert messages left out (the texts a language changes)."""
    tree = ast.parse(code)
    for node in ast.walk(tree):
        if isinstance(node, ast.Assert):
            node.msg = None
    return ast.dump(tree)


def english_notebook(assignment: str, topic: str) -> dict:
    return json.loads((ROOT / "source" / assignment / f"{topic}.ipynb").read_text(encoding="utf-8"))


def test_zh_notebooks_need_an_output_folder_in_this_package(capsys):
    before = {p: p.read_bytes() for p in (ROOT / "source").rglob("*.ipynb")}
    assert main(["notebooks", "--lang", "zh"]) == 2
    assert "--output" in capsys.readouterr().out
    assert {p: p.read_bytes() for p in (ROOT / "source").rglob("*.ipynb")} == before


def test_the_zh_build_is_a_source_folder_with_every_notebook_and_its_copies(zh_build):
    assert (zh_build / "nbgrader_config.py").read_text(encoding="utf-8") == \
        (ROOT / "source" / "nbgrader_config.py").read_text(encoding="utf-8")
    for assignment in ASSIGNMENTS:
        built = sorted(p.name for p in (zh_build / assignment).glob("*.ipynb"))
        assert built == sorted(p.name for p in (ROOT / "source" / assignment).glob("*.ipynb"))
        assert (zh_build / assignment / "public_checks" / "__init__.py").is_file()
    assert main(["notebooks", "--lang", "zh", "--output", str(zh_build), "--check"]) == 0


@pytest.mark.parametrize("topic", list(TOPICS))
def test_a_zh_notebook_is_valid_chinese_and_holds_the_english_builds_code(zh_build, topic):
    assignment = next(a for a, members in ASSIGNMENTS.items() if topic in members)
    path = zh_build / assignment / f"{topic}.ipynb"
    nbformat.validate(nbformat.read(path, as_version=4))
    chinese, english = json.loads(path.read_text(encoding="utf-8")), english_notebook(assignment, topic)
    english["metadata"]["autograder"]["lang"] = "zh"  # what tells a course's language
    assert chinese["metadata"] == english["metadata"]
    assert [(c["cell_type"], c["id"], c["metadata"]) for c in chinese["cells"]] == \
        [(c["cell_type"], c["id"], c["metadata"]) for c in english["cells"]]
    for zh_cell, en_cell in zip(chinese["cells"], english["cells"]):
        zh_source, en_source = zh_cell["source"], en_cell["source"]
        if zh_cell["cell_type"] == "markdown":
            assert CJK.search(zh_source) and zh_source != en_source, f"{topic} {zh_cell['id']}: not Chinese"
        elif zh_cell["metadata"].get("nbgrader", {}).get("grade"):
            # The check cells' comments and messages are Chinese; their code is the English one's.
            assert without_comments(zh_source) == without_comments(en_source)
            comments = [line for line in zh_source.splitlines() if line.startswith("#")]
            assert comments and all(CJK.search(line) for line in comments), zh_source
        elif "nbgrader" not in zh_cell["metadata"]:
            # A demo cell (a run block of the text): its shown texts are Chinese, its code the same.
            assert same_code(zh_source, en_source), f"{topic} {zh_cell['id']}: demo code differs"
        else:
            assert zh_source == en_source, f"{topic} {zh_cell['id']}: code differs from the English build"


def test_a_course_folder_made_from_the_zh_build_stays_chinese(zh_build, tmp_path, capsys):
    course = tmp_path / "course"
    assert main(["notebooks", "--source", str(zh_build), "--course", str(course),
                 "--assignments", "cnn"]) == 0
    assert sorted(p.name for p in (course / "source" / "cnn").glob("*.ipynb")) == \
        sorted(f"{t}.ipynb" for t in ASSIGNMENTS["cnn"])
    capsys.readouterr()
    # Regenerating the course keeps its language unless told otherwise.
    assert main(["notebooks", "--source", str(course / "source"), "--check"]) == 0
    assert "up to date" in capsys.readouterr().out
    assert main(["notebooks", "--source", str(course / "source"), "--check", "--lang", "en"]) == 1
    assert "stale" in capsys.readouterr().out
    assert main(["notebooks", "--source", str(zh_build), "--course", str(course), "--lang", "zh"]) == 2


def test_every_text_this_module_writes_has_a_chinese_version_with_the_same_placeholders():
    def fields(text: str) -> set[str]:
        return set(re.findall(r"\{(\w+)\}", text))

    assert set(CELL_TEXT["zh"]) == set(CELL_TEXT["en"])
    for key, text in CELL_TEXT["en"].items():
        assert fields(CELL_TEXT["zh"][key]) == fields(text), key
        assert CJK.search(CELL_TEXT["zh"][key]), key
