# Interlocal. `make run` serves the seeded catalogue; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install run test lint system-deps messages clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

run: install
	$(BIN)/interlocal migrate
	$(BIN)/interlocal seed
	$(BIN)/interlocal serve

# Debian packages the tests drive: Chromium for the browser tests, PostgreSQL's server
# binaries (initdb, pg_ctl) for the PostgreSQL run of the suite.
system-deps:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; }
	@command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
		|| { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq postgresql; }

test: install system-deps
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check app tests migrations
	$(BIN)/ruff format --check app tests
	$(BIN)/mypy app
	$(BIN)/hadolint Dockerfile

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
