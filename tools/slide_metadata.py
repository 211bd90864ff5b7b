"""The notebooks' reveal.js slide metadata, given by rules, for a 45-minute walkthrough of each part.

Each cell gets ``metadata.slideshow.slide_type`` (what JupyterLab's property inspector, RISE and
nbconvert's slides read). The rules, in order:

1. a cell tagged ``slides-manual`` keeps the slide type it has (an instructor's choice wins);
2. the title cell starts the deck: ``slide``;
3. navigation cells, the Colab cell and empty cells: ``skip``;
4. a markdown cell opening with ``#`` or ``##`` starts a new ``slide`` (a section of the walkthrough),
   and so does the course's core code: a cell tagged ``exercise:...`` (the network, the training
   loop, the test loop) or ``slides-core`` (07's training run), so pressing right never skips it;
5. a markdown cell opening with ``###`` (or deeper) starts a ``subslide`` (a step inside the section);
6. a cell that would overflow the current (sub)slide starts a new ``subslide``: a slide holds about
   ``BUDGET`` lines of code, and a cell counts what the slide shows of it (:func:`cell_lines`: the
   projected prose of :func:`tools.lecture.screen_source`, the code, its outputs);
7. otherwise the cell joins the current (sub)slide: prose shows at once (``-``) while the first code
   cell and everything after it appear one click at a time (``fragment``), so the presenter explains
   before the code appears and runs. A predict-then-run question (tagged ``predict``) is always a
   fragment (or starts a subslide): it appears before the cell after it, which answers it.

So the ``##`` sections run left to right as the walkthrough's main line, and each section's detail
(``###`` steps, long code, figures) goes downwards as subslides: a presenter short of time presses
right to move to the next section and leaves the rest of the column for the learners. The tool
prints an estimate per notebook (:func:`tools.lecture.columns`: about a minute per slide or subslide,
a quarter of a minute per fragment, a minute and a half per question), the core path apart from the
optional slides, and flags a part whose core walkthrough would take over 45 minutes.

The rules read only cell sources, tags and which kinds of output a cell has (never the text of an
output), so a quick-mode and a full-mode run give the same slides, and re-running changes nothing.
:mod:`tools.slides` renders the decks from this metadata::

    python -m tools slide-metadata                       # every teaching notebook
    python -m tools slide-metadata notebooks/02_*.ipynb  # some
    python -m tools slide-metadata --check               # exit 1 where a notebook lacks slide metadata
"""

from __future__ import annotations

import argparse
import math
import re
from pathlib import Path

import nbformat

from tools import lecture
from tools.notebooks import read, teaching_notebooks, write

__all__ = [
    "CORE_TAG",
    "MANUAL_TAG",
    "SKIP_TAGS",
    "SLIDE_TYPES",
    "apply",
    "cell_lines",
    "has_slide_metadata",
    "heading_level",
    "main",
    "slide_types",
    "summary",
]

SLIDE_TYPES = ("slide", "subslide", "fragment", "-", "skip", "notes")
MANUAL_TAG = "slides-manual"
CORE_TAG = "slides-core"
SKIP_TAGS = {"navigation", "colab"}
# The decks are 1280x720 (tools.slides): a slide holds BUDGET lines of code at the slides' code size
# (16 px, tools/templates/course_slides). Prose at its larger size counts PROSE_LINE code lines a
# line, a heading HEADING_LINES. The style caps what one code cell shows, and what is longer scrolls
# inside its box (as reveal.js does with long code): CODE_LINES of code alone, OUTPUT_CODE_LINES
# above text outputs, FIGURE_CODE_LINES above a figure; its outputs OUTPUT_LINES (a figure
# FIGURE_LINES, text TEXT_LINES), and the whole cell CELL_LINES.
BUDGET = 30
CODE_WRAP = 120  # characters of code per projected line
PROSE_LINE = 1.6
HEADING_LINES = 3
WRAP = lecture.WRAP  # characters of prose per projected line
CODE_LINES = 28
OUTPUT_CODE_LINES = 15
FIGURE_CODE_LINES = 9
OUTPUT_LINES = 21
FIGURE_LINES = 20
TEXT_LINES = 13
CELL_LINES = 31
WALKTHROUGH_MINUTES = 45


def heading_level(cell: nbformat.NotebookNode) -> int:
    """1 for ``# ...``, 2 for ``## ...``, ...; 0 when the cell does not open with a heading."""
    if cell.cell_type != "markdown":
        return 0
    match = re.match(r"(#{1,6})\s", cell.source.lstrip())
    return len(match.group(1)) if match else 0


def _prose_lines(text: str) -> int:
    """Projected lines of markdown prose (headings aside), wrapped at ``WRAP`` characters."""
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return sum(max(1, math.ceil(len(line) / WRAP)) for line in lines)


def _text_lines(text: str, limit: int | None = None) -> int:
    """Projected lines of code or text output (long lines wrap at ``CODE_WRAP``), at most ``limit``."""
    lines = sum(max(1, math.ceil(len(line) / CODE_WRAP)) for line in text.rstrip().splitlines())
    return min(lines, limit) if limit else lines


def cell_lines(cell: nbformat.NotebookNode, index: int = 1) -> int:
    """How many slide lines a cell takes as projected (:func:`tools.lecture.screen_source`).

    A line is one line of code at the decks' code size; prose and headings count more, and a
    long code cell, text output or figure counts what the slides' style lets it fill (a longer
    one scrolls inside its own box, as reveal.js does with long code).
    """
    if cell.cell_type == "markdown":
        text = lecture.screen_source(cell, index)
        headings = sum(1 for line in text.splitlines() if line.startswith("#"))
        return math.ceil(_prose_lines(text) * PROSE_LINE) + HEADING_LINES * headings + 1
    outputs = cell.get("outputs", [])
    kinds = {key for out in outputs for key in out.get("data", {})}
    figure = any(k.startswith("image/") or k == "application/vnd.jupyter.widget-view+json" for k in kinds)
    text = 0  # projected lines of text outputs: streams, plain text, markdown (tables, sentences)
    for out in outputs:
        data = out.get("data", {})
        if out.get("output_type") == "stream":
            text += _text_lines("".join(out.get("text", "")))
        elif "text/markdown" in data:
            text += math.ceil(_prose_lines("".join(data["text/markdown"])) * PROSE_LINE)
        elif "text/html" in data:
            text += max(1, len(re.findall(r"<(?:tr|p|li|br)\b", "".join(data["text/html"]))))
        elif not any(k.startswith("image/") for k in data) and "text/plain" in data:
            text += _text_lines("".join(data["text/plain"]))
    cap = CODE_LINES if not outputs else FIGURE_CODE_LINES if figure else OUTPUT_CODE_LINES
    size = _text_lines(cell.source, cap) + 1
    boxes = sum(1 for out in outputs if out.get("output_type") != "error")  # each output box has a margin
    shown = (FIGURE_LINES if figure else 0) + (min(text, TEXT_LINES) + boxes if text else 0)
    return min(size + min(shown, OUTPUT_LINES), CELL_LINES)


def slide_types(cells: list[nbformat.NotebookNode]) -> list[str]:
    """The slide type of each cell, by the rules in the module docstring."""
    types: list[str] = []
    used = 0  # lines on the current (sub)slide
    revealing = False  # a fragment has started on the current (sub)slide
    for i, cell in enumerate(cells):
        tags = set(cell.metadata.get("tags", []))
        size = cell_lines(cell, i)
        manual = cell.metadata.get("slideshow", {}).get("slide_type")
        level = heading_level(cell)
        if MANUAL_TAG in tags and manual in SLIDE_TYPES:
            kind = manual
        elif i == 0:
            kind = "slide"
        elif tags & SKIP_TAGS or not cell.source.strip():
            kind = "skip"
        elif level in (1, 2) or CORE_TAG in tags or any(t.startswith("exercise:") for t in tags):
            kind = "slide"
        elif level >= 3 or used + size > BUDGET:
            kind = "subslide"
        elif cell.cell_type == "code" or revealing or lecture.is_predict(cell):
            kind = "fragment"
        else:
            kind = "-"
        if kind in ("slide", "subslide"):
            used, revealing = size, False
        elif kind in ("fragment", "-"):
            used += size
        revealing = revealing or kind == "fragment" or (kind in ("slide", "subslide") and cell.cell_type == "code")
        types.append(kind)
    return types


def apply(nb: nbformat.NotebookNode) -> bool:
    """Set every cell's slide type; return whether anything changed."""
    changed = False
    for cell, kind in zip(nb.cells, slide_types(nb.cells)):
        if cell.metadata.get("slideshow", {}).get("slide_type") != kind:
            cell.metadata["slideshow"] = {"slide_type": kind}
            changed = True
    return changed


def has_slide_metadata(nb: nbformat.NotebookNode) -> bool:
    """Every cell has a valid slide type and the first one starts a slide."""
    kinds = [c.metadata.get("slideshow", {}).get("slide_type") for c in nb.cells]
    return bool(kinds) and kinds[0] == "slide" and all(k in SLIDE_TYPES for k in kinds)


def summary(nb: nbformat.NotebookNode) -> str:
    """Counts of slides, subslides, fragments and questions, and the minutes a walkthrough takes.

    The core walkthrough leaves out cells tagged ``optional``; a part whose core takes over
    ``WALKTHROUGH_MINUTES`` is flagged, and its lesson plan (:mod:`tools.lesson_plans`) says where to
    split it into sessions.
    """
    kinds = [c.metadata.get("slideshow", {}).get("slide_type") for c in nb.cells]
    counts = {k: kinds.count(k) for k in ("slide", "subslide", "fragment")}
    questions = sum(lecture.is_predict(c) for c in nb.cells)
    span = lecture.columns(nb.cells)
    whole, optional = sum(span.minutes.values()), sum(span.optional.values())
    core = whole - optional
    note = "" if core <= WALKTHROUGH_MINUTES else f"; core over {WALKTHROUGH_MINUTES} min: the lesson plan splits it"
    return (
        f"{counts['slide']} slides, {counts['subslide']} subslides, {counts['fragment']} fragments, "
        f"{questions} questions; about {core:.0f} min core, {whole:.0f} min with the optional slides{note}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools slide-metadata", description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, help="notebooks (default: every teaching notebook)")
    parser.add_argument("--check", action="store_true", help="only report notebooks without slide metadata")
    args = parser.parse_args(argv)
    missing = []
    for path in args.paths or teaching_notebooks():
        nb = read(path)
        if args.check:
            if not has_slide_metadata(nb):
                missing.append(path.name)
            continue
        changed = apply(nb)
        if changed:
            write(nb, path)
        print(f"{path.name}: {'updated' if changed else 'unchanged'}; {summary(nb)}")
    if args.check:
        print("slide metadata missing in: " + ", ".join(missing) if missing else "every notebook has slide metadata")
        return 1 if missing else 0
    return 0
