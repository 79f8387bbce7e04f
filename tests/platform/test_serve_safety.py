"""`ronghe serve` refuses settings unsafe for the public; behind a trusted proxy it serves https without loops;
throttles hold across processes through the shared cache; the demo's generated key is written exactly once.

Real subprocesses on a real (SQLite, ``--allow-sqlite``) database migrated once for the module.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

from ronghe.platform.settings import ensure_secret_key
from tests.platform.test_cli import _free_port

RONGHE = [sys.executable, "-m", "ronghe.cli"]
KEY = secrets.token_urlsafe(50)
SAFE = {"RONGHE_SECRET_KEY": KEY, "RONGHE_HTTPS": "1", "RONGHE_TRUSTED_PROXY": "127.0.0.1"}


def _env(data_dir: Path, db: Path | None = None, **extra: str) -> dict[str, str]:
    drop = {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "RONGHE_SECRET_KEY", "RONGHE_DEBUG", "RONGHE_HTTPS",
            "RONGHE_TRUSTED_PROXY", "RONGHE_SILENCED_CHECKS",
            "DJANGO_ALLOW_ASYNC_UNSAFE"}  # set for the browser tests in this process; never in a deployment
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env |= {"RONGHE_DATA_DIR": str(data_dir), "RONGHE_LOG_LEVEL": "ERROR"}
    if db is not None:
        env["DATABASE_URL"] = f"sqlite:///{db}"
    return env | extra


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> tuple[Path, Path]:
    """A data folder and a migrated SQLite database without the cache table (`serve` must create it)."""
    folder = tmp_path_factory.mktemp("serve")
    db = folder / "platform.sqlite3"
    subprocess.run([*RONGHE, "manage", "migrate", "--noinput", "-v", "0"], env=_env(folder, db), check=True,
                   timeout=300)
    return folder, db


def _refusal(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([*RONGHE, "serve", "--port", str(_free_port()), *args], capture_output=True, text=True,
                            env=env, timeout=120)
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_serve_refuses_without_its_own_secret_key_and_generates_none(tmp_path):
    line = _refusal(_env(tmp_path, DATABASE_URL="postgres://nobody@127.0.0.1:1/none"))
    assert "RONGHE_SECRET_KEY is not set" in line
    assert not (tmp_path / "secret_key").exists()


def test_serve_refuses_debug(migrated):
    folder, db = migrated
    assert "RONGHE_DEBUG=1" in _refusal(_env(folder, db, **SAFE, RONGHE_DEBUG="1"), "--allow-sqlite")


def test_serve_refuses_sqlite_unless_allowed(migrated):
    folder, db = migrated
    line = _refusal(_env(folder, db, **SAFE))
    assert "SQLite" in line and "--allow-sqlite" in line


def test_serve_fails_on_every_deploy_check_warning_unless_silenced_by_name(migrated):
    folder, db = migrated
    line = _refusal(_env(folder, db, RONGHE_SECRET_KEY=KEY), "--allow-sqlite")  # plain HTTP
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in line
    line = _refusal(_env(folder, db, RONGHE_SECRET_KEY="short"), "--allow-sqlite")
    assert "security.W009" in line
    line = _refusal(_env(folder, db, **SAFE, RONGHE_HSTS_PRELOAD="0"), "--allow-sqlite")
    assert "security.W021" in line and "W004" not in line
    with _serving(_env(folder, db, **SAFE, RONGHE_HSTS_PRELOAD="0", RONGHE_SILENCED_CHECKS="security.W021")):
        pass


def test_serve_refuses_https_without_a_trusted_proxy_because_redirects_would_loop(migrated):
    folder, db = migrated
    line = _refusal(_env(folder, db, RONGHE_SECRET_KEY=KEY, RONGHE_HTTPS="1"), "--allow-sqlite")
    assert "RONGHE_TRUSTED_PROXY" in line


@contextmanager
def _serving(env: dict[str, str]):
    port = _free_port()
    proc = subprocess.Popen([*RONGHE, "serve", "--allow-sqlite", "--port", str(port), "--threads", "4"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                pytest.fail(f"ronghe serve exited with {proc.returncode}:\n{proc.stdout.read()}")
            try:
                _request(f"http://127.0.0.1:{port}/api/schema/", {"X-Forwarded-Proto": "https"})
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("ronghe serve did not answer within 120 s")
                time.sleep(0.3)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.communicate(timeout=60)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _request(url: str, headers: dict[str, str], data: bytes | None = None) -> tuple[int, dict[str, str]]:
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, data=data, headers=headers), timeout=60) as resp:
            return resp.status, dict(resp.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers)


def test_behind_the_trusted_proxy_https_is_served_and_a_spoofed_header_is_not_believed(migrated):
    folder, db = migrated
    with _serving(_env(folder, db, **SAFE)) as base:
        status, headers = _request(base + "/", {"X-Forwarded-Proto": "https"})
        assert status == 200 and "max-age=31536000" in headers["Strict-Transport-Security"]
        status, headers = _request(base + "/", {})  # plain http reaching the app: one redirect, to https
        assert status == 301 and headers["Location"].startswith("https://")
    with closing(sqlite3.connect(db)) as conn:  # serve created the shared cache's table
        assert conn.execute("select count(*) from sqlite_master where name = 'ronghe_cache'").fetchone() == (1,)
    # a proxy elsewhere: this client's own X-Forwarded-Proto is dropped, so it cannot pass for https
    with _serving(_env(folder, db, **SAFE | {"RONGHE_TRUSTED_PROXY": "10.255.255.1"})) as base:
        status, headers = _request(base + "/", {"X-Forwarded-Proto": "https"})
        assert status == 301 and headers["Location"].startswith("https://")


def test_the_token_throttle_holds_across_two_server_processes(migrated):
    folder, db = migrated
    env = _env(folder, db, **SAFE, RONGHE_THROTTLE_LOGIN="4/min")
    body = b'{"username": "nobody", "password": "wrong-password"}'
    headers = {"X-Forwarded-Proto": "https", "Content-Type": "application/json"}
    with _serving(env) as first, _serving(env) as second:
        statuses = [_request(base + "/api/auth/token/", headers, body)[0] for base in (first, second) * 3]
        status, answer = _request(second + "/api/auth/token/", headers, body)
    assert statuses[:4] == [400] * 4 and statuses[4:] == [429, 429], statuses
    assert status == 429 and int(answer["Retry-After"]) > 0


_RACE = """
import sys, time
from pathlib import Path
from ronghe.platform.settings import ensure_secret_key
start = float(sys.argv[2])
while time.time() < start:
    pass
print(ensure_secret_key(Path(sys.argv[1])))
"""


def test_processes_starting_at_once_agree_on_one_generated_key(tmp_path):
    path = tmp_path / "data" / "secret_key"
    env = _env(tmp_path) | {"RONGHE_SECRET_KEY": KEY}  # the importing module's own key is not the one raced for
    start = time.time() + 3
    procs = [subprocess.Popen([sys.executable, "-c", _RACE, str(path), str(start)], env=env, text=True,
                              stdout=subprocess.PIPE) for _ in range(8)]
    keys = {proc.communicate(timeout=60)[0].strip() for proc in procs}
    assert len(keys) == 1 and len(next(iter(keys))) >= 50
    assert path.read_text() == next(iter(keys))
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert [p.name for p in path.parent.iterdir()] == ["secret_key"]  # no candidate left behind


def test_the_demo_keeps_the_key_it_generated(tmp_path):
    path = tmp_path / "secret_key"
    first = ensure_secret_key(path)
    assert ensure_secret_key(path) == first
    path.write_text("a key written by an earlier run\n")
    assert ensure_secret_key(path) == "a key written by an earlier run"
