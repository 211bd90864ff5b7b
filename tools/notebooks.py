"""What every build tool needs to know about the notebooks: which, their titles, tagged cells.

Shared by the exporter, the exercise generator, navigation, the launch table, the site, the
slides, the runner and the freshness check, so that "the teaching notebooks" and "a notebook's
title" mean one thing. Importing it needs only the standard library (nbformat is imported when a
notebook is read or written), so the pre-commit hook ``python -m tools fresh`` runs anywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nbformat import NotebookNode

__all__ = [
    "NB_DIR",
    "ROOT",
    "read",
    "replace_section",
    "tagged_cells",
    "teaching_notebooks",
    "title",
    "write",
]

ROOT = Path(__file__).resolve().parent.parent
NB_DIR = ROOT / "notebooks"


def teaching_notebooks(folder: Path = NB_DIR) -> list[Path]:
    """The numbered notebooks ``NN_*.ipynb`` of ``folder`` (default ``notebooks/``), in course order.

    The exercises (``notebooks/exercises/``) are generated, not teaching notebooks.
    """
    return sorted(Path(folder).glob("[0-9][0-9]_*.ipynb"))


def read(path: Path) -> NotebookNode:
    """Read a notebook as nbformat version 4."""
    import nbformat

    return nbformat.read(path, as_version=4)


def write(nb: NotebookNode, path: Path) -> None:
    """Write a notebook back (nbformat's own layout, so re-running a tool does not churn the file)."""
    import nbformat

    nbformat.write(nb, path)


def title(path: Path) -> tuple[str, str]:
    """The notebook's ``# Title`` and the one line under it (what the learner will be able to do)."""
    for cell in read(path).cells:
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("# "):
            lines = [ln.strip() for ln in cell.source.strip().splitlines() if ln.strip()]
            return lines[0][2:].strip(), (lines[1] if len(lines) > 1 else "")
    return path.stem, ""


def tagged_cells(nb: NotebookNode, tag: str) -> Iterator[tuple[int, NotebookNode]]:
    """Yield ``(index, cell)`` for every cell of ``nb`` whose tags include ``tag``."""
    for index, cell in enumerate(nb.cells):
        if tag in cell.get("metadata", {}).get("tags", []):
            yield index, cell


def replace_section(path: Path, start: str, end: str, body: str) -> bool:
    """Put ``body`` between the ``start`` and ``end`` markers of a text file; return whether it changed.

    The README's generated tables (the contents from ``navigation``, the launch table from
    ``launch``) are written this way; markers that are missing raise ``ValueError`` saying so.
    """
    text = path.read_text()
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    if not pattern.search(text):
        raise ValueError(f"{path}: markers {start!r} ... {end!r} not found; add them where the section belongs")
    new = pattern.sub(lambda _: f"{start}\n{body}\n{end}", text)
    if new != text:
        path.write_text(new)
    return new != text
