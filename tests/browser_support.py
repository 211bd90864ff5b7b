"""Real-browser helpers the browser tests share: Debian's Chromium through Playwright, and axe-core.

Import them in a test module (``tests/`` is on ``sys.path`` under pytest)::

    from browser_support import axe_violations, chromium, format_violations  # noqa: F401

- ``chromium`` is a module-scoped pytest fixture: a headless ``playwright`` ``Browser`` running
  ``/usr/bin/chromium`` (Debian's; Playwright downloads no browser) with :data:`CHROMIUM_ARGS`.
  ``launch_chromium()`` is the same as a context manager, for a fixture of your own
  (``with launch_chromium() as browser: ...``).
- ``axe_violations(page, impacts=("serious", "critical"))`` injects axe-core from
  ``node_modules/axe-core/axe.min.js`` (npm, pinned exact in ``package.json``; ``npm ci``) into a
  loaded Playwright ``Page`` and runs it with the WCAG 2 A/AA rules (:data:`AXE_TAGS`). It returns
  the violations of those impacts, each ``{id, impact, help, nodes, targets}`` (``nodes``: how many
  elements fail; ``targets``: the CSS selectors of the first few). ``format_violations`` makes
  them one readable message for an ``assert``.

Anything missing (Chromium, the playwright package, axe-core): the test skips with the reason, or
fails under ``CI=true`` (``.ci/run`` installs them all, so CI never goes green without them).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

__all__ = [
    "AXE_JS",
    "AXE_TAGS",
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "axe_violations",
    "chromium",
    "format_violations",
    "in_ci",
    "launch_chromium",
    "missing",
    "require_axe",
    "require_chromium",
]

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
TARGETS_SHOWN = 5

CHROMIUM_ARGS = [
    "--no-sandbox",  # we may run as root (CI does)
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",  # the machine's network is closed: no update or sync calls
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def in_ci() -> bool:
    """Whether we run in CI (``CI`` is ``1``, ``true`` or ``yes``), where nothing may be skipped."""
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def missing(reason: str) -> None:
    """Skip with the reason, or fail in CI, where the browser and its tools must be there."""
    if in_ci():
        pytest.fail(f"CI=true and {reason}: .ci/run must install it", pytrace=False)
    pytest.skip(reason)


def require_chromium() -> None:
    """Skip (fail in CI) unless Debian's Chromium and Playwright's Python package are installed."""
    if not CHROMIUM.exists():
        missing(f"{CHROMIUM} is missing (Debian: apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing("the playwright package is missing (pip install -r requirements.txt)")


def require_axe() -> None:
    """Skip (fail in CI) unless axe-core is in ``node_modules/`` (``npm ci``)."""
    if not AXE_JS.exists():
        missing(f"axe-core is not installed ({AXE_JS.relative_to(ROOT)} is missing): run `npm ci`")


@contextlib.contextmanager
def launch_chromium(headless: bool = True) -> Iterator[Any]:
    """Yield a Playwright ``Browser`` on Debian's Chromium with :data:`CHROMIUM_ARGS`; closed on exit.

    Skips (fails under ``CI=true``) when Chromium or the playwright package is missing.
    """
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=headless, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """A headless Chromium ``Browser`` for the module (see :func:`launch_chromium`)."""
    with launch_chromium() as browser:
        yield browser


# axe.run resolves to {violations: [{id, impact, help, helpUrl, nodes: [{target, failureSummary}]}]}
_JS_AXE = """async ([tags, shown, context]) => {
  const options = {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']};
  const result = await axe.run(context || document, options);
  return result.violations.map(v => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.length,
    targets: v.nodes.slice(0, shown).map(n => n.target.join(' ')),
  }));
}"""


def axe_violations(
    page: Any, impacts: Sequence[str] | None = ("serious", "critical"), context: str | None = None
) -> list[dict[str, Any]]:
    """Run axe-core's WCAG 2 A/AA rules on ``page`` (a loaded Playwright ``Page``); return its violations.

    ``context``: a CSS selector of the part to check (a slide); by default the whole document.

    Each violation is ``{"id", "impact", "help", "nodes", "targets"}``: the rule, its impact
    (``minor``, ``moderate``, ``serious`` or ``critical``), what it asks for, how many elements
    fail it and the selectors of the first five. Only the ``impacts`` given are returned
    (``None``: all). axe-core is injected from disk (no network); skips (fails under ``CI=true``)
    when it is not installed.
    """
    require_axe()
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))
    found = page.evaluate(_JS_AXE, [list(AXE_TAGS), TARGETS_SHOWN, context])
    return [v for v in found if impacts is None or v["impact"] in impacts]


def format_violations(violations: Sequence[dict[str, Any]]) -> str:
    """The violations as lines: ``impact id (n elements): help -- first targets``."""
    return "\n".join(
        f"  {v['impact']} {v['id']} ({v['nodes']} elements): {v['help']} -- {', '.join(v['targets'])}"
        for v in violations
    )
