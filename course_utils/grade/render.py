"""The class report as Markdown (``report.md``) and as HTML (``report.html``), rendered from the summary.

The same data, two sets of templates, as :mod:`course_utils.checks.result` renders a check's result:
change how the report looks here, and nothing else.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from string import Template

from course_utils.checks.markup import html_inline

from .statuses import VERDICTS
from .summary import ClassSummary, Mistake

__all__ = ["markdown", "page", "piece_table"]

INTRO = ("$learners learners handed in $files files. Each notebook ran in a kernel of its own, in quick mode, "
         "its cells up to its last check (the try-it cells do not run). Scores and every row: `grades.csv`.")
MISTAKES_INTRO = ("Each learner is counted once per mistake, the most common first: what to teach again. Under each, "
                  "the rule's description, then what the check told one learner.")
NOT_GRADED_INTRO = "These gave no verdict, or one the grader does not trust: look at them by hand."
NO_MISTAKES = "No check found a mistake."
ALL_GRADED = "Every notebook gave its verdicts."

MD = Template("# Class report: $title\n\n$intro\n\n## Each piece\n\n$pieces\n\n## The most common mistakes\n\n"
              "$mistakes_intro\n\n$mistakes\n\n## Not graded\n\n$not_graded\n")
MD_MISTAKE = Template("$rank. **$name** (`$key`, $exercises): $learners.$about$example")

HTML = Template(
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Class report: $title</title>\n'
    "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.4;color:#212121}"
    "table{border-collapse:collapse}th,td{border:1px solid #bdbdbd;padding:0.2em 0.6em;text-align:left}"
    "blockquote{border-left:4px solid #c62828;margin:0.3em 0;padding:0.1em 0.8em;background:#ffebee}</style>\n"
    "</head>\n<body>\n<h1>Class report: $title</h1>\n<p>$intro</p>\n<h2>Each piece</h2>\n$pieces\n"
    "<h2>The most common mistakes</h2>\n<p>$mistakes_intro</p>\n$mistakes\n<h2>Not graded</h2>\n$not_graded\n"
    "</body>\n</html>\n"
)
HTML_MISTAKE = Template("<li><b>$name</b> (<code>$key</code>, $exercises): $learners.$about$example</li>")
HTML_TABLE = Template("<table><thead><tr>$head</tr></thead><tbody>$body</tbody></table>")
HTML_HEAD = Template("<th>$text</th>")
HTML_CELL = Template("<td>$text</td>")
HTML_ROW = Template("<tr>$cells</tr>")
HTML_ABOUT = Template("<br>$text")
HTML_EXAMPLE = Template("<blockquote>$text</blockquote>")
HTML_PARAGRAPH = Template("<p>$text</p>")


def _learners(n: int) -> str:
    return f"{n} learner{'s' if n != 1 else ''}"


def piece_table(summary: ClassSummary) -> tuple[list[str], list[list[str]]]:
    """The table of pieces: (header, rows): learners, then each verdict, then those not graded."""
    header = ["piece", "learners", *VERDICTS, "not graded"]
    body = []
    for piece in summary.pieces:
        counts = [str(piece.statuses.get(v, 0)) for v in VERDICTS]
        other = sum(n for s, n in piece.statuses.items() if s not in VERDICTS)
        body.append([piece.exercise, str(piece.learners), *counts, str(other)])
    return header, body


def _not_graded(summary: ClassSummary) -> tuple[list[str], list[list[str]]]:
    return (["learner", "notebook", "piece", "status", "what happened"],
            [[r.student, r.notebook, r.exercise or "-", r.status, r.problem] for r in summary.not_graded])


def _md_table(header: Sequence[str], body: Sequence[Sequence[str]]) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(cell(c) for c in row) + " |" for row in body])


def _html_table(header: Sequence[str], body: Sequence[Sequence[str]]) -> str:
    return HTML_TABLE.substitute(
        head="".join(HTML_HEAD.substitute(text=html.escape(h)) for h in header),
        body="".join(HTML_ROW.substitute(cells="".join(HTML_CELL.substitute(text=html_inline(c)) for c in row))
                     for row in body),
    )


def _md_mistake(rank: int, m: Mistake) -> str:
    return MD_MISTAKE.substitute(
        rank=rank, name=m.name, key=m.key, exercises=", ".join(m.exercises), learners=_learners(m.learners),
        about=f"\n   {m.about}" if m.about else "",
        example=f"\n\n   > {' '.join(m.example.split())}" if m.example else "",
    )


def _html_mistake(m: Mistake) -> str:
    return HTML_MISTAKE.substitute(
        name=html.escape(m.name), key=html.escape(m.key), exercises=html.escape(", ".join(m.exercises)),
        learners=_learners(m.learners), about=HTML_ABOUT.substitute(text=html_inline(m.about)) if m.about else "",
        example=HTML_EXAMPLE.substitute(text=html_inline(m.example)) if m.example else "",
    )


def _intro(summary: ClassSummary) -> str:
    return Template(INTRO).substitute(learners=summary.learners, files=summary.files)


def markdown(summary: ClassSummary, title: str) -> str:
    """``report.md``."""
    mistakes = "\n\n".join(_md_mistake(i, m) for i, m in enumerate(summary.mistakes, start=1))
    return MD.substitute(
        title=title, intro=_intro(summary), pieces=_md_table(*piece_table(summary)), mistakes_intro=MISTAKES_INTRO,
        mistakes=mistakes or NO_MISTAKES,
        not_graded=f"{NOT_GRADED_INTRO}\n\n{_md_table(*_not_graded(summary))}" if summary.not_graded else ALL_GRADED,
    )


def page(summary: ClassSummary, title: str) -> str:
    """``report.html``: the same report as a page of its own (no scripts, no external files)."""
    mistakes = "".join(_html_mistake(m) for m in summary.mistakes)
    return HTML.substitute(
        title=html.escape(title), intro=html_inline(_intro(summary)), pieces=_html_table(*piece_table(summary)),
        mistakes_intro=html.escape(MISTAKES_INTRO),
        mistakes=f"<ol>{mistakes}</ol>" if mistakes else HTML_PARAGRAPH.substitute(text=NO_MISTAKES),
        not_graded=HTML_PARAGRAPH.substitute(text=html.escape(NOT_GRADED_INTRO)) + _html_table(*_not_graded(summary))
        if summary.not_graded else HTML_PARAGRAPH.substitute(text=ALL_GRADED),
    )
