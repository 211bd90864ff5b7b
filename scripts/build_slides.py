"""Render the committed notebooks as reveal.js slides in ``_build/slides/`` (``make slides``).

nbconvert's slides exporter reads each cell's slide metadata (``scripts/slide_metadata.py`` sets it)
and renders the stored outputs (nothing runs again) through ``scripts/templates/course_slides``:
nbconvert's ``reveal`` template, loading reveal.js with plain script tags from a local copy instead
of require.js, jQuery and reveal.js from CDNs. The build copies reveal.js (the npm package pinned in
``package.json``; ``npm ci`` installs it) to ``_build/slides/reveal.js/`` and points
``SlidesExporter.reveal_url_prefix`` at it, so the slides work offline, opened from disk.
Keys: space / arrows to move, ``s`` for the speaker view, ``f`` for full screen, ``?`` for help.

A notebook without slide metadata is sliced by the same rules in memory (a warning says so)::

    python scripts/build_slides.py [--out DIR] [notebooks/NN_x.ipynb ...]
"""

from __future__ import annotations

import argparse
import html
import shutil
import sys
from pathlib import Path

import nbformat
from nbconvert import SlidesExporter

sys.path.insert(0, str(Path(__file__).resolve().parent))
import slide_metadata  # noqa: E402  (sibling scripts, not a package)
from build_site import MATHJAX_FILE, NODE_MODULES, NotebookLinks, StaticWidgets, has_math  # noqa: E402
from launch import notebooks  # noqa: E402
from navigation import title  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = Path(__file__).resolve().parent / "templates"
REVEAL = NODE_MODULES / "reveal.js"
REVEAL_PREFIX = "reveal.js"  # the local copy, relative to the slides
DEFAULT_OUT = ROOT / "_build" / "slides"


class RevealMissing(RuntimeError):
    pass


def copy_reveal(out: Path) -> None:
    """Copy the parts of reveal.js the slides load (dist/ with its themes and fonts, the notes plugin)."""
    if not (REVEAL / "dist" / "reveal.js").exists():
        raise RevealMissing(
            f"reveal.js is not installed in {REVEAL}: run `npm ci` in the repository (needs Node.js and npm), "
            "or `make slides`, which does it"
        )
    dest = out / REVEAL_PREFIX
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(REVEAL / "dist", dest / "dist")
    shutil.copytree(REVEAL / "plugin" / "notes", dest / "plugin" / "notes")
    shutil.copy2(REVEAL / "LICENSE", dest / "LICENSE")


def copy_mathjax(out: Path) -> str | None:
    if not MATHJAX_FILE.exists():
        return None
    dest = out / "mathjax" / MATHJAX_FILE.name
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(MATHJAX_FILE, dest)
    shutil.copy2(NODE_MODULES / "mathjax" / "LICENSE", dest.parent / "LICENSE")
    return dest.relative_to(out).as_posix()


def exporter() -> SlidesExporter:
    exp = SlidesExporter(
        extra_template_basedirs=[str(TEMPLATES)],
        template_name="course_slides",
        reveal_url_prefix=REVEAL_PREFIX,
        reveal_theme="white",
        reveal_transition="none",  # calm for a lecture hall; fragments still step
        reveal_number="c/t",
        reveal_scroll=True,
    )
    exp.register_preprocessor(StaticWidgets(), enabled=True)
    exp.register_preprocessor(NotebookLinks(), enabled=True)
    return exp


def build(out: Path = DEFAULT_OUT, paths: list[Path] | None = None) -> list[Path]:
    """Write one ``NN_x.html`` deck per notebook into ``out``; return the decks written."""
    paths = [Path(p).resolve() for p in (paths or notebooks())]
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    copy_reveal(out)
    nbs = {p: nbformat.read(p, as_version=4) for p in paths}
    mathjax = copy_mathjax(out) if any(has_math(nb) for nb in nbs.values()) else None
    exp = exporter()
    pages = {p.name: f"{p.stem}.html" for p in paths}
    written = []
    for path, nb in nbs.items():
        if not slide_metadata.has_slide_metadata(nb):
            print(
                f"warning: {path.name} has no slide metadata; sliced by the rules in memory "
                f"(store it with `python scripts/slide_metadata.py {path.relative_to(ROOT)}`)"
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


def index_html(paths: list[Path]) -> str:
    """A plain list of the decks, so a presenter opens one file and picks the part."""
    items = "\n".join(
        f'<li><a class="course-deck" href="{p.stem}.html">{html.escape(title(p)[0])}</a></li>' for p in paths
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Slides: build, train and test a neural network in PyTorch</title>
<style>body {{ font-family: system-ui, sans-serif; max-width: 700px; margin: 2em auto; line-height: 1.6; }}</style>
</head>
<body>
<h1>Slides</h1>
<p>One deck per notebook. Keys: space or arrows to move, <kbd>s</kbd> speaker view, <kbd>f</kbd> full screen,
<kbd>Esc</kbd> overview, <kbd>?</kbd> help.</p>
<ol start="0">
{items}
</ol>
</body>
</html>
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, help="notebooks (default: every teaching notebook)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: _build/slides)")
    args = parser.parse_args(argv)
    try:
        written = build(args.out, args.paths or None)
    except RevealMissing as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"slides: {len(written)} decks in {args.out} (reveal.js copied to {args.out / REVEAL_PREFIX})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
