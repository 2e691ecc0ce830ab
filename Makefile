# Parley: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run migrate demo test test-fast lint typecheck check bench bench-report load clean-db

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

migrate: install
	$(BIN)/python manage.py migrate --no-input

demo: migrate
	$(BIN)/python manage.py load_demo --admin

run: demo
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py runserver $(HOST):$(PORT)

# Two processes when a PostgreSQL server is given (DATABASE_URL, as CI does): each gets its
# own test database; the files whose Celery workers share one Redis database stay in one
# process (tests/conftest.py). On the embedded PostgreSQL, one process.
test: install
	$(BIN)/python -m pytest $(if $(DATABASE_URL),-n 2 --dist loadgroup)

# Skips the tests marked slow: real Celery workers and Redis, the browser, schemathesis.
test-fast: install
	$(BIN)/python -m pytest -m "not slow"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MAKE) --no-print-directory typecheck

# The Django plugin imports the settings, which start the embedded PostgreSQL when
# DATABASE_URL is unset; any postgres:// URL stops that (a type check never connects).
typecheck: install
	DATABASE_URL=$${DATABASE_URL:-postgresql://typecheck@127.0.0.1/never-connected} $(BIN)/mypy

check: install
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

# Stops nothing: the embedded server stops with the last process using it.
clean-db:
	rm -rf .pgdata

# Benchmarks (not tests): see bench/ and README "Benchmarks". Every bench script present
# runs (a failing one is named and the others still run), then one table of every
# artifacts/bench-*.json, `make load`'s included: figure, value, floor, ratio, target.
BENCH_SCRIPTS := recompute positions writes pages api
bench: install
	@failed=""; for script in $(BENCH_SCRIPTS); do \
	  if [ -f bench/$$script.py ]; then \
	    echo "== bench/$$script.py"; \
	    $(BIN)/python bench/$$script.py || failed="$$failed $$script"; \
	  fi; \
	done; \
	$(BIN)/python bench/report.py; status=$$?; \
	if [ -n "$$failed" ]; then echo "bench scripts that failed:$$failed"; exit 1; fi; \
	exit $$status

bench-report:
	$(BIN)/python bench/report.py

load: install
	$(BIN)/python bench/load.py
	$(BIN)/python bench/report.py
