# The two commands of the README. Both create .venv on first use.
#   make run    set up and start the bot (terminal chat when no platform token is set)
#   make test   set up and run the test suite
PYTHON ?= python3
VENV := .venv
# The team's offline mirror of the public catalogue files, used when present
# and nothing else was configured; elsewhere the default catalogue is downloaded.
SHARED_DATA := $(wildcard ../shared/data)
ifeq ($(origin KPOP_SOURCES), undefined)
ifneq ($(SHARED_DATA),)
export KPOP_SOURCES := $(SHARED_DATA)
endif
endif

.PHONY: run test install install-dev bench

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip

# Each install leaves a stamp, so it runs again only when pyproject.toml changed (or the venv is new):
# an editable install picks up code changes by itself, and reinstalling costs seconds on every start.
$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

run: install
	$(VENV)/bin/kpop-bot run

test: install-dev
	$(VENV)/bin/python -m pytest

bench: install-dev
	$(VENV)/bin/python -m benchmarks
