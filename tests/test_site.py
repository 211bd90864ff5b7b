"""The classroom deliverables: the static site (make book), the slides (make slides), the slide
metadata and the Colab cell of every notebook, and the cloud-launch files.

The site and the slides are built into temporary folders from the committed notebooks (nothing
runs again). Offline means: no page loads a script, a stylesheet, an image or a frame from the
network, and every local file a page loads exists.
"""

from __future__ import annotations

import copy
import json
import os
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from markupsafe import Markup

from tools import colab_cell, launch, preprocessors, site_outline, slide_metadata
from tools import site as build_site
from tools import slides as build_slides
from tools.notebooks import ROOT, teaching_notebooks, title

NOTEBOOKS = teaching_notebooks()
EXERCISES = build_site.exercise_notebooks()
REMOTE = re.compile(r"^(https?:)?//", re.I)

WIDGET_VIEW_KEY = "application/vnd.jupyter.widget-view+json"


class Tags(HTMLParser):
    """Every start tag of a page, with its attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    @classmethod
    def of(cls, text: str) -> list[tuple[str, dict[str, str]]]:
        parser = cls()
        parser.feed(text)
        return parser.tags


def parse(path: Path) -> list[tuple[str, dict[str, str]]]:
    parser = Tags()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.tags


def loaded_resources(tags) -> list[str]:
    """What a browser fetches when it opens the page (scripts, stylesheets, images, frames)."""
    urls = []
    for tag, attrs in tags:
        if tag in ("script", "img", "iframe", "source", "audio", "video", "embed") and attrs.get("src"):
            urls.append(attrs["src"])
        if tag == "link" and attrs.get("href") and attrs.get("rel", "") not in ("prev", "next", "index"):
            urls.append(attrs["href"])
    return urls


def assert_offline(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    for url in loaded_resources(parse(page)):
        assert not REMOTE.match(url), f"{page.name} loads {url} from the network"
        if url.startswith(("data:", "blob:", "#")):
            continue
        local = (page.parent / url.split("?")[0].split("#")[0]).resolve()
        assert local.exists(), f"{page.name} loads {url}, which is not in the build"
    remote_imports = re.findall(r"@import\s+url\(\s*['\"]?(?:https?:)?//[^)]*\)", text)
    assert not remote_imports, f"{page.name} imports CSS from the network: {remote_imports}"
    assert not re.search(r"import\s*\(\s*['\"](?:https?:)?//", text), f"{page.name} imports a module from a CDN"


def links(tags, rel: str) -> list[str]:
    return [a["href"] for tag, a in tags if tag == "a" and a.get("rel") == rel]


# --------------------------------------------------------------------------- the site


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("html")
    build_site.build(out)
    return out


def test_index_lists_every_notebook_by_title(site):
    tags = parse(site / "index.html")
    pages = [a["href"] for tag, a in tags if tag == "a" and "course-page" in a.get("class", "")]
    assert pages == [f"{p.stem}.html" for p in NOTEBOOKS]
    text = (site / "index.html").read_text(encoding="utf-8")
    for p in NOTEBOOKS:
        assert (site / f"{p.stem}.html").is_file(), f"no page for {p.name}"
        name = title(p)[0]
        assert name.replace("&", "&amp;") in text, f"the index lacks the title {name!r} of {p.name}"


def test_pages_link_previous_next_contents_and_source(site):
    for i, path in enumerate(NOTEBOOKS):
        page = site / f"{path.stem}.html"
        tags = parse(page)
        prev, nxt = links(tags, "prev"), links(tags, "next")
        if i == 0:
            assert not prev, f"{page.name}: the first page has a previous link"
        else:
            assert set(prev) == {f"{NOTEBOOKS[i - 1].stem}.html"}, f"{page.name}: previous links {prev}"
        if i == len(NOTEBOOKS) - 1:
            assert not nxt, f"{page.name}: the last page has a next link"
        else:
            assert set(nxt) == {f"{NOTEBOOKS[i + 1].stem}.html"}, f"{page.name}: next links {nxt}"
        for href in prev + nxt + links(tags, "index"):
            assert (site / href).is_file(), f"{page.name} links to {href}, which does not exist"
        assert links(tags, "index") and set(links(tags, "index")) == {"index.html"}
        sources = [a["href"] for tag, a in tags if tag == "a" and "course-source-link" in a.get("class", "")]
        assert sources, f"{page.name} has no link to its notebook"
        for href in sources:
            assert (site / href).resolve() == path.resolve(), f"{page.name}: source link {href} is not {path}"


def test_site_works_offline(site):
    pages = sorted(site.glob("*.html")) + sorted(site.glob(f"{build_site.EXERCISE_FOLDER}/*.html"))
    assert len(pages) == len(NOTEBOOKS) + len(EXERCISES) + 2  # and index.html, search.html
    for page in pages:
        assert_offline(page)
    for name in ("course.css", "course.js", "search-index.js"):
        assert (site / "_static" / name).is_file(), f"_static/{name} is missing"


def test_exercises_have_pages_with_instructions_and_no_outputs(site):
    index = parse(site / "index.html")
    listed = [a["href"] for tag, a in index if tag == "a" and "course-exercise" in a.get("class", "")]
    assert listed == [f"exercises/{p.stem}.html" for p in EXERCISES]
    for path in EXERCISES:
        page = site / "exercises" / f"{path.stem}.html"
        text = page.read_text(encoding="utf-8")
        nb = nbformat.read(path, as_version=4)
        assert 'class="jp-OutputArea-output' not in text.split("<body", 1)[1], f"{page.name} shows outputs"
        first_code = next(c.source for c in nb.cells if c.cell_type == "code")
        assert first_code.splitlines()[0].split()[-1] in text, f"{page.name} lacks its starter code"
        assert "What to do" in text or "Your turn" in text, f"{page.name} lacks its instructions"
        tags = parse(page)
        sources = [a["href"] for tag, a in tags if tag == "a" and "course-source-link" in a.get("class", "")]
        assert sources and all((page.parent / h).resolve() == path.resolve() for h in sources)


def test_every_link_of_the_site_leads_somewhere(site):
    """Relative links (pages, sections, sources) exist; links to exercises go to their pages, not GitHub."""
    pages = sorted(site.glob("*.html")) + sorted(site.glob("exercises/*.html"))
    ids = {p.resolve(): {a["id"] for _, a in parse(p) if "id" in a} for p in pages}
    for page in pages:
        for tag, attrs in parse(page):
            href = attrs.get("href", "")
            if tag != "a" or not href or href.startswith(("mailto:", "javascript:")):
                continue
            if REMOTE.match(href):
                on_github = re.search(r"github\.com/.+/notebooks/exercises/[\w.-]+\.ipynb", href)
                assert not on_github or href.endswith(f"/{page.stem}.ipynb"), (
                    f"{page.name} links to an exercise on GitHub, not to its page: {href}"
                )
                continue
            target, _, anchor = href.partition("#")
            local = (page.parent / target).resolve() if target else page.resolve()
            assert local.exists(), f"{page.name} links to {href}, which does not exist"
            if anchor and local in ids:
                assert anchor in ids[local], f"{page.name} links to {href}: no id {anchor!r} there"


def test_headings_are_in_order_with_unique_ids(site):
    pages = [site / f"{p.stem}.html" for p in NOTEBOOKS] + [site / "exercises" / f"{p.stem}.html" for p in EXERCISES]
    for page in pages:
        tags = parse(page)
        levels = [int(t[1]) for t, _ in tags if re.fullmatch(r"h[1-6]", t)]
        assert levels[0] == 1 and levels.count(1) == 1, f"{page.name}: headings {levels}"
        assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), f"{page.name}: headings skip a level: {levels}"
        ids = [a["id"] for _, a in tags if "id" in a]
        assert len(ids) == len(set(ids)), f"{page.name}: repeated ids {sorted({i for i in ids if ids.count(i) > 1})}"
        assert sum(1 for t, _ in tags if t == "main") == 1, f"{page.name}: not one <main>"


def test_fix_headings_levels_and_ids():
    page = (
        '<h2 id="T">T<a class="anchor-link" href="#T">¶</a></h2><h4 id="A">A</h4><h1 id="A">A<a class="anchor-link" '
        'href="#A">¶</a></h1><h3 id="A-2">x</h3>'
    )
    fixed, headings = site_outline.fix_headings(page)
    assert [(h.level, h.id) for h in headings] == [(1, "T"), (2, "A"), (2, "A-2"), (3, "A-2-2")]
    assert '<h2 id="A-2">A<a class="anchor-link" href="#A-2">¶</a></h2>' in fixed
    assert site_outline.toc(headings) == [
        {"id": "A", "html": "A", "children": []},
        {"id": "A-2", "html": "A", "children": [{"id": "A-2-2", "html": "x", "children": []}]},
    ]


def search_records(site) -> list[dict]:
    text = (site / "_static" / "search-index.js").read_text(encoding="utf-8")
    return json.loads(re.search(r"window\.COURSE_SEARCH = (\{.*\});", text, re.S).group(1))["docs"]


def test_search_index_holds_every_page_prose_and_code(site):
    records = search_records(site)
    assert [r["id"] for r in records] == list(range(len(records)))
    pages = {r["href"].split("#")[0] for r in records}
    assert pages == {f"{p.stem}.html" for p in NOTEBOOKS} | {f"exercises/{p.stem}.html" for p in EXERCISES}
    training = [r for r in records if r["href"].startswith("05_training_loop.html")]
    assert any("zero_grad" in r["code"] for r in training), "05's code is not indexed"
    assert any("zero_grad" in r["prose"] for r in training), "05's prose is not indexed"
    assert all(r["section"] for r in records if "#" in r["href"])
    assert not any("<!--NAVIGATION-->" in r["prose"] for r in records)


def test_sidebar_lists_pages_and_teachers_pages(tmp_path):
    teachers = [{"href": "teachers/part_1.html", "title": "Lesson plan, part 1"}]
    nb = NOTEBOOKS[:2]
    build_site.build(tmp_path, nb, exercises=EXERCISES[:1], teacher_pages=teachers)
    page = (tmp_path / f"{nb[1].stem}.html").read_text(encoding="utf-8")
    for href in [f"{nb[0].stem}.html", f"exercises/{EXERCISES[0].stem}.html", "teachers/part_1.html"]:
        assert f'href="{href}"' in page, f"the sidebar lacks {href}"
    assert "For teachers" in page and f'href="{nb[1].stem}.html" aria-current="page"' in page
    exercise = (tmp_path / "exercises" / f"{EXERCISES[0].stem}.html").read_text(encoding="utf-8")
    assert 'href="../teachers/part_1.html"' in exercise and 'href="../_static/course.css"' in exercise
    # a teacher's page: the same chrome around a title and a body
    site_nav = build_site.site_map(build_site.out_pages(nb, EXERCISES[:1]), teachers)
    html = build_site.render_site_page(
        "page.html.j2", "teachers/part_1.html", site_nav, title="Lesson plan, part 1", body=Markup("<h1>Plan</h1>")
    )
    tags = [t for t, _ in Tags.of(html)]
    assert tags.count("main") == 1 and tags.count("h1") == 1
    assert 'href="../index.html"' in html and 'aria-current="page"' in html and "_static/course.js" in html


def test_site_leaves_out_navigation_and_colab_cells(site):
    for path in NOTEBOOKS:
        text = (site / f"{path.stem}.html").read_text(encoding="utf-8")
        assert "<!--NAVIGATION-->" not in text
        assert "enable_custom_widget_manager" not in text


def test_links_between_notebooks_point_at_pages():
    pages = {"03_net.ipynb": "03_net.html"}
    text = "see [03](03_net.ipynb#forward), [contents](../README.md#contents), [web](https://x.org/a.ipynb)"
    assert preprocessors.rewrite_links(text, pages) == (
        "see [03](03_net.html#forward), [contents](index.html), [web](https://x.org/a.ipynb)"
    )
    exercise = preprocessors.rewrite_links("[rebuild it](exercises/net_1_fill_in.ipynb)", pages)
    assert exercise == f"[rebuild it]({launch.github_url(ROOT / 'notebooks' / 'exercises' / 'net_1_fill_in.ipynb')})"
    assert exercise.endswith("/blob/main/notebooks/exercises/net_1_fill_in.ipynb)")


def test_widgets_fall_back_to_their_static_picture():
    view = {"model_id": "abc", "version_major": 2, "version_minor": 0}
    nb = nbformat.v4.new_notebook()
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {"abc": {}}}}
    with_png = nbformat.v4.new_output(
        "display_data",
        data={
            "application/vnd.jupyter.widget-view+json": view,
            "image/png": "iVBORw0KGgo=",
            "text/plain": "VBox(children=(Dropdown(...),))",
        },
    )
    bare = nbformat.v4.new_output(
        "display_data", data={"application/vnd.jupyter.widget-view+json": view, "text/plain": "VBox(children=())"}
    )
    nb.cells = [nbformat.v4.new_code_cell("explorer", outputs=[with_png, bare], execution_count=1)]
    body, _ = build_site.exporter().from_notebook_node(nb, resources={"course": {"nav": "", "mathjax_src": None}})
    assert "widget-view+json" not in body and "widget-state+json" not in body
    assert "data:image/png;base64,iVBORw0KGgo=" in body
    assert preprocessors.WIDGET_NOTE in body


@pytest.mark.parametrize("make", [build_site.exporter, build_slides.exporter], ids=["site", "slides"])
def test_figures_get_their_description_as_alt(make):
    """The course's figure formatter stores a description in the output's metadata: the page writes it as alt."""
    alt = 'Line chart "Loss" <x & y>: the loss falls.'
    described = nbformat.v4.new_output(
        "display_data",
        data={"image/png": "iVBORw0KGgo=", "text/plain": alt},
        metadata={"image/png": {"alt": alt, "width": 300, "needs_background": "light"}},
    )
    bare = nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgp=", "text/plain": "<Figure>"})
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("fig", outputs=[described, bare], execution_count=1)]
    body, _ = make().from_notebook_node(nb, resources={"course": {"nav": "", "mathjax_src": None}})
    images = {a["src"]: a for tag, a in Tags.of(body) if tag == "img"}
    assert images["data:image/png;base64,iVBORw0KGgo="]["alt"] == alt  # escaped in the page, the same text read back
    assert images["data:image/png;base64,iVBORw0KGgo="]["width"] == "300"  # the rest of the block is kept
    assert "jp-needs-light-background" in images["data:image/png;base64,iVBORw0KGgo="]["class"]
    assert images["data:image/png;base64,iVBORw0KGgp="]["alt"] == "No description has been provided for this image"


def folded_notebook() -> nbformat.NotebookNode:
    """A notebook with one code cell that JupyterLab folds and one it shows, each with an output."""
    nb = nbformat.v4.new_notebook()
    shown = nbformat.v4.new_output("stream", text="environment OK\n")
    hidden = nbformat.v4.new_code_cell("tooling_only_source = 1", outputs=[shown], execution_count=1)
    hidden.metadata["jupyter"] = {"source_hidden": True}
    lesson = nbformat.v4.new_code_cell("lesson_source = 2", execution_count=2)
    nb.cells = [nbformat.v4.new_markdown_cell("# Title"), hidden, lesson]
    return nb


@pytest.mark.parametrize("make", [build_site.exporter, build_slides.exporter], ids=["site", "slides"])
def test_folded_cells_show_only_their_outputs(make):
    """As in JupyterLab: a cell with ``"jupyter": {"source_hidden": true}`` shows what it prints, not its code."""
    nb = folded_notebook()
    body, _ = make().from_notebook_node(nb, resources={"course": {"nav": "", "mathjax_src": None, "pages": {}}})
    assert "tooling_only_source" not in body
    assert "environment OK" in body
    assert "lesson_source" in body
    assert "transient" not in nb.cells[1].metadata  # the notebook itself is left as it was


def tqdm_bar_state(postfix: str) -> dict:
    """The widget state tqdm leaves after 938 of 938 batches: a box of label, bar and counts."""
    return {
        "bar": {"model_name": "HBoxModel", "state": {"children": ["IPY_MODEL_l", "IPY_MODEL_p", "IPY_MODEL_r"]}},
        "l": {"model_name": "HTMLModel", "state": {"value": "train:\u2007100%"}},
        "p": {"model_name": "FloatProgressModel", "state": {"value": 938.0, "max": 938.0}},
        "r": {"model_name": "HTMLModel", "state": {"value": f"\u2007938/938\u2007[00:06&lt;00:00{postfix}]"}},
    }


def notebook_with_widget_state(state: dict) -> nbformat.NotebookNode:
    """An empty notebook that stores ``state`` as its widget state, as ``make execute`` does."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": state}}
    return nb


def test_progress_bars_show_their_last_frame():
    """tqdm's fallback text is its first frame (0%); the stored widget state has how it ended."""
    state = tqdm_bar_state(",\u2007loss=0.3715")
    nb = notebook_with_widget_state(state)
    view = {"model_id": "bar", "version_major": 2, "version_minor": 0}
    first_frame = "train:   0%|          | 0/938 [00:00<?, ?it/s]"
    out = nbformat.v4.new_output("display_data", data={"application/vnd.jupyter.widget-view+json": view,
                                                       "text/plain": first_frame})
    nb.cells = [nbformat.v4.new_code_cell("train(...)", outputs=[out], execution_count=1)]
    body, _ = build_site.exporter().from_notebook_node(nb, resources={"course": {"nav": "", "mathjax_src": None}})
    assert "train: 100%|" + "\u2588" * 10 + "| 938/938 [00:06&lt;00:00, loss=0.3715]" in body
    assert "0/938" not in body
    assert preprocessors.progress_text(state, "l") is None  # not a progress bar


def test_make_execute_stores_each_bar_as_it_ended():
    """The .ipynb itself (GitHub, nbviewer, a text diff) shows the last frame too, not tqdm's 0%."""
    nb = notebook_with_widget_state(tqdm_bar_state(""))
    view = {"application/vnd.jupyter.widget-view+json": {"model_id": "bar", "version_major": 2, "version_minor": 0}}
    out = nbformat.v4.new_output("display_data", data={**view, "text/plain": "train:   0%|          | 0/938"})
    label = nbformat.v4.new_output("display_data", data={"text/plain": "0%"})
    nb.cells = [nbformat.v4.new_code_cell("train(...)", outputs=[out, label], execution_count=1)]
    assert preprocessors.store_final_progress(nb) == 1 and preprocessors.store_final_progress(nb) == 0
    assert out.data["text/plain"] == "train: 100%|" + "\u2588" * 10 + "| 938/938 [00:06<00:00]"
    assert label.data["text/plain"] == "0%" and WIDGET_VIEW_KEY in out.data  # only bars change; the widget stays


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_progress_bars_show_their_last_frame(path):
    nb = nbformat.read(path, as_version=4)
    assert preprocessors.store_final_progress(nb) == 0, (
        f"{path.name}: a progress bar's stored text is not its last frame: run `make execute` "
        f"(or `python -m tools execute {path.relative_to(ROOT)}`)"
    )


def test_progress_text_reads_the_widget_state_by_model_name_not_by_layout():
    """Any widget that shows one progress bar among text only (boxes opened) is a bar; anything else is not."""
    state = {
        "outer": {"model_name": "VBoxModel", "state": {"children": ["IPY_MODEL_row"]}},
        "row": {"model_name": "HBoxModel", "state": {"children": ["IPY_MODEL_bar", "IPY_MODEL_txt"]}},
        "bar": {"model_name": "IntProgressModel", "state": {"value": 5, "max": 10, "description": "epoch 2 "}},
        "txt": {"model_name": "LabelModel", "state": {"value": " 5/10 <b>batches</b>"}},
        "button": {"model_name": "ButtonModel", "state": {"description": "run"}},
        "with_button": {"model_name": "HBoxModel", "state": {"children": ["IPY_MODEL_bar", "IPY_MODEL_button"]}},
        "two_bars": {"model_name": "HBoxModel", "state": {"children": ["IPY_MODEL_bar", "IPY_MODEL_bar"]}},
        "broken": {"model_name": "HBoxModel", "state": {"children": ["IPY_MODEL_bar", "IPY_MODEL_gone"]}},
    }
    assert preprocessors.progress_text(state, "outer") == "epoch 2 |" + "\u2588" * 5 + " " * 5 + "| 5/10 batches"
    assert preprocessors.progress_text(state, "bar", width=4) == "epoch 2 |" + "\u2588" * 2 + "  |"
    for not_a_bar in ("with_button", "two_bars", "broken", "txt", "missing"):
        assert preprocessors.progress_text(state, not_a_bar) is None, not_a_bar


def test_progress_bars_without_stored_state_keep_their_text():
    """No widget state stored (JupyterLab saved without it): the bar shows the text/plain it carries."""
    view = {"model_id": "bar", "version_major": 2, "version_minor": 0}
    first_frame = "train:   0%|          | 0/938 [00:00<?, ?it/s]"
    out = nbformat.v4.new_output(
        "display_data", data={"application/vnd.jupyter.widget-view+json": view, "text/plain": first_frame}
    )
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("train(...)", outputs=[out], execution_count=1)])
    body, _ = build_site.exporter().from_notebook_node(nb, resources={"course": {"nav": None, "mathjax_src": None}})
    assert "0/938 [00:00&lt;?, ?it/s]" in body and "widget-view+json" not in body
    assert 'class="course-nav"' not in body


# --------------------------------------------------------------------------- the slides


@pytest.fixture(scope="module")
def slides(decks):
    """The decks (tests/conftest.py builds them once for the session)."""
    return decks


def test_slides_use_only_the_local_reveal_js(slides):
    assert (slides / "reveal.js" / "dist" / "reveal.js").is_file()
    assert (slides / "reveal.js" / "plugin" / "notes" / "notes.js").is_file()
    for path in NOTEBOOKS:
        deck = slides / f"{path.stem}.html"
        assert deck.is_file(), f"no slides for {path.name}"
        assert_offline(deck)
        resources = loaded_resources(parse(deck))
        assert "reveal.js/dist/reveal.js" in resources and "reveal.js/dist/reveal.css" in resources
        text = deck.read_text(encoding="utf-8")
        assert "Reveal.initialize" in text
        assert text.count("<section") >= 2, f"{deck.name} is a single slide: does it have slide metadata?"
        assert "<!--NAVIGATION-->" not in text, f"{deck.name} shows a navigation cell"
    assert_offline(slides / "index.html")


# --------------------------------------------------------------------------- slide metadata


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_carries_slide_metadata(path):
    nb = nbformat.read(path, as_version=4)
    assert slide_metadata.has_slide_metadata(nb), (
        f"{path.name} lacks slide metadata: run `python -m tools slide-metadata {path.relative_to(ROOT)}`"
    )
    for cell in nb.cells:
        if set(cell.metadata.get("tags", [])) & slide_metadata.SKIP_TAGS:
            assert cell.metadata["slideshow"]["slide_type"] == "skip", f"{path.name}: a navigation cell shows"
    assert slide_metadata.apply(copy.deepcopy(nb)) is False, (
        f"{path.name}: slide metadata out of date: run `python -m tools slide-metadata {path.relative_to(ROOT)}`"
    )
    core = [
        c for c in nb.cells if any(t.startswith("exercise:") or t == "slides-core" for t in c.metadata.get("tags", []))
    ]
    assert all(c.metadata["slideshow"]["slide_type"] == "slide" for c in core), "core code must stay on the main line"


def test_slide_rules_are_idempotent_and_follow_headings():
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    nav = md("<!--NAVIGATION-->\n[Contents](../README.md)", metadata={"tags": ["navigation"]})
    cells = [
        md("# 02 · Layers\nWhat you will do."),
        nav,
        code("try:\n    import course_utils\nexcept ImportError:\n    pass", metadata={"tags": ["colab"]}),
        md("## Convolution\nWhat it is."),
        code("conv = nn.Conv2d(1, 6, 5)"),
        md("Prose after the code."),
        md("### A detail"),
        code("\n".join(f"x{i} = {i}" for i in range(30))),
        md("## Check"),
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    assert slide_metadata.apply(nb) is True
    kinds = [c.metadata["slideshow"]["slide_type"] for c in nb.cells]
    assert kinds == ["slide", "skip", "skip", "slide", "fragment", "fragment", "subslide", "subslide", "slide"]
    assert slide_metadata.apply(nb) is False  # a second run changes nothing


# --------------------------------------------------------------------------- Colab and Binder


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_the_colab_cell_first(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and "colab" in code[0].metadata.get("tags", []), (
        f"{path.name}: the first code cell must be the Colab cell: run "
        f"`python -m tools colab {path.relative_to(ROOT)}`, then `make execute`"
    )
    # the repository's name is whatever `make navigation` wrote (the placeholder, or a fork's own name):
    # the cell's shape is what must be current, so a clone with a GitHub origin passes too
    slug = re.search(r"git\+https://github\.com/([\w.-]+/[\w.-]+)", code[0].source)
    slug = slug.group(1) if slug else launch.PLACEHOLDER  # no name yet: the cell says so instead of installing
    assert code[0].source == colab_cell.cell_source(slug), f"{path.name}: the Colab cell is out of date"


def test_colab_cell_is_idempotent_and_a_no_op_here():
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_markdown_cell("# T"), nbformat.v4.new_code_cell("info = setup(seed=0)")]
    )
    assert colab_cell.apply(nb, "me/course") is True and colab_cell.apply(nb, "me/course") is False
    assert nb.cells[1].metadata["tags"] == ["colab"] and nb.cells[2].source == "info = setup(seed=0)"
    source = nb.cells[1].source
    assert source.index('if "google.colab" in sys.modules:') < source.index("import course_utils")
    assert source.index("import course_utils") < source.index("%pip install")  # on Colab, only when missing
    assert '%pip install -q "git+https://github.com/me/course"' in source
    assert "google.colab" not in sys.modules  # so here the cell does nothing


def test_colab_cell_without_a_repository_name_says_what_to_do():
    source = colab_cell.cell_source(launch.PLACEHOLDER)
    assert "%pip install" not in source.replace("`%pip install -e .`", "")  # no install of a placeholder URL
    compile(source.replace("%pip", "pass  #"), "colab", "exec")  # valid Python once IPython's magic is set aside
    assert "RuntimeError" in source and "%pip install -e ." in source and "make lab" in source


def test_readme_launches_every_notebook():
    readme = (ROOT / "README.md").read_text()
    assert "mybinder.org/badge_logo.svg" in readme
    slug = re.search(r"colab\.research\.google\.com/github/([\w.-]+/[\w.-]+)/blob/", readme)
    assert slug, "README has no Colab launch links: run `make navigation`"
    for p in NOTEBOOKS:
        assert launch.colab_url(p, slug.group(1)) in readme, f"no Colab badge for {p.name}: run `make navigation`"
    head = readme.split("## ", 2)
    assert "make lab" in head[1] and "make test" in head[1], "make lab and make test must stay the first commands"


def test_binder_files_sit_at_the_root():
    post = ROOT / "postBuild"
    assert (ROOT / "environment.yml").is_file() and post.is_file()
    assert os.access(post, os.X_OK), "postBuild must be executable"
    assert "course_utils.data" in post.read_text()
    assert not (ROOT / "binder").exists() and not (ROOT / ".binder").exists(), (
        "a binder/ folder makes repo2docker ignore environment.yml and postBuild at the root"
    )
