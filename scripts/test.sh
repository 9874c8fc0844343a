#!/usr/bin/env bash
# Set up a fresh machine and run every test: unit, server on SQLite and PostgreSQL, sync faults, browser.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
export PYTHONDONTWRITEBYTECODE=1
exec .venv/bin/python -m pytest -p no:cacheprovider "$@"
