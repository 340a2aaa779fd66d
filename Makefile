# ketnap: two commands. `make run` sets up and serves; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= instance/ketnap.sqlite
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
STAMP := $(VENV)/.installed

.PHONY: run test install demo lint typecheck bench clean

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,dev]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/ketnap init-db
	$(BIN)/ketnap demo --if-empty

run: demo
	$(BIN)/ketnap summary

test: $(STAMP) lint typecheck
	@set -o pipefail; \
	if $(BIN)/python -c "import socket,sys; s=socket.socket(); s.settimeout(2); sys.exit(s.connect_ex(('127.0.0.1',5432)))"; then \
	  echo "PostgreSQL answers at 127.0.0.1:5432: database tests run on SQLite AND PostgreSQL"; \
	  export TEST_DATABASE_URL="$${TEST_DATABASE_URL:-$(PG_URL)}"; \
	else \
	  echo "!!! WARNING: PostgreSQL does not answer at 127.0.0.1:5432: database tests run on SQLite ONLY (PostgreSQL runs are SKIPPED) !!!"; \
	fi; \
	$(BIN)/python -m pytest; status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; \
	exit $$status

lint: $(STAMP)
	$(BIN)/ruff check ketnap tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	@for f in bench/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) instance build *.egg-info .pytest_cache
