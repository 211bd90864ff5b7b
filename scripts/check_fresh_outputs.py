"""Check that notebooks carry fresh outputs: code cells numbered 1..n in order and no stored error.

The same promise as ``tests/test_notebooks_fresh.py``, as a pre-commit hook (``.pre-commit-config.yaml``):
standard library only, so the hook needs no environment of its own. Exit status 1 names each stale
notebook and the fix (``make execute``)::

    python scripts/check_fresh_outputs.py [notebooks/NN_x.ipynb ...]   # default: every teaching notebook
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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
    paths = [Path(a) for a in args] or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    stale = 0
    for path in paths:
        for problem in problems(path):
            print(f"{path}: {problem}")
            stale += 1
    if stale:
        print("fix: run the notebook top to bottom in a fresh kernel (`make execute`), then commit it")
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
