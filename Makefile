# The two commands: `make run` and `make test`. Everything else here serves them.
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2

.PHONY: run test lint lock clean messages

DEMO_LOANS ?= 3000

run:
	scripts/bootstrap.sh app
	$(BIN)/arrears manage migrate --no-input -v 0
	$(BIN)/arrears demo --loans $(DEMO_LOANS)
	$(BIN)/arrears run-daily
	$(BIN)/arrears kpi-reconstruct --months 6
	$(BIN)/arrears dispatch --once
# The worker (the day's schedule: feed, nightly run, dispatch, print batch) beside the server, stopped with it.
	$(BIN)/arrears worker & worker=$$!; trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(BIN)/arrears serve --host $(HOST) --port $(PORT) --workers $(WORKERS) --no-migrate

# TEST_CLOCK: a command the test run is wrapped in (CI: faketime, after the set-up that downloads).
# TEST_PROCESSES: how many pytest-xdist processes share the tests (default: one per core; 0 runs them in one).
TEST_PROCESSES ?= auto
test:
	scripts/bootstrap.sh dev
	$(TEST_CLOCK) $(BIN)/pytest -n $(TEST_PROCESSES) $(PYTEST_ARGS)

lint:
	scripts/bootstrap.sh dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

# Re-pin after changing dependencies in pyproject.toml (needs uv: pip install uv).
lock:
	uv pip compile pyproject.toml requirements/build.in --python-version 3.11 --generate-hashes -q -o requirements/app.lock
	uv pip compile pyproject.toml requirements/build.in --extra dev --python-version 3.11 --generate-hashes -q -o requirements/dev.lock
	uv pip compile pyproject.toml requirements/build.in --extra spark --python-version 3.11 --generate-hashes -q -o requirements/spark.lock
	# WeasyPrint asks for fonttools[woff]: pinned with its extra, or the pip of Python 3.11's venv (23.2) reaches
	# for the newest fonttools on the index and refuses it as unpinned under --require-hashes.
	sed -i 's/^fonttools==/fonttools[woff]==/' requirements/app.lock requirements/dev.lock requirements/spark.lock

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis

# Re-extract and compile the zh-Hans messages after changing user-facing text (needs gettext).
messages:
	cd src/arrears && ARREARS_VAR=$(CURDIR)/var ../../$(BIN)/arrears manage makemessages -l zh_Hans --no-obsolete --ignore "migrations/*"
	cd src/arrears && ARREARS_VAR=$(CURDIR)/var ../../$(BIN)/arrears manage compilemessages -l zh_Hans
