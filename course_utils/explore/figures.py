"""Figure plumbing shared by the explorers: one width, figures kept out of pyplot, PNG bytes.

Figures come back detached from pyplot (``plt.close`` was already called, or they were never
registered with it), so a notebook never shows them twice; draw them with :func:`figure_png`,
or display the Figure itself.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["FIGURE_WIDTH", "detach_figure", "figure_png", "new_figure"]

#: Width in inches of every explorer figure (at 100 dpi: 900 pixels, a notebook's width).
FIGURE_WIDTH = 9.0


def detach_figure(fig: Figure) -> Figure:
    """Remove ``fig`` from pyplot's list of open figures (so the notebook does not show it); return it."""
    import matplotlib.pyplot as plt

    plt.close(fig)
    return fig


def new_figure(width: float, height: float) -> Figure:
    """Return a Figure outside pyplot: safe to draw from a background thread, never shown twice."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height))


def figure_png(fig: Figure, dpi: int = 100) -> bytes:
    """Return the PNG bytes of ``fig`` (what the explorers show, as an ``<img>``)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()
