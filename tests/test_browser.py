"""The class report and nbgrader's feedback page, rendered by a real browser (headless Chromium).

Each page is loaded as a copy with one script appended that measures the laid-out page (its
width against the window's, each image as decoded, the size of every cell, the glyphs of its
Chinese text drawn in the font the page gives them) and writes the measurements into the title,
read back with ``--dump-dom``. A screenshot of each page is kept in ``out/screenshots/``.
Skipped where no Chromium is installed (``.ci/run`` installs Debian's ``chromium`` and
``fonts-noto-cjk`` where it can).
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from tests.conftest import ROOT
from tests.test_report import HOSTILE, made_up_class

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM = next((path for path in map(shutil.which, BROWSERS) if path), None)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium to render the pages with (none of "
    f"{', '.join(BROWSERS)} on PATH): install Debian's chromium and fonts-noto-cjk, as .ci/run does")
SCREENSHOTS = ROOT / "out" / "screenshots"
WIDTH, HEIGHT = 1280, 2000
LONG_TOKEN = "x" * 2000  # a 2000-character word: a flattened array, a path, a base64 blob
CHINESE_NAME = "王小明"
CHINESE_TEXT = "梯度下降的结果不对"

# Appended to a copy of the page under test: measures, then writes JSON into the title.
MEASURE = r"""<script>
window.addEventListener("load", () => {  // synchronous: --dump-dom waits for nothing else
  const images = [...document.images];  // loaded by now: the load event waits for images
  const root = document.documentElement, width = window.innerWidth;
  const glyph = (char, font) => {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 64;
    const ctx = canvas.getContext("2d");
    ctx.font = font;
    ctx.textBaseline = "top";
    ctx.fillText(char, 4, 4);
    const alpha = ctx.getImageData(0, 0, 64, 64).data.filter((_, i) => i % 4 === 3);
    return {ink: alpha.filter((a) => a > 0).length, print: alpha.join(",")};
  };
  const cjk = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!/[\u4e00-\u9fff]/.test(node.data) || node.parentElement.tagName === "SCRIPT") continue;
    const element = node.parentElement, style = getComputedStyle(element);
    const font = `${style.fontStyle} ${style.fontWeight} 48px ${style.fontFamily}`;
    const chars = [...new Set(node.data.match(/[\u4e00-\u9fff]/g))].slice(0, 6);
    const tofu = glyph("\u{10FFFD}", font).print;  // a code point no font has: the missing-glyph box
    const prints = chars.map((c) => glyph(c, font));
    const box = element.getBoundingClientRect();
    cjk.push({text: node.data.trim().slice(0, 200), family: style.fontFamily,
              rect: [box.left + scrollX, box.top + scrollY, box.width, box.height],
              min_ink: Math.min(...prints.map((p) => p.ink)),
              distinct: new Set(prints.map((p) => p.print)).size, chars: chars.length,
              tofu: prints.filter((p) => p.print === tofu).length});
  }
  // Cells of short words (a name, a score, a status) as narrow as to break one of them.
  const brokenWords = () => {
    const ctx = document.createElement("canvas").getContext("2d"), out = [];
    for (const cell of document.querySelectorAll("td, th")) {
      const words = cell.innerText.split(/\s+/).filter((w) => w && !/[\u3000-\u9fff]/.test(w));
      if (!words.length || words.some((w) => w.length > 24)) continue;
      const style = getComputedStyle(cell);
      ctx.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
      const room = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      const widest = words.reduce((a, b) => (ctx.measureText(a).width >= ctx.measureText(b).width ? a : b));
      if (ctx.measureText(widest).width > room + 1) out.push(`${widest} (${Math.round(room)} px)`);
    }
    return out.slice(0, 10);
  };
  const overflowing = (selector) => [...document.querySelectorAll(selector)]
    .filter((e) => e.scrollWidth > e.clientWidth + 1)
    .map((e) => `${e.tagName.toLowerCase()}.${e.className}: ${e.scrollWidth} > ${e.clientWidth}`);
  const wide = [...document.body.querySelectorAll("*")]
    .filter((e) => e.getBoundingClientRect().right > width + 1)
    .map((e) => `${e.tagName.toLowerCase()}.${e.className}`);
  document.title = JSON.stringify({
    scroll_width: root.scrollWidth, inner_width: width, height: root.scrollHeight,
    images: images.map((i) => ({natural: [i.naturalWidth, i.naturalHeight],
                                shown: i.getBoundingClientRect().width,
                                room: i.parentElement.clientWidth})),
    wide: wide.slice(0, 10),
    scrolling: overflowing("pre, div.table, td, th, p, div.text_cell_render, div.output_subarea"),
    cells: [...document.querySelectorAll("td")].map((td) => td.getBoundingClientRect().width),
    broken_words: brokenWords(),
    font_sizes: [...new Set([...document.querySelectorAll("td, th, p, pre")]
                            .map((e) => parseFloat(getComputedStyle(e).fontSize)))],
    scripts: document.scripts.length, pwned: "pwned" in root.dataset, cjk: cjk,
  });
});
</script>
"""


def _chromium(url: str, profile: Path, *args: str) -> str:
    done = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         "--no-first-run", "--disable-extensions", "--mute-audio", f"--user-data-dir={profile}",
         "--virtual-time-budget=5000", *args, url],
        capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def measure(page: Path, name: str, tmp_path: Path) -> dict:
    """Measurements of ``page`` laid out at WIDTH, and its whole length in a screenshot
    ``out/screenshots/<name>.png`` (returned under "screenshot")."""
    before, end, after = page.read_text(encoding="utf-8").rpartition("</body>")
    assert end, "the page has no </body>"
    probe = page.with_name(f"{page.stem}.measured.html")
    probe.write_text(before + MEASURE + end + after, encoding="utf-8")
    dom = _chromium(probe.as_uri(), tmp_path / "profile", f"--window-size={WIDTH},{HEIGHT}",
                    "--dump-dom")
    found = re.search(r"<title>(\{.*?\})</title>", dom, re.DOTALL)
    assert found, f"the page's script did not report (its DOM begins {dom[:300]!r})"
    measured = json.loads(html.unescape(found.group(1)))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / f"{name}.png"
    shot.unlink(missing_ok=True)
    height = min(max(HEIGHT, measured["height"]), 16_000)
    _chromium(page.as_uri(), tmp_path / "profile", f"--window-size={WIDTH},{height}",
              f"--screenshot={shot}")
    measured["screenshot"] = shot
    return measured


def check_layout(measured: dict, images: int) -> None:
    """What makes a page readable at 1280 pixels, whatever it holds."""
    assert measured["scroll_width"] <= measured["inner_width"], (
        f"the page is {measured['scroll_width']} pixels wide in a {measured['inner_width']}-pixel "
        f"window; too wide: {measured['wide']}")
    assert not measured["wide"], measured["wide"]
    assert not measured["scrolling"], f"boxes whose content does not fit: {measured['scrolling']}"
    assert len(measured["images"]) == images
    for image in measured["images"]:  # decoded, and shown at most as wide as its room
        assert min(image["natural"]) > 0, image
        assert 0 < image["shown"] <= image["room"] + 1, image
    assert min(measured["font_sizes"]) >= 12, measured["font_sizes"]
    assert not measured["broken_words"], f"cells too narrow for a word: {measured['broken_words']}"
    assert measured["scripts"] == 1, "a script other than the measuring one is in the page"
    assert not measured["pwned"], "a student's name or text ran as code"


def cjk_font_missing() -> bool:
    """fontconfig knows no font for Chinese (where there is fontconfig)."""
    try:
        found = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, timeout=30)
    except FileNotFoundError:
        return False  # no fontconfig (macOS, Windows): the glyphs themselves are checked
    return found.returncode == 0 and not found.stdout.strip()


def check_cjk(measured: dict, *texts: str) -> None:
    """Each Chinese text is laid out and drawn with real glyphs: every character a glyph of its
    own, none the missing-glyph box. Last: the page's other checks have passed when it skips."""
    if cjk_font_missing():
        pytest.skip("no font on this machine covers Chinese (fc-list :lang=zh finds none), so "
                    "Chromium can only draw boxes: install fonts-noto-cjk, as .ci/run does")
    for text in texts:
        hits = [c for c in measured["cjk"] if text in c["text"]]
        assert hits, f"{text!r} is not on the page: {[c['text'] for c in measured['cjk']]}"
        for hit in hits:
            assert hit["rect"][2] > 0 and hit["rect"][3] > 0, hit
            assert hit["min_ink"] > 0 and hit["tofu"] == 0, hit
            assert hit["distinct"] == hit["chars"], hit


def check_screenshot(measured: dict) -> None:
    """A real picture of the page, with ink where the Chinese text is."""
    from PIL import Image

    with Image.open(measured["screenshot"]) as shot:
        assert shot.width == WIDTH
        gray = shot.convert("L")
        assert gray.getextrema()[0] < 100  # not a blank page
        for hit in measured["cjk"]:
            left, top, width, height = hit["rect"]
            region = gray.crop((int(left), int(top), int(left + width) + 1, int(top + height) + 1))
            assert region.getextrema()[0] < 160, f"nothing drawn where {hit['text']!r} is"


# ---------------------------------------------------------------------------- the class report


def browser_class() -> tuple[dict[str, dict], list[str]]:
    """30 students on 3 topics: one with a Chinese name and a Chinese message, one whose
    module problem is a 2000-character word, two whose names are markup."""
    records, truth = made_up_class(30, 3, seed=5, names=(CHINESE_NAME, "long", *HOSTILE))
    problems = {CHINESE_NAME: f"SyntaxError: invalid character '，' (line 3: # {CHINESE_TEXT})",
                "long": f"NameError: name '{LONG_TOKEN}' is not defined"}
    for student, problem in problems.items():
        topic = records[student]["topics"][0]
        topic["problem"] = problem
        for prop in topic["properties"]:
            prop.update(status="failed", outcome="not_gradable", score=0.0, diagnosis="")
    return records, truth["topics"]


def test_the_class_report_reads_well_in_a_browser(tmp_path):
    from autograder.batch.report import write_report

    records, topics = browser_class()
    _, page = write_report(records, tmp_path, topics)
    measured = measure(page, "report", tmp_path)
    check_layout(measured, images=2)
    for image, data in zip(measured["images"],
                           re.findall(r'src="data:image/png;base64,([^"]*)"', page.read_text())):
        from PIL import Image

        with Image.open(io.BytesIO(base64.b64decode(data))) as png:
            assert png.format == "PNG" and list(png.size) == image["natural"]
    # every table fits the page: none needs its own scroll bar at 1280 pixels, no cell is a sliver
    assert min(measured["cells"]) >= 30, min(measured["cells"])
    check_screenshot(measured)
    check_cjk(measured, CHINESE_NAME, CHINESE_TEXT)


# ---------------------------------------------------------------------------- a feedback page


def _figure_png(width_px: int) -> str:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width_px / 100, 3), dpi=100)
    fig.add_subplot().plot([0, 1, 2], [3, 1, 2])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def feedback_notebook() -> nbformat.NotebookNode:
    """A graded notebook as nbgrader's feedback shows it: a formula, a Chinese sentence, a
    2000-character word in prose, code and output, a traceback, a table and a wide plot."""
    grade = nbformat.v4.new_code_cell("check_adam()", metadata={"nbgrader": {
        "grade": True, "solution": False, "grade_id": "check_adam", "points": 2.0, "score": 1.0}})
    grade.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text=(
            "update_parameters_with_adam: " + "expected 0.1267115222, got 0.1272214988; " * 8
            + f"\n  for input: {LONG_TOKEN}\n  提示: {CHINESE_TEXT}\n")),
        nbformat.v4.new_output("error", ename="ValueError", evalue=LONG_TOKEN[:300],
                               traceback=["\x1b[0;31mValueError\x1b[0m: " + LONG_TOKEN]),
    ]
    plot = nbformat.v4.new_code_cell("plot_costs()")
    plot.outputs = [nbformat.v4.new_output("display_data", data={
        "image/png": _figure_png(1800), "text/plain": "<Figure size 1800x300>"})]
    return nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell(
            r"At step $t$: $$\hat v = \frac{v}{1-\beta_1^t}$$ " + f"{CHINESE_TEXT}: {LONG_TOKEN}\n\n"
            "| kind | meaning |\n|---|---|\n| `(\"log\", low, high)` | " + "log-uniform " * 40 + "|\n"),
        grade,
        nbformat.v4.new_code_cell(f"token = '{LONG_TOKEN}'"),
        plot,
    ])


def test_a_feedback_page_reads_well_in_a_browser(tmp_path):
    from tests.test_feedback_html import _feedback_html

    page = tmp_path / "feedback.html"
    page.write_text(_feedback_html(tmp_path, feedback_notebook()), encoding="utf-8")
    measured = measure(page, "feedback", tmp_path)
    check_layout(measured, images=1)
    assert measured["images"][0]["natural"][0] == 1800  # the plot, scaled down to fit
    check_screenshot(measured)
    check_cjk(measured, CHINESE_TEXT)


# ---------------------------------------------------------------------------- the Chinese edition


def test_the_class_report_in_chinese_reads_well_in_a_browser(tmp_path):
    from autograder.batch.report import write_report
    from autograder.i18n import language

    records, topics = browser_class()
    with language("zh"):
        _, page = write_report(records, tmp_path, topics)
    assert '<html lang="zh-CN">' in page.read_text(encoding="utf-8")
    measured = measure(page, "report_zh", tmp_path)
    check_layout(measured, images=2)
    assert min(measured["cells"]) >= 30, min(measured["cells"])
    check_screenshot(measured)
    check_cjk(measured, "班级报告", "各主题平均分", "谁出现了哪种误解", "通过率", CHINESE_NAME)


def test_a_chinese_feedback_page_reads_well_in_a_browser(tmp_path):
    """A grade cell's output as GradeOutOfKernel writes it in zh, on the page generate_feedback
    makes with the course's config in zh."""
    from autograder.i18n import language
    from autograder.nbgrader_grade import feedback_for
    from autograder.results import PropertyResult, TopicResult
    from tests.test_feedback_html import _feedback_html

    with language("zh"):
        wrong = PropertyResult(
            "optimizers", "update_parameters_with_adam", "adam matches torch adam over consecutive steps",
            "id", 2.0, 0.0, "failed", "update_parameters_with_adam: parameters after step 1['W1']: "
            "expected 0.1267115222, got 0.1257354689\n提示：偏差修正用的是 1 - beta1**t",
            reproduce="import numpy as np\nprint(np.zeros(3))\n")
        topic = TopicResult("optimizers", "Optimizers", [wrong])
        text = feedback_for("update_parameters_with_adam", topic, 0.0, 2.0)
        nb = feedback_notebook()
        nb.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
        page = tmp_path / "feedback_zh.html"
        page.write_text(_feedback_html(tmp_path, nb), encoding="utf-8")
    assert '<html lang="zh-CN">' in page.read_text(encoding="utf-8")
    assert text.startswith("update_parameters_with_adam 的隐藏测试：0 / 2 分")
    measured = measure(page, "feedback_zh", tmp_path)
    check_layout(measured, images=1)
    check_screenshot(measured)
    check_cjk(measured, "的隐藏测试", CHINESE_TEXT)
