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

.venv/bin/python - "$server_port" <<'PY'
import sys, time, urllib.request
for _ in range(120):  # wait up to a minute for the central store to answer
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/openapi.json", timeout=1)
        break
    except OSError:
        time.sleep(0.5)
PY

echo "Central store: http://127.0.0.1:$server_port/docs"
echo "Field app:     http://127.0.0.1:$app_port/  (sign in with a demo account above, e.g. deputy-wang)"
.venv/bin/python -m app --web --data-dir "$data/phone" --server "http://127.0.0.1:$server_port" --port "$app_port"
