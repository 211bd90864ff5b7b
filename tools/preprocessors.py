"""The nbconvert preprocessors the site and the slides share: static widgets and links between pages.

Interactive widgets cannot run without a kernel: :class:`StaticWidgets` shows a widget output by
the static fallback its mimebundle carries (the explorers store a PNG of their first view), a
progress bar as it ended (:func:`progress_text`), else a note to open the notebook.
:class:`NotebookLinks` points links to sibling notebooks at their pages. :class:`HiddenSource`
shows a cell that JupyterLab folds (``"jupyter": {"source_hidden": true}``) by its outputs only.
"""

from __future__ import annotations

import html
import re
from typing import Any

import nbformat
from nbconvert.preprocessors import Preprocessor

from tools.launch import github_url
from tools.notebooks import NB_DIR

__all__ = [
    "WIDGET_NOTE",
    "HiddenSource",
    "NotebookLinks",
    "StaticWidgets",
    "has_math",
    "source_hidden",
    "progress_text",
    "rewrite_links",
    "store_final_progress",
]

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_REPR = re.compile(r"^[A-Z]\w*\((children|value|layout|description|options)=")
WIDGET_NOTE = "[interactive widget: open this notebook in JupyterLab to use it]"
MATH = re.compile(r"\$[^$\n]+\$|\\\(|\\\[|\\begin\{")

# ipywidgets' model names (the widget-state schema), not any one library's layout
BOX_MODELS = frozenset({"BoxModel", "HBoxModel", "VBoxModel"})
TEXT_MODELS = frozenset({"HTMLModel", "HTMLMathModel", "LabelModel"})
PROGRESS_MODELS = frozenset({"FloatProgressModel", "IntProgressModel"})
BAR, FIGURE_SPACE = "\u2588", "\u2007"  # a text bar's block, and the space tqdm pads numbers with


def has_math(nb: nbformat.NotebookNode) -> bool:
    """Whether a markdown cell of ``nb`` has TeX (``$..$``, ``\\(``, ``\\[``, ``\\begin{``): the page needs MathJax."""
    return any(c.cell_type == "markdown" and MATH.search(c.source) for c in nb.cells)


def _leaves(state: dict[str, Any], model_id: str) -> list[dict[str, Any]] | None:
    """The models a widget shows, in reading order, with its boxes opened; None when one is not stored."""
    model = state.get(model_id)
    if not model:
        return None
    if model.get("model_name") not in BOX_MODELS:
        return [model]
    leaves: list[dict[str, Any]] = []
    for child in model.get("state", {}).get("children", []):
        found = _leaves(state, str(child).removeprefix("IPY_MODEL_"))
        if found is None:
            return None
        leaves += found
    return leaves


def _text(model: dict[str, Any]) -> str:
    return re.sub(r"<[^>]*>", "", str(model.get("state", {}).get("value", "")))


def progress_text(state: dict[str, Any], model_id: str, width: int = 10) -> str | None:
    """A progress bar's last frame as one line of text, from the widget state stored with the notebook.

    The widget qualifies when, boxes opened, it shows exactly one progress bar (``FloatProgressModel``
    or ``IntProgressModel``) and otherwise only text (``HTMLModel``, ``HTMLMathModel``,
    ``LabelModel``): a tqdm bar in a notebook is one (its label, the bar, its counts and postfix).
    The line is the bar's description and the text before it, ``|``, the bar filled to
    ``value / max`` in ``width`` blocks, ``|``, the text after it, e.g.
    ``train: 100%|##########| 938/938 [00:06<00:00, loss=0.3715]``. Returns None for any other
    widget, or when the state was not stored: the output then keeps its own fallback (text/plain).
    """
    leaves = _leaves(state, model_id)
    names = [m.get("model_name") for m in leaves or []]
    bars = [i for i, name in enumerate(names) if name in PROGRESS_MODELS]
    if len(bars) != 1 or not set(names) <= TEXT_MODELS | PROGRESS_MODELS:
        return None
    at = bars[0]
    bar = leaves[at].get("state", {})
    total, value = bar.get("max") or 0, bar.get("value") or 0
    filled = round(width * min(max(value / total, 0.0), 1.0)) if total else 0
    before = str(bar.get("description", "")) + "".join(_text(m) for m in leaves[:at])
    after = "".join(_text(m) for m in leaves[at + 1 :])
    text = f"{before}|{BAR * filled}{' ' * (width - filled)}|{after}"
    return html.unescape(text).replace(FIGURE_SPACE, " ")


def store_final_progress(nb: nbformat.NotebookNode) -> int:
    """Give every progress bar's output the text of its last frame as its text/plain fallback.

    tqdm's fallback is its first frame (``train:   0%|          | 0/938``), which GitHub, nbviewer and
    any reader without the widget state show: a bar that never moved. ``make execute`` calls this
    after a run, so the stored fallback shows the bar as it ended. Returns how many outputs changed.
    """
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    changed = 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if WIDGET_VIEW not in data:
                continue
            final = progress_text(state, data[WIDGET_VIEW].get("model_id", ""))
            if final is not None and data.get("text/plain") != final:
                data["text/plain"] = final
                changed += 1
    return changed


class StaticWidgets(Preprocessor):
    """Show widgets by their static fallback: drop the widget state and the widget-view mime type.

    A progress bar's fallback text is its first frame (0%); its final state is in the widget
    state stored with the notebook, so the bar is shown as it ended (see :func:`progress_text`).
    """

    _state: dict[str, Any] = {}  # the notebook's widget state: replaced (never changed) by preprocess

    def preprocess(self, nb, resources):
        widgets = nb.metadata.pop("widgets", None) or {}
        self._state = widgets.get(WIDGET_STATE, {}).get("state", {})
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if WIDGET_VIEW not in data:
                continue
            view = data.pop(WIDGET_VIEW)
            final = progress_text(self._state, view.get("model_id", ""))
            if final is not None:
                data["text/plain"] = final
                continue
            rich = [k for k in data if k != "text/plain"]
            if not rich and WIDGET_REPR.match(str(data.get("text/plain", ""))):
                data["text/plain"] = WIDGET_NOTE
        return cell, resources


def rewrite_links(text: str, pages: dict[str, str]) -> str:
    """``[..](03_x.ipynb#a)`` -> ``[..](03_x.html#a)`` for notebooks on the site; README -> index.

    ``pages`` maps a notebook's file name to its page (the site's include the exercises, as
    ``exercises/x.html``, relative to the page being rendered). A notebook that is not in ``pages``
    (an exercise, on the slides) links to its page on GitHub instead, so that no link points at a
    file the build lacks.
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
            return f"{match.group(1)}{github_url(NB_DIR / inside)}{anchor}"
        return match.group(0)

    return re.sub(
        r"(\]\(|href=[\"'])((?:\.\./)?(?:notebooks/)?(?:exercises/)?[\w.-]+\.(?:ipynb|md))(#[\w.-]*)?", repl, text
    )


class NotebookLinks(Preprocessor):
    """In markdown, point links to sibling notebooks at their pages and the README at the index."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown":
            cell.source = rewrite_links(cell.source, resources.get("course", {}).get("pages", {}))
        return cell, resources


def source_hidden(cell: nbformat.NotebookNode) -> bool:
    """Whether JupyterLab shows ``cell`` folded: its metadata has ``"jupyter": {"source_hidden": true}``."""
    return bool(cell.get("metadata", {}).get("jupyter", {}).get("source_hidden"))


class HiddenSource(Preprocessor):
    """Leave out the source of a cell that JupyterLab folds, as JupyterLab does: only its outputs show.

    Tooling cells (an environment check, a figure check) carry ``"jupyter": {"source_hidden": true}``
    so that the learner sees what they print, not their code. nbconvert's templates skip the input of
    a cell whose ``metadata.transient.remove_source`` is set (as ``TagRemovePreprocessor`` does for
    ``remove_input_tags``); this sets it for every folded cell.
    """

    def preprocess_cell(self, cell, resources, index):
        if source_hidden(cell):
            cell.metadata["transient"] = {**cell.metadata.get("transient", {}), "remove_source": True}
        return cell, resources
