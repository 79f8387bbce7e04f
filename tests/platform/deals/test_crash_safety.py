"""A process killed in the middle of an award or a payment leaves the database and the chain consistent.

A child process runs the step against this test's (committed) database and SIGKILLs itself inside the
transaction; then `ronghe audit verify`'s check passes, nothing half-written remains, and the step can be done
again. The in-memory SQLite database is copied to a file for the child (sqlite3's backup API).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from ronghe.platform.core.audit import verify
from ronghe.platform.deals import services
from ronghe.platform.deals.models import Award, Milestone, Payment

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[3]


def _database_url(tmp_path: Path) -> tuple[str, Path | None]:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        path = tmp_path / "crash.sqlite3"
        if connection.is_in_memory_db():
            connection.ensure_connection()
            with sqlite3.connect(path) as target:
                connection.connection.backup(target)
        else:
            path = Path(s["NAME"])
        return f"sqlite:///{path}", path
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}", None


def _child(url: str, tmp_path: Path, *args: object) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url, "RONGHE_DATA_DIR": str(tmp_path), "RONGHE_SECRET_KEY": "crash-test",
           "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"}
    env.pop("PYTEST_VERSION", None)
    env.pop("PYTEST_CURRENT_TEST", None)
    return subprocess.run([sys.executable, "-m", "tests.platform.deals._crash", *map(str, args)], env=env,
                          capture_output=True, text=True, timeout=120, cwd=ROOT)


def _check(url: str, tmp_path: Path) -> dict:
    done = _child(url, tmp_path, "check")
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.splitlines()[0])


def test_a_process_killed_mid_award_leaves_no_award_and_a_sound_chain(make_deal, users, tmp_path):
    rfq, (bid_a, _b) = make_deal("opened")
    lot = rfq.lots.order_by("id").first()
    url, _path = _database_url(tmp_path)
    before = _check(url, tmp_path)
    killed = _child(url, tmp_path, "award", lot.pk, bid_a.pk, users["manufacturer"].pk)
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr[-2000:]
    after = _check(url, tmp_path)
    assert after["ok"], after["broken"]
    assert (after["awards"], after["contracts"], after["entries"]) == (0, 0, before["entries"])
    assert after["lots"] == before["lots"]
    if connection.vendor != "sqlite":  # on PostgreSQL the same database: the award can simply be made now
        services.award_lot(users["manufacturer"], lot, bid=bid_a, reason="after the crash")
        assert Award.objects.count() == 1 and verify().ok


def test_a_process_killed_mid_payment_moves_no_money_and_keeps_the_chain(make_deal, users, tmp_path):
    rfq, _ = make_deal("accepted")
    milestone = Milestone.objects.filter(contract__rfq=rfq).order_by("id").first()
    url, _path = _database_url(tmp_path)
    before = _check(url, tmp_path)
    killed = _child(url, tmp_path, "release", milestone.pk, users["manufacturer"].pk)
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr[-2000:]
    after = _check(url, tmp_path)
    assert after["ok"], after["broken"]
    assert after["entries"] == before["entries"]
    # the simulated provider books in the same transaction, so neither side kept a half payment; a real provider
    # is asked again with the same idempotency key and answers with the first result (docs/deals.md)
    assert (after["releases"], after["ledger_releases"]) == (0, 0)
    assert after["payment_states"] == before["payment_states"]
    if connection.vendor != "sqlite":
        services.release_payment(users["manufacturer"], milestone)
        assert Payment.objects.filter(milestone=milestone, kind="release").count() == 1 and verify().ok
