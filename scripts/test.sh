#!/usr/bin/env bash
# The whole default test suite. Tests start their own redis-server on a free loopback
# port (tests/conftest.py) unless SHOPAGENT_TEST_REDIS_URL names one.
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/lint-imports
.venv/bin/pytest -q -m "not slow" "$@"
