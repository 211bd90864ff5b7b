"""Lint is part of `make test`: ruff over the code and the notebooks, and the pre-commit hooks' promises.

The pre-commit configuration is checked as a file (no hook repository is fetched): the hooks are
there, and the local one, ``python -m tools fresh``, works on fresh and stale notebooks with the
standard library alone (the hook's environment has nothing else).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
LINTED = ["course_utils", "tools", "tests", "benchmarks", "notebooks", "conftest.py"]
CHECKER = [sys.executable, "-m", "tools", "fresh"]


def test_ruff_is_clean():
    """`make lint`: ruff with the rules in pyproject.toml ([tool.ruff]); notebooks included."""
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise", *LINTED],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"ruff found problems (fix, or `ruff check --fix` where safe):\n{result.stdout}"


def test_ruff_reads_the_notebooks():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--show-files", "notebooks"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "00_start_here.ipynb" in result.stdout, "ruff does not see the notebooks"


@pytest.fixture(scope="module")
def precommit() -> dict:
    return yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())


def _hooks(config: dict) -> dict[str, dict]:
    return {hook["id"]: dict(hook, repo=repo["repo"]) for repo in config["repos"] for hook in repo["hooks"]}


def test_precommit_runs_ruff_a_large_file_guard_and_the_freshness_check(precommit):
    hooks = _hooks(precommit)
    assert hooks["ruff-check"]["repo"].endswith("astral-sh/ruff-pre-commit")
    assert "jupyter" in hooks["ruff-check"]["types_or"], "ruff must see the notebooks in pre-commit too"
    assert "--maxkb=4000" in hooks["check-added-large-files"]["args"]
    fresh = hooks["check-fresh-outputs"]
    assert fresh["repo"] == "local" and fresh["entry"] == "python -m tools fresh"
    assert not fresh.get("additional_dependencies"), "the hook runs on the standard library alone"


def test_large_file_limit_admits_the_course_files():
    """Everything the course commits on purpose fits under the hook's 4000 kB."""
    big = [
        p
        for folder in ("course_utils", "notebooks")
        for p in (ROOT / folder).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.stat().st_size > 4000 * 1024
    ]
    assert not big, f"over the pre-commit limit of 4000 kB: {big}"


def _notebook(tmp_path: Path, counts: list, error: bool = False) -> Path:
    cells = [nbformat.v4.new_markdown_cell("# T")]
    for n in counts:
        cell = nbformat.v4.new_code_cell("x = 1", execution_count=n)
        cells.append(cell)
    if error:
        cells[-1].outputs = [nbformat.v4.new_output("error", ename="ValueError", evalue="bad", traceback=[])]
    path = tmp_path / f"nb_{len(list(tmp_path.iterdir()))}.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    return path


def _check(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*CHECKER, *map(str, paths)], cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_freshness_hook_accepts_fresh_and_rejects_stale_notebooks(tmp_path):
    assert _check(_notebook(tmp_path, [1, 2, 3])).returncode == 0
    stale = _check(_notebook(tmp_path, [1, 3, 2]))
    assert stale.returncode == 1 and "execution counts" in stale.stdout and "make execute" in stale.stdout
    assert _check(_notebook(tmp_path, [None, None])).returncode == 1
    errored = _check(_notebook(tmp_path, [1, 2], error=True))
    assert errored.returncode == 1 and "ValueError" in errored.stdout


def test_freshness_hook_needs_only_the_standard_library():
    """pre-commit runs ``python -m tools fresh`` in a bare environment: nothing it imports may need a package."""
    code = (
        "import sys; from tools.__main__ import main; import tools.fresh; "
        "third = sorted(m for m in ('nbformat', 'nbconvert', 'jinja2', 'torch') if m in sys.modules); "
        "assert not third, third"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
