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

# Node is needed only to rebuild the stylesheet (`make assets`) and, in tests, for the axe-core file that browser tests inject.
NPM_CI := npm ci --ignore-scripts --no-audit --no-fund
GOVUK_DIST := node_modules/govuk-frontend/dist/govuk
GOVUK_ASSETS := $(GOVUK_DIST)/assets
CHROMIUM := /usr/bin/chromium

.PHONY: run test bench lint check-catalogue translations clean assets browser-deps report-fonts

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(INSTALLED): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e .
	touch $@

$(INSTALLED_TEST): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $(INSTALLED) $@

# `catalogue seed` publishes the bundled catalogue only into an empty database; afterwards it writes nothing, so a
# restart never undoes a curator's work (a newer bundled copy is offered with `catalogue import`, see README.md).
run: $(INSTALLED)
	@# Reports still work without the fonts (Japanese names would print as boxes), so a machine that cannot install them still runs.
	-@$(MAKE) --no-print-directory report-fonts || echo "warning: fonts-noto-core and fonts-noto-cjk are missing; PDF reports may print boxes for Japanese text" >&2
	$(FLASK) db upgrade
	$(FLASK) catalogue seed
	$(FLASK) run --host $(HOST) --port $(PORT)

test: $(INSTALLED_TEST) browser-deps report-fonts
	$(BIN)/ruff check .
	# Static security analysis: any finding of medium or high severity fails (docs/security.md).
	$(BIN)/bandit -q -r webapp models programmes config.py --severity-level medium
	# The import rules of docs/architecture.md (.importlinter); no cache directory left in the checkout.
	$(BIN)/lint-imports --no-cache --no-logo
	$(BIN)/pytest

# Rebuild webapp/static/app.css from scss/app.scss and copy GOV.UK Frontend's JavaScript (the results are committed, so
# `make run` and `make test` need no Node), then copy in exactly the GOV.UK Frontend assets that the CSS refers to, and
# fail if any url(...) does not resolve to a file under webapp/static.
assets:
	$(NPM_CI)
	npx sass --load-path=node_modules --style=compressed --no-source-map --quiet-deps scss/app.scss webapp/static/app.css
	rm -rf webapp/static/govuk
	# GOV.UK Frontend's JavaScript (an ES module, started by webapp/static/app.js), without its source-map comment.
	mkdir -p webapp/static/govuk
	sed -e 's|//# sourceMappingURL=.*$$||' $(GOVUK_DIST)/govuk-frontend.min.js > webapp/static/govuk/govuk-frontend.min.js
	@for url in $$(grep -o 'url([^)]*)' webapp/static/app.css | sed -e 's/^url(//' -e 's/)$$//' -e 's/"//g' -e "s/'//g" | sort -u); do \
	  case "$$url" in \
	    data:*) ;; \
	    /static/govuk/assets/*) file="$${url#/static/govuk/assets/}"; \
	      install -D -m 644 "$(GOVUK_ASSETS)/$$file" "webapp/static/govuk/assets/$$file" || exit 1 ;; \
	    /static/*) test -f "webapp$$url" || { echo "app.css refers to $$url, which is not in webapp/static" >&2; exit 1; } ;; \
	    *) echo "app.css refers to $$url, which is not served by this app" >&2; exit 1 ;; \
	  esac; \
	done
	@echo "webapp/static/app.css: $$(wc -c < webapp/static/app.css) bytes"

# What the browser tests need: axe-core (injected into pages) and Debian's Chromium (Playwright cannot download its own).
browser-deps:
	@test -f node_modules/axe-core/axe.min.js || $(NPM_CI)
	@test -x $(CHROMIUM) || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium; }

# The fonts the PDF report names (webapp/templates/results/report.html): Noto Sans for Latin, Greek and Cyrillic,
# Noto Sans CJK for Japanese; without them WeasyPrint falls back to any font, and Japanese names print as boxes.
report-fonts:
	@fc-list | grep -q "Noto Sans CJK" && fc-list | grep -q "NotoSans-Regular" || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends fonts-noto-core fonts-noto-cjk; }

bench: $(INSTALLED_TEST)
	$(BIN)/python -m bench.matching
	$(BIN)/python -m bench.insights

lint: $(INSTALLED_TEST)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check-catalogue: $(INSTALLED)
	$(FLASK) catalogue check

# Extract every user-facing string (templates, webapp, the model's N_ sentences) for translators; update and
# compile the catalogues that exist (add one with: pybabel init -i webapp/translations/messages.pot -d webapp/translations -l fr).
translations: $(INSTALLED)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ --no-location -o webapp/translations/messages.pot .
	@if ls webapp/translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
	  $(BIN)/pybabel update -i webapp/translations/messages.pot -d webapp/translations --ignore-obsolete && \
	  $(BIN)/pybabel compile -d webapp/translations; fi

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis

# Load and fault runs (docs/reliability.md): a fresh database (DB=sqlite or DB=postgres at 127.0.0.1:5432), gunicorn
# with 4 workers on a free loopback port, locust with 50 users for 60 s; `fault` also kills a worker every 3 s.
# Exits non-zero if a gate fails (5xx, lost or doubled submits, integrity). The rate limiter is off for these runs.
DB ?= sqlite
.PHONY: load fault
load: $(INSTALLED_TEST)
	$(BIN)/python scripts/load.py --db $(DB)

fault: $(INSTALLED_TEST)
	$(BIN)/python scripts/load.py --db $(DB) --fault

# The wapiti scan (docs/security.md, "Scanner"): the app served over HTTPS on loopback in the production
# configuration, scanned as the public and as a signed-in administrator; fails on a finding not accepted with a
# reason, or on any 5xx the scanner caused. SCAN_SECONDS bounds each of the two crawls (attacks add about as much).
SCAN_SECONDS ?= 120
.PHONY: scan
scan: $(INSTALLED_TEST)
	@command -v wapiti >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends wapiti; }
	$(BIN)/python scripts/scan.py --seconds $(SCAN_SECONDS)
