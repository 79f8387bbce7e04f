#!/usr/bin/env bash
# Create .venv and install ronghe with everything the tests need. Idempotent; safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "ronghe needs Python >= 3.11 (found $("$PY" --version))" >&2; exit 1
fi
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[dev]'
echo "ronghe installed in .venv ($(.venv/bin/ronghe --version))"
