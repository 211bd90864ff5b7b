# The course's commands. The first two are all a learner needs:
#   make lab    set up (once), then JupyterLab on the first notebook
#   make test   set up (once), then every test, nbval over every notebook included
# Set-up is reused: the venv is rebuilt only when requirements.txt or pyproject.toml change.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.course-installed
PYTEST_ARGS ?=

# JupyterLab refuses to run as root without --allow-root: add it only when we are root.
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)

.PHONY: help setup data lab test execute navigation exercises bench clean-venv

help:
	@echo "make lab        set up, then open JupyterLab on notebooks/00_start_here.ipynb"
	@echo "make test       set up, then run every test (pytest + nbval on every notebook, quick mode)"
	@echo "make data       fetch the full Fashion-MNIST (system package, else torchvision's download)"
	@echo "make execute    re-run every notebook on the full data and store the outputs"
	@echo "make navigation regenerate the prev | contents | next cells and the README contents"
	@echo "make exercises  regenerate notebooks/exercises/ from the teaching notebooks"
	@echo "make bench      measure speed and accuracy, write benchmarks/RESULTS.md"

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python 3.10 or newer is needed, found " + sys.version.split()[0] + ": set PYTHON=/path/to/python3.x")'
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -r requirements.txt
	@touch $(STAMP)

setup: $(STAMP)
	$(PY) -m course_utils.data

data: $(STAMP)
	$(PY) -m course_utils.data --download

lab: setup
	$(VENV)/bin/jupyter lab $(ROOT_FLAG) notebooks/00_start_here.ipynb

test: setup
	COURSE_QUICK=1 $(PY) -m pytest $(PYTEST_ARGS)

execute: setup
	$(PY) scripts/execute_notebooks.py

navigation: $(STAMP)
	$(PY) scripts/navigation.py

exercises: $(STAMP)
	$(PY) -m course_utils.exercises

bench: setup
	$(PY) benchmarks/bench.py

clean-venv:
	rm -rf $(VENV)
