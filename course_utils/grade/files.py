"""The grader's three files: ``grades.csv`` (every row), ``report.md`` and ``report.html`` (the class report)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from .render import markdown, page
from .rows import COLUMNS, Row
from .summary import summarise

__all__ = ["FILES", "write"]

FILES = ("grades.csv", "report.md", "report.html")


def write(rows: Sequence[Row], out: Path, title: str) -> list[Path]:
    """Write the three files into ``out`` (made if missing); return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    grades, md, html = (out / name for name in FILES)
    with open(grades, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(row.csv() for row in rows)
    summary = summarise(rows)
    md.write_text(markdown(summary, title), encoding="utf-8")
    html.write_text(page(summary, title), encoding="utf-8")
    return [grades, md, html]
