# shopagent — the two commands are `make run` and `make test`; the rest are helpers.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: lock setup setup-dev run test test-slow test-faults lint typecheck bench bench-scale clean system-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Runtime install: what `make run` needs.
$(VENV)/.installed-run: pyproject.toml requirements.lock | $(BIN)/python
	@echo "==> installing shopagent (first time takes a couple of minutes)"
	$(BIN)/pip install --progress-bar on -c requirements.lock -e .
	touch $@

# Everything, for tests, training and benchmarks.
$(VENV)/.installed-dev: pyproject.toml requirements.lock | $(BIN)/python
	@echo "==> installing shopagent with train and dev extras"
	$(BIN)/pip install --progress-bar off -c requirements.lock -e '.[train,dev]'
	touch $(VENV)/.installed-run $@

setup: $(VENV)/.installed-run
setup-dev: $(VENV)/.installed-dev

# The lock: exact versions of the environment the suite passed in (pip freeze of the dev
# venv); rewrite it after changing dependencies in pyproject.toml and running make test.
lock: setup-dev
	(echo "# Exact versions of every package the test suite passed with (make lock rewrites it)."; \
	 echo "# make run / make test install with it as pip constraints: pip install -c requirements.lock ..."; \
	 $(BIN)/pip freeze --exclude-editable | grep -v '^-e ') > requirements.lock

system-deps:
	bash scripts/system-deps.sh

run: setup
	$(BIN)/shopagent serve --dev

test: setup-dev system-deps
	bash scripts/test.sh

test-slow: setup-dev system-deps
	$(BIN)/pytest -m "slow" -q

# The long fault runs (kill -9, SIGTERM, Redis outages under load; several minutes).
test-faults: setup-dev system-deps
	$(BIN)/pytest -m "slow" -q tests/faults

# ruff (lint + format), mypy (strict on agent, api, tools), the import contracts (layers).
lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

typecheck: setup-dev
	$(BIN)/mypy

bench: setup-dev system-deps
	bash scripts/bench.sh

# The serving process and its index at 10k and 100k products (long: embeds ~100k texts
# with MiniLM; resumable, rerun it after a kill). 1M: SIZES=1000000 (see docs/scale.md).
SIZES ?= 10000,100000
bench-scale: setup-dev
	$(BIN)/python bench/scale.py --sizes $(SIZES) $(SCALE_ARGS)

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache .bench-overlay
