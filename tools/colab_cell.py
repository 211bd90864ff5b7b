"""The Colab cell of every notebook: a first code cell, tagged ``colab``, that installs course_utils
on Google Colab (when it is missing there) and does nothing anywhere else: a local environment that
lacks a package gets the course's own message from the next cell, not a pip install.

Idempotent: a notebook that already has a cell tagged ``colab`` gets its source refreshed in place
(same id, same position); otherwise the cell goes right after the title cell and the top navigation
cell. The cell changes the notebook's execution counts, so run ``make execute`` afterwards::

    python -m tools colab                       # every teaching notebook
    python -m tools colab notebooks/03_*.ipynb  # some
    python -m tools colab --check               # exit 1 if a notebook lacks the cell
"""

from __future__ import annotations

import argparse
from pathlib import Path

import nbformat

from tools.launch import PLACEHOLDER, pip_url, repo_slug
from tools.notebooks import read, teaching_notebooks, write

__all__ = ["CELL_ID", "TAG", "apply", "cell_source", "has_cell", "main"]

TAG = "colab"
CELL_ID = "colab-install"

# the cell's code; ``%pip`` installs into the running kernel, on Colab only
SOURCE = """\
# colab: on Google Colab, install course_utils and turn on the explorers' widgets; elsewhere nothing
import sys

if "google.colab" in sys.modules:
    try:
        import course_utils  # noqa: F401
    except ImportError:
{install}
    from google.colab import output

    output.enable_custom_widget_manager()  # the explorers are ipywidgets 8"""


# the install line: this repository, from GitHub
INSTALL = '        %pip install -q "{pip_url}"'

# while the repository's GitHub name is unknown (the placeholder), the cell cannot install anything:
# it says so on Colab, instead of a pip error followed by an unrelated "not installed" message
NO_REPO = """\
        raise RuntimeError(
            "course_utils is not installed, and this copy of the course does not say where Colab can "
            "install it from. Upload the course folder to Colab and run `%pip install -e .` in it, then "
            "restart the session; or run the course on your own machine with `make lab`."
        ) from None"""


def cell_source(slug: str | None = None) -> str:
    """The cell's code, installing the repository ``slug`` (default: :func:`tools.launch.repo_slug`).

    With the placeholder ``OWNER/REPO`` (no GitHub name known yet) the install line is an error
    that says what to do.
    """
    slug = slug or repo_slug()
    install = NO_REPO if slug == PLACEHOLDER else INSTALL.format(pip_url=pip_url(slug))
    return SOURCE.replace("{install}", install)


def apply(nb: nbformat.NotebookNode, slug: str | None = None) -> bool:
    """Insert or refresh the Colab cell in ``nb``; return whether anything changed."""
    source = cell_source(slug)
    existing = [c for c in nb.cells if TAG in c.metadata.get("tags", [])]
    if existing:
        cell = existing[0]
        if cell.source == source:
            return False
        cell.source = source
        return True
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": [TAG]})
    cell["id"] = CELL_ID
    at = 1
    if len(nb.cells) > 1 and "navigation" in nb.cells[1].metadata.get("tags", []):
        at = 2
    nb.cells.insert(at, cell)
    return True


def has_cell(nb: nbformat.NotebookNode) -> bool:
    """Whether ``nb`` has a code cell tagged ``colab``."""
    return any(c.cell_type == "code" and TAG in c.metadata.get("tags", []) for c in nb.cells)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools colab", description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, help="notebooks (default: every teaching notebook)")
    parser.add_argument("--check", action="store_true", help="only report notebooks without the cell")
    args = parser.parse_args(argv)
    missing, changed = [], []
    for path in args.paths or teaching_notebooks():
        nb = read(path)
        if args.check:
            if not has_cell(nb):
                missing.append(path.name)
        elif apply(nb):
            write(nb, path)
            changed.append(path.name)
    if args.check:
        print("colab cell missing in: " + ", ".join(missing) if missing else "every notebook has the colab cell")
        return 1 if missing else 0
    print("colab cell: " + (", ".join(changed) + " (now run make execute)" if changed else "nothing to change"))
    return 0
