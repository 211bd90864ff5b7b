"""Real-browser tests: JupyterLab in Debian's Chromium, driven by Playwright (marker ``browser``).

Each module run copies ``notebooks/`` to a temporary folder (the committed files stay untouched) and
starts ``jupyter lab`` there, on 127.0.0.1 with a random free port and a random token, in
quick mode (``COURSE_QUICK=1`` in the server's environment, so the kernels inherit it), with its own
runtime, config, settings and workspace folders, and drives ``/usr/bin/chromium`` through Playwright's
Python package (no browser download). In a notebook it clears the stored outputs, runs every cell
with JupyterLab's own command ``notebook:run-all-cells``, waits for that command to finish with every
code cell numbered, asserts that no cell shows an error, and that the kernel still answers a request. A
run that does not finish fails with where it stands: the kernel's state, the cells not yet numbered, the
page's console errors and the server's log. In notebook 02 it also checks that the
feature-map explorer renders its controls and that changing its layer redraws its figure.
Screenshots go to ``_build/screenshots/``.

Chromium missing: the tests skip with the reason, except in CI (``CI=true``), where they fail:
``.ci/run`` installs it (``apt-get install chromium``), so CI never goes green without them.

Assumptions about the feature-map explorer (``course_utils.widgets.feature_map_explorer``), the
contract between its author and this test:
- its outermost widget carries the CSS class ``course-feature-map-explorer`` (ipywidgets ``add_class``);
- its figure is an ``<img>`` inside that container (in an ``HTML`` widget, with the figure's description as ``alt``);
- its layer control is a ``Dropdown`` whose description is ``layer``, with at least two options.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from browser_support import in_ci, launch_chromium, require_chromium

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "_build" / "screenshots"
NOTEBOOK_00 = "notebooks/00_start_here.ipynb"
NOTEBOOK_02 = "notebooks/02_layers.ipynb"

# the explorer contract (see the module docstring)
EXPLORER_CLASS = "course-feature-map-explorer"
LAYER_DESCRIPTION = "layer"

SERVER_START_S = 90
RUN_ALL_S = 240  # the whole notebook, quick mode, on a loaded 2-core machine
REDRAW_S = 60
ANSWER_S = 60  # a kernel that has finished its run answers a silent request within this

# JupyterLab settings for a quiet, deterministic page: every cell attached to the DOM (no windowing,
# so an error in an off-screen cell is still visible), no news or update checks, no extension manager
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    "@jupyterlab/extensionmanager-extension/plugin.jupyterlab-settings": {"enabled": False},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Lab:
    """A ``jupyter lab`` server of our own: started, waited for, and stopped with its kernels."""

    def __init__(self, root: Path, tmp: Path):
        self.root = root
        self.port = _free_port()
        self.token = secrets.token_hex(24)
        self.base = f"http://127.0.0.1:{self.port}"
        settings = tmp / "lab-settings"
        for name, values in LAB_SETTINGS.items():
            path = settings / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        env = dict(os.environ)
        env.pop("MPLBACKEND", None)  # conftest's Agg would hide every figure: the kernels use their own inline backend
        env.update(
            COURSE_QUICK="1",
            JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
            JUPYTER_CONFIG_DIR=str(tmp / "config"),
            JUPYTERLAB_SETTINGS_DIR=str(settings),
            JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"),
            PYTHONUNBUFFERED="1",
        )
        cmd = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={root}",
            "--LabApp.expose_app_in_browser=True",
            f"--LabApp.user_settings_dir={settings}",
            f"--LabApp.workspaces_dir={tmp / 'workspaces'}",
        ]
        if os.geteuid() == 0:
            cmd.append("--allow-root")  # JupyterLab refuses root without it
        self.log_path = tmp / "jupyter-lab.log"
        self._log = open(self.log_path, "w")  # noqa: SIM115  (closed in stop())
        self.proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=self._log, stderr=subprocess.STDOUT)
        self._wait_ready()

    def log(self) -> str:
        return self.log_path.read_text()[-4000:]

    def api(self, path: str, method: str = "GET") -> bytes:
        req = urllib.request.Request(
            f"{self.base}{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.read()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + SERVER_START_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {self.proc.returncode}:\n{self.log()}")
            try:
                self.api("/api/status")
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"jupyter lab did not answer within {SERVER_START_S} s:\n{self.log()}")

    def url(self, notebook: str) -> str:
        return f"{self.base}/lab/tree/{notebook}?token={self.token}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                self.api("/api/shutdown", method="POST")  # shuts the kernels down too
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.terminate()
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        self._log.close()


# JavaScript run in the page. `app` is JupyterLab itself (expose_app_in_browser).
JS_FIND = """(path) => {
  const app = window.jupyterapp;
  if (!app || !app.shell) return null;
  const w = Array.from(app.shell.widgets('main')).find(w => w.context && w.context.path === path);
  return w || null;
}"""

JS_READY = f"""(path) => {{
  const w = ({JS_FIND})(path);
  if (!w || !w.content || !w.sessionContext) return false;
  const kernel = w.sessionContext.session && w.sessionContext.session.kernel;
  return !!kernel && kernel.status === 'idle' && w.content.widgets.length > 0;
}}"""

JS_RUN_ALL = f"""async (path) => {{
  const app = window.jupyterapp;
  const w = ({JS_FIND})(path);
  app.shell.activateById(w.id);
  await app.commands.execute('notebook:clear-all-cell-outputs');
  window.__courseRunAll = 'running';
  app.commands.execute('notebook:run-all-cells').then(
    ok => {{ window.__courseRunAll = ok === false ? 'stopped' : 'done'; }},
    err => {{ window.__courseRunAll = 'failed: ' + err; }});
  return w.content.widgets.filter(c => c.model.type === 'code').map(c => c.model.executionCount);
}}"""

JS_STATE = f"""(path) => {{
  const w = ({JS_FIND})(path);
  const kernel = w.sessionContext.session && w.sessionContext.session.kernel;
  const code = w.content.widgets.filter(c => c.model.type === 'code');
  const errors = [];
  code.forEach((c, i) => {{
    const outs = c.model.outputs.toJSON();
    outs.filter(o => o.output_type === 'error')
      .forEach(o => errors.push({{cell: i, ename: o.ename, evalue: o.evalue}}));
  }});
  return {{
    status: kernel ? kernel.status : 'no kernel',
    connection: kernel ? kernel.connectionStatus : 'no kernel',
    runAll: window.__courseRunAll,
    counts: code.map(c => c.model.executionCount),
    empty: code.map(c => c.model.sharedModel.getSource().trim() === ''),
    prompts: code.map(c => (c.node.querySelector('.jp-InputPrompt') || {{textContent: ''}}).textContent.trim()),
    errors: errors,
  }};
}}"""

# Finished: the run-all command's promise has settled (it does once every cell's execute_reply has come back)
# and every code cell is numbered; or a cell raised, or the kernel died. The kernel's status in the page is
# not part of it: JupyterLab before 4.5 mixes into it the busy/idle messages of the kernel's control channel
# (the debugger's requests, jupyterlab#10701 and #14578), so on the oldest JupyterLab it can read "busy" after
# the run has ended. Whether the kernel still answers is asked of the kernel itself (JS_ANSWERS).
JS_FINISHED = f"""(path) => {{
  const s = ({JS_STATE})(path);
  if (s.status === 'dead' || s.errors.length) return true;
  return s.runAll !== 'running' && s.counts.every((n, i) => n !== null || s.empty[i]);
}}"""

# The kernel answers: a silent request (no execution count, no history) comes back "ok" within the time given
JS_ANSWERS = f"""async ([path, ms]) => {{
  const w = ({JS_FIND})(path);
  const kernel = w.sessionContext.session && w.sessionContext.session.kernel;
  if (!kernel) return 'no kernel';
  const reply = kernel.requestExecute({{code: 'pass', silent: true, store_history: false}}).done
    .then(msg => msg.content.status, err => 'failed: ' + err);
  const late = new Promise(resolve => setTimeout(() => resolve('no answer within ' + ms / 1000 + ' s'), ms));
  return Promise.race([reply, late]);
}}"""

# Error outputs on the page. JupyterLab 4 renders an error output exactly like a stderr stream (both are
# `.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]`, checked on a real traceback),
# and tqdm and warnings write to stderr too: so an error is a stderr rendering that holds IPython's
# traceback header, and JS_STATE reads the authoritative answer from the output models (output_type 'error').
STDERR_SELECTOR = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
JS_SHOWN_ERRORS = f"""() => Array.from(document.querySelectorAll('{STDERR_SELECTOR}'))
  .map(e => e.innerText)
  .filter(t => /Traceback \\(most recent call last\\)|Cell In\\[\\d+\\], line \\d+/.test(t))
  .map(t => t.slice(0, 300))"""


def unfinished(page, notebook: str) -> str:
    """Where a run-all stands, in words: the kernel's state, and each code cell not yet numbered, with its prompt."""
    state = page.evaluate(JS_STATE, notebook)
    waiting = [
        f"code cell {i} (prompt {prompt!r})"
        for i, (count, empty, prompt) in enumerate(zip(state["counts"], state["empty"], state["prompts"]))
        if count is None and not empty
    ]
    return (
        f"kernel {state['status']} ({state['connection']}), run-all {state['runAll']!r}, "
        f"{len(waiting)} of {len(state['counts'])} code cells unnumbered: {', '.join(waiting) or 'none'}"
    )


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    require_chromium()
    tmp = tmp_path_factory.mktemp("lab")
    # a copy of the notebooks: the committed files (full-mode outputs) stay untouched, and no
    # .ipynb_checkpoints appear in the repository
    shutil.copytree(ROOT / "notebooks", tmp / "root" / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    server = Lab(tmp / "root", tmp)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser(lab):
    with launch_chromium() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def ran(lab, browser):
    """Open a notebook in JupyterLab, run all its cells, and return (page, final state); cached per module."""
    done: dict[str, tuple] = {}

    def run(notebook: str):
        if notebook in done:
            return done[notebook]
        if not (lab.root / notebook).exists():
            pytest.skip(f"{notebook} does not exist yet (it is being written); this test targets it")
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        console: list[str] = []  # the page's errors and warnings, for a run-all that does not finish
        page.on(
            "console", lambda m: console.append(f"{m.type}: {m.text[:300]}") if m.type in ("error", "warning") else None
        )
        page.goto(lab.url(notebook))
        page.wait_for_function(JS_READY, arg=notebook, timeout=SERVER_START_S * 1000, polling=500)
        cleared = page.evaluate(JS_RUN_ALL, notebook)
        assert all(n is None for n in cleared), f"clearing the outputs left execution counts {cleared}"
        from playwright.sync_api import TimeoutError as PlaywrightTimeoutError  # the package is there: browser ran

        try:
            page.wait_for_function(JS_FINISHED, arg=notebook, timeout=RUN_ALL_S * 1000, polling=500)
        except PlaywrightTimeoutError:
            pytest.fail(
                f"{notebook}: run-all did not finish within {RUN_ALL_S} s: {unfinished(page, notebook)}\n"
                f"the page's last console errors and warnings:\n" + "\n".join(console[-20:]) + "\n"
                f"the server's log (the kernels write theirs there too):\n{lab.log()}"
            )
        finally:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{Path(notebook).stem}_run_all.png"))
        done[notebook] = (page, page.evaluate(JS_STATE, notebook))
        return done[notebook]

    return run


@pytest.mark.parametrize("notebook", [NOTEBOOK_00, NOTEBOOK_02], ids=lambda p: Path(p).stem)
def test_run_all_cells_without_errors(ran, lab, notebook):
    page, state = ran(notebook)
    assert not state["errors"], f"{notebook}: cells raised in JupyterLab: {state['errors']}"
    answer = page.evaluate(JS_ANSWERS, [notebook, ANSWER_S * 1000])
    assert answer == "ok", f"{notebook}: after the run, the kernel ({state['status']}) answered {answer!r}\n{lab.log()}"
    numbered = [n for n, empty in zip(state["counts"], state["empty"]) if not empty]
    assert numbered == list(range(1, len(numbered) + 1)), f"{notebook}: execution counts {numbered}"
    shown = page.evaluate(JS_SHOWN_ERRORS)
    assert not shown, f"{notebook}: the page shows {len(shown)} traceback(s): {shown}"


# every figure in the notebook's outputs, cell by cell: what the kernel sent (the output models: a plot's PNG,
# and whether an HTML form came with it) and what JupyterLab drew (each <img> in the cell's outputs: its accessible
# name, alt else title, and whether it is an explorer's)
JS_FIGURES = f"""(path) => {{
  const w = ({JS_FIND})(path);
  return w.content.widgets.map((c, i) => c.model.type !== 'code' ? null : {{
    cell: i,
    sent: c.model.outputs.toJSON()  // an explorer's PNG is its fallback: JupyterLab draws its widget instead
      .filter(o => o.data && o.data['image/png'] && !o.data['application/vnd.jupyter.widget-view+json'])
      .map(o => ({{html: typeof o.data['text/html'] === 'string' || Array.isArray(o.data['text/html'])}})),
    drawn: Array.from(c.node.querySelectorAll('.jp-OutputArea-output img')).map(img => ({{
      name: img.getAttribute('alt') || img.getAttribute('title') || '',
      widget: !!img.closest('.jupyter-widgets')}})),
  }}).filter(c => c && (c.sent.length || c.drawn.length));
}}"""


def test_every_figure_in_jupyterlab_has_its_description(ran):
    """A screen reader in JupyterLab reads each figure's description: every figure the kernel sends comes with its
    HTML form, and every <img> drawn (a plot's HTML form, an explorer's figure) is named by the description, not
    by JupyterLab's "Image"."""
    page, state = ran(NOTEBOOK_02)
    assert not state["errors"], f"{NOTEBOOK_02} raised: {state['errors']}"
    cells = page.evaluate(JS_FIGURES, NOTEBOOK_02)
    sent = [figure for cell in cells for figure in cell["sent"]]
    drawn = [dict(figure, cell=cell["cell"]) for cell in cells for figure in cell["drawn"]]
    assert len(sent) >= 10 and any(f["widget"] for f in drawn), cells
    assert all(f["html"] for f in sent), f"figures sent without their HTML form: {cells}"
    plots = [f for f in drawn if not f["widget"]]
    assert len(plots) >= len(sent), f"figures not drawn as <img>: {cells}"
    unnamed = [f for f in drawn if len(f["name"].split()) < 8 or f["name"] == "Image"]
    assert not unnamed, f"{len(unnamed)} of {len(drawn)} figures lack a description in JupyterLab: {unnamed}"


def check_explorer(page, screenshot_stem: str) -> None:
    """The explorer shows its layer dropdown and its figure, and a new layer redraws the figure."""
    assert page.locator(f".{EXPLORER_CLASS}").count() >= 1, (
        f"no element with the CSS class {EXPLORER_CLASS!r}: the feature-map explorer must be displayed "
        "in the notebook and carry that class (widget.add_class)"
    )
    explorer = page.locator(f".{EXPLORER_CLASS}").first
    explorer.scroll_into_view_if_needed()
    explorer.wait_for(state="visible")
    dropdown = explorer.locator(".widget-dropdown").filter(
        has=page.locator("label", has_text=re.compile(rf"^\s*{LAYER_DESCRIPTION}\s*$"))
    )
    assert dropdown.count() == 1, f"expected one Dropdown described {LAYER_DESCRIPTION!r} in the explorer"
    select = dropdown.locator("select")
    values = select.locator("option").evaluate_all("(opts) => opts.map(o => o.value)")
    assert len(values) >= 2, f"the layer dropdown offers {values}: expected at least two layers"
    figure_selector = f".{EXPLORER_CLASS} img"
    page.wait_for_function(
        "(sel) => { const img = document.querySelector(sel); return img && img.complete && img.naturalWidth > 0; }",
        arg=figure_selector,
        timeout=REDRAW_S * 1000,
    )
    before = page.locator(figure_selector).first.get_attribute("src")
    current = select.input_value()
    select.select_option(next(v for v in values if v != current))
    page.wait_for_function(
        """([sel, before]) => {
             const img = document.querySelector(sel);
             return img && img.complete && img.naturalWidth > 0 && img.getAttribute('src') !== before;
           }""",
        arg=[figure_selector, before],
        timeout=REDRAW_S * 1000,
        polling=250,
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    explorer.screenshot(path=str(SCREENSHOTS / f"{screenshot_stem}_explorer_widget.png"))
    page.screenshot(path=str(SCREENSHOTS / f"{screenshot_stem}_explorer.png"))


def test_feature_map_explorer_redraws(ran):
    page, state = ran(NOTEBOOK_02)
    assert not state["errors"], f"{NOTEBOOK_02} raised: {state['errors']}"
    check_explorer(page, Path(NOTEBOOK_02).stem)


def test_chromium_policy_is_documented():
    """The CI script installs the browser these tests need (so CI cannot skip them silently)."""
    ci = (ROOT / ".ci" / "run").read_text()
    assert "apt-get install" in ci and "chromium" in ci
    assert shutil.which("chromium") or not in_ci(), "CI=true but chromium is not on PATH"
