# Entry points: make run · make test · make lint · make bench · make messages
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test lint bench messages wheel clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Runtime install (what `make run` needs).
$(VENV)/.run-deps: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	@touch $@

# Test install: the package with its test extras, and the npm tools (axe-core, lighthouse).
$(VENV)/.test-deps: pyproject.toml package.json package-lock.json | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	# npm ci installs exactly the lock; lighthouse pins a dependency to 'latest', so when a
	# newer release makes the lock stale, fall back to a normal install.
	npm ci --no-audit --no-fund --loglevel=error || npm install --no-audit --no-fund --loglevel=error
	@touch $@

run: $(VENV)/.run-deps
	PORT=$(PORT) $(BIN)/pauseai-widget serve

test: $(VENV)/.test-deps
	$(BIN)/python -m pytest

lint: $(VENV)/.test-deps
	$(BIN)/ruff check widget tests
	$(BIN)/mypy

bench: $(VENV)/.test-deps
	$(BIN)/python -m tests.bench.run

# Extract UI strings, update every catalog, compile .mo files (committed, shipped in the wheel).
messages: $(VENV)/.test-deps
	$(BIN)/pybabel extract -F babel.cfg -k _ -k gettext -k ngettext:1,2 --no-location \
		--sort-output --project pauseai-widget -o widget/locales/messages.pot .
	$(BIN)/pybabel update -i widget/locales/messages.pot -d widget/locales --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile -d widget/locales --statistics

wheel: $(VENV)/.test-deps
	$(BIN)/python -m build --wheel --outdir dist .

clean:
	rm -rf $(VENV) dist build node_modules .pytest_cache .mypy_cache .ruff_cache
