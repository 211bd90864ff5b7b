"""A rendered notebook page's outline: headings in order with unique ids, and the text of each section.

nbconvert renders a markdown heading as ``<hN id="Text-of-it">Text of it<a class="anchor-link"
href="#Text-of-it">¶</a></hN>`` (the id is the text with spaces as dashes). The site
(:mod:`tools.site`) passes every page through :func:`fix_headings`, so that

- the levels go down one at a time (a ``####`` under a ``##`` becomes an ``h3``), and only the
  first heading is an ``h1``, whatever the notebook's markdown skips: screen readers navigate by them;
- every heading id is unique (a repeated ``What it is`` becomes ``What-it-is-2``, its anchor link too),
  so that the contents and the search results jump to the right one; the first keeps its id, which
  is what links from other notebooks use.

:func:`sections` then reads the page back, for the sidebar (each section's heading) and the search
index (each section's prose and code, :mod:`tools.site_search`).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

__all__ = ["Heading", "Section", "fix_headings", "sections", "toc"]

HEADING = re.compile(r'<h([1-6]) id="([^"]*)">(.*?)</h\1>', re.S)
ANCHOR = re.compile(r'<a class="anchor-link" href="#[^"]*">')
INLINE = frozenset("a abbr b cite code em i kbd mark q s small span strong sub sup time u var".split())
VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())


@dataclass
class Heading:
    """One heading of a page: its level after :func:`fix_headings`, id, and inner HTML (no anchor link)."""

    level: int
    id: str
    html: str

    @property
    def text(self) -> str:
        return html.unescape(re.sub(r"<[^>]*>", "", self.html)).strip()


@dataclass
class Section:
    """The part of a page from one heading to the next (the part before the first has no heading)."""

    heading: Heading | None
    prose: list[str] = field(default_factory=list)
    code: list[str] = field(default_factory=list)

    @property
    def prose_text(self) -> str:
        return " ".join("".join(self.prose).split())

    @property
    def code_text(self) -> str:
        return "\n".join(line.rstrip() for line in "".join(self.code).strip("\n").splitlines() if line.strip())


def fix_headings(page: str) -> tuple[str, list[Heading]]:
    """Return ``page`` with its headings in order and their ids unique, and the headings (see the module)."""
    used: set[str] = set()
    headings: list[Heading] = []
    previous = 0

    def unique(old_id: str) -> str:
        new_id, n = old_id, 1
        while new_id in used:
            n += 1
            new_id = f"{old_id}-{n}"
        used.add(new_id)
        return new_id

    def repl(match: re.Match) -> str:
        nonlocal previous
        level, old_id, inner = int(match.group(1)), match.group(2), match.group(3)
        level = 1 if previous == 0 else max(2, min(level, previous + 1))
        previous = level
        new_id = unique(old_id)
        inner = inner.replace(f'class="anchor-link" href="#{old_id}"', f'class="anchor-link" href="#{new_id}"')
        headings.append(Heading(level, new_id, ANCHOR.split(inner, 1)[0].strip()))
        return f'<h{level} id="{new_id}">{inner}</h{level}>'

    return HEADING.sub(repl, page), headings


class _Reader(HTMLParser):
    """Split a rendered notebook into sections of prose (markdown cells) and code (input areas)."""

    def __init__(self, headings: dict[str, Heading]) -> None:
        super().__init__(convert_charrefs=True)
        self.headings = headings
        self.sections = [Section(None)]
        self.stack: list[tuple[str, str]] = []  # (tag, "prose", "code", "skip" or "") per open element

    def _kind(self, tag: str, attrs: dict[str, str]) -> str:
        cls = attrs.get("class", "")
        if tag in ("script", "style") or "anchor-link" in cls:
            return "skip"
        if "jp-RenderedMarkdown" in cls:
            return "prose"
        if "jp-InputArea-editor" in cls:
            return "code"
        return ""

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if tag in VOID:
            if tag == "br" and self.context() == "prose":
                self.sections[-1].prose.append(" ")
            return
        kind = self._kind(tag, attrs)
        inside = self.context()
        if inside == "prose" and tag not in INLINE:
            self.sections[-1].prose.append(" ")  # a new block: a word break
        elif kind == "code":
            self.sections[-1].code.append("\n")  # a new cell
        if inside == "prose" and re.fullmatch(r"h[1-6]", tag) and attrs.get("id") in self.headings:
            self.sections.append(Section(self.headings[attrs["id"]]))
            kind = "skip"  # the heading is the section's title, not its prose
        self.stack.append((tag, kind))

    def handle_endtag(self, tag):
        # close up to the matching element: an element left open (a <p> in an output) closes with its parent
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def context(self) -> str:
        for _, kind in reversed(self.stack):
            if kind:
                return kind
        return ""

    def handle_data(self, data):
        kind = self.context()
        if kind == "prose":
            self.sections[-1].prose.append(data)
        elif kind == "code":
            self.sections[-1].code.append(data)


def sections(page: str, headings: list[Heading]) -> list[Section]:
    """The page's sections in order, each with its heading, prose (markdown text) and code (cell inputs).

    Outputs are left out: a search for a word finds where it is written, not every printout.
    Call it on what :func:`fix_headings` returned, with its headings.
    """
    reader = _Reader({h.id: h for h in headings})
    reader.feed(page)
    reader.close()
    return [s for s in reader.sections if s.heading or s.prose_text or s.code_text]


def toc(headings: list[Heading], levels: tuple[int, ...] = (2, 3)) -> list[dict]:
    """The sidebar's contents of a page: ``[{id, html, children: [{id, html, children: []}]}]``.

    ``h2`` headings at the top, each ``h3`` under the ``h2`` before it (the title, ``h1``, is the page).
    """
    top: list[dict] = []
    for h in headings:
        if h.level not in levels:
            continue
        entry = {"id": h.id, "html": h.html, "children": []}
        if h.level == levels[0] or not top:
            top.append(entry)
        else:
            top[-1]["children"].append(entry)
    return top
