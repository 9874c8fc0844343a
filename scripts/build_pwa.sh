#!/usr/bin/env bash
# Build the field app's offline browser build (PWA) into dist/app/; see scripts/build_pwa.py.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || bash scripts/setup.sh
exec .venv/bin/python scripts/build_pwa.py "$@"
