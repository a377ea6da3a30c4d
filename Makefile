# Two commands: `make run` and `make test`. Everything else is a helper of theirs.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint check-system check-test-system install install-test translations assets identifying messages db demo bench bench-smoke clean

run: check-system install translations assets identifying db demo
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl+C to stop)"
	$(FLASK) run --host $(HOST) --port $(PORT)

# The whole suite on SQLite, then again on PostgreSQL (those tests skip, saying why, when no
# server answers at FEEDBACK_TEST_POSTGRES_URL). Browser tests run in the first pass only.
# Tests run in TEST_WORKERS processes (pytest-xdist; "0" runs them in this process). Four even
# on two cores: many tests spend their time waiting on a spawned process or a server, and
# work stealing keeps the slow PDF and job tests from ending up last on one worker.
TEST_WORKERS ?= 4
PYTEST := $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal
test: check-system check-test-system install-test translations assets identifying lint bench-smoke
	$(PYTEST)
	FEEDBACK_TEST_DB=postgresql $(PYTEST) -m "not browser" -q

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# System libraries WeasyPrint and the tests need; say exactly what to install. Only what is
# needed stops make (Pango; poppler-utils and Chromium for the tests); a missing optimisation
# (libharfbuzz-subset0: slower PDFs) is a warning and make carries on.
check-system:
	@$(PYTHON) scripts/check_system.py run

check-test-system:
	@$(PYTHON) scripts/check_system.py test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# deduce (the comment warning's Dutch checker, feedback/identifying/) is an extra: when it
# does not install, make says so and carries on (the names and patterns still work).
$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/python -m pip install --quiet -e '.[deduce]' || \
	  echo "warning: deduce did not install: comments are checked with names and patterns only"
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

translations: install
	@$(BIN)/pybabel compile -d feedback/translations >/dev/null

# Static files under content-hashed names, with gzip and brotli copies (feedback/assets.py).
assets: install
	@$(FLASK) assets

# deduce's lookup structures, built once (about 90 s the first time) so that no rater waits
# for them; without deduce, or when it fails, a warning and make carries on.
identifying: install
	@$(BIN)/python -m feedback.identifying.build

# After adding or changing a message: gather every message (babel.cfg), bring both
# catalogues up to date, fill the English one from the source text. Then write the Dutch
# translations of the new entries (tests/test_translations.py fails until they are there).
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_ --no-location --sort-output --omit-header \
	  -o $(VENV)/messages.pot . >/dev/null
	$(BIN)/pybabel update -i $(VENV)/messages.pot -d feedback/translations --no-fuzzy-matching \
	  --ignore-obsolete --width 88 >/dev/null
	$(BIN)/python scripts/english_catalogue.py

db: install
	$(FLASK) db upgrade

demo: install
	$(FLASK) demo --if-empty

# Every benchmark (bench/_rows.py says what one is), then one table: each figure, its baseline
# measured in the same run, the ratio and the target. Under ten minutes.
bench: install-test translations assets
	$(BIN)/python bench/run_all.py

# Each benchmark for a few seconds: that it runs and gives its rows, not its numbers. Part
# of `make test`, so a benchmark that breaks fails CI.
bench-smoke: install-test translations assets
	$(BIN)/python bench/run_all.py --smoke

clean:
	rm -rf $(VENV) instance/*.db .pytest_cache .ruff_cache
