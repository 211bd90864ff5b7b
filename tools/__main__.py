"""``python -m tools <command> [args]``: the course's build tools behind one command line.

Each command is a module of :mod:`tools` with a ``main(argv) -> int``; it is imported only when
asked for, so ``python -m tools --help`` is instant. The Makefile's targets call these.
"""

from __future__ import annotations

import importlib
import sys

__all__ = ["COMMANDS", "main", "usage"]

#: command -> (module in tools, one line of help)
COMMANDS: dict[str, tuple[str, str]] = {
    "export": ("export", "write course_utils/reference.py from the notebooks' cells tagged 'export'"),
    "exercises": ("exercises", "regenerate notebooks/exercises/ from the teaching notebooks"),
    "assignments": ("assignments", "write the nbgrader course folder's source/ (nbgrader/) from the exercises"),
    "navigation": ("navigation", "prev | contents | next cells and the README's contents table"),
    "launch": ("launch", "the README's launch table (Colab, Binder, GitHub links)"),
    "colab": ("colab_cell", "add or refresh the Colab install cell in every notebook"),
    "slide-metadata": ("slide_metadata", "the notebooks' slide types for the reveal.js decks"),
    "site": ("site", "render the notebooks (stored outputs) to _build/html/"),
    "slides": ("slides", "render the notebooks as reveal.js decks in _build/slides/"),
    "execute": ("execute", "run every teaching notebook on the full data and store its outputs"),
    "fresh": ("fresh", "check that stored outputs are fresh (execution counts 1..n, no errors)"),
    "sample": ("sample", "rebuild the class-balanced sample shipped in course_utils/sample/"),
}


def usage() -> str:
    """The help text: every command with its one line."""
    width = max(map(len, COMMANDS))
    lines = [f"  {name:<{width}}  {text}" for name, (_, text) in COMMANDS.items()]
    footer = "\n\n`python -m tools <command> --help` gives a command's own options."
    return "usage: python -m tools <command> [args]\n\ncommands:\n" + "\n".join(lines) + footer


def main(argv: list[str] | None = None) -> int:
    """Run ``argv[0]``'s module with the rest of ``argv``; its exit status comes back (2: unknown command)."""
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("-h", "--help", "help"):
        print(usage())
        return 0
    name, rest = args[0], args[1:]
    if name not in COMMANDS:
        print(f"unknown command {name!r}\n\n{usage()}", file=sys.stderr)
        return 2
    module = importlib.import_module(f"tools.{COMMANDS[name][0]}")
    return int(module.main(rest) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
