"""Many writers at once, as the demo meets them: web requests in threads against a real `ronghe serve`, a
worker-like process writing through the services, and the task worker, all on one database. Counted: 0 answers
of 5xx, every acknowledged write in the database, each contested credit code registered exactly once (the
losers told so with a 400 / ValidationError), and no lost update.

Runs on the suite's database engine: a fresh SQLite file (WAL, IMMEDIATE transactions) on the SQLite run, a
fresh PostgreSQL database beside the test database when ``DATABASE_URL`` points at PostgreSQL.
"""

from __future__ import annotations

import http.client
import itertools
import json
import re
import sqlite3
import subprocess
import sys
import threading
import urllib.parse
from collections import Counter
from contextlib import closing

import pytest
from django.conf import settings

from ronghe.platform.accounts.validators import credit_code_check_char
from tests.platform.test_serve_safety import RONGHE, SAFE, _env, _serving

THREADS, REQUESTS = 8, 20
WORKER_ROUNDS = 30
CONTESTED = [f"91320500MA{9_000_000 + n:07d}" for n in range(REQUESTS // 5)]
CONTESTED = [code + credit_code_check_char(code) for code in CONTESTED]
_codes = itertools.count(1_000_000)
_codes_lock = threading.Lock()


def unique_code() -> str:
    with _codes_lock:
        body = f"91320500MA{next(_codes):07d}"
    return body + credit_code_check_char(body)


SETUP = """
import json, sys
import django
django.setup()
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
User = get_user_model()
tokens = []
for n in range(int(sys.argv[1])):
    user = User.objects.create_user(username=f"writer{n}", password="correct-horse-9")
    tokens.append(Token.objects.create(user=user).key)
User.objects.create_user(username="worker", password="correct-horse-9")
print(json.dumps(tokens))
"""

WORKER = """
import json, sys
import django
django.setup()
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from ronghe.platform.accounts import services
from ronghe.platform.accounts.validators import credit_code_check_char
user = get_user_model().objects.get(username="worker")
contested = json.loads(sys.argv[2])
counts = {"registered": 0, "contested_won": 0, "contested_refused": 0, "updated": 0, "errors": []}
own = None
for n in range(int(sys.argv[1])):
    body = f"91320500MA{8_000_000 + n:07d}"
    try:
        org = services.register_organization(user, kind="provider", name=f"wrk-{n}", province="32",
                                             credit_code=body + credit_code_check_char(body))
        counts["registered"] += 1
        own = own or org
        if n < len(contested):
            try:
                services.register_organization(user, kind="provider", name=f"wrk-contested-{n}", province="32",
                                               credit_code=contested[n])
                counts["contested_won"] += 1
            except ValidationError:
                counts["contested_refused"] += 1
        services.update_organization(user, own, description=f"wrk-{n}")
        counts["updated"] += 1
    except Exception as exc:  # anything but a ValidationError for a taken code is a failure
        counts["errors"].append(f"{type(exc).__name__}: {exc}")
print(json.dumps(counts))
"""


@pytest.fixture
def database_url(tmp_path):
    """A fresh database of the suite's engine, migrated, for a server and writers in other processes."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        yield f"sqlite:///{tmp_path / 'concurrency.sqlite3'}", None
        return
    import psycopg

    name = f"{db['NAME']}_concurrency"[:63]
    admin = dict(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], password=db["PASSWORD"] or None,
                 dbname="postgres", autocommit=True)
    with psycopg.connect(**admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"postgres://{urllib.parse.quote(db['USER'])}@{db['HOST']}:{admin['port']}/{name}"
    if db["PASSWORD"]:
        url = url.replace("@", f":{urllib.parse.quote(db['PASSWORD'])}@", 1)
    try:
        yield url, psycopg.connect(**(admin | {"dbname": name}))
    finally:
        with psycopg.connect(**admin) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Web:
    """One person's HTTP client behind the trusted proxy: https as seen by the app, cookies kept by hand."""

    def __init__(self, base: str, token: str | None = None) -> None:
        self.netloc = urllib.parse.urlsplit(base).netloc
        self.headers = {"X-Forwarded-Proto": "https", "Origin": f"https://{self.netloc}"}
        if token:
            self.headers["Authorization"] = f"Token {token}"
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None, content_type: str | None = None):
        conn = http.client.HTTPConnection(self.netloc, timeout=120)
        headers = dict(self.headers, Referer=f"https://{self.netloc}{path}")
        if content_type:
            headers["Content-Type"] = content_type
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            for header in resp.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            return resp.status, data
        finally:
            conn.close()

    def json(self, method: str, path: str, payload: dict):
        return self.request(method, path, json.dumps(payload).encode(), "application/json")

    def register_on_the_page(self, username: str, code: str):
        self.request("GET", "/orgs/register/")
        form = {"csrfmiddlewaretoken": self.cookies["csrftoken"], "account-username": username,
                "account-email": "", "account-password1": "Liang-ye-2026", "account-password2": "Liang-ye-2026",
                "org-kind": "manufacturer", "org-name": f"page-{username}", "org-credit_code": code,
                "org-province": "32", "org-city": "苏州"}
        return self.request("POST", "/orgs/register/", urllib.parse.urlencode(form).encode(),
                            "application/x-www-form-urlencoded")


def _web_writer(n: int, base: str, token: str, start: threading.Barrier, out: dict) -> None:
    web = Web(base, token)
    statuses: list[tuple[str, int]] = []
    own, last_description = None, None
    start.wait()
    for i in range(REQUESTS):
        try:
            own, last_description = _step(n, i, base, web, statuses, own, last_description)
        except Exception as exc:  # a broken answer (HTML 500 where JSON was due, …) is counted, not fatal
            statuses.append(("error", 599))
            out.setdefault("errors", []).append(f"writer {n} step {i}: {exc!r}")
    out[n] = {"statuses": statuses, "own": own, "description": last_description}


def _step(n: int, i: int, base: str, web: Web, statuses: list, own, last_description):
    """One request of writer ``n``: register (unique or contested code), update its own, page sign-up, read."""
    step = i % 5
    if step == 0 or own is None:
        status, body = web.json("POST", "/api/organizations/", {
            "kind": "provider", "name": f"web-{n}-{i}", "credit_code": unique_code(), "province": "32"})
        statuses.append(("register", status))
        if status == 201:
            own = own or json.loads(body)["id"]
    elif step == 1:
        status, body = web.json("POST", "/api/organizations/", {
            "kind": "provider", "name": f"web-contested-{n}-{i}", "credit_code": CONTESTED[i // 5],
            "province": "32"})
        statuses.append(("contested", status))
        if status == 400:
            assert "credit_code" in json.loads(body), body
    elif step == 2:
        description = f"web-{n}-{i}"
        status, _ = web.json("PATCH", f"/api/organizations/{own}/", {"description": description})
        statuses.append(("update", status))
        if status == 200:
            last_description = description
    elif step == 3 and (i // 5) % 2 == 0:
        status, _ = Web(base).register_on_the_page(f"page{n}x{i}", unique_code())
        statuses.append(("page", status))
    elif step == 3:  # every writer signs up with the same username at once: one wins, the others are told
        status, body = Web(base).register_on_the_page(f"contested{i}", unique_code())
        statuses.append(("page-contested", status))
        if status == 200:
            assert "该用户名已被使用" in body.decode() or "已存在" in body.decode(), body.decode()[:300]
    else:
        status, _ = web.request("GET", "/api/organizations/?kind=provider")
        statuses.append(("read", status))
    return own, last_description


def _query(url: str, conn, sql: str) -> list[tuple]:
    if conn is None:
        with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as db:
            return db.execute(sql).fetchall()
    return conn.execute(sql.replace("?", "%s")).fetchall()


def test_concurrent_web_and_worker_writers_get_no_5xx_and_lose_no_write(tmp_path, database_url):
    url, conn = database_url
    env = _env(tmp_path, DATABASE_URL=url, **SAFE, RONGHE_THROTTLE_REGISTER="100000/hour",
               RONGHE_THROTTLE_ANON="100000/min", RONGHE_THROTTLE_USER="100000/min")
    scripts = env | {"DJANGO_SETTINGS_MODULE": "ronghe.platform.settings"}
    subprocess.run([*RONGHE, "manage", "migrate", "--noinput", "-v", "0"], env=env, check=True, timeout=600)
    tokens = json.loads(subprocess.run([sys.executable, "-c", SETUP, str(THREADS)], env=scripts, check=True,
                                       capture_output=True, text=True, timeout=120).stdout)
    results: dict[int, dict] = {}
    with _serving(env) as base:
        task_worker = subprocess.Popen([*RONGHE, "worker", "--no-startup-delay"], env=env,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        start = threading.Barrier(THREADS + 1)
        threads = [threading.Thread(target=_web_writer, args=(n, base, tokens[n], start, results))
                   for n in range(THREADS)]
        for thread in threads:
            thread.start()
        writer = subprocess.Popen([sys.executable, "-c", WORKER, str(WORKER_ROUNDS), json.dumps(CONTESTED)],
                                  env=scripts, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        start.wait()
        for thread in threads:
            thread.join(timeout=600)
        worker_out, worker_err = writer.communicate(timeout=600)
        task_worker.terminate()
        task_worker.wait(timeout=60)
    assert not results.get("errors"), results.get("errors")
    statuses = Counter((kind, status) for r in results.values() for kind, status in r["statuses"])
    assert not {k: v for k, v in statuses.items() if k[1] >= 500}, statuses
    assert writer.returncode == 0, worker_err
    worker = json.loads(worker_out)
    assert worker["errors"] == [], worker["errors"]

    # every acknowledged write is there, and nothing else
    names = Counter(re.match(r"web-contested|wrk-contested|web|wrk|page", name).group() for (name,) in
                    _query(url, conn, "select name from accounts_organization"))
    assert names["web"] == statuses["register", 201] == THREADS * (REQUESTS // 5)
    assert names["page"] == statuses["page", 302] + statuses["page-contested", 302] == THREADS * (REQUESTS // 10) + 2
    assert statuses["page-contested", 302] == 2 and statuses["page-contested", 200] == THREADS * 2 - 2
    users = _query(url, conn, "select username from auth_user where username like 'contested%'")
    assert sorted(users) == [("contested18",), ("contested8",)]
    assert names["wrk"] == worker["registered"] == WORKER_ROUNDS
    assert statuses["read", 200] == THREADS * (REQUESTS // 5)
    # each contested code belongs to exactly one organization; every other try was told it is taken
    rows = _query(url, conn, "select credit_code, count(*) from accounts_organization where credit_code in ("
                  + ",".join(f"'{c}'" for c in CONTESTED) + ") group by credit_code")
    assert sorted(rows) == sorted((code, 1) for code in CONTESTED)
    assert names["web-contested"] + names["wrk-contested"] == len(CONTESTED)
    assert (statuses["contested", 201], worker["contested_won"]) == (names["web-contested"], names["wrk-contested"])
    tries = THREADS * (REQUESTS // 5) + len(CONTESTED)
    assert statuses["contested", 400] + worker["contested_refused"] == tries - len(CONTESTED)
    # no lost update: each writer's own organization holds its last acknowledged description
    assert statuses["update", 200] == THREADS * (REQUESTS // 5)
    for result in (results[n] for n in range(THREADS)):
        (description,) = _query(url, conn, f"select description from accounts_organization where id = {result['own']}")[0]
        assert description == result["description"]
    if conn is not None:
        conn.close()
    if url.startswith("sqlite"):
        assert _query(url, None, "pragma journal_mode") == [("wal",)]
