"""Where the course launches: the repository's GitHub name, Colab / Binder / GitHub links, README badges.

The GitHub name comes from ``$COURSE_REPO`` (``owner/name``), else from ``git remote get-url origin``
when that is a GitHub address, else the placeholder ``OWNER/REPO`` (replace it in one go with
``COURSE_REPO=owner/name make navigation``). Used by ``build_site.py`` (page links), ``colab_cell.py``
(the install line) and ``make navigation`` (the README's launch table, between its markers)::

    python scripts/launch.py            # update the README's launch table
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from navigation import replace_section  # a sibling script, not a package

ROOT = Path(__file__).resolve().parent.parent
NB_DIR = ROOT / "notebooks"
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


def notebooks() -> list[Path]:
    """The teaching notebooks, in course order."""
    return sorted(NB_DIR.glob("[0-9][0-9]_*.ipynb"))


def repo_path(path: Path) -> str:
    """``notebooks/NN_x.ipynb``: the path in the repository (a notebook elsewhere counts as one of ours)."""
    path = Path(path).resolve()
    try:
        return path.relative_to(ROOT).as_posix()
    except ValueError:
        return f"notebooks/{path.name}"


def github_url(path: Path, slug: str | None = None) -> str:
    return f"https://github.com/{slug or repo_slug()}/blob/{BRANCH}/{repo_path(path)}"


def colab_url(path: Path, slug: str | None = None) -> str:
    return f"https://colab.research.google.com/github/{slug or repo_slug()}/blob/{BRANCH}/{repo_path(path)}"


def binder_url(path: Path | None = None, slug: str | None = None) -> str:
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
    readme = ROOT / "README.md"
    if README_START not in readme.read_text():
        raise SystemExit(f"README.md has no {README_START} ... {README_END} markers: add them where the table goes")
    table = launch_table(notebooks() if paths is None else paths)
    return replace_section(readme, README_START, README_END, table)


def main() -> int:
    changed = update_readme()
    print("launch table: " + ("README.md updated" if changed else "nothing to change") + f" (repo {repo_slug()})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
