"""The class report: what a whole class did and did not understand, at a glance.

Reads only stored per-student result records (``SubmissionResult.to_dict()`` plus batch
fields) and writes ``report.png`` and ``report.html`` (the PNG embedded, tables below it).
"""

from __future__ import annotations

import base64
import html
import io
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Diagnoses that say how a property failed, not which misconception caused it.
GENERIC_DIAGNOSES = ("not implemented", "module not gradable", "crashed or timed out",
                     "budget exhausted")
UNATTEMPTED = ("not implemented", "module not gradable")
TOP = 10


@dataclass
class ClassSummary:
    students: int = 0
    graded: int = 0
    totals: list[float] = field(default_factory=list)  # percent of the maximum, graded only
    topic_means: dict[str, float] = field(default_factory=dict)  # percent of the maximum
    # property, students failing it with code that ran (missing or unimportable code excluded)
    failing: list[tuple[str, int]] = field(default_factory=list)
    misconceptions: list[tuple[str, int]] = field(default_factory=list)  # diagnosis, students
    causes: list[tuple[str, int]] = field(default_factory=list)  # generic diagnoses, students
    errors: list[str] = field(default_factory=list)  # students whose grading did not finish


def _generic(diagnosis: str) -> bool:
    return diagnosis in GENERIC_DIAGNOSES or diagnosis.startswith("raised ")


def summarize(records: dict[str, dict[str, Any]], topics: list[str] | None = None) -> ClassSummary:
    """Counts over students (a student failing a property twice counts once)."""
    out = ClassSummary(students=len(records))
    topic_scores: dict[str, list[float]] = {}
    failing: Counter[str] = Counter()
    misconceptions: Counter[str] = Counter()
    causes: Counter[str] = Counter()
    for student in sorted(records):
        data = records[student]
        if data.get("status") == "error":
            out.errors.append(student)
            continue
        out.graded += 1
        max_score = float(data.get("max_score") or 0.0)
        out.totals.append(100.0 * float(data.get("score", 0.0)) / max_score if max_score else 0.0)
        seen_props: set[str] = set()
        seen_diag: set[str] = set()
        for topic in data.get("topics", []):
            name = str(topic.get("topic", ""))
            if topics is not None and name not in topics:
                continue
            tmax = float(topic.get("max_score") or 0.0)
            if tmax:
                topic_scores.setdefault(name, []).append(
                    100.0 * float(topic.get("score", 0.0)) / tmax)
            for prop in topic.get("properties", []):
                if prop.get("status") == "passed":
                    continue
                diagnosis = str(prop.get("diagnosis") or "")
                if diagnosis not in UNATTEMPTED:  # wrong work, not missing work
                    seen_props.add(f"{name}.{prop.get('function', '')}: {prop.get('name', '')}")
                if diagnosis:
                    seen_diag.add(diagnosis if _generic(diagnosis)
                                  else f"{name}.{prop.get('function', '')}: {diagnosis}")
        failing.update(seen_props)
        for diagnosis in seen_diag:
            (causes if _generic(diagnosis) else misconceptions)[diagnosis] += 1
    order = topics if topics is not None else sorted(topic_scores)
    out.topic_means = {t: statistics.fmean(topic_scores[t]) for t in order if t in topic_scores}
    # Most students first, then by name: the same records always give the same report.
    def top(counter: Counter[str]) -> list[tuple[str, int]]:
        return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]

    out.failing, out.misconceptions, out.causes = top(failing), top(misconceptions), top(causes)
    return out


def _short(text: str, width: int = 90) -> str:
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def render_png(summary: ClassSummary) -> bytes:
    """Four panels: total scores, mean per topic, failing properties, misconceptions."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    fig = Figure(figsize=(14, 13), layout="constrained")
    grid = fig.add_gridspec(3, 2, height_ratios=[1, 1.2, 1.2])
    ax = fig.add_subplot(grid[0, 0])
    ax.hist(summary.totals, bins=[i * 10 for i in range(11)], color="#4c72b0", edgecolor="white")
    ax.set_xlim(0, 100)
    ax.set_xlabel("total score (% of the maximum)")
    ax.set_ylabel("students")
    mean = f", mean {statistics.fmean(summary.totals):.0f}%" if summary.totals else ""
    ax.set_title(f"Total scores ({summary.graded} graded{mean})")

    ax = fig.add_subplot(grid[0, 1])
    names = list(summary.topic_means)
    ax.barh(names[::-1], [summary.topic_means[n] for n in names][::-1], color="#55a868")
    ax.set_xlim(0, 100)
    ax.set_xlabel("mean score (% of the topic's maximum)")
    ax.set_title("Mean score per topic")

    for ax, rows, title, color in (
        (fig.add_subplot(grid[1, :]), summary.failing,
         "Properties failed most often (by students whose code ran)", "#c44e52"),
        (fig.add_subplot(grid[2, :]), summary.misconceptions,
         "Misconceptions diagnosed most often", "#8172b2"),
    ):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        labels = [_short(name) for name, _ in rows][::-1]
        ax.barh(labels, [count for _, count in rows][::-1], color=color)
        ax.set_xlabel(f"students (of {summary.graded} graded)")
        ax.set_title(title)
        ax.tick_params(axis="y", labelsize=8)
        if not rows:
            ax.text(0.5, 0.5, "none", ha="center", va="center", transform=ax.transAxes)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, metadata={"Software": None})
    return buffer.getvalue()


def _table(title: str, header: tuple[str, str], rows: list[tuple[str, Any]]) -> str:
    if not rows:
        return f"<h2>{html.escape(title)}</h2><p>none</p>"
    body = "".join(f"<tr><td>{html.escape(str(a))}</td><td>{html.escape(str(b))}</td></tr>"
                   for a, b in rows)
    return (f"<h2>{html.escape(title)}</h2><table><tr><th>{html.escape(header[0])}</th>"
            f"<th>{html.escape(header[1])}</th></tr>{body}</table>")


def render_html(summary: ClassSummary, png: bytes) -> str:
    totals = summary.totals
    stats: list[tuple[str, Any]] = [("students", summary.students), ("graded", summary.graded),
             ("grading did not finish", len(summary.errors))]
    if totals:
        stats += [("mean total", f"{statistics.fmean(totals):.1f}%"),
                  ("median total", f"{statistics.median(totals):.1f}%"),
                  ("lowest / highest", f"{min(totals):.1f}% / {max(totals):.1f}%")]
    image = base64.b64encode(png).decode("ascii")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8"><title>Class report</title>',
        "<style>body{font-family:sans-serif;max-width:1200px;margin:auto}"
        "table{border-collapse:collapse;margin-bottom:1em}"
        "td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}</style></head><body>",
        "<h1>Class report</h1>",
        f'<img src="data:image/png;base64,{image}" alt="class report charts" style="width:100%">',
        _table("Summary", ("", ""), stats),
        _table("Mean score per topic", ("topic", "mean (% of maximum)"),
               [(t, f"{m:.1f}") for t, m in summary.topic_means.items()]),
        _table("Properties failed most often", ("property", "students failing"), summary.failing),
        _table("Misconceptions diagnosed most often", ("misconception", "students"),
               summary.misconceptions),
        _table("Other causes of failure", ("cause", "students"), summary.causes),
        _table("Grading did not finish", ("student", ""), [(s, "") for s in summary.errors]),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def write_report(records: dict[str, dict[str, Any]], folder: str | Path,
                 topics: list[str] | None = None) -> tuple[Path, Path]:
    """Write ``report.png`` and ``report.html`` into ``folder``; return their paths."""
    from autograder.batch import write_atomic

    folder = Path(folder)
    summary = summarize(records, topics)
    png = render_png(summary)
    png_path, html_path = folder / "report.png", folder / "report.html"
    tmp = folder / ".report.png.tmp"
    tmp.write_bytes(png)
    tmp.replace(png_path)
    write_atomic(html_path, render_html(summary, png))
    return png_path, html_path
