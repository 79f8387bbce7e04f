"""Hostile input answers a clean 4xx and writes nothing: deep JSON, lone surrogates, invalid UTF-8, huge bodies,
on every write endpoint of the API (the anonymous token endpoint included) and on every page.
"""

from __future__ import annotations

import time

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.authtoken.models import Token

from ronghe.platform.core.parsers import nesting_depth_exceeds
from tests.platform.conftest import make_credit_code
from tests.platform.hostile import HOSTILE_JSON

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "manufacturer", "provider"]  # the guard acts before authentication; schemathesis tries all


def row_counts() -> dict[str, int]:
    """Rows of every model of the platform's apps (and users, tokens): a refused request changes none."""
    models = [m for m in apps.get_models() if m._meta.app_label in
              {"accounts", "catalog", "demand", "providers", "core", "auth", "authtoken"}]
    return {m._meta.label: m.objects.count() for m in models}


def _write_paths(users) -> list[tuple[str, str]]:
    """(method, path) of every API write operation, ids pointing at rows that exist."""
    from tests.platform.test_api_schema import _operations

    org = users["manufacturer"].memberships.first().organization_id
    out = []
    for op in _operations():
        if op.method.upper() in {"POST", "PUT", "PATCH", "DELETE"}:
            out.append((op.method.upper(), op.path.replace("{id}", str(org))))
    return out


@pytest.mark.usefixtures("keep_test_connection")
def test_every_api_write_refuses_hostile_json_with_a_400_and_writes_nothing(users):
    paths = _write_paths(users)
    assert ("POST", "/api/auth/token/") in paths and len(paths) >= 30
    tokens = {role: Token.objects.get_or_create(user=users[role])[0].key for role in ROLES if users[role]}
    before = row_counts()
    failures = []
    for role in ROLES:
        headers = {"HTTP_AUTHORIZATION": f"Token {tokens[role]}"} if role in tokens else {}
        for method, path in paths:
            for label, body in HOSTILE_JSON.items():
                response = Client().generic(method, path, body, content_type="application/json", **headers)
                if response.status_code != 400 or not response.json().get("detail"):
                    failures.append(f"{method} {path} as {role} with {label}: {response.status_code}")
    assert not failures, "\n".join(failures)
    assert row_counts() == before


def test_valid_json_with_real_unicode_still_works(users, api_client_for):
    body = {"kind": "provider", "name": "深圳云测检测 😀 有限公司", "credit_code": make_credit_code(), "province": "44"}
    response = api_client_for(users["provider"]).post("/api/organizations/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "深圳云测检测 😀 有限公司"
    escaped = b'{"kind": "provider", "name": "\\ud83d\\ude00 pair", "credit_code": "%s", "province": "44"}'
    response = api_client_for(users["provider"]).generic(
        "POST", "/api/organizations/", escaped % make_credit_code().encode(), content_type="application/json")
    assert response.status_code == 201 and response.json()["name"] == "😀 pair"


def test_json_at_the_depth_limit_passes_the_guard_and_one_deeper_does_not(settings, users, api_client_for):
    client = api_client_for(users["provider"])
    ok = "[" * settings.RONGHE_MAX_JSON_DEPTH + "]" * settings.RONGHE_MAX_JSON_DEPTH
    too_deep = "[" + ok + "]"
    assert client.generic("POST", "/api/organizations/", ok, content_type="application/json").status_code == 400
    refused = client.generic("POST", "/api/organizations/", too_deep, content_type="application/json")
    assert refused.status_code == 400 and "deeper than" in refused.json()["detail"]


def test_oversized_and_undecodable_json_bodies_are_refused(settings, users, api_client_for):
    client = api_client_for(users["provider"])
    before = row_counts()
    big = b'{"name": "' + b"x" * (settings.RONGHE_MAX_JSON_BYTES + 1) + b'"}'
    assert client.generic("POST", "/api/organizations/", big, content_type="application/json").status_code == 413
    bad = client.generic("POST", "/api/organizations/", b'{"name": "\xff\xfe"}', content_type="application/json")
    assert bad.status_code == 400 and "utf-8" in bad.json()["detail"]
    # DRF parses */* as JSON too: the default parser carries the same guard
    wild = client.generic("POST", "/api/organizations/", HOSTILE_JSON["lone surrogate"], content_type="*/*")
    assert wild.status_code == 400 and "surrogate" in wild.json()["detail"]
    assert row_counts() == before


def test_depth_scan_ignores_brackets_in_strings_and_stays_linear_on_hostile_text():
    assert not nesting_depth_exceeds('{"a": "[[[[[[[[[[", "b": "\\"[[[["}', 2)
    assert nesting_depth_exceeds('{"a": [[[1]]]}', 3)
    assert not nesting_depth_exceeds("[" * 5 + "]" * 5, 5)
    started = time.monotonic()
    for text in ('"\\"' * 300_000, '"' + "[" * 500_000, "[]," * 300_000, '"\\' * 300_000):
        nesting_depth_exceeds(text, 32)
    assert time.monotonic() - started < 5


def _page_patterns() -> list[str]:
    """Every page URL (not the admin, not the API), integer arguments filled with 1."""
    out: list[str] = []

    def walk(patterns, prefix: str) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route)
            elif isinstance(p, URLPattern) and not route.startswith(("admin/", "api/", "media/", "i18n/")):
                out.append("/" + route.replace("<int:pk>", "1").replace("<int:membership_id>", "1")
                           .replace("<int:attachment_id>", "1"))

    walk(get_resolver().url_patterns, "")
    return out


BROKEN_QUERY = "q=%ED%A0%80&search=%ED%A0%80&kind=%ED%A0%80&province=%FF%FE&page=%ED%A0%80&ordering=%C0"
BROKEN_FORM = ("org-kind=%ED%A0%80&org-name=%ED%A0%80%FF&org-credit_code=%ED%A0%80&org-province=%ED%A0%80"
               "&account-username=%ED%A0%80&account-password1=%FF&account-password2=%FF&username=%ED%A0%80"
               "&password=%FF&title=%ED%A0%80&confidentiality=%ED%A0%80&name_zh=%ED%A0%80&kind=\\ud800")


@pytest.mark.parametrize("role", ["anonymous", "manufacturer", "provider"])
def test_every_page_answers_broken_utf8_in_query_and_form_without_a_5xx_and_writes_nothing(role, users):
    client = Client()
    if users[role] is not None:
        client.force_login(users[role])
    pages = _page_patterns()
    assert "/orgs/register/" in pages and "/login/" in pages
    before = row_counts()
    failures = []
    for page in pages:
        got = client.get(f"{page}?{BROKEN_QUERY}")
        posted = client.post(page, BROKEN_FORM, content_type="application/x-www-form-urlencoded")
        json_posted = client.post(page, HOSTILE_JSON["nested 1,000 deep"], content_type="application/json")
        for method, response in (("GET", got), ("POST form", posted)):
            if response.status_code >= 500:
                failures.append(f"{method} {page}: {response.status_code}")
        if json_posted.status_code != 400:
            failures.append(f"POST JSON {page}: {json_posted.status_code}")
    assert not failures, "\n".join(failures)
    assert row_counts() == before
