# ketnap: two commands. `make run` sets up and serves; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= instance/ketnap.sqlite
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
# Debian packages the project needs: Graphviz draws the workflow diagram; Chromium runs the browser tests.
APT_GET := $(if $(filter 0,$(shell id -u)),,sudo )apt-get

.PHONY: run test install demo lint typecheck bench clean graphviz chromium translations

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,dev]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/ketnap init-db
	$(BIN)/ketnap demo --if-empty

graphviz:
	@command -v dot >/dev/null 2>&1 || { echo "Installing Debian's graphviz (workflow diagram)"; \
	  $(APT_GET) update -qq && DEBIAN_FRONTEND=noninteractive $(APT_GET) install -y -qq --no-install-recommends graphviz fonts-dejavu-core; }

chromium:
	@test -x /usr/bin/chromium || { echo "Installing Debian's chromium (browser tests)"; \
	  $(APT_GET) update -qq && DEBIAN_FRONTEND=noninteractive $(APT_GET) install -y -qq --no-install-recommends chromium fonts-dejavu-core; }

run: demo graphviz
	$(BIN)/ketnap summary
	$(BIN)/ketnap web-help --url http://$(HOST):$(PORT)/
	$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers $(WORKERS) --access-logfile - "ketnap.webui:create_app()"

test: $(STAMP) graphviz chromium lint typecheck
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

# Refresh the Vietnamese catalog after changing user-facing text: extract, merge, then translate the
# new entries in ketnap/webui/translations/vi/LC_MESSAGES/messages.po and run this again to compile.
translations: $(STAMP)
	mkdir -p build
	$(BIN)/pybabel -q extract -F babel.cfg -k _l --no-location --sort-output --omit-header -o build/messages.pot .
	$(BIN)/pybabel -q update --no-fuzzy-matching --ignore-obsolete -i build/messages.pot -d ketnap/webui/translations -l vi
	$(BIN)/pybabel -q compile -d ketnap/webui/translations -l vi

# Every benchmark, one after the other; writes bench/RESULTS.md (machine, date, verdicts, outputs).
# The PostgreSQL halves run when the server answers. Never part of `make test`.
bench: $(STAMP)
	@if $(BIN)/python -c "import socket,sys; s=socket.socket(); s.settimeout(2); sys.exit(s.connect_ex(('127.0.0.1',5432)))"; then \
	  export TEST_DATABASE_URL="$${TEST_DATABASE_URL:-$(PG_URL)}"; \
	else \
	  echo "!!! PostgreSQL does not answer at 127.0.0.1:5432: the benchmarks measure SQLite only !!!"; \
	fi; \
	$(BIN)/python bench/run_all.py $(BENCH)

clean:
	rm -rf $(VENV) instance build *.egg-info .pytest_cache
