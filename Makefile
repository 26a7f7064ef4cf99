# Santrade Service: `make run` serves the API with demo data, `make test` runs the suite
# (`make test-fast` leaves out the tests marked slow).
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export FLASK_APP := wsgi

.PHONY: run test test-fast lint venv venv-dev migrate seed bench clean

# Two install stamps: running (run, migrate, seed) installs requirements.txt only;
# the tools (test, lint, bench) install requirements-dev.txt, which includes it.
RUNTIME := $(VENV)/.installed-runtime
DEV := $(VENV)/.installed-dev

venv: $(RUNTIME)

venv-dev: $(DEV)

$(BIN)/python:
	"$$(./scripts/find-python)" -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUNTIME): requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(DEV): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@ $(RUNTIME)

migrate: venv
	$(BIN)/flask db upgrade

seed: migrate
	$(BIN)/flask seed-demo

run: seed
	PORT=$(PORT) ./scripts/run-local

test: venv-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: venv-dev
	$(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

lint: venv-dev
	$(BIN)/ruff check .
	$(BIN)/bandit -q -c pyproject.toml -r service_app offices service_requests notifications
	./scripts/audit-deps

bench: venv-dev
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) instance .pytest_cache
