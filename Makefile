# The two commands: `make run` and `make test`. Everything installs into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=
# `make test` in this many processes (pytest-xdist; a file's tests stay together, so a module's
# workers and servers start once). TEST_PROCESSES=0 runs it in one.
TEST_PROCESSES ?= 2

.PHONY: run test test-calendar e2e bench lint stop services clean-data install

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

## Serve the platform on http://localhost:$${PORT:-8000} with a Celery worker and beat.
run: $(STAMP)
	$(BIN)/python -m devstack run

## The whole suite against real PostgreSQL and Redis (embedded unless DATABASE_URL/REDIS_URL).
test: $(STAMP)
	$(BIN)/python -m devstack exec -- $(BIN)/python -m pytest -m "not e2e" \
		-n $(TEST_PROCESSES) --dist loadfile $(PYTEST_ARGS)

## The suite on the first day of a school year, at the turn of the calendar year and on its
## last school day: no test may depend on today's date.
test-calendar: $(STAMP)
	for day in 2026-09-01 2026-12-31 2027-05-31; do \
		echo "== CMN_TODAY=$$day"; CMN_TODAY=$$day $(MAKE) test || exit 1; \
	done

## Browser tests in headless Debian chromium, and the generated documents as PDF (LibreOffice).
e2e: $(STAMP)
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)
	@command -v soffice >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq --no-install-recommends libreoffice-writer-nogui fonts-dejavu-core >/dev/null)
	$(BIN)/python -m devstack exec -- $(BIN)/python -m pytest -m e2e tests/e2e tests/documents/test_pdf.py tests/routes/test_document.py tests/monitoring/test_document.py $(PYTEST_ARGS)

## Benchmarks: absolute figures and ratios against the naive way; writes .bench/results.json.
bench: $(STAMP)
	$(BIN)/python -m devstack exec -- $(BIN)/python -m tests.benchmarks

## Ruff and mypy (settings are only parsed for mypy: the URLs below start nothing).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DATABASE_URL=postgres://lint@localhost/lint REDIS_URL=redis://localhost:1/0 \
		$(BIN)/mypy platform tenants regional_dashboard tasks

## Stop embedded PostgreSQL/Redis left running by a bare `pytest` or `manage.py`.
stop: $(STAMP)
	$(BIN)/python -m devstack stop

clean-data: stop
	rm -rf .data
