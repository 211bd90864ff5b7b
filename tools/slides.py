"""Render the committed notebooks as reveal.js slides in ``_build/slides/`` (``make slides``).

nbconvert's slides exporter reads each cell's slide metadata (:mod:`tools.slide_metadata` sets it)
and renders the stored outputs (nothing runs again) through ``tools/templates/course_slides``:
nbconvert's ``reveal`` template, loading reveal.js with plain script tags from a local copy instead
of require.js, jQuery and reveal.js from CDNs. The build copies reveal.js (the npm package pinned in
``package.json``; ``npm ci`` installs it) to ``_build/slides/reveal.js/`` and points
``SlidesExporter.reveal_url_prefix`` at it, so the slides work offline, opened from disk.
Each cell is reshaped for projection by :class:`tools.lecture.LectureSlides`: a main-line slide shows
its heading, key lines and code, and the notebook's longer prose, with what to say, what to point at
and the time, goes to the speaker notes. ``index.html`` lists the decks
(``tools/templates/pages/slides_index.html.j2``). As on the site, a
cell that JupyterLab folds (``"jupyter": {"source_hidden": true}``) shows its outputs only.
Keys: space / arrows to move, ``s`` for the speaker view, ``f`` for full screen, ``?`` for help.

A notebook without slide metadata is sliced by the same rules in memory (a warning says so)::

    python -m tools slides [--out DIR] [notebooks/NN_x.ipynb ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

from nbconvert import SlidesExporter

from tools import slide_metadata
from tools.assets import TEMPLATES, RevealMissing, copy_mathjax, copy_reveal, parse_build_args, render_page
from tools.notebooks import ROOT, read, teaching_notebooks, title
from tools.preprocessors import HiddenSource, NotebookLinks, StaticWidgets, has_math

__all__ = ["DEFAULT_OUT", "HEIGHT", "REVEAL_PREFIX", "WIDTH", "build", "exporter", "index_html", "main"]

REVEAL_PREFIX = "reveal.js"  # the local copy, relative to the slides
MATHJAX_FOLDER = "mathjax"
DEFAULT_OUT = ROOT / "_build" / "slides"
WIDTH, HEIGHT = 1280, 720  # a projector's 720p: reveal.js scales the deck to any screen


def exporter() -> SlidesExporter:
    """nbconvert's slides exporter with the course's template, the local reveal.js and the preprocessors."""
    exp = SlidesExporter(
        extra_template_basedirs=[str(TEMPLATES)],
        extra_template_paths=[str(TEMPLATES)],  # course_common/: what both templates share
        template_name="course_slides",
        reveal_url_prefix=REVEAL_PREFIX,
        reveal_theme="white",
        reveal_transition="none",  # calm for a lecture hall; fragments still step
        reveal_number="c/t",
        exclude_input_prompt=True,  # no In [n] column on a projector: the code gets the width
        exclude_output_prompt=True,
        reveal_scroll=False,  # a slide fits the screen (the browser test checks every one); no scroll bars
        reveal_width=str(WIDTH),
        reveal_height=str(HEIGHT),
    )  # tools.lecture.LectureSlides runs from the template's conf.json, before nbconvert's reveal metadata
    exp.register_preprocessor(HiddenSource(), enabled=True)
    exp.register_preprocessor(StaticWidgets(), enabled=True)
    exp.register_preprocessor(NotebookLinks(), enabled=True)
    return exp


def index_html(paths: list[Path]) -> str:
    """A plain list of the decks, so a presenter opens one file and picks the part."""
    decks = [{"href": f"{p.stem}.html", "title": title(p)[0]} for p in paths]
    return render_page("slides_index.html.j2", decks=decks)


def build(out: Path = DEFAULT_OUT, paths: list[Path] | None = None) -> list[Path]:
    """Write one ``NN_x.html`` deck per notebook into ``out``; return the decks written."""
    paths = [Path(p).resolve() for p in (paths or teaching_notebooks())]
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    copy_reveal(out, REVEAL_PREFIX)
    nbs = {p: read(p) for p in paths}
    mathjax = copy_mathjax(out, MATHJAX_FOLDER) if any(has_math(nb) for nb in nbs.values()) else None
    exp = exporter()
    pages = {p.name: f"{p.stem}.html" for p in paths}
    written = []
    for path, nb in nbs.items():
        if not slide_metadata.has_slide_metadata(nb):
            shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
            print(
                f"warning: {path.name} has no slide metadata; sliced by the rules in memory "
                f"(store it with `python -m tools slide-metadata {shown}`)"
            )
            slide_metadata.apply(nb)
        resources = {
            "metadata": {"name": title(path)[0], "path": str(path.parent)},
            "course": {"mathjax_src": mathjax if has_math(nb) else None, "pages": pages},
        }
        body, _ = exp.from_notebook_node(nb, resources=resources)
        deck = out / pages[path.name]
        deck.write_text(body, encoding="utf-8")
        written.append(deck)
    (out / "index.html").write_text(index_html(paths), encoding="utf-8")
    return written


def main(argv: list[str] | None = None) -> int:
    args = parse_build_args("slides", __doc__, DEFAULT_OUT, argv)
    try:
        written = build(args.out, args.paths or None)
    except RevealMissing as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"slides: {len(written)} decks in {args.out} (reveal.js copied to {args.out / REVEAL_PREFIX})")
    return 0
