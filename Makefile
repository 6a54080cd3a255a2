# Two commands for people: `make run` (the portal with demo data) and `make test` (the whole suite).
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-requirements
NODE_STAMP := node_modules/.package-lock.json
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint messages diagram prod-check bench-pipeline bench-roster bench-dashboard

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	cp requirements.txt $(STAMP)

# axe-core for the browser tests' accessibility checks, from the npm registry at the version pinned in
# package-lock.json (test-only: never served to users). Without npm those checks are skipped (failed under
# REQUIRE_SERVICES=1); .ci/run installs it.
$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the accessibility checks (axe-core) will be skipped"; fi

# Serves the portal on http://127.0.0.1:8000 with the demo logins (see README).
run: $(STAMP)
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py load_demo
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py run_portal $(HOST):$(PORT)

# ruff first, then pytest. With DATABASE_URL / CELERY_BROKER_URL set, tests use PostgreSQL / Redis.
test: $(STAMP) $(NODE_STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/pytest

# The production rehearsal: docker-compose.yml's services as processes here (nginx, PgBouncer, PostgreSQL, Redis,
# moto's S3, 2 gunicorn, worker, beat, simulators), one application and a roster through HTTPS. Also in `make test`.
prod-check: $(STAMP)
	$(BIN)/python -m deploy.rehearsal

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Refresh the message files after changing user-facing strings (needs GNU gettext).
messages: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py makemessages -l zh_Hans -l en --no-location --ignore '.venv/*' --ignore 'node_modules/*' --ignore 'tests/*' --ignore 'bench/*'
	DEBUG=1 $(BIN)/python manage.py compilemessages --ignore '.venv/*'

diagram: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py print_workflow

# Benchmarks print figures; they assert nothing about time. They need PostgreSQL and Redis.
bench-pipeline: $(STAMP)
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/sbcard} CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0} $(BIN)/python bench/pipeline.py

# A 10,000-row roster through the dry run and the submission, against PostgreSQL COPY; 100,000 rows for memory.
bench-roster: $(STAMP)
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/sbcard} CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0} $(BIN)/python bench/roster.py

# The dashboards on a 3-million-person city: seeds its own database sbcard_city (or reuses it at the same size;
# BENCH_RESEED=1 seeds again, BENCH_PEOPLE sets the size), then times each page against GROUP BY status.
bench-dashboard: $(STAMP)
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/sbcard} CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0} $(BIN)/python bench/dashboard.py
