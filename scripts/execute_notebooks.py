"""Execute every teaching notebook in full mode and store its outputs (``make execute``).

Each notebook runs in its own folder (``notebooks/``) with a fresh kernel, in order. Quick mode
is switched off so the committed outputs come from the full data. Widget state is stored, so
JupyterLab and HTML exports show the controls. Usage::

    python scripts/execute_notebooks.py [notebooks/03_network_module.ipynb ...]
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


def teaching_notebooks() -> list[Path]:
    """The numbered notebooks in ``notebooks/`` (exercises are generated, not executed here)."""
    return sorted(p for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def execute(path: Path, timeout: int = 1800) -> float:
    """Run ``path`` top to bottom in a fresh kernel, write it back, return the wall time."""
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=True,
    ).execute()
    elapsed = time.perf_counter() - start
    nbformat.write(nb, path)
    return elapsed


def main(argv: list[str]) -> int:
    os.environ.pop("COURSE_QUICK", None)  # committed outputs come from a full-data run
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # waiting threads sleep: see conftest.py
    paths = [Path(a).resolve() for a in argv] or teaching_notebooks()
    for path in paths:
        print(f"executing {path.relative_to(ROOT)} ...", flush=True)
        print(f"  done in {execute(path):.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
