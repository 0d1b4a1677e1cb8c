# shopagent — the two commands are `make run` and `make test`; the rest are helpers.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: setup setup-dev run test test-slow test-faults lint typecheck bench clean system-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Runtime install: what `make run` needs.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	@echo "==> installing shopagent (first time takes a couple of minutes)"
	$(BIN)/pip install --progress-bar on -e .
	touch $@

# Everything, for tests, training and benchmarks.
$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	@echo "==> installing shopagent with train and dev extras"
	$(BIN)/pip install --progress-bar off -e '.[train,dev]'
	touch $(VENV)/.installed-run $@

setup: $(VENV)/.installed-run
setup-dev: $(VENV)/.installed-dev

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

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/mypy

typecheck: setup-dev
	$(BIN)/mypy

bench: setup-dev system-deps
	bash scripts/bench.sh

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache .bench-overlay
