# Every target installs what it needs itself (into .venv) — nothing relies on a hand-made install.
PYTHON     ?= python3
VENV       := .venv
PY         := $(VENV)/bin/python
STAMP      := $(VENV)/.installed
ASSIGNMENT ?= $(shell $(PY) -m autograder list --ready 2>/dev/null)
SUBMITTED  ?= submitted
WORKERS    ?= 2
STUDENT    ?=
GRADED     ?= autograded
export PIP_DISABLE_PIP_VERSION_CHECK=1
export PYTHONDONTWRITEBYTECODE=1
export MPLBACKEND=Agg

.PHONY: help venv test-tools notebooks release demo test lint autograde feedback report gradescope bench clean

help:
	@echo "make demo | test | release | autograde [ASSIGNMENT=<id>] [STUDENT='a b'] [GRADED=<dir>] | feedback | report | gradescope | bench | clean"
	@echo "assignments: $(ASSIGNMENT)"

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -e '.[dev]' 2>&1 | grep -v "is ignored: it is neither" || true
	$(PY) -c "import numpy, scipy, pytest, nbgrader, nbformat, tqdm, matplotlib"
	touch $(STAMP)

venv: $(STAMP)

# Source notebooks are generated from authoring/<id>.py + solutions/ (one truth for every function body).
notebooks: $(STAMP)
	$(PY) -m course notebooks build

release: notebooks
	$(PY) -m course release

demo: release
	$(PY) -m course demo

test: $(STAMP) test-tools
	$(PY) -m ruff check .
	$(PY) -m course notebooks check
	$(PY) -m pytest -q -n 2 --dist loadgroup tests

# Debian's chromium for the browser tests (notebooks in JupyterLab, the class report) and bubblewrap for the sandbox of
# an unprivileged grader (tests/test_unprivileged.py then covers bwrap and unshare), installed once before pytest
# starts when missing and we are root (CI), waiting up to 10 minutes for another apt-get's dpkg lock (the lists' lock
# has no such wait: while another apt-get updates them, the lists there are serve); elsewhere the tests say what to
# install or use what there is.
test-tools:
	@command -v chromium >/dev/null && command -v bwrap >/dev/null || [ "$$(id -u)" != 0 ] || \
	  ((apt-get -o DPkg::Lock::Timeout=600 update -q || echo 'apt-get update failed: installing from the lists there are' >&2) \
	   && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q chromium bubblewrap) >/dev/null

lint: $(STAMP)
	$(PY) -m ruff check .

autograde: release
	@for a in $(ASSIGNMENT); do \
	  if ls -d $(SUBMITTED)/*/$$a >/dev/null 2>&1; then \
	    $(PY) -m autograder grade $$a --submitted $(SUBMITTED) --out $(GRADED) --workers $(WORKERS) \
	      $(foreach s,$(STUDENT),--student $(s)) || exit 1; \
	  fi; \
	done
	$(PY) -m course record --graded $(GRADED)

feedback: $(STAMP)
	$(PY) -m course feedback --graded $(GRADED) --out feedback

# The class report of a graded batch: GRADED/class_report_<id>.html (similarity read from SUBMITTED when it exists).
report: $(STAMP)
	$(PY) -m course report --graded $(GRADED) --submitted $(SUBMITTED)

gradescope: release
	$(PY) -m course gradescope --out dist/gradescope

bench: release
	$(PY) -m benchmarks

clean:
	rm -rf autograded feedback dist .work gradebook.* $(VENV)
