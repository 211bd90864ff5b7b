"""Render the committed notebooks to a static site in ``_build/html/`` (``make book``).

nbconvert's HTML exporter renders each teaching notebook with its stored outputs (nothing runs
again), and each exercise (``notebooks/exercises/``, generated, no outputs: instructions and starter
code as they are) into ``exercises/``, through ``tools/templates/course_html``: nbconvert's ``lab``
template without the scripts it would fetch from CDNs (require.js, the widget manager, mermaid),
with MathJax from the local npm copy (``npm ci``; pages without math need none). Opened from disk,
the site needs no network.

Every page has the same chrome (``tools/templates/pages/_chrome.html.j2``): a skip link, a header
with the search box, a sidebar listing the notebooks, the exercises and the current page's sections,
and one ``<main>``. ``index.html`` lists the notebooks by the titles of their first cells, then the
exercises (``site_index.html.j2``); ``search.html?q=...`` lists every result (``search.html.j2``).
A notebook's page links to the previous and next page, to the contents, and to its ``.ipynb``
source (a relative path into the repository, plus GitHub and Colab); links between notebooks,
exercises included, point at their pages (:func:`tools.preprocessors.rewrite_links`), and links to
other files of the repository at GitHub (:func:`repository_links`).

Accessibility: headings go down one level at a time with unique ids whatever the markdown skips
(:mod:`tools.site_outline`), and ``_static/course.css`` gives code, links and muted text AA
contrast. ``tests/test_browser_site.py`` runs axe-core on every page.

Search: ``_static/search-index.js`` holds every section's prose and code (:mod:`tools.site_search`);
``_static/course.js`` searches it with MiniSearch (npm, pinned), from disk or from a server.

Pages that are not notebooks (a teacher's page per part, say) extend the base layout
``tools/templates/pages/layout.html.j2`` (blocks ``title`` and ``content``), or use ``page.html.j2``
with a ``title`` and a ``body``, and are rendered with :func:`render_site_page`::

    from markupsafe import Markup
    teachers = [{"href": "teachers/part_1.html", "title": "Part 1"}]
    written = build(out, teacher_pages=teachers)
    html = render_site_page("page.html.j2", "teachers/part_1.html", site_map(out_pages(), teachers),
                            title="Part 1", body=Markup("<h1>Part 1</h1>..."))
    (out / "teachers" / "part_1.html").write_text(html)

``teacher_pages`` (``{href, title}``, hrefs relative to the site's folder) makes every sidebar and
the contents list them under "For teachers"; the pages themselves are the caller's to write.

Widgets show their static fallback (:mod:`tools.preprocessors`). Cells tagged ``navigation`` or
``colab`` are left out (the site has its own navigation); a cell that JupyterLab folds
(``"jupyter": {"source_hidden": true}``) shows its outputs only::

    python -m tools site [--out DIR] [notebooks/NN_x.ipynb ...]
"""

from __future__ import annotations

import posixpath
import re
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mistune
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor

from tools import lesson_plans, site_outline, site_search
from tools.assets import TEMPLATES, copy_mathjax, copy_minisearch, parse_build_args, render_page
from tools.launch import colab_url, github_url
from tools.notebooks import NB_DIR, ROOT, read, teaching_notebooks, title
from tools.preprocessors import HiddenSource, NotebookLinks, StaticWidgets, has_math

__all__ = [
    "DEFAULT_OUT",
    "EXERCISE_FOLDER",
    "SITE_TITLE",
    "Page",
    "build",
    "exercise_notebooks",
    "exporter",
    "index_html",
    "main",
    "nav",
    "out_pages",
    "render_site_page",
    "repository_links",
    "site_map",
]

DEFAULT_OUT = ROOT / "_build" / "html"
REMOVED_TAGS = {"navigation", "colab"}
STATIC = "_static"
MATHJAX_FOLDER = f"{STATIC}/mathjax"
EXERCISE_FOLDER = "exercises"
SITE_TITLE = "Build, train and test a neural network in PyTorch"
STATIC_FILES = TEMPLATES / "pages" / "static"
MARKERS = ("<!--course:head-->", "<!--course:top-->", "<!--course:bottom-->")


@dataclass(frozen=True)
class Page:
    """A notebook's page: its source, where it goes (``href``, relative to the site), and its titles."""

    path: Path
    href: str
    title: str
    line: str
    kind: str  # "notebook" or "exercise"

    @property
    def short(self) -> str:
        """The title without the ``Exercise ·`` in front (the sidebar lists exercises under their own label)."""
        return re.sub(r"^Exercise\s*·\s*", "", self.title)

    @property
    def root(self) -> str:
        """The way back to the site's folder: ``""`` or ``"../"``."""
        return "../" * self.href.count("/")

    def link(self, href: str) -> str:
        """``href`` (relative to the site) as seen from this page."""
        return posixpath.relpath(href, posixpath.dirname(self.href) or ".")


def exercise_notebooks(folder: Path = NB_DIR / EXERCISE_FOLDER) -> list[Path]:
    """The exercises in course order: by the notebook they come from, then level (one from three at the end)."""
    order = {p.name: i for i, p in enumerate(teaching_notebooks())}

    def key(path: Path) -> tuple:
        info = read(path).metadata.get("course_exercise", {})
        sources = [s.strip() for s in str(info.get("source", "")).split(",") if s.strip()]
        return (len(sources), max((order.get(s, 99) for s in sources), default=99), info.get("level", 9), path.name)

    return sorted(Path(folder).glob("*.ipynb"), key=key)


def _pages(paths: Iterable[Path], kind: str) -> list[Page]:
    folder = f"{EXERCISE_FOLDER}/" if kind == "exercise" else ""
    return [Page(p, f"{folder}{p.stem}.html", *title(p), kind) for p in paths]


def out_pages(paths: list[Path] | None = None, exercises: list[Path] | None = None) -> list[Page]:
    """The site's notebook pages: the teaching notebooks, then the exercises (defaults: all of them)."""
    notebooks = [Path(p).resolve() for p in (paths if paths is not None else teaching_notebooks())]
    exercises = [Path(p).resolve() for p in (exercises if exercises is not None else exercise_notebooks())]
    return _pages(notebooks, "notebook") + _pages(exercises, "exercise")


def site_map(pages: list[Page], teacher_pages: Iterable[Mapping[str, str]] = ()) -> dict[str, Any]:
    """What the sidebar lists (``_chrome.html.j2``): the notebooks, the exercises, the teachers' pages."""

    def entry(p: Page) -> dict[str, str]:
        return {"href": p.href, "title": p.title, "short": p.short}

    teachers = [{"href": t["href"], "title": t["title"], "short": t["title"]} for t in teacher_pages]
    site = {
        "title": SITE_TITLE,
        "notebooks": [entry(p) for p in pages if p.kind == "notebook"],
        "exercises": [entry(p) for p in pages if p.kind == "exercise"],
        "teachers": teachers,
    }
    site["hrefs"] = {e["href"] for group in ("notebooks", "exercises", "teachers") for e in site[group]}
    return site


def render_site_page(template: str, href: str, site: dict[str, Any], toc: list | None = None, **context: Any) -> str:
    """Render a page template that extends ``layout.html.j2``, for the page at ``href`` (relative to the site).

    ``site`` is :func:`site_map`'s; ``toc`` the page's sections for the sidebar
    (:func:`tools.site_outline.toc`); ``context`` what the template itself needs.
    """
    root = "../" * href.count("/")
    return render_page(template, site=site, root=root, current=href, toc=toc or [], **context)


def nav(pages: list[Page], i: int, out: Path) -> dict[str, Any]:
    """What the bar above and below page ``i`` links to (``course_html`` renders it).

    ``prev`` and ``next`` are ``{href, title}`` or None (within the page's kind: notebooks, or
    exercises); ``index`` the contents; ``source`` the notebook relative to the page.
    """
    page = pages[i]
    same = [p for p in pages if p.kind == page.kind]
    at = same.index(page)

    def link(p: Page) -> dict[str, str]:
        return {"href": page.link(p.href), "title": p.title}

    folder = (out / page.href).parent
    return {
        "prev": link(same[at - 1]) if at > 0 else None,
        "next": link(same[at + 1]) if at + 1 < len(same) else None,
        "index": page.link("index.html"),
        "source": Path(posixpath.relpath(page.path.as_posix(), folder.as_posix())).as_posix(),
        "name": page.path.relative_to(ROOT).as_posix() if page.path.is_relative_to(ROOT) else page.path.name,
        "github": github_url(page.path),
        "colab": colab_url(page.path),
    }


def exporter() -> HTMLExporter:
    """nbconvert's HTML exporter with the course's template and preprocessors."""
    exp = HTMLExporter(
        extra_template_basedirs=[str(TEMPLATES)],
        extra_template_paths=[str(TEMPLATES)],  # course_common/: what both templates share
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


def index_html(paths: list[Path] | list[Page], site: dict[str, Any] | None = None) -> str:
    """The contents page: every notebook by its title, with the line under the title, then the exercises."""
    pages = [p if isinstance(p, Page) else _pages([Path(p)], "notebook")[0] for p in paths]
    site = site or site_map(pages)

    def entries(kind: str) -> list[dict[str, str]]:
        return [
            {"href": p.href, "title": p.title, "short": p.short, "line_html": inline_markdown(p.line)}
            for p in pages
            if p.kind == kind
        ]

    return render_site_page(
        "site_index.html.j2", "index.html", site, notebooks=entries("notebook"), exercises=entries("exercise")
    )


def _copy_static(out: Path) -> None:
    dest = out / STATIC
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("course.css", "course.js"):
        shutil.copy2(STATIC_FILES / name, dest / name)


def _chrome(page: Page, site: dict[str, Any], toc: list) -> dict[str, str]:
    common = {"site": site, "root": page.root, "current": page.href, "toc": toc}
    return {
        marker: render_page("site_chrome.html.j2", part=part, **common)
        for marker, part in zip(MARKERS, ("head", "top", "bottom"))
    }


def repository_links(body: str, page: Page, out: Path, known: set[str]) -> str:
    """Point links to repository files that are not on the site (``../benchmarks/SEARCH.md``) at GitHub.

    A relative link that leads to a page of the site (``known``) or to a file from the page's place
    in ``out`` (the notebook's source) stays; one that leads to a file of the repository from the
    notebook's folder goes to that file on GitHub, so that no link of the site points at nothing.
    """

    def repl(match: re.Match) -> str:
        target, rest = match.group(1), match.group(2) or ""
        in_site = posixpath.normpath(posixpath.join(posixpath.dirname(page.href), target))
        if in_site in known or Path(posixpath.normpath((out / page.href).parent.joinpath(target).as_posix())).exists():
            return match.group(0)
        in_repo = (page.path.parent / target).resolve()
        if in_repo.is_relative_to(ROOT) and in_repo.exists():
            return f'href="{github_url(in_repo)}{rest}"'
        return match.group(0)

    return re.sub(r'href="([^"#?:]+)([#?][^"]*)?"', repl, body)


def render_notebook(
    exp: HTMLExporter, pages: list[Page], i: int, out: Path, site: dict[str, Any], mathjax: str | None
) -> tuple[str, list[dict[str, Any]]]:
    """Page ``i`` as HTML with the site's chrome, and its search records."""
    page = pages[i]
    nb = read(page.path)
    links = {p.path.name: page.link(p.href) for p in pages}
    links["README.md"] = page.link("index.html")
    resources = {
        "metadata": {"name": page.title, "path": str(page.path.parent)},
        "course": {
            "nav": nav(pages, i, out),
            "mathjax_src": page.root + mathjax if mathjax and has_math(nb) else None,
            "pages": links,
            "chrome": True,
        },
    }
    body, _ = exp.from_notebook_node(nb, resources=resources)
    body = repository_links(body, page, out, site["hrefs"] | {"index.html", "search.html"})
    body, headings = site_outline.fix_headings(body)
    for marker, html in _chrome(page, site, site_outline.toc(headings)).items():
        body = body.replace(marker, html, 1)
    start = body.find("<main")
    records = site_search.documents(page.href, page.title, page.kind, site_outline.sections(body[start:], headings))
    return body, records


def build(
    out: Path = DEFAULT_OUT,
    paths: list[Path] | None = None,
    exercises: list[Path] | None = None,
    teacher_pages: Iterable[Mapping[str, str]] = (),
) -> list[Path]:
    """Write the site into ``out``; return the pages written (index first, then search.html, notebooks, exercises).

    ``paths``: the notebooks (default: every teaching notebook; exercises among them go to ``exercises/``);
    ``exercises``: the exercises (default: all when ``paths`` is not given, else those in ``paths``);
    ``teacher_pages``: ``{href, title}`` of pages the caller writes, listed under "For teachers";
    by default the lesson plans (:mod:`tools.lesson_plans`) of the notebooks that carry
    ``metadata.lecture``, written here.
    """
    if paths is not None and exercises is None:
        paths = [Path(p).resolve() for p in paths]
        exercises = [p for p in paths if p.parent.name == EXERCISE_FOLDER]
        paths = [p for p in paths if p.parent.name != EXERCISE_FOLDER]
    pages = out_pages(paths, exercises)
    lessons = [p.path for p in pages if p.kind == "notebook" and read(p.path).metadata.get("lecture")]
    teacher_pages = list(teacher_pages) or lesson_plans.pages(lessons)
    site = site_map(pages, teacher_pages)
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    _copy_static(out)
    math = any(has_math(read(p.path)) for p in pages)
    mathjax = copy_mathjax(out, MATHJAX_FOLDER) if math else None
    minisearch = copy_minisearch(out, STATIC)
    exp = exporter()
    written = [out / "index.html", out / "search.html"]
    written[0].write_text(index_html(pages, site), encoding="utf-8")
    written[1].write_text(render_site_page("search.html.j2", "search.html", site), encoding="utf-8")
    records: list[dict[str, Any]] = []
    for i, page in enumerate(pages):
        body, found = render_notebook(exp, pages, i, out, site, mathjax)
        target = out / page.href
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body, encoding="utf-8")
        written.append(target)
        records += found
    site_search.write_index(out / STATIC, records)
    if lessons and teacher_pages == lesson_plans.pages(lessons):
        written += lesson_plans.write(out, lessons, site)
    if mathjax is None and math:
        print("note: some pages have math but node_modules/mathjax is missing (run `npm ci`): it shows as TeX")
    if minisearch is None:
        print("note: node_modules/minisearch is missing (run `npm ci`): the site's search box will say so")
    return written


def main(argv: list[str] | None = None) -> int:
    args = parse_build_args("site", __doc__, DEFAULT_OUT, argv)
    written = build(args.out, args.paths or None)
    print(f"site: {len(written) - 2} pages, index.html and search.html in {args.out}; open {args.out / 'index.html'}")
    return 0
