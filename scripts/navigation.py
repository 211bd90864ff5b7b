"""Generate the navigation cells (prev | contents | next) and the README's contents table.

Idempotent: each notebook's navigation cells are found by their marker and replaced, so
re-running it changes nothing unless a notebook was added, removed or retitled.
Usage: ``python scripts/navigation.py`` (``make navigation``).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NB_DIR = ROOT / "notebooks"
MARKER = "<!--NAVIGATION-->"
README_START, README_END = "<!-- CONTENTS START -->", "<!-- CONTENTS END -->"


def notebooks() -> list[Path]:
    return sorted(NB_DIR.glob("[0-9][0-9]_*.ipynb"))


def title(path: Path) -> tuple[str, str]:
    """The notebook's ``# Title`` and the one line under it (what the learner will be able to do)."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("# "):
            lines = [ln.strip() for ln in cell.source.strip().splitlines() if ln.strip()]
            return lines[0][2:].strip(), (lines[1] if len(lines) > 1 else "")
    return path.stem, ""


def nav_text(paths: list[Path], i: int) -> str:
    parts = []
    if i > 0:
        parts.append(f"[< {title(paths[i - 1])[0]}]({paths[i - 1].name})")
    parts.append("[Contents](../README.md#contents)")
    if i + 1 < len(paths):
        parts.append(f"[{title(paths[i + 1])[0]} >]({paths[i + 1].name})")
    return f"{MARKER}\n" + " | ".join(parts)


def update_notebook(paths: list[Path], i: int) -> bool:
    path = paths[i]
    nb = nbformat.read(path, as_version=4)
    text = nav_text(paths, i)
    cells = [c for c in nb.cells if not (c.cell_type == "markdown" and c.source.startswith(MARKER))]
    top = nbformat.v4.new_markdown_cell(text, metadata={"tags": ["navigation"]})
    bottom = nbformat.v4.new_markdown_cell(text, metadata={"tags": ["navigation"]})
    # keep the ids stable so re-running does not churn the files
    old = [c for c in nb.cells if c.cell_type == "markdown" and c.source.startswith(MARKER)]
    if len(old) == 2:
        top["id"], bottom["id"] = old[0].get("id", top["id"]), old[1].get("id", bottom["id"])
    else:
        top["id"], bottom["id"] = "nav-top", "nav-bottom"
    new_cells = cells[:1] + [top] + cells[1:] + [bottom]
    changed = [c.source for c in new_cells] != [c.source for c in nb.cells]
    if changed:
        nb.cells = new_cells
        nbformat.write(nb, path)
    return changed


def contents_table(paths: list[Path]) -> str:
    rows = ["| # | notebook | what you will be able to do |", "|---|---|---|"]
    for p in paths:
        name, line = title(p)
        rows.append(f"| {p.name[:2]} | [{name}](notebooks/{p.name}) | {line} |")
    return "\n".join(rows)


def replace_section(path: Path, start: str, end: str, body: str) -> bool:
    """Put ``body`` between the ``start`` and ``end`` markers of the file; return whether it changed.

    Shared by the README's generated tables (the contents here, the launch table in ``launch.py``).
    """
    text = path.read_text()
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    new = pattern.sub(lambda _: f"{start}\n{body}\n{end}", text)
    if new != text:
        path.write_text(new)
    return new != text


def update_readme(paths: list[Path]) -> bool:
    return replace_section(ROOT / "README.md", README_START, README_END, contents_table(paths))


def main() -> int:
    paths = notebooks()
    changed = [p.name for i, p in enumerate(paths) if update_notebook(paths, i)]
    if update_readme(paths):
        changed.append("README.md")
    print("navigation updated: " + (", ".join(changed) if changed else "nothing to change"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
