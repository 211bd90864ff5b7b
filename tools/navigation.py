"""The navigation cells (prev | contents | next) of every notebook and the README's contents table.

Idempotent: each notebook's navigation cells are found by their marker and replaced, so
re-running it changes nothing unless a notebook was added, removed or retitled. The rebuilt cells
carry no slide metadata: ``make navigation`` runs ``slide-metadata`` afterwards to restore it::

    python -m tools navigation        # make navigation
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

from tools.notebooks import ROOT, read, replace_section, teaching_notebooks, title, write
from tools.timing import WORDS_PER_MINUTE, notebook_time

__all__ = ["MARKER", "contents_table", "main", "nav_text", "update_notebook", "update_readme"]

MARKER = "<!--NAVIGATION-->"
README_START, README_END = "<!-- CONTENTS START -->", "<!-- CONTENTS END -->"
TIME_NOTE = (
    f"Time: reading at {WORDS_PER_MINUTE} words a minute plus the cells' run times on the full data (2 CPU cores), "
    "for the core path; *whole* adds the sections marked *Optional:*. Trying things out takes longer."
)


def nav_text(paths: list[Path], i: int) -> str:
    """The markdown of notebook ``i``'s navigation cell: previous | contents | next."""
    parts = []
    if i > 0:
        parts.append(f"[< {title(paths[i - 1])[0]}]({paths[i - 1].name})")
    parts.append("[Contents](../README.md#contents)")
    if i + 1 < len(paths):
        parts.append(f"[{title(paths[i + 1])[0]} >]({paths[i + 1].name})")
    return f"{MARKER}\n" + " | ".join(parts)


def _is_nav(cell: nbformat.NotebookNode) -> bool:
    return cell.cell_type == "markdown" and cell.source.startswith(MARKER)


def update_notebook(paths: list[Path], i: int) -> bool:
    """Put navigation cells after the title cell and at the end of notebook ``i``; return whether it changed."""
    path = paths[i]
    nb = read(path)
    text = nav_text(paths, i)
    top = nbformat.v4.new_markdown_cell(text, metadata={"tags": ["navigation"]})
    bottom = nbformat.v4.new_markdown_cell(text, metadata={"tags": ["navigation"]})
    # keep the ids stable so re-running does not churn the files
    old = [c for c in nb.cells if _is_nav(c)]
    if len(old) == 2:
        top["id"], bottom["id"] = old[0].get("id", top["id"]), old[1].get("id", bottom["id"])
    else:
        top["id"], bottom["id"] = "nav-top", "nav-bottom"
    cells = [c for c in nb.cells if not _is_nav(c)]
    new_cells = cells[:1] + [top] + cells[1:] + [bottom]
    changed = [c.source for c in new_cells] != [c.source for c in nb.cells]
    if changed:
        nb.cells = new_cells
        write(nb, path)
    return changed


def contents_table(paths: list[Path]) -> str:
    """The README's contents: one row per notebook with its title, what the learner will be able to
    do, and its time (:mod:`tools.timing`: the core path, and the whole notebook with its optional depth)."""
    rows = ["| # | notebook | what you will be able to do | time |", "|---|---|---|---|"]
    for p in paths:
        name, line = title(p)
        rows.append(f"| {p.name[:2]} | [{name}](notebooks/{p.name}) | {line} | {notebook_time(p).label()} |")
    return "\n".join(rows) + "\n\n" + TIME_NOTE


def update_readme(paths: list[Path]) -> bool:
    """Rewrite the README between the contents markers; return whether it changed."""
    return replace_section(ROOT / "README.md", README_START, README_END, contents_table(paths))


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(prog="python -m tools navigation", description=__doc__.split("\n")[0]).parse_args(argv)
    paths = teaching_notebooks()
    changed = [p.name for i, p in enumerate(paths) if update_notebook(paths, i)]
    try:
        if update_readme(paths):
            changed.append("README.md")
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print("navigation updated: " + (", ".join(changed) if changed else "nothing to change"))
    return 0
