# The two commands: `make run` serves the app with demo data, `make test` runs every check and test.
# Debian's own interpreter when there is one, whatever comes first on PATH: it is built with
# profile-guided and link-time optimisation, and a server spends a fifth less CPU per request on
# it than on an interpreter compiled from source with the defaults (pyenv's, for one); see
# docs/benchmarks.md. PYTHON=... chooses another.
PYTHON ?= $(firstword $(wildcard /usr/bin/python3) python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 8000
DATA   ?= var
# Test processes: one per core (each starts its own PostgreSQL and browser); JOBS=0 runs serially.
JOBS   ?= auto

.PHONY: run test check build build-if-missing bench setup clean

$(STAMP): pyproject.toml
	@bash scripts/system-deps.sh python
	@# a venv made from another interpreter (another PYTHON, an older checkout's) cannot be
	@# updated in place (venv keeps its old links and ensurepip fails): it is made again
	@if [ -e $(BIN)/python3 ] && [ "$$(readlink -f $(BIN)/python3)" != "$$(readlink -f "$$(command -v $(PYTHON))")" ]; then \
		echo "$(VENV) was made from $$(readlink -f $(BIN)/python3): making it again from $(PYTHON)"; rm -rf $(VENV); fi
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test,dev]'
	touch $(STAMP)

setup: $(STAMP)
	@bash scripts/system-deps.sh

# Rebuild build/ only when it no longer matches schemas/.
build: setup
	@$(BIN)/python -m generator check >/dev/null 2>&1 || $(BIN)/python -m generator build

run: build
	$(BIN)/python -m runtime seed-demo --data-dir $(DATA) --if-empty
	$(BIN)/python -m runtime serve --host $(HOST) --port $(PORT) --data-dir $(DATA) --dev

# A fresh checkout always has build/ (it is committed); if someone deleted it, make it
# again, but a build/ that exists and differs from schemas/ fails the check below.
build-if-missing: setup
	@[ -f build/manifest.json ] || $(BIN)/python -m generator build

check: build-if-missing
	$(BIN)/python -m generator check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy generator runtime vocabulary

test: check
	@bash scripts/system-deps.sh browser
	@$(BIN)/python scripts/fetch-axe.py >/dev/null
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile

bench: build
	$(BIN)/pip install -q -e '.[bench]'
	@bash scripts/system-deps.sh bench
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) $(DATA) test-artifacts
