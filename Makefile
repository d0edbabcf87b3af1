# The two commands of the quick start: `make run` and `make test`. Both create what they need and can be re-run.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app webapp
# Re-install only when the declared or pinned dependencies change.
INSTALLED := $(VENV)/.installed
INSTALLED_TEST := $(VENV)/.installed-test
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test bench lint check-catalogue translations clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(INSTALLED): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e .
	touch $@

$(INSTALLED_TEST): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $(INSTALLED) $@

run: $(INSTALLED)
	$(FLASK) db upgrade
	$(FLASK) catalogue import programmes/catalogue
	$(FLASK) run --host $(HOST) --port $(PORT)

test: $(INSTALLED_TEST)
	$(BIN)/pytest

bench: $(INSTALLED_TEST)
	$(BIN)/python -m bench.matching

lint: $(INSTALLED_TEST)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check-catalogue: $(INSTALLED)
	$(FLASK) catalogue check

translations: $(INSTALLED)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -o webapp/translations/messages.pot .
	$(BIN)/pybabel update -i webapp/translations/messages.pot -d webapp/translations --ignore-obsolete
	$(BIN)/pybabel compile -d webapp/translations

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis
