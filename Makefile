# Rhythm: `make run` to try it, `make test` to check it. Nothing else is needed
# but Python 3.11+, Node/npm and make.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RHYTHM := $(BIN)/rhythm
OPENAPI := docs/openapi.json
# Where `make run` serves; `rhythm serve` reads the same variable.
RHYTHM_BIND ?= 127.0.0.1:8000
export RHYTHM_BIND

.PHONY: run test setup lint types check-migrations check-openapi openapi pytest bench faults screens clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(BIN)/.installed node_modules/.installed

run: setup
	$(RHYTHM) migrate --noinput
	$(RHYTHM) collectstatic --noinput --verbosity 0
	$(RHYTHM) demo
	@echo
	@echo "Rhythm: http://$(RHYTHM_BIND)/  (sign in with a demo login above; Ctrl-C stops)"
	$(RHYTHM) serve --with-worker

test: setup lint types check-migrations check-openapi pytest

lint:
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff format --check src tests bench tools
	$(BIN)/ruff check src tests bench tools

types:
	$(BIN)/mypy

check-migrations:
	$(RHYTHM) makemigrations --check --dry-run

check-openapi:
	@mkdir -p var
	@$(RHYTHM) export_openapi_schema --api rhythm.api.api --indent 2 --sorted > var/openapi.json
	@diff -u $(OPENAPI) var/openapi.json > /dev/null || { \
		echo "$(OPENAPI) is out of date with the code: run 'make openapi' and commit it."; \
		diff -u $(OPENAPI) var/openapi.json | head -40; exit 1; }

openapi: setup
	mkdir -p docs
	$(RHYTHM) export_openapi_schema --api rhythm.api.api --indent 2 --sorted > $(OPENAPI)

pytest:
	$(BIN)/pytest

# The intake benchmark's HTTP client is wrk (Debian's package), installed when missing
# as .ci/run installs Chromium; django-helpdesk, its peer, installs itself under var/bench/.
bench: setup
	@command -v wrk >/dev/null 2>&1 || { \
		echo "== installing wrk, the intake benchmark's HTTP client"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python -m bench

# Workers SIGKILLed mid-work; non-zero exit on any loss, duplicate or stall. SQLite,
# plus PostgreSQL + Redis when FAULTS_DATABASE_URL and FAULTS_REDIS_URL are set.
faults: setup
	$(BIN)/python -m bench.faults

# Every main page, for every demo role, at 1440x900 and 390x844: var/screens/<role>/.
# A throwaway database under var/screens.site/; non-zero exit on a page's error.
screens: setup
	$(BIN)/python tools/screens.py

clean:
	rm -rf $(VENV) node_modules var
