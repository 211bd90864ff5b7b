"""The course's settings from the environment: quick mode, where the data lives, where progress goes.

The one place that reads them (``COURSE_QUICK``, ``COURSE_DATA``, ``COURSE_PROGRESS``). It imports nothing from
``course_utils``, so :mod:`course_utils.data` and :mod:`course_utils.env` can both import it
without importing each other. Notebooks meet these through ``course_utils.env``
(``from course_utils.env import pick``), taught in ``00_start_here``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TypeVar

__all__ = ["DATA_ENV", "PROGRESS_ENV", "QUICK_ENV", "data_root", "pick", "progress_setting", "quick_mode"]

QUICK_ENV = "COURSE_QUICK"
DATA_ENV = "COURSE_DATA"
PROGRESS_ENV = "COURSE_PROGRESS"
T = TypeVar("T")


def quick_mode() -> bool:
    """Return True when ``COURSE_QUICK`` asks for quick mode (embedded sample, fewer epochs).

    This is the course's one switch. Values ``1``, ``true``, ``yes`` and ``on`` turn it on;
    unset, ``0``, ``false``, ``no``, ``off`` or empty leave it off.
    """
    value = os.environ.get(QUICK_ENV, "").strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise ValueError(
        f"{QUICK_ENV}={value!r} is not understood: expected 1 (quick mode, the embedded sample) "
        f"or 0 (full mode). Fix: export {QUICK_ENV}=1 or unset it."
    )


def pick(full: T, quick: T) -> T:
    """Return ``quick`` in quick mode and ``full`` otherwise, e.g. ``num_epochs = pick(10, 1)``."""
    return quick if quick_mode() else full


def data_root() -> Path:
    """Return the course data folder: ``$COURSE_DATA``, else ``data/`` at the repository's root.

    When ``course_utils`` is not inside a checkout (a plain ``pip install``, Colab), the
    fallback is ``./data`` relative to the working directory.
    """
    env = os.environ.get(DATA_ENV)
    if env:
        return Path(env).expanduser().resolve()
    repo = Path(__file__).resolve().parent.parent
    if (repo / "pyproject.toml").is_file():
        return repo / "data"
    return Path("data").resolve()


def progress_setting() -> str:
    """Return ``$COURSE_PROGRESS`` as set (stripped): a file path, ``off``, or "" for the default file.

    :mod:`course_utils.progress` turns it into the progress file's path (see ``progress_path``).
    """
    return os.environ.get(PROGRESS_ENV, "").strip()
