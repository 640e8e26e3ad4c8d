# Oasis — the two commands of the README, and a few helpers.
#   make demo   set everything up, load the demo park, serve http://127.0.0.1:8000
#   make test   set everything up with dev tools, run the whole suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1:8000
# Re-install only when the project's declared dependencies change.
STAMP     := $(VENV)/.stamp-runtime
DEV_STAMP := $(VENV)/.stamp-dev
PYTEST_ARGS ?= -n 2

.PHONY: demo test install install-dev migrate seed serve lint check messages bench clean cluster cluster-stop

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Oasis needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@ $(STAMP)

install: $(STAMP)
install-dev: $(DEV_STAMP)

migrate: install
	$(BIN)/oasis migrate --noinput

seed: migrate
	$(BIN)/oasis seed-demo

demo: seed
	@echo ""
	@echo "Oasis demo park: open http://$(HOST)/ (Ctrl+C stops the server)"
	$(BIN)/oasis runserver $(HOST)

# Bytecode is cached even where PYTHONDONTWRITEBYTECODE is set: without it every test
# process compiles the project and pytest rewrites every test module again (~4 s of CPU
# a process). The caches are the ignored __pycache__ folders.
test: install-dev
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/oasis makemigrations --check --dry-run

# Extract the Chinese source strings into the English .po, compile the .mo and list the
# entries that still need English (tools/messages.py; CONTRIBUTING.md, "Language").
# Extracting needs GNU gettext; the compiled .mo is committed so a fresh machine needs none.
messages: install-dev
	$(BIN)/python tools/messages.py

# The production stack on this machine without containers (nginx, two gunicorn nodes,
# two workers, PostgreSQL, Redis, S3 via moto): see tools/cluster.py and README.
cluster: install-dev
	$(BIN)/python tools/cluster.py up

cluster-stop:
	$(BIN)/python tools/cluster.py down

bench: install-dev
	for b in benchmarks/[a-z]*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) var
