#!/usr/bin/env bash
# The whole test suite, as CI runs it: lint, every test on SQLite, the platform tests again on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-packages.sh
bash scripts/setup.sh
export RONGHE_SHARED_DATA=${RONGHE_SHARED_DATA:-$(cd .. && pwd)/shared/data}
.venv/bin/ruff check src tests bench
echo "== tests on SQLite =="
.venv/bin/python -m pytest -q -p no:cacheprovider
echo "== platform and browser tests on PostgreSQL =="
DATABASE_URL=$(bash scripts/postgres.sh) .venv/bin/python -m pytest -q -p no:cacheprovider tests/platform tests/browser
