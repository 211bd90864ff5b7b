# The course's commands. The first two are all a learner needs:
#   make lab    set up (once), then JupyterLab on the first notebook
#   make test   set up (once), then every test, nbval over every notebook included
# Set-up installs requirements-lock.txt, the exact versions CI tested (make upgrade refreshes it).
# It is reused: packages are installed again only when the lock or pyproject.toml change, and a
# broken venv (an interrupted or failed creation) is made anew.
#   make test-newest   the newest releases requirements.txt allows, in .venv-newest
#   make test-oldest   requirements.txt's floors (requirements-oldest.txt) on Python 3.10, in .venv-oldest

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PYTEST_ARGS ?=

# Which versions set-up installs: lock (requirements-lock.txt, the default), newest (requirements.txt,
# upgraded to the newest releases it allows) or oldest (requirements-oldest.txt, its floors pinned).
# Each kind has its own stamp, so a venv switched from one to another is installed again.
VERSIONS ?= lock
REQS_lock   := requirements-lock.txt
REQS_newest := requirements.txt
REQS_oldest := requirements-oldest.txt
REQS  := $(REQS_$(VERSIONS))
ifeq ($(REQS),)
$(error VERSIONS=$(VERSIONS): use lock, newest or oldest)
endif
STAMP := $(VENV)/.course-installed-$(VERSIONS)
# newest: --upgrade-strategy eager upgrades what the packages pull in too; PIP_CONSTRAINT=/dev/null sets
# aside a constraint file pip may be configured with (some machines cap torch at the release on their
# disk), so that the run tests what requirements.txt allows
PIP_INSTALL_lock   := -m pip install -r requirements-lock.txt
PIP_INSTALL_newest := -m pip install --upgrade --upgrade-strategy eager -r requirements.txt
PIP_INSTALL_oldest := -m pip install -r requirements-oldest.txt
PIP_ENV_newest     := PIP_CONSTRAINT=/dev/null

# The oldest Python the course supports (README, pyproject.toml's requires-python): make test-oldest
# runs on it, and make upgrade resolves the lock for it and every newer Python.
PYTHON_FLOOR  := 3.10
PYTHON_OLDEST ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/$(PYTHON_FLOOR).*/bin/python) \
                   $(shell command -v python$(PYTHON_FLOOR) 2>/dev/null))

# JupyterLab refuses to run as root without --allow-root: add it only when we are root.
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)

# reveal.js and MathJax (package.json, pinned in package-lock.json) for make slides and make book.
# make test and make book install them when npm is there; make slides needs them.
NPM        := $(shell command -v npm 2>/dev/null)
NODE_STAMP := node_modules/.package-lock.json
NODE_IF_NPM := $(if $(NPM),node-optional)

.PHONY: help setup data lab test test-browser test-newest test-oldest versions upgrade lint book slides execute export navigation exercises assignments bench clean-venv node-optional

help:
	@echo "make lab        set up, then open JupyterLab on notebooks/00_start_here.ipynb"
	@echo "make test       set up, then run every test (pytest + nbval on every notebook, quick mode)"
	@echo "make data       fetch the full Fashion-MNIST (system package, else torchvision's download)"
	@echo "make execute    re-run every notebook on the full data and store the outputs"
	@echo "make export     write course_utils/reference.py from the notebooks' cells tagged export"
	@echo "make navigation regenerate the prev | contents | next cells, the README contents and launch"
	@echo "                table, the Colab install cells and the slide metadata"
	@echo "make exercises  regenerate notebooks/exercises/ from the teaching notebooks"
	@echo "make assignments  write the nbgrader course folder nbgrader/source/ from the exercises"
	@echo "make bench      measure speed and accuracy, write benchmarks/RESULTS.md"
	@echo "make book       render the notebooks (stored outputs) to a static site in _build/html/"
	@echo "make slides     render the notebooks as reveal.js slides in _build/slides/ (needs npm once)"
	@echo "make lint       ruff over course_utils, tools, tests, benchmarks and the notebooks"
	@echo "make test-browser  only the real-browser tests (JupyterLab, the site and the slides in Chromium)"
	@echo "make test-newest   every test on the newest releases requirements.txt allows (.venv-newest)"
	@echo "make test-oldest   every test on requirements.txt's floors and Python $(PYTHON_FLOOR) (.venv-oldest)"
	@echo "make upgrade  refresh requirements-lock.txt (uv, for Python $(PYTHON_FLOOR)+ on Linux, macOS, Windows)"
	@echo "make versions print the key versions in \$$VENV (python, torch, torchvision, jupyterlab, ...)"

# the venv itself, with a working pip (git ignores it, whatever its name)
define NEW_VENV
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python 3.10 or newer is needed, found " + sys.version.split()[0] + ": set PYTHON=/path/to/python3.x")'
	@$(PY) -m pip --version >/dev/null 2>&1 || { rm -rf $(VENV); $(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
		echo "error: '$(PYTHON) -m venv' failed. On Debian/Ubuntu: sudo apt-get install python3-venv, then run make again"; exit 1; }; }
	@echo '*' > $(VENV)/.gitignore
endef

$(STAMP): $(REQS) pyproject.toml
	$(NEW_VENV)
	@rm -f $(VENV)/.course-installed*
	$(PY) -m pip install --upgrade pip
	$(PIP_ENV_$(VERSIONS)) $(PY) $(PIP_INSTALL_$(VERSIONS))
	@touch $(STAMP)

setup: $(STAMP)
	$(PY) -m course_utils.data

data: $(STAMP)
	$(PY) -m course_utils.data --download

lab: setup
	$(VENV)/bin/jupyter lab $(ROOT_FLAG) notebooks/00_start_here.ipynb

$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm not found: install Node.js (with npm) to get reveal.js for the slides"; exit 1; }
	npm ci --no-audit --no-fund
	@touch $(NODE_STAMP)

# make test and make book go on without reveal.js when npm ci cannot reach the registry (offline):
# the slide tests then skip with the reason (and fail under CI=true); make slides needs it.
node-optional:
	@$(MAKE) --no-print-directory $(NODE_STAMP) || echo "note: npm ci failed (offline?): the slide tests will skip; run make slides when online"

# pytest includes ruff (tests/test_lint.py) and the browser tests (tests/test_browser*.py, marker browser)
test: setup $(NODE_IF_NPM)
	COURSE_QUICK=1 $(PY) -m pytest $(PYTEST_ARGS)

test-browser: setup $(NODE_IF_NPM)
	COURSE_QUICK=1 $(PY) -m pytest -m browser tests $(PYTEST_ARGS)

# the newest releases: installed afresh each time (the stamp goes), since newest changes without a file changing
test-newest:
	@rm -f .venv-newest/.course-installed-newest
	$(MAKE) --no-print-directory test VENV=.venv-newest VERSIONS=newest

# the floors on the oldest Python; a .venv-oldest on another Python is made anew
test-oldest:
	@test -n "$(PYTHON_OLDEST)" || { echo "error: make test-oldest needs Python $(PYTHON_FLOOR), the oldest the course supports,"; \
		echo "and found none (python$(PYTHON_FLOOR) on PATH, or pyenv's): install it, or name it: make test-oldest PYTHON_OLDEST=/path/to/python$(PYTHON_FLOOR)"; exit 1; }
	@$(PYTHON_OLDEST) -c 'import sys; sys.exit(0 if sys.version_info[:2] == tuple(map(int, "$(PYTHON_FLOOR)".split("."))) else "PYTHON_OLDEST=$(PYTHON_OLDEST) is Python " + sys.version.split()[0] + ", not $(PYTHON_FLOOR)")'
	@.venv-oldest/bin/python -c 'import sys; sys.exit(sys.version_info[:2] != tuple(map(int, "$(PYTHON_FLOOR)".split("."))))' 2>/dev/null || rm -rf .venv-oldest
	$(MAKE) --no-print-directory test VENV=.venv-oldest VERSIONS=oldest PYTHON=$(PYTHON_OLDEST)

# the versions that matter most, as installed in $(VENV) (.ci/run prints them after each run)
versions:
	@$(PY) -c 'import platform; from importlib.metadata import distributions as ds; v = {d.metadata["Name"].lower(): d.version for d in ds()}; \
		print("python " + platform.python_version(), *(n + " " + v.get(n, "missing") for n in ("torch", "torchvision", "jupyterlab", "matplotlib", "numpy")), sep=" | ")'

# a new lock: uv (installed into the venv) resolves requirements.txt anew for Python $(PYTHON_FLOOR) and newer,
# on Linux, macOS and Windows at once, one version per package where it can (--fork-strategy fewest). A
# constraint file pip is configured with is kept (a machine that caps torch at the release on its disk), so the
# lock installs where it was made. Then run make test (it installs the new lock), and commit requirements-lock.txt.
upgrade:
	$(NEW_VENV)
	@$(PY) -m pip install --quiet --upgrade uv || { echo "error: make upgrade needs uv from PyPI (pip install uv), which failed (offline?): requirements-lock.txt is unchanged"; exit 1; }
	@c="$${PIP_CONSTRAINT:-$$($(PY) -m pip config list 2>/dev/null | sed -n "s/^\(global\|install\)\.constraint='\(.*\)'$$/\2/p" | tail -n 1)}"; \
	$(VENV)/bin/uv pip compile --quiet --universal --python-version $(PYTHON_FLOOR) --fork-strategy fewest --upgrade \
		$${c:+--constraint "$$c"} --custom-compile-command "make upgrade  (uv pip compile --universal --python-version $(PYTHON_FLOOR) --fork-strategy fewest requirements.txt)" requirements.txt -o requirements-lock.txt.new \
		|| { rm -f requirements-lock.txt.new; echo "error: uv could not resolve requirements.txt (offline? a conflict above?): requirements-lock.txt is unchanged"; exit 1; }
	@mv requirements-lock.txt.new requirements-lock.txt
	@git diff --stat -- requirements-lock.txt 2>/dev/null || true
	@echo "requirements-lock.txt refreshed: run make test (it installs it), then commit it"

lint: $(STAMP)
	$(PY) -m ruff check course_utils tools tests benchmarks notebooks conftest.py

book: $(STAMP) $(NODE_IF_NPM)
	$(PY) -m tools site

slides: $(STAMP) $(NODE_STAMP)
	$(PY) -m tools slides

execute: setup
	$(PY) -m tools execute

export: $(STAMP)
	$(PY) -m tools export

# the navigation cells are rebuilt without slide metadata: slide-metadata (idempotent) restores it
navigation: $(STAMP)
	$(PY) -m tools navigation
	$(PY) -m tools launch
	$(PY) -m tools colab
	$(PY) -m tools slide-metadata

exercises: $(STAMP)
	$(PY) -m tools exercises

assignments: $(STAMP)
	$(PY) -m tools assignments

bench: setup
	$(PY) benchmarks/bench.py

clean-venv:
	rm -rf $(VENV)
