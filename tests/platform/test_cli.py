"""`ronghe demo`, `serve`, `worker`, `manage` as a newcomer runs them: real subprocesses, a real port."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from ronghe.platform import demo
from ronghe.platform.accounts.models import Membership, Organization

RONGHE = [sys.executable, "-m", "ronghe.cli"]


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    # DJANGO_ALLOW_ASYNC_UNSAFE: set by the browser tests in this process, refused by serve's deploy checks
    drop = {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    return env | {"RONGHE_DATA_DIR": str(data_dir), "RONGHE_LOG_LEVEL": "ERROR"} | extra


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=90) as resp:  # a loaded CI machine is slow
        resp.read()
        return resp.status


def _start_demo(data_dir: Path, *args: str) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    proc = subprocess.Popen([*RONGHE, "demo", "--port", str(port), "--threads", "2", *args], env=_env(data_dir),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"ronghe demo exited with {proc.returncode}:\n{proc.stdout.read()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc, port
        except OSError:
            time.sleep(0.5)
    proc.kill()
    pytest.fail("ronghe demo did not open its port within 180 s")


def _wait_for_task(db: Path, name: str, timeout: float = 120) -> bool:
    """True once the django-tasks database backend recorded a successful run of the task."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.closing(sqlite3.connect(db, timeout=5)) as conn:
            try:
                rows = conn.execute("select 1 from django_tasks_database_dbtaskresult where status = 'SUCCESSFUL' "
                                    "and task_path like ?", (f"%{name}",)).fetchall()
            except sqlite3.OperationalError:  # table not migrated yet / database busy
                rows = []
        if rows:
            return True
        time.sleep(0.5)
    return False


def _stop(proc: subprocess.Popen) -> str:
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out
    return out


def test_demo_reset_then_serves_pages_api_and_static_with_its_worker(tmp_path):
    (tmp_path / "demo.sqlite3").write_bytes(b"a broken database that only --reset gets rid of")
    proc, port = _start_demo(tmp_path, "--reset")
    base = f"http://127.0.0.1:{port}"
    try:
        for path in ("/", "/api/schema/", "/static/ronghe/ronghe.css", "/orgs/", "/api/organizations/"):
            assert _get(base + path) == 200, path
        # the worker beside the server ran the periodic demand-expiry task its scheduler enqueued at start
        assert _wait_for_task(tmp_path / "demo.sqlite3", "expire_due_demands_task"), "no task ran"
    finally:
        out = _stop(proc)
    assert "reset: removed" in out and "demo: 6 organizations" in out
    assert "manufacturer" in out and demo.DEMO_PASSWORD in out and "government" in out
    assert "Starting worker" in out

    worker = subprocess.run([*RONGHE, "worker", "--batch", "--no-startup-delay"], capture_output=True, text=True,
                            env=_env(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}"), timeout=120)
    assert worker.returncode == 0, worker.stderr


def test_serve_refuses_a_database_with_unapplied_migrations(tmp_path):
    env = _env(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}", RONGHE_SECRET_KEY="test-only-" + "0123456789abcdef" * 3,
               RONGHE_HTTPS="1", RONGHE_TRUSTED_PROXY="127.0.0.1")  # otherwise safe (tests/platform/test_serve_safety.py)
    result = subprocess.run([*RONGHE, "serve", "--allow-sqlite", "--port", str(_free_port())], capture_output=True,
                            text=True, env=env, timeout=120)
    assert result.returncode != 0
    assert "unapplied migration" in result.stderr and "ronghe manage migrate" in result.stderr
    assert "Traceback" not in result.stderr


def test_manage_passes_through_to_django(tmp_path):
    result = subprocess.run([*RONGHE, "manage", "check", "--deploy", "--fail-level", "CRITICAL"],
                            capture_output=True, text=True, env=_env(tmp_path), timeout=120)
    assert result.returncode == 0, result.stderr
    assert "System check identified" in result.stdout + result.stderr


@pytest.mark.django_db
def test_demo_data_loads_once_one_synthetic_org_and_admin_per_role():
    assert not demo.is_loaded()
    messages: list[str] = []
    demo.load_demo(echo=messages.append)
    assert demo.is_loaded()
    counts = (Organization.objects.count(), Membership.objects.count())
    demo.load_demo(echo=messages.append)  # idempotent: nothing duplicated
    assert (Organization.objects.count(), Membership.objects.count()) == counts
    curated = Organization.objects.filter(credit_code__in=[o.credit_code for o in demo.DEMO_ORGS])
    assert sorted(curated.values_list("kind", flat=True)) == sorted(Organization.Kind.values)
    assert all("演示" in o.name and o.is_synthetic for o in curated)
    assert not Organization.objects.filter(is_synthetic=False).exists()  # generated data is labelled too
    for role, username, password in demo.logins():
        member = Membership.objects.get(user__username=username)
        assert member.role == "admin" and member.user.check_password(password), role
    assert any("skipped" in m or ":" in m for m in messages)


@pytest.mark.django_db
def test_a_failing_demo_loader_is_not_hidden_and_rolls_everything_back(monkeypatch):
    def broken(data):
        raise RuntimeError("loader bug")

    monkeypatch.setattr(demo, "loaders", lambda: [broken])
    with pytest.raises(RuntimeError, match="loader bug"):
        demo.load_demo(echo=lambda m: None)
    assert not Organization.objects.exists()
    monkeypatch.setattr(demo, "loaders", lambda: ["ronghe.platform.no_such_app.demo:load_demo"])
    skipped: list[str] = []
    demo.load_demo(echo=skipped.append)
    assert any("skipped ronghe.platform.no_such_app.demo:load_demo" in m for m in skipped)


@pytest.mark.django_db
def test_the_demo_writes_through_the_services_and_its_audit_chain_verifies(monkeypatch):
    from ronghe.platform.core.audit import verify
    from ronghe.platform.core.models import AuditEntry

    monkeypatch.setattr(demo, "loaders", lambda: ["ronghe.platform.catalog.services:load_demo_catalog"])
    data = demo.load_demo(echo=lambda m: None)
    created = AuditEntry.objects.filter(action="accounts.organization_created")
    assert sorted(created.values_list("object_id", flat=True)) == sorted(str(o.pk) for o in data.orgs.values())
    assert set(created.values_list("actor", flat=True)) == {"system"}
    assert AuditEntry.objects.filter(action="accounts.login_created").count() == len(demo.DEMO_ORGS)
    assert AuditEntry.objects.filter(action="catalog.item_loaded", actor="system:demo").count() == 72
    operator = data.users["operator"]
    operator.refresh_from_db()
    assert operator.is_staff and operator.is_superuser
    assert AuditEntry.objects.filter(action="accounts.admin_site_granted", object_id=str(operator.pk)).exists()
    assert not any(u.is_staff for k, u in data.users.items() if k != "operator")
    assert verify().ok
