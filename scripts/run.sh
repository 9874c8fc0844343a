#!/usr/bin/env bash
# Set up and run Lianluo on this machine: the central store (SQLite and photo files under data/demo)
# with 桔园镇's demo data, and the field app in the browser, synced with it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

data="${LIANLUO_DEMO_DIR:-data/demo}"
server_port="${LIANLUO_SERVER_PORT:-8700}"
app_port="${LIANLUO_PORT:-8550}"
mkdir -p "$data"

# --demo: loads the demo township once and keeps a random secret in the data dir.
.venv/bin/python -m sync.server serve --demo --host 127.0.0.1 --port "$server_port" --data-dir "$data/central" &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT INT TERM

for _ in $(seq 1 60); do
  curl -fs "http://127.0.0.1:$server_port/openapi.json" >/dev/null 2>&1 && break
  sleep 0.5
done

echo "Central store: http://127.0.0.1:$server_port/docs"
echo "Field app:     http://127.0.0.1:$app_port/  (sign in with a demo account above, e.g. deputy-wang)"
.venv/bin/python -m app --web --data-dir "$data/phone" --server "http://127.0.0.1:$server_port" --port "$app_port"
