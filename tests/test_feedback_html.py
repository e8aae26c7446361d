"""nbgrader feedback pages: formulas as plain text (no MathJax from a CDN), long lines wrapped."""

from __future__ import annotations

import re

import nbformat
import pytest

from autograder.nbgrader_feedback import KNOWN, plain_formula, plain_markdown
from tests.conftest import ROOT

TEXT = sorted((ROOT / "autograder" / "authoring" / "text").glob("*.md"))
CODE = re.compile(r"```[\s\S]*?```|`[^`\n]+`")


@pytest.mark.parametrize(("tex", "plain"), [
    (r"\hat v = \frac{v}{1-\beta_1^t}", "v̂ = v/(1-β₁ᵗ)"),
    (r"W = W - \alpha\, \frac{\hat v}{\sqrt{\hat s} + \varepsilon}", "W = W - α v̂/(√ŝ + ε)"),
    (r"W^{[l]} \sim \mathcal N\!\left(0,\ \frac{2}{n^{[l-1]}}\right)", "W^[l] ~ N(0, 2/n^[l-1])"),
    (r"\lfloor (H + 2p - KH)/s \rfloor + 1", "⌊(H + 2p - KH)/s⌋ + 1"),
    (r"\frac12 + \frac{\lambda}{2m}", "1/2 + λ/(2m)"),
    (r"x_{\text{pad}}[n, c]", "x_pad[n, c]"),
    (r"v = \beta v, \qquad s", "v = β v,\u2003\u2003s"),
])
def test_formulas_are_written_as_plain_text(tex, plain):
    assert plain_formula(tex) == plain


@pytest.mark.parametrize("path", TEXT, ids=lambda p: p.stem)
def test_every_formula_of_the_course_text_becomes_text_without_latex(path):
    source = path.read_text(encoding="utf-8")
    assert set(re.findall(r"\\([A-Za-z]+)", CODE.sub("", source))) <= KNOWN
    prose = CODE.sub("", plain_markdown(source))
    assert "$" not in prose and "\\" not in prose


def test_code_is_left_alone_and_formulas_cannot_turn_into_markdown():
    md = plain_markdown("cost `$J$` is $a^{[3](i)} + x_{a}y_{b}$ here")
    assert "`$J$`" in md  # code, not a formula
    assert "[" not in md.split("`")[2] and "_" not in md.split("`")[2]  # as character references


def _feedback_html(tmp_path, nb, extra_config: str = "") -> str:
    """The notebook exported the way ``nbgrader generate_feedback`` does with the course's config
    (its GetGrades, which reads the gradebook, replaced by the scores it would give)."""
    from nbgrader.converters import GenerateFeedback
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.preprocessors import GetGrades
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT / "source")).load_config()
    if extra_config:
        tmp_path.mkdir(parents=True, exist_ok=True)
        (tmp_path / "extra_config.py").write_text(extra_config, encoding="utf-8")
        config.merge(PyFileConfigLoader("extra_config.py", path=str(tmp_path)).load_config())
    converter = GenerateFeedback(coursedir=CourseDirectory(root=str(tmp_path)), config=config)
    exporter = converter.exporter_class(parent=converter, config=converter.config)
    for pp in converter.preprocessors:
        if pp is not GetGrades:
            exporter.register_preprocessor(pp)
    resources = {"nbgrader": {"notebook": "optimizers", "score": 1.0, "max_score": 2.0,
                              "late_penalty": 0.0}}
    html, _ = exporter.from_notebook_node(nb, resources=resources)
    return html


def test_the_feedback_page_wraps_long_lines_and_needs_no_mathjax(tmp_path):
    long_line = "update_parameters_with_adam: " + "expected 0.1267115222, got 0.1272214988; " * 8
    grade = nbformat.v4.new_code_cell("check()", metadata={"nbgrader": {
        "grade": True, "solution": False, "grade_id": "check_adam", "points": 2.0, "score": 1.0}})
    grade.outputs = [nbformat.v4.new_output("stream", name="stdout", text=long_line + "\n")]
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell(r"At step $t$: $$\hat v = \frac{v}{1-\beta_1^t}$$, "
                                      r"and $\log a^{[3](i)}$ is no link"), grade])
    html = _feedback_html(tmp_path, nb)
    assert "Score: 1.0 / 2.0" in html  # still nbgrader's feedback page
    assert not re.search(r"<script[^>]*(mathjax|cdn)", html, re.IGNORECASE)
    assert "white-space: pre-wrap" in html and "overflow-wrap: anywhere" in html
    assert long_line.strip() in html.replace("&#39;", "'")
    assert '<span class="formula display">v̂ = v/(1-β₁ᵗ)</span>' in html
    assert '<span class="formula">log a^([3](i))</span> is no link' in html
    assert "\\frac" not in html and "$$" not in html


def _graded_notebook():
    answer = nbformat.v4.new_code_cell("def f():\n    return 1", metadata={"nbgrader": {
        "grade": False, "solution": True, "grade_id": "answer_f", "comment": "Score: see below"}})
    grade = nbformat.v4.new_code_cell("check()", metadata={"nbgrader": {
        "grade": True, "solution": False, "grade_id": "check_adam", "points": 2.0, "score": 1.0}})
    grade.outputs = [nbformat.v4.new_output("stream", name="stdout", text="Grade cell: mine, Score: 3\n")]
    return nbformat.v4.new_notebook(cells=[answer, grade])


ENGLISH_NBGRADER_LABELS = ("(Score: ", ">Test cell</a>", ">Comment</a>", "Student's answer",
                           "Grade cell: <code>", ">(Top)</a>", "<b>Comments:</b>")


def test_a_chinese_feedback_page_shows_nbgraders_labels_in_chinese_but_not_the_cells_text(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_LANG", "zh")
    html = _feedback_html(tmp_path, _graded_notebook())
    for label in ("得分", "测试单元", "学生的答案", "评分单元", "评语", "回到顶部"):
        assert label in html, label
    for label in ENGLISH_NBGRADER_LABELS:
        assert label not in html, label
    assert "Grade cell: mine, Score: 3" in html  # a cell's output is the student's, kept as it is
    assert "Score: see below" in html  # so is the instructor's comment


def test_a_course_graded_in_chinese_gets_chinese_feedback_pages_from_that_one_setting(tmp_path, monkeypatch):
    """generate_feedback reads the nbgrader_config.py autograde read: c.GradeOutOfKernel.lang
    alone makes the pages Chinese (PlainFormulas.lang unset, no AUTOGRADER_LANG)."""
    monkeypatch.delenv("AUTOGRADER_LANG", raising=False)
    html = _feedback_html(tmp_path, _graded_notebook(), 'c.GradeOutOfKernel.lang = "zh"\n')
    assert '<html lang="zh-CN">' in html
    for label in ENGLISH_NBGRADER_LABELS:
        assert label not in html, label
    # Its own setting still wins.
    html = _feedback_html(tmp_path / "en", _graded_notebook(),
                          'c.GradeOutOfKernel.lang = "zh"\nc.PlainFormulas.lang = "en"\n')
    for label in ENGLISH_NBGRADER_LABELS:
        assert label in html, label


def test_the_english_feedback_page_is_nbgraders_own(tmp_path, monkeypatch):
    """The blocks offline.html.j2 overrides for other languages give nbgrader's page unchanged:
    the same page as nbgrader's template with only the header block of ours."""
    import shutil

    monkeypatch.setenv("AUTOGRADER_LANG", "en")
    import copy

    nb = _graded_notebook()
    html = _feedback_html(tmp_path / "ours", copy.deepcopy(nb))
    for label in ENGLISH_NBGRADER_LABELS:
        assert label in html, label
    from autograder import nbgrader_feedback

    ours, nbgraders = nbgrader_feedback.FEEDBACK_TEMPLATES
    header_only = tmp_path / "templates"
    shutil.copytree(ours, header_only)
    template = header_only / "feedback" / nbgrader_feedback.FEEDBACK_TEMPLATE_FILE
    text = template.read_text(encoding="utf-8")
    template.write_text(text.split("{%- endblock header -%}")[0] + "{%- endblock header -%}\n",
                        encoding="utf-8")
    monkeypatch.setattr(nbgrader_feedback, "FEEDBACK_TEMPLATES", [str(header_only), nbgraders])
    assert _feedback_html(tmp_path / "theirs", nb) == html
