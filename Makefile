# Interlocal. `make run` serves the seeded catalogue; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install run test lint system-deps pdf-deps messages clean bench map

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

run: install pdf-deps
	$(BIN)/interlocal migrate
	$(BIN)/interlocal seed
	$(BIN)/interlocal gazetteer --if-empty
	$(BIN)/interlocal serve

# Debian packages the tests drive: Chromium for the browser tests, PostgreSQL's server
# binaries (initdb, pg_ctl) for the PostgreSQL run of the suite, redis-server for the
# rate limits shared across app instances, Java for the Nu HTML Checker, and npm for
# Spectral (the OpenAPI document's security checks).
system-deps:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; }
	@command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
		|| { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq postgresql; }
	@command -v redis-server >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq redis-server; }
	@command -v java >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq default-jre-headless; }
	@command -v npm >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq npm; }

# Pango and a font for WeasyPrint, which typesets a practice's one-page PDF (without them
# the site still runs, and its PDF address says why it cannot make one).
pdf-deps:
	@{ ldconfig -p | grep -q libpangoft2-1.0 && [ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; } \
		|| { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core; }

# Spectral and the OWASP API ruleset, at the versions of their lock file (npm checks each
# package's integrity hash).
SPECTRAL := .cache/spectral
$(SPECTRAL)/.installed: tests/spectral/package.json tests/spectral/package-lock.json
	mkdir -p $(SPECTRAL)
	cp tests/spectral/package.json tests/spectral/package-lock.json $(SPECTRAL)/
	cd $(SPECTRAL) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

test: install system-deps pdf-deps $(SPECTRAL)/.installed
	$(BIN)/python tests/fetch_tools.py
	$(BIN)/python -m pytest -n 3 --dist loadfile --durations=25

# Extract translatable strings into app/locale/messages.pot and merge them into each
# language's catalogue; then translate the new or fuzzy entries (tests fail until you do).
LANGS := de es it nl hu
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k N_ --sort-by-file --no-wrap --project Interlocal \
		--copyright-holder "Interlocal developers" -o app/locale/messages.pot .
	@for lang in $(LANGS); do \
		if [ -f app/locale/$$lang/LC_MESSAGES/messages.po ]; then \
			$(BIN)/pybabel update --no-wrap -i app/locale/messages.pot -d app/locale -l $$lang; \
		else \
			$(BIN)/pybabel init --no-wrap -i app/locale/messages.pot -d app/locale -l $$lang; \
		fi; \
	done

# Rebuild app/places/maps/europe.json, the country outlines of the maps, from Natural Earth
# as the npm package world-atlas ships it (see app/places/maps/NATURAL-EARTH.md).
WORLD_ATLAS ?= 2.0.2
map: install
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT \
		&& (cd "$$tmp" && npm pack --silent world-atlas@$(WORLD_ATLAS) >/dev/null && tar -xzf world-atlas-$(WORLD_ATLAS).tgz) \
		&& $(BIN)/python -m app.places.maps.build "$$tmp/package/countries-50m.json"

lint: install
	$(BIN)/ruff check app tests migrations
	$(BIN)/ruff format --check app tests
	$(BIN)/mypy app
	$(BIN)/hadolint Dockerfile

# Load 50,000 synthetic practices and measure the API with wrk against Datasette serving the
# same practices, then 500,000 on PostgreSQL (BENCH_POSTGRES=0 skips it; see bench/README.md).
# Datasette gets its own venv, so the app's stays clean.
BENCH_VENV := .venv-bench

$(BENCH_VENV)/.installed:
	$(PYTHON) -m venv $(BENCH_VENV)
	echo "*" > $(BENCH_VENV)/.gitignore
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet 'datasette>=0.65,<1'
	touch $@

bench: install $(BENCH_VENV)/.installed
	@command -v wrk >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq wrk; }
	$(BIN)/python bench/run.py
	@[ "$${BENCH_POSTGRES:-1}" = 0 ] || command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
		|| { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq postgresql; }
	[ "$${BENCH_POSTGRES:-1}" = 0 ] || $(BIN)/python bench/postgres.py

clean:
	rm -rf $(VENV) $(BENCH_VENV) data .pytest_cache .mypy_cache .ruff_cache
