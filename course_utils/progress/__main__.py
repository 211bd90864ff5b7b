"""``python -m course_utils.progress``: print each exercise's progress and what is due.

``--figure timeline.png`` also saves the timeline figure; ``--file PATH`` reads another progress
file than ``$COURSE_PROGRESS`` (or the user's data folder).
"""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Print the progress table; save the timeline when asked. Returns the exit status (0)."""
    summary = __doc__.splitlines()[0].replace("``", "")  # plain text: --help shows no markup
    parser = argparse.ArgumentParser(prog="python -m course_utils.progress", description=summary)
    parser.add_argument("--file", type=Path, help="the progress file to read (default: $COURSE_PROGRESS, "
                        "else progress.jsonl in your data folder)")
    parser.add_argument("--figure", type=Path, help="save the timeline figure to this file (e.g. timeline.png)")
    args = parser.parse_args(argv)

    import matplotlib

    matplotlib.use("Agg")  # a terminal: no window
    from .report import show

    shown = show(args.file)
    print(shown)
    if args.figure is not None:
        if shown.figure is None:
            print(f"no figure saved to {args.figure}: nothing is recorded yet")
        else:
            shown.figure.savefig(args.figure, dpi=100, bbox_inches="tight")
            print(f"timeline saved to {args.figure}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
