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
   ``BUDGET`` lines of text or code, a figure counts ``FIGURE_LINES`` and a text output ``TEXT_LINES``;
7. otherwise the cell joins the current (sub)slide: prose shows at once (``-``) while the first code
   cell and everything after it appear one click at a time (``fragment``), so the presenter explains
   before the code appears and runs.

So the ``##`` sections run left to right as the walkthrough's main line, and each section's detail
(``###`` steps, long code, figures) goes downwards as subslides: a presenter short of time presses
right to move to the next section and leaves the rest of the column for the learners. The tool
prints an estimate per notebook at about a minute per slide or subslide and a quarter of a minute
per fragment, and flags a part that would take over 45 minutes in full.

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
BUDGET = 20  # lines one 960x700 reveal.js slide shows at nbconvert's 19-20 px fonts
FIGURE_LINES = 14  # a figure output fills most of a slide
TEXT_LINES = 4  # a text output, whatever its length (the slide scrolls)
WRAP = 75  # characters of prose per line on a slide
MINUTES = {"slide": 1.0, "subslide": 1.0, "fragment": 0.25}  # rough pace of a live walkthrough
WALKTHROUGH_MINUTES = 45


def heading_level(cell: nbformat.NotebookNode) -> int:
    """1 for ``# ...``, 2 for ``## ...``, ...; 0 when the cell does not open with a heading."""
    if cell.cell_type != "markdown":
        return 0
    match = re.match(r"(#{1,6})\s", cell.source.lstrip())
    return len(match.group(1)) if match else 0


def cell_lines(cell: nbformat.NotebookNode) -> int:
    """How many slide lines a cell takes (source plus a fixed amount per kind of output)."""
    lines = cell.source.strip().splitlines()
    if cell.cell_type == "markdown":
        return sum(max(1, math.ceil(len(line) / WRAP)) for line in lines if line.strip())
    size = len(lines)
    kinds = {key for out in cell.get("outputs", []) for key in out.get("data", {})}
    if any(k.startswith("image/") or k == "application/vnd.jupyter.widget-view+json" for k in kinds):
        size += FIGURE_LINES
    if any(out.get("output_type") == "stream" for out in cell.get("outputs", [])) or "text/plain" in kinds:
        size += TEXT_LINES
    return size


def slide_types(cells: list[nbformat.NotebookNode]) -> list[str]:
    """The slide type of each cell, by the rules in the module docstring."""
    types: list[str] = []
    used = 0  # lines on the current (sub)slide
    revealing = False  # a fragment has started on the current (sub)slide
    for i, cell in enumerate(cells):
        tags = set(cell.metadata.get("tags", []))
        size = cell_lines(cell)
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
        elif cell.cell_type == "code" or revealing:
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
    """Counts of slides, subslides and fragments, and the minutes a walkthrough of them takes."""
    kinds = [c.metadata.get("slideshow", {}).get("slide_type") for c in nb.cells]
    counts = {k: kinds.count(k) for k in ("slide", "subslide", "fragment")}
    minutes = sum(MINUTES[k] * n for k, n in counts.items())
    note = (
        ""
        if minutes <= WALKTHROUGH_MINUTES
        else f"; over {WALKTHROUGH_MINUTES} min in full: skip some subslides live, or tag cells skip"
    )
    return (
        f"{counts['slide']} slides, {counts['subslide']} subslides, {counts['fragment']} fragments, "
        f"about {minutes:.0f} min{note}"
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
