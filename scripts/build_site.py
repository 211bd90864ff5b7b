"""Render the committed notebooks to a static site in ``_build/html/`` (``make book``).

nbconvert's HTML exporter renders each teaching notebook with its stored outputs (nothing runs
again), through ``scripts/templates/course_html``: nbconvert's ``lab`` template without the scripts it
would fetch from CDNs (require.js, the widget manager, mermaid), with MathJax from the local npm copy
(``npm ci``; pages without math need none), and a navigation bar. ``index.html`` lists the notebooks
by the titles of their first cells. Every page links to the previous and next notebook, to the
contents, and to its ``.ipynb`` source (a relative path into the repository, plus GitHub and Colab).
Opened from disk, the site needs no network.

Interactive widgets cannot run without a kernel: a widget output shows the static fallback its
mimebundle carries (the explorers store a PNG of their first view), else a note to open the notebook.
Cells tagged ``navigation`` or ``colab`` are left out (the site has its own navigation)::

    python scripts/build_site.py [--out DIR] [notebooks/NN_x.ipynb ...]
"""

from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import sys
from pathlib import Path

import mistune
import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor

sys.path.insert(0, str(Path(__file__).resolve().parent))
from launch import colab_url, github_url, notebooks  # noqa: E402  (sibling scripts, not a package)
from navigation import title  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = Path(__file__).resolve().parent / "templates"
NODE_MODULES = ROOT / "node_modules"
MATHJAX_FILE = NODE_MODULES / "mathjax" / "es5" / "tex-svg-full.js"
DEFAULT_OUT = ROOT / "_build" / "html"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_REPR = re.compile(r"^[A-Z]\w*\((children|value|layout|description|options)=")
WIDGET_NOTE = "[interactive widget: open this notebook in JupyterLab to use it]"
REMOVED_TAGS = {"navigation", "colab"}
MATH = re.compile(r"\$[^$\n]+\$|\\\(|\\\[|\\begin\{")


class StaticWidgets(Preprocessor):
    """Show widgets by their static fallback: drop the widget state and the widget-view mime type.

    A tqdm progress bar's fallback text is its first frame (0%); its final state is in the widget
    state stored with the notebook, so the bar is shown as it ended (see :func:`progress_text`).
    """

    def preprocess(self, nb, resources):
        widgets = nb.metadata.pop("widgets", None) or {}
        self._state = widgets.get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if WIDGET_VIEW not in data:
                continue
            view = data.pop(WIDGET_VIEW)
            final = progress_text(getattr(self, "_state", {}), view.get("model_id", ""))
            if final is not None:
                data["text/plain"] = final
                continue
            rich = [k for k in data if k != "text/plain"]
            if not rich and WIDGET_REPR.match(str(data.get("text/plain", ""))):
                data["text/plain"] = WIDGET_NOTE
        return cell, resources


def progress_text(state: dict, model_id: str, width: int = 10) -> str | None:
    """A tqdm bar's last frame, as text (``train: 100%|##########| 938/938 [...]``), from stored widget state.

    tqdm's notebook bar is an HBox of an HTML label, a FloatProgress and an HTML status. Returns
    None for any other widget, or when the state was not stored.
    """
    model = state.get(model_id, {})
    if model.get("model_name") != "HBoxModel":
        return None
    children = [state.get(str(c).removeprefix("IPY_MODEL_"), {}) for c in model.get("state", {}).get("children", [])]
    names = [c.get("model_name") for c in children]
    if names != ["HTMLModel", "FloatProgressModel", "HTMLModel"]:
        return None
    left, bar, right = (c.get("state", {}) for c in children)
    total = bar.get("max") or 0
    filled = round(width * min(max((bar.get("value") or 0) / total, 0.0), 1.0)) if total else 0
    block, figure_space = "\u2588", "\u2007"  # tqdm's bar character, and the space it pads numbers with
    text = f"{left.get('value', '')}|{block * filled}{' ' * (width - filled)}|{right.get('value', '')}"
    return html.unescape(text).replace(figure_space, " ")


def has_math(nb: nbformat.NotebookNode) -> bool:
    return any(c.cell_type == "markdown" and MATH.search(c.source) for c in nb.cells)


def copy_mathjax(out: Path) -> str | None:
    """Copy MathJax next to the pages; return its path relative to them (None without ``npm ci``)."""
    if not MATHJAX_FILE.exists():
        return None
    dest = out / "_static" / "mathjax" / MATHJAX_FILE.name
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(MATHJAX_FILE, dest)
    shutil.copy2(NODE_MODULES / "mathjax" / "LICENSE", dest.parent / "LICENSE")
    return dest.relative_to(out).as_posix()


class NotebookLinks(Preprocessor):
    """In markdown, point links to sibling notebooks at their pages and the README at the index."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown":
            cell.source = rewrite_links(cell.source, resources.get("course", {}).get("pages", {}))
        return cell, resources


def rewrite_links(text: str, pages: dict[str, str]) -> str:
    """``[..](03_x.ipynb#a)`` -> ``[..](03_x.html#a)`` for notebooks on the site; README -> index.

    A notebook that is not on the site (an exercise, say) links to its page on GitHub instead,
    so that no link of the site points at a file the site lacks.
    """

    def repl(match: re.Match) -> str:
        target, anchor = match.group(2), match.group(3) or ""
        name = target.rsplit("/", 1)[-1]
        if name in pages:
            return f"{match.group(1)}{pages[name]}{anchor}"
        if name == "README.md":
            return f"{match.group(1)}index.html{'' if anchor == '#contents' else anchor}"
        if name.endswith(".ipynb"):
            inside = target.removeprefix("../").removeprefix("notebooks/")
            return f"{match.group(1)}{github_url(ROOT / 'notebooks' / inside)}{anchor}"
        return match.group(0)

    return re.sub(
        r"(\]\(|href=[\"'])((?:\.\./)?(?:notebooks/)?(?:exercises/)?[\w.-]+\.(?:ipynb|md))(#[\w.-]*)?", repl, text
    )


def nav_html(paths: list[Path], i: int, out: Path) -> str:
    """The bar above and below a page: previous | contents | next, and where the source is."""
    path = paths[i]
    parts = []
    if i > 0:
        prev = paths[i - 1]
        parts.append(f'<a rel="prev" href="{prev.stem}.html">&larr; {html.escape(title(prev)[0])}</a>')
    parts.append('<a rel="index" href="index.html">Contents</a>')
    if i + 1 < len(paths):
        nxt = paths[i + 1]
        parts.append(f'<a rel="next" href="{nxt.stem}.html">{html.escape(title(nxt)[0])} &rarr;</a>')
    source = Path(os.path.relpath(path, out)).as_posix()
    return (
        '<nav class="course-nav">'
        f'<span class="course-pages">{"".join(parts)}</span>'
        f'<span class="course-source">Source: <a class="course-source-link" href="{source}">'
        f"notebooks/{path.name}</a> · "
        f'<a href="{github_url(path)}">GitHub</a> · <a href="{colab_url(path)}">Open in Colab</a></span>'
        "</nav>"
    )


def exporter() -> HTMLExporter:
    exp = HTMLExporter(
        extra_template_basedirs=[str(TEMPLATES)],
        template_name="course_html",
        exclude_anchor_links=False,
        # no In [n] prompts: the Colab cell is left out, so the pages would start at In [2]
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    exp.register_preprocessor(TagRemovePreprocessor(remove_cell_tags=REMOVED_TAGS), enabled=True)
    exp.register_preprocessor(StaticWidgets(), enabled=True)
    exp.register_preprocessor(NotebookLinks(), enabled=True)
    return exp


def inline_markdown(text: str) -> str:
    """One line of markdown (`code`, **bold**, links) as HTML, without the paragraph around it."""
    rendered = mistune.html(text).strip()
    return re.sub(r"^<p>(.*)</p>$", r"\1", rendered, flags=re.S)


def index_html(paths: list[Path]) -> str:
    rows = []
    for p in paths:
        name, line = title(p)
        rows.append(
            f'<li><a class="course-page" href="{p.stem}.html">{html.escape(name)}</a>'
            f"<br><span>{inline_markdown(line)}</span></li>"
        )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Build, train and test a neural network in PyTorch</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 760px; margin: 2em auto; padding: 0 1em; line-height: 1.5; }}
ol {{ padding-left: 1.2em; }} li {{ margin: 0.8em 0; }} li span {{ color: #555; }}
code {{ background: #f2f2f2; padding: 0 0.2em; border-radius: 3px; }}
a {{ color: #1565c0; text-decoration: none; }} a:hover {{ text-decoration: underline; }}
</style>
</head>
<body>
<h1>Build, train and test a neural network in PyTorch</h1>
<p>The course's notebooks with their stored outputs. To run them, open them in JupyterLab
(<code>make lab</code>) or in Colab from each page's link.</p>
<h2 id="contents">Contents</h2>
<ol class="course-contents" start="0">
{chr(10).join(rows)}
</ol>
</body>
</html>
"""


def build(out: Path = DEFAULT_OUT, paths: list[Path] | None = None) -> list[Path]:
    """Write the site into ``out``; return the pages written (index first)."""
    paths = [Path(p).resolve() for p in (paths or notebooks())]
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    math = {p: has_math(nbformat.read(p, as_version=4)) for p in paths}
    mathjax = copy_mathjax(out) if any(math.values()) else None
    exp = exporter()
    pages = {p.name: f"{p.stem}.html" for p in paths}
    written = [out / "index.html"]
    written[0].write_text(index_html(paths), encoding="utf-8")
    for i, path in enumerate(paths):
        nb = nbformat.read(path, as_version=4)
        resources = {
            "metadata": {"name": title(path)[0], "path": str(path.parent)},
            "course": {
                "nav": nav_html(paths, i, out),
                "mathjax_src": mathjax if math[path] else None,
                "pages": pages,
            },
        }
        body, _ = exp.from_notebook_node(nb, resources=resources)
        page = out / pages[path.name]
        page.write_text(body, encoding="utf-8")
        written.append(page)
    if mathjax is None and any(math.values()):
        print("note: some pages have math but node_modules/mathjax is missing (run `npm ci`): it shows as TeX")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, help="notebooks (default: every teaching notebook)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: _build/html)")
    args = parser.parse_args(argv)
    written = build(args.out, args.paths or None)
    print(f"site: {len(written) - 1} pages and index.html in {args.out}; open {args.out / 'index.html'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
