"""Where the course launches: the repository's GitHub name, Colab / Binder / GitHub links, README badges.

The GitHub name comes from ``$COURSE_REPO`` (``owner/name``), else from ``git remote get-url origin``
when that is a GitHub address, else the placeholder ``OWNER/REPO`` (replace it in one go with
``COURSE_REPO=owner/name make navigation``). Used by :mod:`tools.site` (page links),
:mod:`tools.colab_cell` (the install line) and ``make navigation`` (the README's launch table,
between its markers)::

    python -m tools launch            # update the README's launch table
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

from tools.notebooks import ROOT, replace_section, teaching_notebooks

__all__ = [
    "PLACEHOLDER",
    "binder_url",
    "colab_url",
    "github_url",
    "launch_table",
    "main",
    "pip_url",
    "repo_path",
    "repo_slug",
    "update_readme",
]

PLACEHOLDER = "OWNER/REPO"
BRANCH = "main"
README_START, README_END = "<!-- LAUNCH START -->", "<!-- LAUNCH END -->"
COLAB_BADGE = "https://colab.research.google.com/assets/colab-badge.svg"
BINDER_BADGE = "https://mybinder.org/badge_logo.svg"


def repo_slug() -> str:
    """``owner/name`` of the repository on GitHub (see the module docstring for where it comes from)."""
    env = os.environ.get("COURSE_REPO", "").strip()
    if re.fullmatch(r"[\w.-]+/[\w.-]+", env):
        return env
    try:
        url = subprocess.run(
            ["git", "-C", str(ROOT), "remote", "get-url", "origin"], capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        url = ""
    match = re.search(r"github\.com[:/]([\w.-]+/[\w.-]+?)(?:\.git)?/?$", url)
    return match.group(1) if match else PLACEHOLDER


def repo_path(path: Path) -> str:
    """``notebooks/NN_x.ipynb``: the path in the repository (a notebook elsewhere counts as one of ours)."""
    path = Path(path).resolve()
    try:
        return path.relative_to(ROOT).as_posix()
    except ValueError:
        return f"notebooks/{path.name}"


def github_url(path: Path, slug: str | None = None) -> str:
    """The notebook's page on GitHub."""
    return f"https://github.com/{slug or repo_slug()}/blob/{BRANCH}/{repo_path(path)}"


def colab_url(path: Path, slug: str | None = None) -> str:
    """The notebook opened in Google Colab."""
    return f"https://colab.research.google.com/github/{slug or repo_slug()}/blob/{BRANCH}/{repo_path(path)}"


def binder_url(path: Path | None = None, slug: str | None = None) -> str:
    """The repository on Binder, opened on ``path`` when one is given."""
    base = f"https://mybinder.org/v2/gh/{slug or repo_slug()}/HEAD"
    return base if path is None else f"{base}?labpath={repo_path(path)}"


def pip_url(slug: str | None = None) -> str:
    """What ``%pip install`` takes on Colab: this repository, which installs ``course_utils``."""
    return f"git+https://github.com/{slug or repo_slug()}"


def launch_table(paths: list[Path], slug: str | None = None) -> str:
    """The README's launch table: one row per notebook, with a Colab and a Binder badge."""
    slug = slug or repo_slug()
    rows = ["| # | notebook | Colab | Binder |", "|---|---|---|---|"]
    for p in paths:
        rows.append(
            f"| {p.name[:2]} | [{p.stem}](notebooks/{p.name}) "
            f"| [![Open in Colab]({COLAB_BADGE})]({colab_url(p, slug)}) "
            f"| [![Binder]({BINDER_BADGE})]({binder_url(p, slug)}) |"
        )
    return "\n".join(rows)


def update_readme(paths: list[Path] | None = None) -> bool:
    """Rewrite the README between the launch markers; return whether it changed."""
    table = launch_table(teaching_notebooks() if paths is None else paths)
    return replace_section(ROOT / "README.md", README_START, README_END, table)


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(prog="python -m tools launch", description=__doc__.split("\n")[0]).parse_args(argv)
    try:
        changed = update_readme()
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print("launch table: " + ("README.md updated" if changed else "nothing to change") + f" (repo {repo_slug()})")
    return 0
