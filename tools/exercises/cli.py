"""Writing the exercise notebooks, and ``python -m tools exercises [--check] [--notebooks DIR] [--out DIR]``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import nbformat

from tools.exercises.build import META_KEY, build
from tools.exercises.markers import ExerciseError
from tools.notebooks import NB_DIR

__all__ = ["OUT", "check_or_write", "generator_parser", "main", "stale", "text_of", "write"]

OUT = NB_DIR / "exercises"


def text_of(nb: nbformat.NotebookNode) -> str:
    """The exact text written for ``nb`` (what the committed file must hold)."""
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def write(books: dict[str, nbformat.NotebookNode], out_dir: Path = OUT) -> list[Path]:
    """Write the notebooks into ``out_dir``; remove generated notebooks no longer produced.

    Returns the paths whose content changed. Only notebooks carrying this generator's metadata
    are ever removed.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    changed = []
    for name, nb in books.items():
        path = out_dir / name
        text = text_of(nb)
        if not path.is_file() or path.read_text() != text:
            path.write_text(text)
            changed.append(path)
    for path in sorted(out_dir.glob("*.ipynb")):
        if path.name not in books:
            try:
                old = nbformat.read(path, as_version=4)
            except Exception:  # not a notebook we wrote: leave it
                continue
            if META_KEY in old.metadata:
                path.unlink()
                changed.append(path)
    return changed


def stale(books: dict[str, nbformat.NotebookNode], out_dir: Path = OUT) -> list[str]:
    """Names of the notebooks in ``out_dir`` that differ from ``books`` (or are missing)."""
    out_dir = Path(out_dir)
    return [name for name, nb in books.items()
            if not (out_dir / name).is_file() or (out_dir / name).read_text() != text_of(nb)]


def generator_parser(prog: str, description: str, out: Path, out_help: str) -> argparse.ArgumentParser:
    """The options of a command that writes notebooks made from the teaching ones: --notebooks, --out, --check."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--notebooks", default=str(NB_DIR), help="the teaching notebooks (default: notebooks/)")
    parser.add_argument("--out", default=str(out), help=out_help)
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if the files are stale")
    return parser


def check_or_write(check: bool, what: str, where: str, target: str, stale_names: Callable[[], list[str]],
                   write_all: Callable[[], list[Path]]) -> int:
    """Compare (``check``) or write the generated notebooks, say so, and return the exit status.

    ``what`` counts them (``10 exercise notebooks``), ``where`` is their folder, ``target`` the make
    target that regenerates them; ``stale_names`` and ``write_all`` compare and write.
    """
    if check:
        old = stale_names()
        if old:
            print(f"stale: {', '.join(old)}: run `make {target}`", file=sys.stderr)
            return 1
        print(f"{what} up to date in {where}")
        return 0
    changed = write_all()
    print(f"{what} in {where} ({len(changed)} written or removed)")
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m tools exercises [--check] [--notebooks DIR] [--out DIR]``; returns the exit status."""
    parser = generator_parser("python -m tools exercises", "Generate notebooks/exercises/ from the teaching notebooks.",
                              OUT, "where to write (default: notebooks/exercises/)")
    args = parser.parse_args(argv)
    try:
        books = build(Path(args.notebooks))
    except ExerciseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    out = Path(args.out)
    return check_or_write(args.check, f"{len(books)} exercise notebooks", args.out, "exercises",
                          lambda: stale(books, out), lambda: write(books, out))
