"""A lesson plan per part, for whoever leads a class through it: the site's teachers' pages (``make book``).

Everything comes from the notebooks, so a plan cannot drift from the part it plans:

- the learning goals and the three misconceptions: the notebook's ``metadata.lecture``
  (``goals``; ``misconceptions``: ``belief``, ``instead``, ``watch``);
- the timing per section, core against optional: the deck's columns (:func:`tools.lecture.columns`,
  the same estimate ``python -m tools slide-metadata`` prints); a part whose core walkthrough takes
  over 45 minutes gets a split into sessions at section boundaries (:func:`sessions`);
- the predict-then-run questions: the cells tagged ``predict``, with their answers.

``teachers/NN_x.html`` is one part's plan (the site's sidebar lists them under "For teachers"), and
``teachers/all.html`` prints every plan, one part to a sheet::

    python -m tools site    # writes the teachers' pages with the site
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mistune
import nbformat
from markupsafe import Markup

from tools import lecture
from tools.notebooks import read, title
from tools.slide_metadata import WALKTHROUGH_MINUTES, heading_level

__all__ = ["FOLDER", "Plan", "Section", "pages", "plan", "sessions", "write"]

FOLDER = "teachers"
_MARKDOWN = mistune.create_markdown(escape=False, plugins=["table"])


@dataclass
class Section:
    """One main-line slide and the slides below it: a section of the walkthrough."""

    title: Markup  # the heading, as HTML
    core: float  # minutes, cells not tagged optional
    optional: float  # minutes of optional slides
    questions: list[dict[str, str]] = field(default_factory=list)  # {question, answer} as HTML


@dataclass
class Plan:
    """What a part's lesson plan shows."""

    name: str  # the notebook's stem, e.g. "05_training_loop"
    title: str
    line: str
    goals: list[str]
    misconceptions: list[dict[str, str]]
    sections: list[Section]

    @property
    def core(self) -> float:
        return sum(s.core for s in self.sections)

    @property
    def optional(self) -> float:
        return sum(s.optional for s in self.sections)

    @property
    def questions(self) -> list[dict[str, str]]:
        return [q for s in self.sections for q in s.questions]


def _html(text: str) -> Markup:
    """Markdown (inline code, bold, math as TeX) as HTML, without a lone paragraph around it."""
    rendered = _MARKDOWN(text).strip()
    if rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
        rendered = rendered[3:-4]
    return Markup(rendered)


def _section_title(cell: nbformat.NotebookNode, index: int) -> str:
    if index == 0:
        return "Opening"
    if heading_level(cell):
        return cell.source.strip().splitlines()[0].lstrip("#").strip()
    if cell.cell_type == "code":
        return "The core code: `" + cell.source.strip().splitlines()[0].rstrip(":") + "`"
    return cell.source.strip().splitlines()[0][:60]


def plan(path: Path) -> Plan:
    """The lesson plan of the notebook at ``path`` (it needs ``metadata.lecture`` and slide metadata)."""
    nb = read(path)
    meta = nb.metadata.get("lecture", {})
    span = lecture.columns(nb.cells)
    sections: list[Section] = []
    for i, cell in enumerate(nb.cells):
        if i in span.minutes and cell.metadata.get("slideshow", {}).get("slide_type") == "slide":
            extra = span.optional.get(i, 0.0)
            sections.append(Section(_html(_section_title(cell, i)), span.minutes[i] - extra, extra))
        if lecture.is_predict(cell) and sections:
            question, answer = lecture.predict_parts(cell.source)
            question = question.removeprefix("**Predict first:**").strip()
            sections[-1].questions.append({"question": _html(question), "answer": _html(answer)})
    name, line = title(path)
    return Plan(path.stem, name, line, meta.get("goals", []), meta.get("misconceptions", []), sections)


def sessions(sections: list[Section], limit: float = WALKTHROUGH_MINUTES) -> list[list[Section]]:
    """The core walkthrough cut at section boundaries into sessions of at most ``limit`` minutes each.

    One session when the whole core fits. Otherwise the fewest sessions that fit, as even as the
    sections allow: each cut goes at the boundary nearest to an equal share (a section longer than
    ``limit`` on its own gets a session of its own).
    """
    total = sum(s.core for s in sections)
    count = max(1, math.ceil(total / limit))
    while True:
        parts = _balanced(sections, count, total / count)
        if all(sum(s.core for s in part) <= limit or len(part) == 1 for part in parts) or count >= len(sections):
            return parts
        count += 1


def _balanced(sections: list[Section], count: int, share: float) -> list[list[Section]]:
    """``sections`` in at most ``count`` runs, each cut at the boundary nearest to a multiple of ``share``."""
    parts: list[list[Section]] = [[]]
    done = 0.0  # minutes before the current section
    for section in sections:
        goal = share * len(parts)  # where the current session should end
        if parts[-1] and len(parts) < count and abs(done - goal) <= abs(done + section.core - goal):
            parts.append([])
        parts[-1].append(section)
        done += section.core
    return parts


def _context(p: Plan, deck_root: str) -> dict[str, Any]:
    parts = sessions(p.sections)
    return {
        "plan": p,
        "line_html": _html(p.line),
        "goals_html": [_html(g) for g in p.goals],
        "misconceptions": [{k: _html(v) for k, v in m.items()} for m in p.misconceptions],
        "sessions": [
            {"sections": s, "core": sum(x.core for x in s), "first": s[0].title, "last": s[-1].title} for s in parts
        ],
        "limit": WALKTHROUGH_MINUTES,
        "deck": f"{deck_root}{p.name}.html",
        "page": f"../{p.name}.html",
    }


def pages(paths: list[Path]) -> list[dict[str, str]]:
    """The teachers' pages the site lists: one plan per part, then every plan on one printable page."""
    entries = [{"href": f"{FOLDER}/{p.stem}.html", "title": f"Lesson plan: {title(p)[0]}"} for p in paths]
    return [*entries, {"href": f"{FOLDER}/all.html", "title": "All lesson plans (printable)"}]


def write(out: Path, paths: list[Path], site: dict[str, Any], deck_root: str = "../../slides/") -> list[Path]:
    """Write ``out/teachers/``: a plan per notebook and the printable page of them all; return the files.

    ``site`` is :func:`tools.site.site_map`'s; ``deck_root`` the way from a plan to the decks
    (``make slides`` writes them to ``_build/slides``, next to the site's ``_build/html``).
    """
    from tools.site import render_site_page  # the site imports this module's caller, not this module

    folder = Path(out) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    plans = [plan(p) for p in paths]
    written = []
    for p in plans:
        href = f"{FOLDER}/{p.name}.html"
        html = render_site_page("lesson_plan.html.j2", href, site, c=_context(p, deck_root))
        (folder / f"{p.name}.html").write_text(html, encoding="utf-8")
        written.append(folder / f"{p.name}.html")
    contexts = [_context(p, deck_root) for p in plans]
    html = render_site_page("lesson_plans_all.html.j2", f"{FOLDER}/all.html", site, plans=contexts)
    (folder / "all.html").write_text(html, encoding="utf-8")
    written.append(folder / "all.html")
    return written
