# `make run` and `make test` do all the set-up on a fresh machine with Python 3.11.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast lint format messages bench demo-large clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/engagement migrate
	$(BIN)/engagement demo
	$(BIN)/engagement serve --host 127.0.0.1 --port 8000

test: $(STAMP)
	$(BIN)/python -m pytest

# Everything but the browser tests.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not e2e"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Refresh the message catalog after changing UI text, then translate the new entries.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k DomainError -k NotFound -k Forbidden -k Conflict -k Invalid -k Unauthenticated -k AccountLocked -k CsrfFailed -k LoginRequired -o /tmp/engagement-messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i /tmp/engagement-messages.pot -d engagement/locale -l zh --no-fuzzy-matching --ignore-obsolete

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .mypy_cache .ruff_cache
