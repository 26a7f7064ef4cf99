# Santrade Service: `make run` serves the API with demo data, `make test` runs the suite
# (`make test-fast` leaves out the tests marked slow).
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export FLASK_APP := wsgi

.PHONY: run test test-fast screenshots lint messages venv venv-dev migrate seed bench clean

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

# The staff console's browser tests need Chromium (Debian's package); without it they are skipped.
CHROMIUM_NOTE = command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || [ -n "$$CHROMIUM_PATH" ] || \
	echo "NOTE: Chromium not found: the staff console's browser tests (tests/browser) will be SKIPPED; apt-get install chromium to run them"

# The suite runs in PYTEST_WORKERS processes (pytest-xdist; `auto`: one per core, 0: in this
# process), whole files to a worker, each worker on a database of its own.
PYTEST_WORKERS ?= auto
XDIST = -n $(PYTEST_WORKERS) --dist loadfile

test: venv-dev
	@$(CHROMIUM_NOTE)
	$(BIN)/python -m pytest $(XDIST) $(PYTEST_ARGS)
	@$(CHROMIUM_NOTE)

test-fast: venv-dev
	@$(CHROMIUM_NOTE)
	$(BIN)/python -m pytest $(XDIST) -m "not slow" $(PYTEST_ARGS)

# The README's console screenshots (docs/console/*.png), taken by the browser tests.
screenshots: venv-dev
	CONSOLE_SCREENSHOTS=docs/console $(BIN)/python -m pytest tests/browser -p no:cacheprovider $(PYTEST_ARGS)

lint: venv-dev
	$(BIN)/ruff check .
	$(BIN)/bandit -q -c pyproject.toml -r service_app offices service_requests notifications console
	./scripts/audit-deps

# The texts' catalogues (README, "Texts and translations"): the console's and the notifications'
# texts are extracted from their code and templates into <domain>.pot, then every domain's
# .pot (the errors' one is kept by hand) is merged into each language's .po: new texts
# arrive untranslated (or fuzzy, with a near text's translation), gone ones leave.
TRANSLATIONS := service_app/translations
EXTRACT = $(BIN)/pybabel -q extract -F babel.cfg --no-wrap --sort-by-file -c Translators: \
	--project "Santrade Service" --version 1 --copyright-holder Santrade --msgid-bugs-address ""
messages: venv-dev
	$(EXTRACT) -o $(TRANSLATIONS)/console.pot console
	$(EXTRACT) -o $(TRANSLATIONS)/notifications.pot notifications
	$(EXTRACT) -o $(TRANSLATIONS)/requests.pot service_requests
	$(EXTRACT) -o $(TRANSLATIONS)/accounts.pot service_app/auth
	for domain in errors console notifications requests accounts; do \
		$(BIN)/pybabel -q update --no-wrap --ignore-obsolete --init-missing -l ru -i $(TRANSLATIONS)/$$domain.pot -d $(TRANSLATIONS) -D $$domain || exit 1; \
		$(BIN)/pybabel -q update --no-wrap --ignore-obsolete --init-missing -l kk -i $(TRANSLATIONS)/$$domain.pot -d $(TRANSLATIONS) -D $$domain || exit 1; \
	done

bench: venv-dev
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) instance .pytest_cache
