# make run    quick start: SQLite in var/, background jobs in-process, demo data, http://127.0.0.1:8000
# make test   everything CI runs: format, lint, migrations, checks, the whole pytest suite
# make serve  production shape: gunicorn + Celery worker + Celery beat on PostgreSQL and Redis
# make bench  a million tickets in their own database, served as in production and measured: BENCHMARKS.md

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py

TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/helpdesk
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
# Three on two cores: the browser journeys, the live servers and the database leave a core idle much of the time.
PYTEST_WORKERS ?= 3

.PHONY: run test lint fmt serve assets venv tools translations messages clean bench

$(VENV)/.installed-runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-tools: requirements-tools.txt $(VENV)/.installed-runtime
	$(PIP) install --quiet -r requirements-tools.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-tools.txt requirements-dev.txt $(VENV)/.installed-runtime
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/vendor/.built: node_modules/.installed scripts/build-vendor.mjs
	npm run --silent build
	touch $@

venv: $(VENV)/.installed-runtime
tools: $(VENV)/.installed-tools
assets: static/vendor/.built

# Compiled catalogues are build output: made from locale/*/django.po, never committed.
translations: $(VENV)/.installed-tools
	@$(PY) scripts/compile_messages.py

run: venv tools assets translations
	@mkdir -p var/static
	$(MANAGE) migrate --noinput
	$(MANAGE) demo_load
	@echo
	@echo "  The help desk is at http://127.0.0.1:8000"
	@$(MANAGE) demo_load --print-logins
	@echo
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/honcho start -f Procfile.dev

# The last line runs tests/quickstart again on SQLite (in memory): the quick start's search paths.
test: $(VENV)/.installed-dev assets translations
	./scripts/services.sh
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy .
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(MANAGE) makemigrations --check --dry-run
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(MANAGE) check
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(VENV)/bin/pytest -n $(PYTEST_WORKERS) --create-db $(PYTEST_ARGS)
	HELPDESK_QUICKSTART_TESTS=1 DATABASE_URL=sqlite:///:memory: REDIS_URL=$(TEST_REDIS_URL) $(VENV)/bin/pytest -n 0 -q tests/quickstart

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

fmt: $(VENV)/.installed-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

serve: venv tools assets translations
	@test -n "$$SECRET_KEY" || { echo "make serve runs with DEBUG off: set SECRET_KEY (and see README.md, 'Production')." >&2; \
	  echo "For a try on this machine: SECRET_KEY=\$$(openssl rand -hex 32) HTTPS=false make serve" >&2; exit 1; }
	@if [ -z "$$DATABASE_URL" ]; then createdb -h 127.0.0.1 -U postgres helpdesk 2>/dev/null || true; fi
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" DEBUG=$${DEBUG:-false} \
	  DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/helpdesk} \
	  REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} \
	  bash -c '$(MANAGE) collectstatic --noinput -v0 && $(MANAGE) migrate --noinput && exec honcho start -f Procfile'

# Needs GNU gettext (xgettext). Updates the catalogues after strings changed in code or templates.
messages: $(VENV)/.installed-dev
	for lang in sv es nb nl pl; do $(MANAGE) makemessages -l $$lang --no-obsolete --ignore=.venv \
	  --ignore=node_modules --ignore=var --ignore=tests --ignore=static/vendor; done
	$(PY) scripts/compile_messages.py

# A fresh bench database (helpdesk_bench, never the one you work in) of 1,000,000 tickets, then the
# measurement; about half an hour on two cores. Other options: BENCH_ARGS="--tickets 200000 --fresh",
# BENCH_ARGS=--skip-load to measure the data already loaded again; `manage.py bench --help`.
BENCH_ARGS ?= --fresh
bench: $(VENV)/.installed-dev assets
	./scripts/services.sh
	$(MANAGE) bench $(BENCH_ARGS)

clean:
	rm -rf var/static static/vendor node_modules/.installed
