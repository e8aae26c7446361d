"""``autograder report RESULTS``: rebuild the grade sheet and class report of a batch folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograder.commands import absolute, add_language_argument


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report", help="class report (PNG + HTML) and grades.csv from a grade-batch folder",
        description="Rebuild grades.csv, report.png and report.html from results/*.json.")
    p.add_argument("results", type=absolute, help="the --output folder of grade-batch")
    add_language_argument(p, "the class report")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from autograder.batch.report import write_report
    from autograder.batch.settings import CSV_NAME
    from autograder.batch.store import csv_text, load_records
    from autograder.catalog import TOPICS
    from autograder.files import write_atomic
    from autograder.i18n import _, ngettext

    folder = Path(args.results)
    records = load_records(folder)
    if not records:
        raise FileNotFoundError(_("no results/*.json in {folder}").format(folder=folder))
    found = {t.get("topic") for data in records.values() for t in data.get("topics", [])}
    topics = [t for t in TOPICS if t in found] + sorted(t for t in found if t not in TOPICS)
    write_atomic(folder / CSV_NAME, csv_text(records, topics))
    png, html = write_report(records, folder, topics)
    print(ngettext("{count} student: {csv}, {png}, {html}", "{count} students: {csv}, {png}, {html}",
                   len(records)).format(count=len(records), csv=folder / CSV_NAME, png=png, html=html),
          file=sys.stderr)
    return 0
