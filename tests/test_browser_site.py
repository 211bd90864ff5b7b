"""The built site (``make book``) in a real browser: accessible on every page, searchable offline.

The site is built once into a temporary folder from the committed notebooks, and opened in Debian's
Chromium through Playwright (:mod:`browser_support`), from disk (``file://``), as a learner opens it,
and from a web server of our own on 127.0.0.1 (the search must work from both).

- Every page (index, search, each notebook, each exercise): axe-core's WCAG 2 A/AA rules find no
  serious or critical violation, and the page has one ``main``, headings that go down one level at
  a time from one ``h1``, a skip link to the main content, and a sidebar that lists every notebook
  and exercise and, for the current page, its sections.
- The search finds a word that occurs only in one page's code (picked from the notebooks: an
  identifier such as ``zero_grad`` that no other page has) and a word that occurs only in one
  page's prose, first, on that page; ``zero_grad`` itself finds every notebook whose code has it.
- The keyboard reaches the skip link, the search (``/``) and its results (arrow keys); on a narrow
  screen the Contents button opens the sidebar.

Screenshots go to ``_build/screenshots/site_*.png``. Chromium, Playwright or axe-core missing: the
tests skip with the reason, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
from pathlib import Path
from urllib.parse import quote, urlparse

import nbformat
import pytest
from browser_support import axe_violations, format_violations, launch_chromium, missing

from tools import lesson_plans
from tools import site as build_site
from tools.notebooks import ROOT
from tools.preprocessors import source_hidden

pytestmark = pytest.mark.browser

SCREENSHOTS = ROOT / "_build" / "screenshots"
PAGES = build_site.out_pages()
TEACHERS = [t["href"] for t in lesson_plans.pages([p.path for p in PAGES if p.kind == "notebook"])]
HREFS = ["index.html", "search.html"] + [p.href for p in PAGES] + TEACHERS
RESULTS_S = 30  # loading MiniSearch and indexing every section, on a loaded 2-core machine
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    build_site.build(out)
    if not (out / "_static" / "minisearch.js").exists():
        missing("minisearch is not installed in node_modules/: run `npm ci`")
    return out


@pytest.fixture(scope="module")
def server(site):
    """The site served over HTTP on 127.0.0.1 (a free port), for the module; yields its base URL."""
    handler = functools.partial(QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # no request log in the test output
        pass


@pytest.fixture(scope="module")
def chromium():
    with launch_chromium() as browser:
        yield browser


@pytest.fixture
def page(chromium):
    tab = chromium.new_page(viewport={"width": 1400, "height": 900})
    tab.set_default_timeout(30_000)
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.errors = errors
    yield tab
    tab.close()


def open_page(tab, site: Path, href: str) -> None:
    tab.goto((site / href.split("?")[0]).as_uri() + ("?" + href.split("?", 1)[1] if "?" in href else ""))
    tab.wait_for_load_state("load")


# --------------------------------------------------------------------------- what every page must be

JS_STRUCTURE = """() => {
  const levels = Array.from(document.querySelectorAll('h1, h2, h3, h4, h5, h6')).map(h => +h.tagName[1]);
  const main = document.querySelectorAll('main');
  const skip = document.querySelector('a.course-skip-link');
  const sidebar = document.querySelector('nav#course-sidebar');
  const current = sidebar && sidebar.querySelector('a[aria-current="page"]');
  const onPage = current ? Array.from(current.parentElement.querySelectorAll('.course-toc a')) : [];
  return {
    mains: main.length,
    levels: levels,
    skip: skip ? skip.getAttribute('href') : null,
    skipTarget: skip ? !!document.querySelector(skip.getAttribute('href')) : false,
    sidebar: sidebar ? Array.from(sidebar.querySelectorAll('a')).map(a => a.getAttribute('href')) : [],
    current: current ? current.getAttribute('href') : null,
    toc: onPage.map(a => a.getAttribute('href')),
    h2: Array.from(document.querySelectorAll('main h2[id]')).map(h => '#' + h.id),
  };
}"""


def root_of(href: str) -> str:
    return "../" * href.count("/")


@pytest.mark.parametrize("href", HREFS)
def test_page_is_accessible_and_navigable(site, page, href):
    open_page(page, site, href)
    found = axe_violations(page)
    assert not found, f"{href}: axe-core finds {len(found)} serious or critical violations:\n{format_violations(found)}"
    s = page.evaluate(JS_STRUCTURE)
    assert s["mains"] == 1, f"{href} has {s['mains']} <main> elements"
    levels = s["levels"]
    assert levels and levels[0] == 1 and levels.count(1) == 1, f"{href}: headings {levels} (one h1, first)"
    jumps = [(a, b) for a, b in zip(levels, levels[1:]) if b > a + 1]
    assert not jumps, f"{href}: headings skip levels {jumps}"
    assert s["skip"] == "#main" and s["skipTarget"], f"{href}: no skip link to the main content"
    listed = {h.removeprefix(root_of(href)) for h in s["sidebar"]}
    missing = [h for h in [p.href for p in PAGES] + TEACHERS if h not in listed]
    assert not missing, f"{href}: the sidebar lacks {missing}"
    if href in {p.href for p in PAGES}:
        current = (s["current"] or "").removeprefix(root_of(href))
        assert current == href, f"{href}: the sidebar marks {s['current']} as the current page"
        assert s["toc"] and set(s["toc"]) >= set(s["h2"]), (
            f"{href}: the sidebar lists {s['toc']}, not every h2 {s['h2']}"
        )
    assert not page.errors, f"{href}: JavaScript errors {page.errors}"


# --------------------------------------------------------------------------- search


def shown_cells(path: Path) -> tuple[list[str], list[str]]:
    """The markdown and the code a page shows (the site leaves out navigation, Colab and folded cells)."""
    nb = nbformat.read(path, as_version=4)
    prose, code = [], []
    for cell in nb.cells:
        if set(cell.metadata.get("tags", [])) & build_site.REMOVED_TAGS:
            continue
        if cell.cell_type == "markdown":
            # what shows as text: no image alt texts, link targets, comments or tags
            text = re.sub(r"!\[[^\]]*\]\([^)]*\)|\]\([^)]*\)|<!--.*?-->|<[^>]*>", " ", cell.source, flags=re.S)
            prose.append(text)
        elif cell.cell_type == "code" and not source_hidden(cell):
            code.append(cell.source)
    return prose, code


@functools.cache
def texts() -> dict[str, tuple[str, str]]:
    """Each page's shown prose and code, lowercased."""
    out = {}
    for p in PAGES:
        prose, code = shown_cells(p.path)
        out[p.href] = ("\n".join(prose).lower(), "\n".join(code).lower())
    return out


def unique_word(kind: str) -> tuple[str, str]:
    """A word of one page's code (or prose) that is in no other text of the site: (word, page href).

    Code: an identifier with an underscore, at least 6 characters, in no prose anywhere. Prose: a
    word of at least 8 letters in no code anywhere. Neither is part of any other page's text.
    """
    pages = texts()
    candidates = []
    for href, (prose, code) in pages.items():
        own = code if kind == "code" else re.sub(r"`[^`]*`|\$[^$]*\$", " ", prose)  # prose: words, not code or TeX
        words = IDENTIFIER.findall(own) if kind == "code" else re.findall(r"\b[a-z]{8,}\b", own)
        for w in set(words):
            if kind == "code" and ("_" not in w.strip("_") or len(w) < 6 or w in prose):
                continue
            if kind == "prose" and w in code:
                continue
            others = [h for h, (p2, c2) in pages.items() if h != href and (w in p2 or w in c2)]
            in_code = any(w in c2 for _, (_, c2) in pages.items())
            if not others and not (kind == "prose" and in_code):
                candidates.append((w, href))
    assert candidates, f"no word occurs only in one page's {kind}: the test needs one"
    return sorted(candidates, key=lambda c: (-len(c[0]), c))[0]


def type_query(tab, query: str) -> list[str]:
    """Type in the header's search box; return the pages of the results shown (in order)."""
    tab.fill("#course-search-input", query)
    tab.wait_for_function(
        """(q) => { const p = document.querySelector('#course-search-panel');
                    return p && !p.hidden && p.querySelector('.course-search-summary').textContent.includes(q); }""",
        arg=query,
        timeout=RESULTS_S * 1000,
    )
    return tab.eval_on_selector_all("#course-search-panel a.course-result", "as => as.map(a => a.dataset.page)")


@pytest.mark.parametrize("kind", ["code", "prose"])
def test_search_finds_a_word_of_one_page_offline(site, page, kind):
    word, href = unique_word(kind)
    open_page(page, site, "03_network_module.html")
    found = type_query(page, word)
    assert found, f"searching {word!r} (only in the {kind} of {href}) finds nothing"
    assert found[0] == href, f"searching {word!r} (only in the {kind} of {href}) finds {found} first"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"site_search_{kind}.png"))
    page.click("#course-search-panel a.course-result >> nth=0")
    page.wait_for_load_state("load")
    assert page.url.split("#")[0].endswith(href), f"the first result leads to {page.url}, not {href}"
    assert not page.errors, page.errors


def test_search_page_lists_every_notebook_with_zero_grad(site, page):
    having = {h for h, (_, code) in texts().items() if "zero_grad" in code}
    assert having, "no notebook's code has zero_grad: pick another example"
    open_page(page, site, f"search.html?q={quote('zero_grad')}")
    page.wait_for_function(
        "() => document.querySelectorAll('.course-search-page a.course-result').length > 0", timeout=RESULTS_S * 1000
    )
    found = set(page.eval_on_selector_all(".course-search-page a.course-result", "as => as.map(a => a.dataset.page)"))
    assert having <= found, f"search.html?q=zero_grad misses {sorted(having - found)}"
    assert page.input_value("#course-search-input") == "zero_grad"
    found = axe_violations(page)
    assert not found, f"the search results page has violations:\n{format_violations(found)}"


def test_search_works_from_a_web_server(server, page):
    word, href = unique_word("code")
    page.goto(server + "index.html")
    found = type_query(page, word)
    assert found and found[0] == href, f"over HTTP, searching {word!r} finds {found}, not {href} first"
    page.goto(server + f"search.html?q={quote(word)}")
    page.wait_for_selector(".course-search-page a.course-result", timeout=RESULTS_S * 1000)
    first = page.get_attribute(".course-search-page a.course-result >> nth=0", "data-page")
    assert first == href
    assert not page.errors, page.errors


def test_open_search_results_are_accessible(site, page):
    open_page(page, site, "05_training_loop.html")
    assert type_query(page, "zero_grad"), "zero_grad finds nothing"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "site_search_open.png"))
    found = axe_violations(page)
    assert not found, f"with the search results open:\n{format_violations(found)}"


# --------------------------------------------------------------------------- keyboard and narrow screens


def test_keyboard_reaches_the_content_the_search_and_its_results(site, page):
    open_page(page, site, "04_autograd_loss_optimizer.html")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "course-skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main", "the skip link does not move focus to main"
    page.keyboard.press("/")
    assert page.evaluate("() => document.activeElement.id") == "course-search-input", "/ does not focus the search"
    page.keyboard.type("zero_grad")
    page.wait_for_selector("#course-search-panel a.course-result", timeout=RESULTS_S * 1000)
    page.keyboard.press("ArrowDown")
    focused = page.evaluate("() => document.activeElement.classList.contains('course-result')")
    assert focused, "ArrowDown does not move to the first result"
    target = page.evaluate("() => document.activeElement.getAttribute('href')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert urlparse(page.url).path.endswith(target.split("#")[0]), f"Enter on {target} opened {page.url}"


def test_narrow_screen_opens_the_sidebar_with_the_contents_button(site, chromium):
    tab = chromium.new_page(viewport={"width": 600, "height": 900})
    try:
        open_page(tab, site, "02_layers.html")
        sidebar = tab.locator("#course-sidebar")
        assert not sidebar.is_visible(), "on a narrow screen the sidebar should start closed"
        button = tab.locator(".course-menu-button")
        button.click()
        assert sidebar.is_visible() and button.get_attribute("aria-expanded") == "true"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(SCREENSHOTS / "site_narrow_contents.png"))
        tab.keyboard.press("Escape")
        assert not sidebar.is_visible() and button.get_attribute("aria-expanded") == "false"
        found = axe_violations(tab)
        assert not found, f"narrow screen:\n{format_violations(found)}"
    finally:
        tab.close()
