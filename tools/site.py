"""Render the committed notebooks to a static site in ``_build/html/`` (``make book``).

nbconvert's HTML exporter renders each teaching notebook with its stored outputs (nothing runs
again), through ``tools/templates/course_html``: nbconvert's ``lab`` template without the scripts it
would fetch from CDNs (require.js, the widget manager, mermaid), with MathJax from the local npm copy
(``npm ci``; pages without math need none), and a navigation bar. ``index.html`` lists the notebooks
by the titles of their first cells (``tools/templates/pages/site_index.html.j2``). Every page links
to the previous and next notebook, to the contents, and to its ``.ipynb`` source (a relative path
into the repository, plus GitHub and Colab). Opened from disk, the site needs no network.

Widgets show their static fallback (:mod:`tools.preprocessors`). Cells tagged ``navigation`` or
``colab`` are left out (the site has its own navigation); a cell that JupyterLab folds
(``"jupyter": {"source_hidden": true}``) shows its outputs only::

    python -m tools site [--out DIR] [notebooks/NN_x.ipynb ...]
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import mistune
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor

from tools.assets import TEMPLATES, copy_mathjax, parse_build_args, render_page
from tools.launch import colab_url, github_url
from tools.notebooks import ROOT, read, teaching_notebooks, title
from tools.preprocessors import HiddenSource, NotebookLinks, StaticWidgets, has_math

__all__ = ["DEFAULT_OUT", "build", "exporter", "index_html", "main", "nav"]

DEFAULT_OUT = ROOT / "_build" / "html"
REMOVED_TAGS = {"navigation", "colab"}
MATHJAX_FOLDER = "_static/mathjax"


def nav(paths: list[Path], i: int, out: Path) -> dict[str, Any]:
    """What the bar above and below page ``i`` links to (``course_html`` renders it).

    ``prev`` and ``next`` are ``{href, title}`` or None; ``source`` is the notebook relative to ``out``.
    """

    def page(path: Path) -> dict[str, str]:
        return {"href": f"{path.stem}.html", "title": title(path)[0]}

    path = paths[i]
    return {
        "prev": page(paths[i - 1]) if i > 0 else None,
        "next": page(paths[i + 1]) if i + 1 < len(paths) else None,
        "source": Path(os.path.relpath(path, out)).as_posix(),
        "name": f"notebooks/{path.name}",
        "github": github_url(path),
        "colab": colab_url(path),
    }


def exporter() -> HTMLExporter:
    """nbconvert's HTML exporter with the course's template and preprocessors."""
    exp = HTMLExporter(
        extra_template_basedirs=[str(TEMPLATES)],
        template_name="course_html",
        exclude_anchor_links=False,
        # no In [n] prompts: the Colab cell is left out, so the pages would start at In [2]
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    exp.register_preprocessor(TagRemovePreprocessor(remove_cell_tags=REMOVED_TAGS), enabled=True)
    exp.register_preprocessor(HiddenSource(), enabled=True)
    exp.register_preprocessor(StaticWidgets(), enabled=True)
    exp.register_preprocessor(NotebookLinks(), enabled=True)
    return exp


def inline_markdown(text: str) -> str:
    """One line of markdown (`code`, **bold**, links) as HTML, without the paragraph around it."""
    rendered = mistune.html(text).strip()
    return re.sub(r"^<p>(.*)</p>$", r"\1", rendered, flags=re.S)


def index_html(paths: list[Path]) -> str:
    """The contents page: every notebook by its title, with the line under the title."""
    entries = []
    for p in paths:
        name, line = title(p)
        entries.append({"href": f"{p.stem}.html", "title": name, "line_html": inline_markdown(line)})
    return render_page("site_index.html.j2", notebooks=entries)


def build(out: Path = DEFAULT_OUT, paths: list[Path] | None = None) -> list[Path]:
    """Write the site into ``out``; return the pages written (index first)."""
    paths = [Path(p).resolve() for p in (paths or teaching_notebooks())]
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    math = {p: has_math(read(p)) for p in paths}
    mathjax = copy_mathjax(out, MATHJAX_FOLDER) if any(math.values()) else None
    exp = exporter()
    pages = {p.name: f"{p.stem}.html" for p in paths}
    written = [out / "index.html"]
    written[0].write_text(index_html(paths), encoding="utf-8")
    for i, path in enumerate(paths):
        resources = {
            "metadata": {"name": title(path)[0], "path": str(path.parent)},
            "course": {"nav": nav(paths, i, out), "mathjax_src": mathjax if math[path] else None, "pages": pages},
        }
        body, _ = exp.from_notebook_node(read(path), resources=resources)
        page = out / pages[path.name]
        page.write_text(body, encoding="utf-8")
        written.append(page)
    if mathjax is None and any(math.values()):
        print("note: some pages have math but node_modules/mathjax is missing (run `npm ci`): it shows as TeX")
    return written


def main(argv: list[str] | None = None) -> int:
    args = parse_build_args("site", __doc__, DEFAULT_OUT, argv)
    written = build(args.out, args.paths or None)
    print(f"site: {len(written) - 1} pages and index.html in {args.out}; open {args.out / 'index.html'}")
    return 0
