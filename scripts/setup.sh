#!/usr/bin/env bash
# Set up a fresh machine: a virtual environment with the app, the server and the test tools.
# With --test it also installs what the tests drive: Debian's chromium and postgresql, and LibreOffice
# with poppler and the Noto CJK fonts to render the Word documents the office hands out, and zbar to read
# back the QR codes on station posters.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

apt_install() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: please install these Debian packages (as root): $*" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

if [ "$want_test" -eq 1 ]; then
  missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-writer-nogui)
  command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
  fc-list 2>/dev/null | grep -q "Noto Serif CJK" || missing+=(fonts-noto-cjk)
  command -v node >/dev/null 2>&1 || missing+=(nodejs)  # compiles the browser build's bytecode
  command -v zbarimg >/dev/null 2>&1 || missing+=(zbar-tools)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]} (Debian packages; LibreOffice takes a few minutes the first time)"
    apt_install "${missing[@]}"
  fi
fi

python=""
for candidate in python3.13 python3.12 python3.11 python3; do
  if command -v "$candidate" >/dev/null 2>&1 &&
     "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
    python="$candidate"; break
  fi
done
[ -n "$python" ] || { echo "setup: Python 3.11 or newer is needed" >&2; exit 1; }

if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
stamp=.venv/.lianluo-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
  .venv/bin/python -m pip install -q -e '.[web,server,dev]' 2>&1 | grep -v "^WARNING: Location" || true
  .venv/bin/python -c 'import flet, flet_web, sqlmodel, fastapi, PIL, pillow_heif, playwright, docx' 
  touch "$stamp"
fi

if [ "$want_test" -eq 1 ]; then
  # The browser build the PWA tests load (skipped when nothing it reads changed).
  .venv/bin/python scripts/build_pwa.py
fi
