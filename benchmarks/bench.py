"""``python benchmarks/bench.py [options]`` (what ``make bench`` runs): the same as ``python -m benchmarks``.

Run as a script, Python puts ``benchmarks/`` on ``sys.path`` in place of the repository's root, so
neither ``benchmarks`` nor ``tools`` would import; this shim puts the root there instead (the one
place the benchmark touches ``sys.path``) and calls :func:`benchmarks.cli.main`. The parts live in
the package: see ``benchmarks/__init__.py``.
"""

import sys
from pathlib import Path

if __name__ == "__main__":
    root = str(Path(__file__).resolve().parent.parent)
    sys.path[0] = root  # was benchmarks/, whose modules must not shadow top-level names

    from benchmarks.cli import main

    raise SystemExit(main())
