# Tresen: `make run` starts a demo helpdesk on http://127.0.0.1:8000, `make test` runs the suite.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
TRESEN := $(BIN)/tresen

.PHONY: run test install system-deps messages lint typecheck migrations-check check bench screenshots clean

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || "$$(scripts/find-python)" -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

system-deps:
	@scripts/system-deps

messages: install
	@$(TRESEN) compilemessages --ignore=.venv --ignore=var -v0

run: install messages
	@$(TRESEN) migrate --noinput -v0
	@$(TRESEN) collectstatic --noinput -v0
	@$(TRESEN) demo
	@$(TRESEN) serve

test: install system-deps messages
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy tresen

migrations-check: install
	$(TRESEN) makemigrations --check --dry-run

check: lint typecheck migrations-check

bench: install messages
	$(BIN)/python -m bench

screenshots: install system-deps messages
	$(BIN)/python -m bench.screenshots

clean:
	rm -rf $(VENV) var
