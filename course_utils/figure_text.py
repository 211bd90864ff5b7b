"""A figure's description (its alt text), read from the figure itself, and the output that carries it.

Every figure of the course gets a text that a screen reader reads in place of the picture: what is
plotted, the axes and what to notice. :func:`describe` builds it from the figure (titles, axis
labels and ranges, the kind of each panel, the lines with their legend labels and values, images
and their size, bars, colour bars), after the sentences that the drawing code recorded: the
summary a function of :mod:`course_utils.plots` or :mod:`course_utils.diagram` gives of what it
draws, and the ``notice`` a notebook passes ("what to notice", generated from its results). A
figure drawn with ``plt`` directly gets its sentence from :func:`set_description`.

:func:`register_formatter` (called by :func:`course_utils.setup`, taught in ``00_start_here``)
makes IPython show every figure as the PNG that matplotlib-inline would make, with the description
in the output's metadata (``metadata["image/png"]["alt"]``) and as its ``text/plain``; the site
and the slides write it as the image's ``alt``.
"""

from __future__ import annotations

import base64
import html
import math
import os
import weakref
from collections.abc import Iterable
from typing import Any

from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.container import BarContainer, ErrorbarContainer
from matplotlib.contour import ContourSet
from matplotlib.figure import Figure

__all__ = [
    "clear",
    "describe",
    "details",
    "figure_html",
    "in_jupyter_server",
    "record",
    "register_formatter",
    "set_description",
    "spoken",
]

#: what the drawing code said about each figure: the functions' summaries, then the notices
_RECORDS: weakref.WeakKeyDictionary[Figure, dict[str, list[str]]] = weakref.WeakKeyDictionary()
#: at most this many legend entries are described one by one (the rest are counted)
MAX_LINES = 8
#: at most this many panel titles are listed for a grid of images
MAX_TITLES = 20


#: the colour maps the course uses, in words a listener can picture (others keep their matplotlib name)
CMAP_WORDS = {
    "gray": "grey scale, dark to light",
    "Greys": "grey scale, light to dark",
    "RdBu_r": "blue to white to red",
    "viridis": "dark purple to yellow",
    "Blues": "white to dark blue",
}


def _cmap(mappable: Any) -> str:
    name = getattr(mappable.get_cmap(), "name", "")
    return CMAP_WORDS.get(name, name)


def _sentence(text: str) -> str:
    text = " ".join(str(text).split())
    return text if not text or text[-1] in ".!?" else text + "."


def record(fig: Figure, summary: str | None = None, notice: str | None = None) -> Figure:
    """Record a drawing function's one-line ``summary`` and a notebook's ``notice`` for ``fig``; return ``fig``.

    Called by every plotting function of the course; several calls on one figure (panels drawn
    into its axes) add up, in order.
    """
    parts = _RECORDS.setdefault(fig, {"summaries": [], "notices": [], "explicit": []})
    if summary:
        parts["summaries"].append(_sentence(summary))
    if notice:
        parts["notices"].append(_sentence(notice))
    return fig


def clear(fig: Figure) -> Figure:
    """Forget what was recorded for ``fig`` (a figure redrawn in place with new data); return ``fig``."""
    _RECORDS.pop(fig, None)
    return fig


def set_description(fig: Figure, text: str) -> None:
    """Give ``fig`` (a figure drawn with ``plt`` directly) its description: what it shows and what to notice.

    Replaces an earlier ``set_description`` of the same figure; the summaries recorded by the
    course's plotting functions stay. :func:`describe` adds what it reads from the figure itself.
    Returns None, so that a cell ending with it does not show the figure a second time.
    """
    parts = _RECORDS.setdefault(fig, {"summaries": [], "notices": [], "explicit": []})
    parts["explicit"] = [_sentence(text)]


def spoken(value: float) -> str:
    """A number as a description says it: 3 significant digits, thousands written out (56,800, not 5.68e+04)."""
    return _num(value)


def _num(value: float) -> str:
    if not math.isfinite(value):
        return str(value)
    text = f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"  # 56,800, not 5.68e+04 (read aloud)
    return "0" if text in ("-0", "-0.0") else text


def _quoted(text: str) -> str:
    return f'"{" ".join(text.split())}"'


def _axis(ax: Axes, which: str) -> str:
    """'x: "epoch", from 1 to 10' (tick labels instead of a range when they are words)."""
    axis = ax.xaxis if which == "x" else ax.yaxis
    label = axis.get_label().get_text()
    autoscaled = ax.get_autoscalex_on() if which == "x" else ax.get_autoscaley_on()
    if autoscaled and ax.has_data() and axis.get_scale() != "log":  # the data's range, not the margins around it
        low, high = sorted(ax.dataLim.intervalx if which == "x" else ax.dataLim.intervaly)
    else:
        low, high = sorted(ax.get_xlim() if which == "x" else ax.get_ylim())
    words = _tick_words(axis)
    scale = " (log scale)" if axis.get_scale() == "log" and "log" not in label.lower() else ""
    where = f"categories {'; '.join(words)}" if words else f"from {_num(low)} to {_num(high)}"
    return f"{which}: {_quoted(label) if label else 'unlabelled'}{scale}, {where}"


def _tick_words(axis: Any) -> list[str]:
    """An axis's tick labels that are words (class names, layer names), not numbers."""
    return [t.get_text() for t in axis.get_ticklabels() if t.get_text() and not _is_number(t.get_text())]


def _is_number(text: str) -> bool:
    """Whether a tick label is a number: ``1.5``, ``−2``, ``1,000``, or mathtext (``$\\mathdefault{10^{-8}}$``)."""
    if text.startswith("$") and text.endswith("$"):
        return True
    try:
        float(text.replace("−", "-").replace(",", ""))
    except ValueError:
        return False
    return True


def _finite(values: Iterable[Any]) -> list[float]:
    out = []
    for v in values:
        try:
            f = float(v)
        except (TypeError, ValueError):
            continue
        if math.isfinite(f):
            out.append(f)
    return out


def _lines(ax: Axes) -> list[str]:
    """Each labelled line: its legend label and its first, last, lowest and highest y value."""
    labelled = [line for line in ax.get_lines() if not line.get_label().startswith("_")]
    described = []
    for line in labelled[:MAX_LINES]:
        ys, xs = _finite(line.get_ydata()), _finite(line.get_xdata())
        if len(xs) > 1 and min(xs) == max(xs):  # a vertical line (axvline): where it stands, not its y range
            described.append(f"{_quoted(line.get_label())}, a vertical line at x = {_num(xs[0])}")
        elif len(ys) > 1:
            described.append(
                f"{_quoted(line.get_label())} ({len(ys)} points) from {_num(ys[0])} to {_num(ys[-1])}, "
                f"lowest {_num(min(ys))}, highest {_num(max(ys))}"
            )
        elif ys:
            described.append(f"{_quoted(line.get_label())} at {_num(ys[0])}")
        else:
            described.append(_quoted(line.get_label()))
    if len(labelled) > MAX_LINES:
        described.append(f"and {len(labelled) - MAX_LINES} more")
    return described


def _colour_bar(mappable: Any) -> str:
    bar = getattr(mappable, "colorbar", None)
    if bar is None:
        return ""
    label = bar.ax.get_ylabel() or bar.ax.get_xlabel()
    low, high = mappable.get_clim()
    name = _quoted(label) if label else "(unlabelled)"
    return f"colour bar {name} from {_num(low)} to {_num(high)} ({_cmap(mappable)})"


def _kind(ax: Axes) -> str:
    """What the panel draws: its kinds of marks, counted."""
    kinds = []
    bars = [c for c in ax.containers if isinstance(c, BarContainer)]
    if bars:
        n = sum(len(c) for c in bars)
        kinds.append(f"bar chart ({n} bars)" if n <= 40 else f"histogram ({n} bins)")
    if any(isinstance(c, ErrorbarContainer) for c in ax.containers):
        kinds.append("error bars")
    if any(isinstance(c, ContourSet) for c in ax.collections):
        kinds.append("contour lines")
    if any(isinstance(c, PathCollection) for c in ax.collections):
        kinds.append("scatter points")
    labelled = any(not line.get_label().startswith("_") for line in ax.get_lines())
    if any(len(line.get_xdata()) > 1 for line in ax.get_lines()) and (labelled or not ax.images):
        kinds.append("line chart")  # (unlabelled lines over an image are a grid drawn on it)
    if ax.images:
        shapes = sorted({tuple(im.get_array().shape[:2]) for im in ax.images})
        size = " or ".join(f"{h} × {w}" for h, w in shapes)
        cmaps = "; ".join(sorted({_cmap(im) for im in ax.images}))
        if len(shapes) == 1 and _labelled_grid(ax, *shapes[0]):  # a table drawn as colours: cells, not pixels
            written = " each printed with its value," if len(ax.texts) >= shapes[0][0] * shapes[0][1] else ""
            kinds.insert(0, f"grid of {size} cells,{written} coloured by value ({cmaps})")
        else:
            kinds.insert(0, f"image of {size} pixels ({cmaps})")
    if not kinds and len(ax.patches) > 0:
        named = [_quoted(p.get_label()) for p in ax.patches if p.get_label() and not p.get_label().startswith("_")]
        if ax.axison:
            kinds.append(f"histograms {', '.join(named)}" if named else f"histogram ({len(ax.patches)} bars)")
        else:
            kinds.append(f"drawing of {len(ax.patches)} shapes")
    return " with ".join(kinds) if kinds else "drawing"


def _labelled_grid(ax: Axes, rows: int, columns: int) -> bool:
    """Whether an image is a table of named rows and columns (a confusion matrix): a word on every row and column."""
    return ax.axison and len(_tick_words(ax.yaxis)) == rows and len(_tick_words(ax.xaxis)) == columns


def _image_panels(panels: list[Axes]) -> str:
    """A grid of images: how many, their size, their titles (class names, channels)."""
    sizes = sorted({tuple(im.get_array().shape[:2]) for ax in panels for im in ax.images})
    size = " or ".join(f"{h} × {w}" for h, w in sizes)
    titles = [" ".join(ax.get_title().split()) for ax in panels if ax.get_title()]
    cmaps = sorted({_cmap(im) for ax in panels for im in ax.images})
    text = f"{len(panels)} image panel{'s' if len(panels) != 1 else ''} of {size} pixels ({'; '.join(cmaps)})"
    if titles:
        shown = titles[:MAX_TITLES] + ([f"and {len(titles) - MAX_TITLES} more"] if len(titles) > MAX_TITLES else [])
        text += ", titled: " + "; ".join(shown)
    bars = list(dict.fromkeys(b for b in (_colour_bar(im) for ax in panels for im in ax.images) if b))
    if len(bars) == 1:
        text += f". A {bars[0]}"
    elif bars:
        text += f". {len(bars)} colour bars: " + "; ".join(bars)
    return text


def _panel(ax: Axes) -> str:
    title = " ".join(ax.get_title().split())
    head = f"Panel {_quoted(title)}: " if title else "Panel: "
    kind = _kind(ax)
    parts = [kind]
    if ax.axison:
        parts += [_axis(ax, "x"), _axis(ax, "y")]
    lines = _lines(ax)
    if lines:
        parts.append("lines: " + "; ".join(lines))
    mappables = [*ax.images, *ax.collections]
    parts += [b for b in (_colour_bar(m) for m in mappables) if b]
    return head + ", ".join(parts) + "."


def details(fig: Figure) -> str:
    """What the figure itself shows, read from its artists: title, panels, axes, lines, images, colour bars."""
    bars = {m.colorbar.ax for ax in fig.axes for m in [*ax.images, *ax.collections] if getattr(m, "colorbar", None)}
    axes = [ax for ax in fig.axes if ax not in bars and ax.get_visible()]
    images = [ax for ax in axes if ax.images and not ax.get_lines() and not ax.containers]
    others = [ax for ax in axes if ax not in images and (ax.has_data() or ax.get_title())]
    out = []
    suptitle = fig._suptitle.get_text() if fig._suptitle is not None else ""  # no public getter before 3.10
    if suptitle:
        out.append(f"Figure titled {_quoted(suptitle)}.")
    if len(images) > 2:
        out.append(_image_panels(images) + ".")
    else:
        others = [ax for ax in axes if ax in images or ax in others]
    out += [_panel(ax) for ax in others]
    return " ".join(out)


def describe(fig: Figure) -> str:
    """Return the description of ``fig``: the recorded sentences, then what the figure shows.

    First the drawing functions' summaries and the text of :func:`set_description`, then the
    notices (what to notice), then the details read from the figure (:func:`details`).
    """
    parts = _RECORDS.get(fig, {})
    said = parts.get("summaries", []) + parts.get("explicit", []) + parts.get("notices", [])
    return " ".join([*said, details(fig)]).strip()


def _png(fig: Figure) -> tuple[str, dict[str, Any]] | None:
    """The PNG that matplotlib-inline makes (its settings, retina too), with the description as ``alt``."""
    from IPython.core.pylabtools import print_figure, retina_figure
    from matplotlib_inline.backend_inline import InlineBackend

    backend = InlineBackend.instance()
    kwargs = dict(backend.print_figure_kwargs)
    if {"retina", "png2x"} & set(backend.figure_formats):
        result = retina_figure(fig, base64=True, **kwargs)
        if result is None:
            return None
        data, metadata = result if isinstance(result, tuple) else (result, {})
    else:
        data, metadata = print_figure(fig, "png", base64=True, **kwargs), {}
    if data is None:  # an empty figure: matplotlib-inline shows nothing either
        return None
    return data, {**(metadata or {}), "alt": describe(fig)}


def figure_html(fig: Figure) -> str | None:
    """``<img src="data:image/png;base64,..." alt="...">``: the figure with its description, as HTML."""
    result = _png(fig)
    if result is None:
        return None
    data, metadata = result
    data = data if isinstance(data, str) else base64.b64encode(data).decode("ascii")
    size = "".join(f' {k}="{int(metadata[k])}"' for k in ("width", "height") if k in metadata)
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(metadata["alt"])}"{size}>'


def _plain(fig: Figure, printer: Any, cycle: bool) -> None:
    printer.text(describe(fig))


def _register(ip: Any, html_too: bool) -> None:
    formatters = ip.display_formatter.formatters
    formatters["image/png"].for_type(Figure, _png)
    formatters["text/plain"].for_type(Figure, _plain)
    if html_too:
        formatters["text/html"].for_type(Figure, figure_html)
    else:
        formatters["text/html"].pop(Figure, None)


def in_jupyter_server() -> bool:
    """Whether this kernel was started by a Jupyter server (JupyterLab, Notebook 7), not headless.

    Jupyter Server gives each kernel it starts the variable ``JPY_SESSION_NAME`` (the notebook's
    path); a kernel started by nbclient or nbval (``make execute``, the tests) has none.
    """
    return bool(os.environ.get("JPY_SESSION_NAME"))


def register_formatter(html_too: bool | None = None) -> bool:
    """Show every matplotlib figure with its description (alt text); return False outside IPython.

    Registers, with IPython's display formatters, the course's PNG formatter for ``Figure``:
    matplotlib-inline's PNG, with ``{"alt": describe(fig)}`` as its metadata, and the description
    as the figure's ``text/plain``. Called by :func:`course_utils.setup`; calling it again changes
    nothing. matplotlib-inline registers its own formatter when the backend loads (at the first
    figure, after a notebook's ``import matplotlib.pyplot``): the backend is loaded here first.

    JupyterLab shows an image's ``alt`` only from HTML (its PNG renderer writes no ``alt``): with
    ``html_too`` each figure also gets a ``text/html`` form (:func:`figure_html`), which JupyterLab
    renders instead of the PNG, so that a screen reader there reads the description; the notebook
    then stores the PNG twice. The default, ``None``, does so in a kernel that a Jupyter server
    started (:func:`in_jupyter_server`: a learner in JupyterLab) and not in a headless run (``make
    execute``), so that the committed notebooks hold each figure once, as a PNG with its ``alt``.
    """
    if html_too is None:
        html_too = in_jupyter_server()
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with Jupyter
        return False
    ip = get_ipython()
    if ip is None or not hasattr(ip, "display_formatter"):
        return False
    import matplotlib
    import matplotlib.pyplot as plt

    if not plt.get_fignums():  # (older matplotlib closes open figures when it switches)
        plt.switch_backend(matplotlib.get_backend())  # loads the backend now: matplotlib-inline registers first
    _register(ip, html_too)
    return True
