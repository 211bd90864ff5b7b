"""``python -m course_utils.data [--download] [--root DIR] [--quick]``: prepare the data, print one line.

The Makefile's ``make setup`` and ``make data`` run it; see the README's data section.
"""

from __future__ import annotations

import argparse
import sys

from course_utils.config import quick_mode
from course_utils.data.files import DataError
from course_utils.data.sources import SAMPLE_NOTE, prepare

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Prepare the data and print what is used; return the exit status (1 on a :class:`DataError`)."""
    parser = argparse.ArgumentParser(
        prog="python -m course_utils.data",
        description="Fashion-MNIST for the course: preparing the files, reading them, and fast in-memory batches.",
    )
    parser.add_argument("--root", help="data folder (default: $COURSE_DATA or ./data)")
    parser.add_argument("--download", action="store_true", help="allow torchvision's download")
    parser.add_argument("--quick", action="store_true", help="use the embedded sample")
    args = parser.parse_args(argv)
    try:
        info = prepare(args.root, download=args.download, quick=True if args.quick else None)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(info)
    if not info.is_full and not args.quick and not quick_mode():
        print(SAMPLE_NOTE, file=sys.stderr)
    return 0
