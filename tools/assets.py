"""What the site and the slides put next to their pages: MathJax, reveal.js, MiniSearch, pages from templates.

MathJax, reveal.js and MiniSearch (the site's search) are npm packages pinned in ``package.json``
(``npm ci`` puts them in ``node_modules/``); the builds copy them next to the pages so that the
pages work offline, opened from disk. Pages that are not notebooks (the contents of the site and
of the slides) are rendered from the Jinja templates in ``tools/templates/pages/``; the notebooks
themselves go through the nbconvert templates ``tools/templates/course_html`` and ``course_slides``.
"""

from __future__ import annotations

import argparse
import functools
import shutil
from pathlib import Path
from typing import Any

import jinja2

from tools.notebooks import ROOT

__all__ = [
    "MATHJAX_FILE",
    "MINISEARCH_FILE",
    "NODE_MODULES",
    "REVEAL",
    "TEMPLATES",
    "RevealMissing",
    "copy_mathjax",
    "copy_minisearch",
    "copy_reveal",
    "parse_build_args",
    "render_page",
]

TEMPLATES = Path(__file__).resolve().parent / "templates"
NODE_MODULES = ROOT / "node_modules"
MATHJAX_FILE = NODE_MODULES / "mathjax" / "es5" / "tex-svg-full.js"
REVEAL = NODE_MODULES / "reveal.js"
MINISEARCH_FILE = NODE_MODULES / "minisearch" / "dist" / "umd" / "index.js"


class RevealMissing(RuntimeError):
    """reveal.js is not in ``node_modules/``: the slides cannot be built."""


def copy_mathjax(out: Path, folder: str) -> str | None:
    """Copy MathJax into ``out/folder``; return its path relative to ``out`` (None without ``npm ci``)."""
    if not MATHJAX_FILE.exists():
        return None
    dest = out / folder / MATHJAX_FILE.name
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(MATHJAX_FILE, dest)
    shutil.copy2(NODE_MODULES / "mathjax" / "LICENSE", dest.parent / "LICENSE")
    return dest.relative_to(out).as_posix()


def copy_minisearch(out: Path, folder: str) -> str | None:
    """Copy MiniSearch (the site's search) to ``out/folder/minisearch.js``; its path relative to ``out``.

    None without ``npm ci``: the site then builds, and its search box says that the search is missing.
    """
    if not MINISEARCH_FILE.exists():
        return None
    dest = out / folder / "minisearch.js"
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(MINISEARCH_FILE, dest)
    shutil.copy2(NODE_MODULES / "minisearch" / "LICENSE.txt", dest.parent / "minisearch.LICENSE.txt")
    return dest.relative_to(out).as_posix()


def copy_reveal(out: Path, folder: str) -> None:
    """Copy the parts of reveal.js the slides load into ``out/folder``: dist/ (themes, fonts), the notes plugin."""
    if not (REVEAL / "dist" / "reveal.js").exists():
        raise RevealMissing(
            f"reveal.js is not installed in {REVEAL}: run `npm ci` in the repository (needs Node.js and npm), "
            "or `make slides`, which does it"
        )
    dest = out / folder
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(REVEAL / "dist", dest / "dist")
    shutil.copytree(REVEAL / "plugin" / "notes", dest / "plugin" / "notes")
    shutil.copy2(REVEAL / "LICENSE", dest / "LICENSE")


@functools.cache
def _pages() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES / "pages"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def render_page(name: str, **context: Any) -> str:
    """Render ``tools/templates/pages/<name>`` with ``context`` (values are HTML-escaped unless marked safe)."""
    return _pages().get_template(name).render(**context)


def parse_build_args(command: str, doc: str, default_out: Path, argv: list[str] | None) -> argparse.Namespace:
    """The command line both builders take: ``python -m tools <command> [--out DIR] [notebooks ...]``."""
    parser = argparse.ArgumentParser(prog=f"python -m tools {command}", description=doc.split("\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, help="notebooks (default: every teaching notebook)")
    shown = default_out.relative_to(ROOT) if default_out.is_relative_to(ROOT) else default_out
    parser.add_argument("--out", type=Path, default=default_out, help=f"output folder (default: {shown})")
    return parser.parse_args(argv)
