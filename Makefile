# Every target installs what it needs itself (into .venv) — nothing relies on a hand-made install.
PYTHON     ?= python3
VENV       := .venv
PY         := $(VENV)/bin/python
STAMP      := $(VENV)/.installed
ASSIGNMENTS := a1_convolution a2_equivariance a3_pooling a4_backprop a6_frameworks
ASSIGNMENT ?= $(ASSIGNMENTS)
SUBMITTED  ?= submitted
WORKERS    ?= 2
export PIP_DISABLE_PIP_VERSION_CHECK=1
export PYTHONDONTWRITEBYTECODE=1
export MPLBACKEND=Agg

.PHONY: help venv notebooks release demo test lint autograde feedback gradescope bench clean

help:
	@echo "make demo | test | release | autograde [ASSIGNMENT=a1_convolution] | feedback | gradescope | bench | clean"

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -e '.[dev]' 2>&1 | grep -v "is ignored: it is neither" || true
	$(PY) -c "import numpy, scipy, pytest, nbgrader, nbformat, tqdm, matplotlib"
	touch $(STAMP)

venv: $(STAMP)

# Source notebooks are generated from authoring/<id>.py + solutions/ (one truth for every function body).
notebooks: $(STAMP)
	$(PY) -m autograder.authoring build

release: notebooks
	$(PY) -m autograder.release

demo: release
	$(PY) -m autograder.demo

test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m autograder.authoring check
	$(PY) -m pytest -q -n 2 --dist loadgroup tests

lint: $(STAMP)
	$(PY) -m ruff check .

autograde: release
	@for a in $(ASSIGNMENT); do \
	  if ls -d $(SUBMITTED)/*/$$a >/dev/null 2>&1; then \
	    $(PY) -m autograder grade $$a --submitted $(SUBMITTED) --out autograded --workers $(WORKERS) || exit 1; \
	  fi; \
	done
	$(PY) -m autograder record --graded autograded

feedback: $(STAMP)
	$(PY) -m autograder feedback --graded autograded --out feedback

gradescope: release
	$(PY) -m autograder gradescope --out dist/gradescope

bench: release
	$(PY) -m benchmarks

clean:
	rm -rf autograded feedback dist .work gradebook.* $(VENV)
