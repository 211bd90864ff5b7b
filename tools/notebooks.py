"""What every build tool needs to know about the notebooks: which, their titles, tagged cells.

Shared by the exporter, the exercise generator, navigation, the launch table, the site, the
slides and the runner, so that "the teaching notebooks" and "a notebook's title" mean one thing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import nbformat

__all__ = ["NB_DIR", "ROOT", "read", "replace_section", "tagged_cells", "teaching_notebooks", "title"]

ROOT = Path(__file__).resolve().parent.parent
NB_DIR = ROOT / "notebooks"


def teaching_notebooks() -> list[Path]:
    """The numbered notebooks ``notebooks/NN_*.ipynb``, in course order (exercises excluded)."""
    return sorted(NB_DIR.glob("[0-9][0-9]_*.ipynb"))


def read(path: Path) -> nbformat.NotebookNode:
    """Read a notebook as nbformat version 4."""
    return nbformat.read(path, as_version=4)


def title(path: Path) -> tuple[str, str]:
    """The notebook's ``# Title`` and the one line under it (what the learner will be able to do)."""
    for cell in read(path).cells:
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("# "):
            lines = [ln.strip() for ln in cell.source.strip().splitlines() if ln.strip()]
            return lines[0][2:].strip(), (lines[1] if len(lines) > 1 else "")
    return path.stem, ""


def tagged_cells(
    nb: nbformat.NotebookNode, tag: str
) -> Iterator[tuple[int, nbformat.NotebookNode]]:
    """Yield ``(index, cell)`` for every cell of ``nb`` whose tags include ``tag``."""
    for index, cell in enumerate(nb.cells):
        if tag in cell.get("metadata", {}).get("tags", []):
            yield index, cell


def replace_section(path: Path, start: str, end: str, body: str) -> bool:
    """Put ``body`` between the ``start`` and ``end`` markers of a text file; return whether it changed."""
    text = path.read_text()
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    if not pattern.search(text):
        raise ValueError(f"{path}: markers {start!r} ... {end!r} not found; add them where the section belongs")
    new = pattern.sub(lambda _: f"{start}\n{body}\n{end}", text)
    if new != text:
        path.write_text(new)
    return new != text
