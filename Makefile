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
PYTEST_ARGS ?=
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

# Targets depend on files: what did not change is not rebuilt, and each step says what it does.
# Source notebooks are generated from authoring/<id>.py + solutions/ (one truth for every function body);
# `course notebooks build` rewrites only the notebooks whose text changed.
NOTEBOOK_INPUTS := $(wildcard authoring/*.py solutions/*.py) course/authoring.py
RELEASE_INPUTS  := $(wildcard assignments/*/*.ipynb) nbgrader_config.py
NOTEBOOKS_DONE  := .work/notebooks.done
RELEASED        := .work/release.done

$(NOTEBOOKS_DONE): $(STAMP) $(NOTEBOOK_INPUTS)
	@echo "notebooks: authoring/ or solutions/ newer than the last build: rebuilding what changed in assignments/"
	$(PY) -m course notebooks build
	@mkdir -p .work && touch $@

# Only the assignments whose source notebook (or nbgrader_config.py) changed since their release
# (assignments/.released-from.json records what each release was made from).
$(RELEASED): $(NOTEBOOKS_DONE) $(RELEASE_INPUTS)
	@echo "release: checking release/ against assignments/"
	$(PY) -m course release --changed
	@touch $@

notebooks: $(NOTEBOOKS_DONE)

release: $(NOTEBOOKS_DONE)
	$(PY) -m course release
	@touch $(RELEASED)

# The example class (a small one; `python -m course demo --full` grades every example student).
demo: $(RELEASED)
	$(PY) -m course demo

test: $(STAMP) test-tools
	$(PY) -m ruff check .
	$(PY) -m course notebooks check
	$(PY) -m pytest -q -n 2 --dist loadgroup $(PYTEST_ARGS) tests

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

# Grades what changed (a recorded result stands while its notebook and the hidden suite are unchanged), then records
# the scores in nbgrader's gradebook and writes the autograded notebooks formgrader opens.
autograde: $(RELEASED)
	@todo=$$($(PY) -m course submissions --submitted $(SUBMITTED) $(if $(filter command line,$(origin ASSIGNMENT)),\
	  --explicit) $(ASSIGNMENT)) || exit 2; \
	if [ -e gradebook.db ] && [ .work/in-gradebook -nt $(RELEASED) ] && [ "$$(cat .work/in-gradebook)" = "$$todo" ]; \
	then echo "autograde: nbgrader's gradebook has $$(echo $$todo)"; \
	else $(PY) -m course release --changed --gradebook $$todo && echo "$$todo" > .work/in-gradebook || exit 1; fi; \
	for a in $$todo; do \
	  if [ -z "$(STUDENT)" ] && [ -e $(GRADED)/.graded-$$a ] && [ -z "$$(find $(SUBMITTED)/*/$$a autograder \
	      solutions -newer $(GRADED)/.graded-$$a -print -quit)" ]; then \
	    echo "autograde: $$a: no submission, hidden suite or reference changed since it was graded"; continue; \
	  fi; \
	  echo "autograde: grading $$a (only new or changed notebooks)"; \
	  $(PY) -m autograder grade $$a --submitted $(SUBMITTED) --out $(GRADED) --workers $(WORKERS) \
	    $(foreach s,$(STUDENT),--student $(s)) && touch $(GRADED)/.graded-$$a || exit 1; \
	done
	@if [ -e $(GRADED)/.recorded ] && [ ! extensions.csv -nt $(GRADED)/.recorded ] && \
	    [ -e gradebook.db ] && [ ! gradebook.db -nt $(GRADED)/.recorded ] && \
	    [ -z "$$(find $(GRADED) -name results.json -newer $(GRADED)/.recorded | head -1)" ]; then \
	  echo "autograde: no result changed since the last record: nbgrader's gradebook is up to date"; \
	else \
	  echo "autograde: recording the scores in nbgrader's gradebook, writing the notebooks formgrader opens"; \
	  $(PY) -m course record --graded $(GRADED) --submitted $(SUBMITTED) && touch $(GRADED)/.recorded; \
	fi

# One page per student in feedback/<student>/<assignment>/: automatic parts, written answers, late penalty, total.
feedback: $(STAMP)
	@echo "feedback: pages from $(GRADED)/ and nbgrader's gradebook (the written answers' scores and comments)"
	$(PY) -m course feedback --graded $(GRADED) --out feedback --submitted $(SUBMITTED)

# The class report of a graded batch: GRADED/class_report_<id>.html (similarity read from SUBMITTED when it exists).
report: $(STAMP)
	$(PY) -m course report --graded $(GRADED) --submitted $(SUBMITTED)

# One zip per assignment; a zip is rewritten only when what it carries changed.
gradescope: $(RELEASED)
	@echo "gradescope: zips in dist/gradescope/"
	$(PY) -m course gradescope --out dist/gradescope

bench: $(RELEASED)
	$(PY) -m benchmarks

clean:
	rm -rf autograded feedback dist .work gradebook.* $(VENV)

# Feedback before the due date: grade each submission as it arrives in nbgrader's exchange (c.Exchange.root) and
# publish its page for `nbgrader fetch_feedback`; settings c.Watch.* in nbgrader_config.py. Runs until stopped.
.PHONY: watch
SCHEDULER ?=
watch: $(STAMP)
	$(PY) -m course watch $(if $(SCHEDULER),--scheduler $(SCHEDULER))
