"""The instructor's layer of a deck: what the screen shows, the speaker notes, the predict-then-run questions.

A notebook is written for reading; a slide is projected while someone talks. The slides build
(:mod:`tools.slides`) reshapes each cell in memory, never in the notebook:

- **A main-line slide** (slide type ``slide``: the title, each ``##`` section, the core code) shows its
  heading, one or two key lines (``metadata.lecture.show``, written for the projector) and its code.
  Its speaker notes say what to say (``lecture.say``), the one thing to point at (``lecture.point``)
  and the time its column takes, followed by the notebook's full prose for that cell.
- **Any other markdown cell** longer than :data:`SCREEN_LINES` lines keeps its heading and first
  paragraph on screen; the rest goes to the notes of the slide it is on.
- **A predict-then-run question** (a markdown cell tagged ``predict``, right before the code cell that
  answers it) shows the question as a fragment, so it appears before the answer's cell; its
  collapsible answer (``<details>``) goes to the notes.

The notebook keeps every cell as it is: JupyterLab and the site show the whole prose, the questions
with their folded answers, and nothing of ``metadata.lecture``. The notebook-level
``metadata.lecture`` holds the part's learning goals and its three misconceptions, which the lesson
plans (:mod:`tools.lesson_plans`) print.
"""

from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass

import nbformat
from nbconvert.preprocessors import Preprocessor

__all__ = [
    "PREDICT_TAG",
    "PREDICT_MINUTES",
    "SCREEN_LINES",
    "Columns",
    "LectureSlides",
    "columns",
    "is_predict",
    "predict_parts",
    "screen_source",
    "split_prose",
]

PREDICT_TAG = "predict"
PREDICT_MINUTES = 1.5  # ask, let the class commit to an answer, then run the cell
SCREEN_LINES = 6  # lines of prose a slide shows before the rest moves into the notes
WRAP = 95  # characters of prose per projected line at the decks' 1280 px width
_DETAILS = re.compile(r"<details>.*?</details>", re.S)
_SUMMARY = re.compile(r"<summary>.*?</summary>", re.S)


def is_predict(cell: nbformat.NotebookNode) -> bool:
    """Whether ``cell`` is a predict-then-run question (a markdown cell tagged ``predict``)."""
    return cell.cell_type == "markdown" and PREDICT_TAG in cell.metadata.get("tags", [])


def predict_parts(source: str) -> tuple[str, str]:
    """A predict cell's question and its answer (the text inside ``<details>``, without the summary)."""
    match = _DETAILS.search(source)
    answer = ""
    if match:
        answer = _SUMMARY.sub("", match.group(0)).removeprefix("<details>").removesuffix("</details>").strip()
    question = _DETAILS.sub("", source).strip()
    return question, answer


def _lines(text: str) -> int:
    """Projected lines of a block of markdown at :data:`WRAP` characters a line."""
    return sum(max(1, math.ceil(len(line) / WRAP)) for line in text.splitlines() if line.strip())


def _heading(source: str) -> tuple[str, str]:
    """``("## Title", rest)`` when the cell opens with a heading, else ``("", source)``."""
    text = source.strip()
    first, _, rest = text.partition("\n")
    if re.match(r"#{1,6}\s", first):
        return first, rest.strip()
    return "", text


def split_prose(source: str, limit: int = SCREEN_LINES) -> tuple[str, str]:
    """Split a markdown cell into what the slide shows and what moves into the notes.

    A cell of at most ``limit`` projected lines stays whole. A longer one keeps its heading and its
    first block (up to the first blank line); when that block alone is longer than ``limit`` lines,
    it keeps the block's first sentences that fit. Everything else goes to the notes.
    """
    heading, body = _heading(source)
    if _lines(body) <= limit:
        return source.strip(), ""
    first, _, rest = body.partition("\n\n")
    if _lines(first) > limit and "\n" not in first.strip():
        sentences = re.split(r"(?<=[.!?:])\s+", first)
        kept: list[str] = []
        for sentence in sentences:
            if kept and _lines(" ".join([*kept, sentence])) > limit:
                break
            kept.append(sentence)
        moved = " ".join(sentences[len(kept) :])
        first, rest = " ".join(kept), (moved + ("\n\n" + rest if rest else "")).strip()
    shown = "\n\n".join(part for part in (heading, first) if part)
    return shown, rest.strip()


def screen_source(cell: nbformat.NotebookNode, index: int = 1) -> str:
    """The source a slide shows for ``cell`` (``index`` 0 is the deck's title cell)."""
    if cell.cell_type != "markdown":
        return cell.source
    if is_predict(cell):
        return predict_parts(cell.source)[0]
    kind = cell.metadata.get("slideshow", {}).get("slide_type")
    show = cell.metadata.get("lecture", {}).get("show")
    heading, body = _heading(cell.source)
    if index == 0:
        return "\n\n".join(part for part in (heading, body.split("\n\n")[0]) if part)
    if kind == "slide" and show:
        return "\n\n".join(part for part in (heading, show.strip()) if part)
    return split_prose(cell.source)[0]


def _moved(cell: nbformat.NotebookNode, index: int) -> str:
    """The prose of ``cell`` that the slide does not show (it goes to the notes)."""
    if cell.cell_type != "markdown":
        return ""
    if is_predict(cell):
        return predict_parts(cell.source)[1]
    shown = screen_source(cell, index)
    if shown.strip() == cell.source.strip():
        return ""
    heading, body = _heading(cell.source)
    kind = cell.metadata.get("slideshow", {}).get("slide_type")
    if index == 0 or (kind == "slide" and cell.metadata.get("lecture", {}).get("show")):
        return body  # the whole prose: the key lines on screen were written for it
    return split_prose(cell.source)[1]


@dataclass(frozen=True)
class Columns:
    """Minutes per main-line slide: the slide itself, the subslides under it and their fragments."""

    minutes: dict[int, float]  # cell index of a main-line slide -> its column's minutes
    optional: dict[int, float]  # the part of those minutes in cells tagged optional


SLIDE_MINUTES = {"slide": 1.0, "subslide": 1.0, "fragment": 0.25}  # rough pace of a live walkthrough


def cell_minutes(cell: nbformat.NotebookNode) -> float:
    """A cell's share of a walkthrough: its slide type's pace, plus the pause a question takes."""
    kind = cell.metadata.get("slideshow", {}).get("slide_type")
    return SLIDE_MINUTES.get(kind, 0.0) + (PREDICT_MINUTES if is_predict(cell) else 0.0)


def columns(cells: list[nbformat.NotebookNode]) -> Columns:
    """Group the cells by main-line slide (slide type ``slide``) and add up each column's minutes."""
    minutes: dict[int, float] = {}
    optional: dict[int, float] = {}
    head = 0
    for i, cell in enumerate(cells):
        if cell.metadata.get("slideshow", {}).get("slide_type") == "slide":
            head = i
        minutes[head] = minutes.get(head, 0.0) + cell_minutes(cell)
        if "optional" in cell.metadata.get("tags", []):
            optional[head] = optional.get(head, 0.0) + cell_minutes(cell)
    return Columns(minutes, optional)


def _minutes(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def notes_markdown(cell: nbformat.NotebookNode, index: int, span: Columns | None = None) -> str:
    """The speaker notes of ``cell``: say, point at and time (main-line slides), then the moved prose."""
    lecture = cell.metadata.get("lecture", {})
    parts = []
    if lecture.get("say"):
        parts.append(f"**Say:** {lecture['say'].strip()}")
    if lecture.get("point"):
        parts.append(f"**Point at:** {lecture['point'].strip()}")
    if span is not None and index in span.minutes:
        extra = span.optional.get(index, 0.0)
        core = span.minutes[index] - extra
        time = f"**Time:** about {_minutes(core)} min for this slide and the ones below it"
        parts.append(time + (f", plus {_minutes(extra)} min of optional slides." if extra else "."))
    moved = _moved(cell, index)
    if moved:
        label = "**Answer:**" if is_predict(cell) else "**In the notebook:**"
        parts.append(f"{label}\n\n{moved}")
    return "\n\n".join(parts)


class LectureSlides(Preprocessor):
    """Reshape a notebook for projection: short slides, the rest as speaker notes (see the module docstring).

    Every cell that shows less than its notebook text, or carries ``metadata.lecture``, is followed by
    a markdown cell of slide type ``notes``; nbconvert's reveal template renders it as the
    ``<aside class="notes">`` of the slide it is on, which reveal.js's speaker view (``s``) shows.
    """

    def preprocess(self, nb, resources):
        span = columns(nb.cells)
        cells = []
        for i, cell in enumerate(nb.cells):
            kind = cell.metadata.get("slideshow", {}).get("slide_type")
            if kind in ("skip", "notes"):
                cells.append(cell)
                continue
            notes = notes_markdown(cell, i, span if kind == "slide" else None)
            shown = copy.deepcopy(cell)
            if cell.cell_type == "markdown":
                shown.source = screen_source(cell, i)
            cells.append(shown)
            if notes:
                cells.append(nbformat.v4.new_markdown_cell(notes, metadata={"slideshow": {"slide_type": "notes"}}))
        nb.cells = cells
        return nb, resources
