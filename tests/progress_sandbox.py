"""An autouse fixture that points ``COURSE_PROGRESS`` at a temporary file: tests never write into a real home.

Every check records its result in the progress file (:mod:`course_utils.progress`). A test module
that runs checks imports the fixture, ``from progress_sandbox import private_progress  # noqa: F401``,
and pytest uses it for every test there.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

__all__ = ["private_progress"]


@pytest.fixture(autouse=True)
def private_progress(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The progress file of this test: a fresh path in a temporary folder (set as ``COURSE_PROGRESS``)."""
    path = tmp_path_factory.mktemp("progress") / "progress.jsonl"
    monkeypatch.setenv("COURSE_PROGRESS", str(path))
    yield path
