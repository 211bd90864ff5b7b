"""Check that notebooks carry fresh outputs: code cells numbered 1..n in order and no stored error.

The same promise as ``tests/test_notebooks_fresh.py``, as a pre-commit hook (``.pre-commit-config.yaml``):
standard library only (notebooks are read as JSON), so the hook needs no environment of its own.
Exit status 1 names each stale notebook and the fix (``make execute``)::

    python -m tools fresh [notebooks/NN_x.ipynb ...]   # default: every teaching notebook
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tools.notebooks import teaching_notebooks

__all__ = ["main", "problems"]


def problems(path: Path) -> list[str]:
    """What is stale in one notebook (empty when its outputs are fresh)."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        return [f"cannot read it as a notebook: {err}"]
    code = [c for c in nb.get("cells", []) if c.get("cell_type") == "code" and "".join(c.get("source", "")).strip()]
    found = []
    counts = [c.get("execution_count") for c in code]
    if counts != list(range(1, len(code) + 1)):
        found.append(f"execution counts are {counts}, not 1..{len(code)} (cells ran out of order or not at all)")
    for i, cell in enumerate(code, start=1):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                found.append(f"code cell {i} stores an error output ({out.get('ename')}: {out.get('evalue')})")
    return found


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if any(a in ("-h", "--help") for a in args):
        print(__doc__.strip())
        return 0
    paths = [Path(a) for a in args] or teaching_notebooks()
    stale = 0
    for path in paths:
        for problem in problems(path):
            print(f"{path}: {problem}")
            stale += 1
    if stale:
        print("fix: run the notebook top to bottom in a fresh kernel (`make execute`), then commit it")
    return 1 if stale else 0
