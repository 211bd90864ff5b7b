# The course's commands. The first two are all a learner needs:
#   make lab    set up (once), then JupyterLab on the first notebook
#   make test   set up (once), then every test, nbval over every notebook included
# Set-up is reused: packages are installed again only when requirements.txt or pyproject.toml
# change, and a broken venv (an interrupted or failed creation) is made anew.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.course-installed
PYTEST_ARGS ?=

# JupyterLab refuses to run as root without --allow-root: add it only when we are root.
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)

# reveal.js and MathJax (package.json, pinned in package-lock.json) for make slides and make book.
# make test and make book install them when npm is there; make slides needs them.
NPM        := $(shell command -v npm 2>/dev/null)
NODE_STAMP := node_modules/.package-lock.json
NODE_IF_NPM := $(if $(NPM),node-optional)

.PHONY: help setup data lab test test-browser lint book slides execute export navigation exercises assignments bench clean-venv node-optional

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
	@echo "make test-browser  only the real-browser tests (JupyterLab in Chromium)"

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python 3.10 or newer is needed, found " + sys.version.split()[0] + ": set PYTHON=/path/to/python3.x")'
	@$(PY) -m pip --version >/dev/null 2>&1 || { rm -rf $(VENV); $(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
		echo "error: '$(PYTHON) -m venv' failed. On Debian/Ubuntu: sudo apt-get install python3-venv, then run make again"; exit 1; }; }
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -r requirements.txt
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

# pytest includes ruff (tests/test_lint.py) and the browser tests (tests/test_browser.py, marker browser)
test: setup $(NODE_IF_NPM)
	COURSE_QUICK=1 $(PY) -m pytest $(PYTEST_ARGS)

test-browser: setup
	COURSE_QUICK=1 $(PY) -m pytest -m browser tests/test_browser.py $(PYTEST_ARGS)

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
