"""The class report: what a whole class did and did not understand, at a glance.

Reads only stored per-student result records (``SubmissionResult.to_dict()`` plus batch
fields) and writes ``report.png`` and ``report.html`` (the PNG embedded with a plot of each
topic's score distribution, tables below them: each property's pass rate per topic, who hit
which misconception and which kind of mistake a check states, who did not finish and why,
every student's scores, each name linked to the student's ``results/<student>.json``). Every
string of a record is escaped: a student's name is text, never markup.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import html
import io
import statistics
import textwrap
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from autograder.batch.settings import RESULTS_DIR
from autograder.batch.store import did_not_finish, record_name
from autograder.i18n import LANGUAGES, N_, _, html_lang, language, ngettext
from autograder.results import Outcome, read_outcome

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# Failures after which a student's work was not all graded (or not all done), in the words of
# the "Did not finish" table, in its order.
UNFINISHED = {
    Outcome.NOT_GRADABLE: N_("module not gradable"),
    Outcome.BUDGET_EXHAUSTED: N_("time budget used up, not run"),
    Outcome.CRASHED: N_("crashed"),
    Outcome.TIMED_OUT: N_("timed out"),
    Outcome.GRADER_ERROR: N_("the grader failed, not the student"),
    Outcome.NOT_IMPLEMENTED: N_("not implemented"),
}
# Outcomes that name no cause of their own: a passed property, or a property that does not hold
# (its diagnosis, when it has one, names the misconception).
NO_CAUSE = (Outcome.PASSED, Outcome.FAILED)
TOP = 10
LABEL_WIDTH = 60  # characters per line of a chart's label: longer ones wrap, never cut


@dataclass
class StudentRow:
    """One line of the per-student table."""

    student: str
    status: str  # "graded" or "error" (grading did not finish)
    score: float = 0.0
    max_score: float = 0.0
    topics: dict[str, tuple[float, float]] = field(default_factory=dict)  # score, maximum
    misconceptions: list[str] = field(default_factory=list)
    unfinished: list[str] = field(default_factory=list)  # why not all of it was graded or done

    @property
    def percent(self) -> float:
        return 100.0 * self.score / self.max_score if self.max_score else 0.0


@dataclass
class PropertyRate:
    """How many of the graded students passed one property (a function's property, by name)."""

    function: str
    name: str
    passed: int = 0  # students passing it (every time it was graded, when it was graded twice)
    graded: int = 0  # students whose grading finished with this property in their record
    unattempted: int = 0  # of those, students with nothing to run (not implemented, no module)

    @property
    def rate(self) -> float:
        return self.passed / self.graded if self.graded else 0.0


@dataclass
class ClassSummary:
    students: int = 0
    graded: int = 0
    totals: list[float] = field(default_factory=list)  # percent of the maximum, graded only
    topic_means: dict[str, float] = field(default_factory=dict)  # percent of the maximum
    # property, students failing it with code that ran (missing or unimportable code excluded)
    failing: list[tuple[str, int]] = field(default_factory=list)
    misconceptions: list[tuple[str, int]] = field(default_factory=list)  # diagnosis, students
    causes: list[tuple[str, int]] = field(default_factory=list)  # outcomes' labels, students
    errors: list[str] = field(default_factory=list)  # students whose grading did not finish
    rows: list[StudentRow] = field(default_factory=list)  # every student, by name
    # every misconception diagnosed, most students first -> the students it was diagnosed in
    who: dict[str, list[str]] = field(default_factory=dict)
    # the keys of ``who`` that are a kind of mistake a check states (grading_tests.compare's
    # STATED_MISTAKES: an argument changed in place, no ValueError, ...), not a misconception
    stated: set[str] = field(default_factory=set)
    topic_scores: dict[str, list[float]] = field(default_factory=dict)  # percent, graded only
    rates: dict[str, list[PropertyRate]] = field(default_factory=dict)  # topic -> its properties


def _first_line(text: Any) -> str:
    return (str(text or "").strip().splitlines() or [""])[0]


def unfinished(data: dict[str, Any], topics: list[str] | None = None) -> list[str]:
    """Why a student's work was not all graded, or not all done: grading did not finish, a
    module not submitted or not gradable, a time budget used up, a crash, missing functions."""

    reasons = []
    if data.get("status") == "error":
        reasons.append(did_not_finish(_first_line(data.get("error")) or _("unknown error")))
    for topic in data.get("topics", []):
        name = str(topic.get("topic", ""))
        if topics is not None and name not in topics:
            continue
        props = topic.get("properties", [])
        by_cause: dict[Outcome, list[str]] = {}
        for prop in props:
            outcome = read_outcome(prop)[0]
            if outcome in UNFINISHED:
                by_cause.setdefault(outcome, []).append(str(prop.get("function", "")))
        problem = _first_line(topic.get("problem"))
        if problem and set(by_cause) <= {Outcome.NOT_GRADABLE, Outcome.BUDGET_EXHAUSTED}:
            if not problem.startswith(_did_not_finish_prefixes()):  # said once, above
                reasons.append(f"{name}: {problem}")  # one reason for the whole module
            continue
        for cause, label in UNFINISHED.items():
            if cause in by_cause:
                count = len(by_cause[cause])
                reasons.append(ngettext("{topic}: {cause} ({count} property: {functions})",
                                        "{topic}: {cause} ({count} properties: {functions})",
                                        count).format(topic=name, cause=_(label), count=count,
                                                      functions=", ".join(sorted(set(by_cause[cause])))))
    return reasons


@functools.cache
def _did_not_finish_prefixes() -> tuple[str, ...]:
    """How a stored record's topic problem says grading did not finish, in every language (a
    batch's records are in the language it graded in)."""

    prefixes = []
    for lang in LANGUAGES:
        with language(lang):
            prefixes.append(did_not_finish("\0").split("\0")[0])
    return tuple(prefixes)


def stated_mistakes() -> frozenset[str]:
    """The kinds of mistake the grading checks state in their message (``fail(mistake=...)``)."""
    try:
        from grading_tests.compare import STATED_MISTAKES
    except ImportError:  # a grader installed without its tests: every diagnosis a misconception
        return frozenset()
    return frozenset(STATED_MISTAKES)


def summarize(records: dict[str, dict[str, Any]], topics: list[str] | None = None) -> ClassSummary:
    """Counts over students (a student failing a property twice counts once)."""
    out = ClassSummary(students=len(records))
    topic_scores: dict[str, list[float]] = {}
    rates: dict[str, dict[tuple[str, str], PropertyRate]] = {}
    stated = stated_mistakes()
    failing: Counter[str] = Counter()
    misconceptions: Counter[str] = Counter()
    causes: Counter[str] = Counter()
    who: dict[str, list[str]] = {}
    for student in sorted(records):
        data = records[student]
        row = StudentRow(student, "error" if data.get("status") == "error" else "graded",
                         unfinished=unfinished(data, topics))
        out.rows.append(row)
        if row.status == "error":
            out.errors.append(student)
            continue
        out.graded += 1
        row.score = float(data.get("score", 0.0))
        row.max_score = float(data.get("max_score") or 0.0)
        out.totals.append(row.percent)
        seen_props: set[str] = set()
        seen_diag: set[str] = set()
        seen_causes: set[str] = set()
        for topic in data.get("topics", []):
            name = str(topic.get("topic", ""))
            if topics is not None and name not in topics:
                continue
            tmax = float(topic.get("max_score") or 0.0)
            row.topics[name] = (float(topic.get("score", 0.0)), tmax)
            if tmax:
                topic_scores.setdefault(name, []).append(
                    100.0 * float(topic.get("score", 0.0)) / tmax)
            # (function, property) -> (passed every time, attempted): graded twice counts once
            verdicts: dict[tuple[str, str], tuple[bool, bool]] = {}
            for prop in topic.get("properties", []):
                outcome, diagnosis, exception = read_outcome(prop)
                key = (str(prop.get("function", "")), str(prop.get("name", "")))
                passed, attempted = verdicts.get(key, (True, False))
                verdicts[key] = (passed and outcome is Outcome.PASSED,
                                 attempted or not outcome.unattempted)
                if outcome is Outcome.PASSED:
                    continue
                if not outcome.unattempted:  # wrong work, not missing work
                    seen_props.add(f"{name}.{prop.get('function', '')}: {prop.get('name', '')}")
                if diagnosis:  # only ever a named misconception or a stated kind of mistake
                    seen_diag.add(f"{name}.{prop.get('function', '')}: {diagnosis}")
                    if diagnosis in stated:
                        out.stated.add(f"{name}.{prop.get('function', '')}: {diagnosis}")
                if outcome not in NO_CAUSE:
                    seen_causes.add(outcome.label(exception))
            topic_rates = rates.setdefault(name, {})
            for key, (passed, attempted) in verdicts.items():
                rate = topic_rates.setdefault(key, PropertyRate(*key))
                rate.graded += 1
                rate.passed += passed
                rate.unattempted += not attempted
        failing.update(seen_props)
        causes.update(seen_causes)
        for diagnosis in sorted(seen_diag):
            misconceptions[diagnosis] += 1
            row.misconceptions.append(diagnosis)
            who.setdefault(diagnosis, []).append(student)
    order = topics if topics is not None else sorted(topic_scores)
    out.topic_means = {t: statistics.fmean(topic_scores[t]) for t in order if t in topic_scores}
    out.topic_scores = {t: topic_scores[t] for t in order if t in topic_scores}
    out.rates = {t: list(rates[t].values()) for t in (topics if topics is not None else sorted(rates))
                 if t in rates}

    # Most students first, then by name: the same records always give the same report.
    def ranked(counter: Counter[str]) -> list[tuple[str, int]]:
        return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))

    out.failing, out.causes = ranked(failing)[:TOP], ranked(causes)[:TOP]
    out.misconceptions = ranked(misconceptions)[:TOP]
    out.who = {name: who[name] for name, _ in ranked(misconceptions)}
    return out


def _wrapped(text: str) -> str:
    return "\n".join(textwrap.wrap(text, LABEL_WIDTH)) or text


# Fonts with the CJK characters, best first, as Debian (fonts-noto-cjk), Windows and macOS name them.
CJK_FONT_FILES = ("NotoSansCJK", "SourceHanSans", "wqy-microhei", "wqy-zenhei", "msyh", "PingFang")


@functools.cache
def cjk_font() -> str | None:
    """A font family matplotlib can draw Chinese with (added to it from the system's fonts when
    its font cache predates them), or None."""
    from matplotlib import font_manager

    known = {f.name for f in font_manager.fontManager.ttflist}
    for name in ("Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC", "WenQuanYi Micro Hei",
                 "Microsoft YaHei", "PingFang SC"):
        if name in known:
            return name
    files = sorted(font_manager.findSystemFonts(fontext="ttf"))  # .otf and .ttc too
    for stem in CJK_FONT_FILES:
        for path in files:
            if stem.lower() in Path(path).name.lower() and "bold" not in Path(path).name.lower():
                try:
                    font_manager.fontManager.addfont(path)
                    return font_manager.FontProperties(fname=path).get_name()
                except (OSError, RuntimeError, ValueError):
                    continue
    return None


@contextlib.contextmanager
def _chart_language() -> Any:
    """Charts in the page's language when matplotlib has a font for it; in English otherwise
    (a chart of missing-glyph boxes reads worse than English)."""
    import matplotlib

    with contextlib.ExitStack() as stack:
        lang = html_lang()
        font = cjk_font() if lang.startswith("zh") else None
        if lang.startswith("zh") and font is None:
            stack.enter_context(language("en"))
        elif font is not None:
            stack.enter_context(matplotlib.rc_context(
                {"font.sans-serif": [font, *matplotlib.rcParams["font.sans-serif"]],
                 "font.family": "sans-serif"}))
        yield


def render_figure(summary: ClassSummary) -> Figure:
    """Four panels: total scores, mean per topic, failing properties, misconceptions."""
    with _chart_language():
        return _render_figure(summary)


def shown(key: str) -> str:
    """A ``topic.function: diagnosis`` key as a reader sees it: the diagnosis (kept in English
    on the record, a machine value) in the report's language."""
    where, sep, diagnosis = key.partition(": ")
    return f"{where}{sep}{_(diagnosis)}" if sep else _(key)


def _render_figure(summary: ClassSummary) -> Figure:
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    # Taller when labels wrap onto several lines: every label is shown whole.
    lines = sum(1 + _wrapped(name).count("\n") for name, _ in
                [*summary.failing, *((shown(n), c) for n, c in summary.misconceptions)])
    fig = Figure(figsize=(14, max(13.0, 6 + 0.3 * lines)), layout="constrained")
    grid = fig.add_gridspec(3, 2, height_ratios=[1, 1.2, 1.2])
    ax = fig.add_subplot(grid[0, 0])
    ax.hist(summary.totals, bins=[i * 10 for i in range(11)], color="#4c72b0", edgecolor="white")
    ax.set_xlim(0, 100)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # a number of students
    ax.set_xlabel(_("total score (percent of the maximum)"))
    ax.set_ylabel(_("students"))
    if summary.totals:
        ax.set_title(_("Total scores ({graded} graded, mean {mean}%)").format(
            graded=summary.graded, mean=f"{statistics.fmean(summary.totals):.0f}"))
    else:
        ax.set_title(_("Total scores ({graded} graded)").format(graded=summary.graded))

    ax = fig.add_subplot(grid[0, 1])
    names = list(summary.topic_means)
    ax.barh(names[::-1], [summary.topic_means[n] for n in names][::-1], color="#55a868")
    ax.set_xlim(0, 100)
    ax.set_xlabel(_("mean score (percent of the topic's maximum)"))
    ax.set_title(_("Mean score per topic"))

    for ax, rows, title, color in (
        (fig.add_subplot(grid[1, :]), summary.failing,
         _("Properties failed most often (by students whose code ran)"), "#c44e52"),
        (fig.add_subplot(grid[2, :]), summary.misconceptions,
         _("Misconceptions diagnosed most often"), "#8172b2"),
    ):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        labels = [_wrapped(shown(name) if rows is summary.misconceptions else name) for name, _ in rows][::-1]
        ax.barh(labels, [count for _, count in rows][::-1], color=color)
        ax.set_xlabel(_("students (of {graded} graded)").format(graded=summary.graded))
        ax.set_title(title)
        ax.tick_params(axis="y", labelsize=8)
        if not rows:
            ax.text(0.5, 0.5, _("none"), ha="center", va="center", transform=ax.transAxes)
    return fig


DISTRIBUTION_COLUMNS = 4


def render_distribution(summary: ClassSummary) -> Figure:
    """The score distribution of each topic, one small histogram per topic (10% bins)."""
    with _chart_language():
        return _render_distribution(summary)


def _render_distribution(summary: ClassSummary) -> Figure:
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    topics = list(summary.topic_scores)
    columns = max(1, min(DISTRIBUTION_COLUMNS, len(topics)))
    rows = max(1, -(-len(topics) // columns))
    # Spacing set by hand, not by the constrained layout, which takes seconds for 20 panels;
    # savefig's tight box trims the margins.
    fig = Figure(figsize=(3.3 * columns, 2.3 * rows))
    if not topics:
        fig.text(0.5, 0.5, _("no topic graded"), ha="center", va="center")
        return fig
    axes = fig.subplots(rows, columns, squeeze=False, sharex=True,
                        gridspec_kw={"hspace": 0.45, "wspace": 0.3})
    for ax, topic in zip(axes.flat, topics):
        scores = summary.topic_scores[topic]
        ax.hist(scores, bins=[i * 10 for i in range(11)], color="#4c72b0", edgecolor="white")
        ax.axvline(statistics.median(scores), color="#c44e52", linewidth=1.5)
        ax.set_xlim(0, 100)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # a number of students
        ax.set_title(_("{topic}: median {median}% (n={count})").format(
            topic=topic, median=f"{statistics.median(scores):.0f}", count=len(scores)), fontsize=9)
        ax.tick_params(labelsize=8)
    for ax in axes.flat[len(topics):]:
        ax.set_axis_off()
    for ax in axes[-1]:
        ax.set_xlabel(_("score (percent of the topic's maximum)"), fontsize=8)
    for ax in axes[:, 0]:
        ax.set_ylabel(_("students"), fontsize=8)
    return fig


def _png(fig: Figure, dpi: int) -> bytes:
    """The figure as a palette PNG: a quarter of the bytes of matplotlib's RGBA for flat charts,
    which keeps a report of 300 students and 20 topics to about 100 KB of embedded images."""
    from PIL import Image

    buffer = io.BytesIO()
    # A tight box: anything the layout could not fit (a very long label) is in the image too.
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    image = Image.open(buffer).convert("RGB").quantize(
        colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def render_png(summary: ClassSummary) -> bytes:
    with _chart_language():  # fonts are found when the figure is drawn: saving it too
        return _png(render_figure(summary), 90)


def render_distribution_png(summary: ClassSummary) -> bytes:
    with _chart_language():
        return _png(render_distribution(summary), 72)


TEXT_CELL = ' class="text"'


def _table(title: str, header: tuple[str, ...], rows: list[tuple[Any, ...]],
           raw: tuple[int, ...] = (), text: tuple[int, ...] = (), level: int = 2) -> str:
    """An HTML table, every cell escaped but the columns in ``raw`` (links built by ``_link``);
    the columns in ``text`` hold free text, whose long words wrap anywhere."""
    heading = f"<h{level}>{html.escape(title)}</h{level}>"
    if not rows:
        return f"{heading}<p>{html.escape(_('none'))}</p>"
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    head = f"<tr>{head}</tr>" if any(header) else ""
    body = "".join(
        "<tr>" + "".join(f"<td{TEXT_CELL if i in text else ''}>"
                         f"{cell if i in raw else html.escape(str(cell))}</td>"
                         for i, cell in enumerate(row)) + "</tr>"
        for row in rows)
    # A table wider than the page scrolls in its own box; the page itself never does.
    return f'{heading}<div class="table"><table>{head}{body}</table></div>'


def _link(student: str) -> str:
    """The student's name, linked to their stored result ``results/<student>.json``."""

    href = f"{RESULTS_DIR}/{quote(record_name(student))}"
    return f'<a href="{html.escape(href)}">{html.escape(student)}</a>'


def _number(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _student_rows(summary: ClassSummary, topics: list[str]) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for row in summary.rows:
        graded = row.status == "graded"
        scores = [f"{_number(row.topics[t][0])} / {_number(row.topics[t][1])}"
                  if t in row.topics else "" for t in topics]
        rows.append((_link(row.student), *scores,
                     f"{_number(row.score)} / {_number(row.max_score)}" if graded else "",
                     f"{row.percent:.1f}%" if graded else "",
                     _("graded") if graded else _("did not finish"),
                     "; ".join(shown(m) for m in row.misconceptions)))
    return rows


# A long word of a text column (a 2000-character token in a reason) wraps anywhere; names (links),
# numbers and headings only between words, so that no column of short words is squeezed to a
# few letters a line by a column of long text. CJK text gets a CJK font wherever there is one.
CSS = (
    "body{font-family:Arial,Helvetica,'Noto Sans CJK SC','Noto Sans SC','Source Han Sans SC',"
    "'PingFang SC','Microsoft YaHei','WenQuanYi Micro Hei',sans-serif;max-width:1200px;"
    "margin:auto;padding:0 8px;line-height:1.35}"
    "img{max-width:100%;height:auto}"
    "div.table{max-width:100%;overflow-x:auto;margin-bottom:1em}"
    "table{border-collapse:collapse}"
    "td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}"
    "td.text{overflow-wrap:anywhere;min-width:10em}"  # whole words, short headings or not
    "td a{overflow-wrap:normal;word-break:keep-all}"
    "th{background:#f2f2f2}"
    "tr:nth-child(odd) td{background:#fafafa}"
)


def _percent(x: float) -> str:
    return f"{100 * x:.0f}%"


def _rate_rows(rates: list[PropertyRate]) -> list[tuple[Any, ...]]:
    return [(r.function, r.name, r.passed, r.graded, _percent(r.rate), r.unattempted)
            for r in rates]


def _who_rows(summary: ClassSummary, stated: bool) -> list[tuple[Any, ...]]:
    return [(shown(name), len(names), ", ".join(_link(n) for n in names))
            for name, names in summary.who.items() if (name in summary.stated) == stated]


def render_html(summary: ClassSummary, png: bytes, topics: list[str] | None = None,
                distribution: bytes = b"") -> str:
    """The page: ``png`` (render_png) and ``distribution`` (render_distribution_png) embedded,
    the tables below them."""
    topics = topics if topics is not None else list(summary.topic_means)
    totals = summary.totals
    stats: list[tuple[str, Any]] = [(_("students"), summary.students), (_("graded"), summary.graded),
                                    (_("grading did not finish"), len(summary.errors))]
    if totals:
        stats += [(_("mean total"), f"{statistics.fmean(totals):.1f}%"),
                  (_("median total"), f"{statistics.median(totals):.1f}%"),
                  (_("lowest / highest"), f"{min(totals):.1f}% / {max(totals):.1f}%")]
    none = f"<p>{html.escape(_('none'))}</p>"

    def image(data: bytes, alt: str) -> str:
        encoded = base64.b64encode(data).decode("ascii")
        return f'<img src="data:image/png;base64,{encoded}" alt="{html.escape(alt)}">'

    rates = [_table(topic, (_("function"), _("property"), _("passed"), _("graded"), _("pass rate"),
                            _("not attempted")), _rate_rows(summary.rates[topic]), text=(0, 1), level=3)
             for topic in summary.rates]
    title = html.escape(_("Class report"))
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{html_lang()}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title><style>{CSS}</style></head><body>",
        f"<h1>{title}</h1>",
        image(png, _("class report charts")),
        _table(_("Summary"), ("", ""), stats),
        _table(_("Mean score per topic"), (_("topic"), _("mean (percent of the maximum)")),
               [(t, f"{m:.1f}") for t, m in summary.topic_means.items()]),
        # _() outside the f-strings: Babel's extractor does not look inside them.
        "<h2>" + html.escape(_("Score distribution per topic")) + "</h2>",
        "<p>" + html.escape(_("Students per tenth of the topic's maximum; the red line is the "
                              "median.")) + "</p>",
        image(distribution, _("score distribution per topic")) if distribution else none,
        "<h2>" + html.escape(_("Pass rate of each property")) + "</h2>",
        "<p>" + html.escape(_(
            "Passed: students passing the property; graded: students whose grading finished; "
            "not attempted: of those, students with nothing to run (not implemented, module "
            "missing or not importable).")) + "</p>",
        *(rates or [none]),
        _table(_("Properties failed most often"), (_("property"), _("students failing")),
               summary.failing, text=(0,)),
        _table(_("Misconceptions diagnosed most often"), (_("misconception"), _("students")),
               [(shown(name), count) for name, count in summary.misconceptions], text=(0,)),
        _table(_("Who hit which misconception"), (_("misconception"), _("students"), _("who")),
               _who_rows(summary, stated=False), raw=(2,), text=(0, 2)),
        _table(_("Who made which kind of mistake a check states"),
               (_("kind of mistake"), _("students"), _("who")), _who_rows(summary, stated=True),
               raw=(2,), text=(0, 2)),
        _table(_("Other causes of failure"), (_("cause"), _("students")), summary.causes, text=(0,)),
        _table(_("Did not finish"), (_("student"), _("why")),
               [(_link(row.student), "; ".join(row.unfinished))
                for row in summary.rows if row.unfinished], raw=(0,), text=(1,)),
        _table(_("Students"), (_("student"), *topics, _("total"), "%", _("status"), _("misconceptions")),
               _student_rows(summary, topics), raw=(0,), text=(len(topics) + 4,)),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def write_report(records: dict[str, dict[str, Any]], folder: str | Path,
                 topics: list[str] | None = None) -> tuple[Path, Path]:
    """Write ``report.png`` and ``report.html`` into ``folder``; return their paths."""
    from autograder.files import write_atomic

    folder = Path(folder)
    summary = summarize(records, topics)
    png = render_png(summary)
    png_path, html_path = folder / "report.png", folder / "report.html"
    write_atomic(png_path, png)
    write_atomic(html_path, render_html(summary, png, topics, render_distribution_png(summary)))
    return png_path, html_path
