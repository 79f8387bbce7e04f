"""Fixtures for the platform tests: one organization of every kind, users with roles, API clients.

``org_a``/``org_b`` pairs exist for each kind so permission tests can always try "an unrelated organization
of the same kind".
"""

from __future__ import annotations

import itertools

import pytest
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from ronghe.platform.accounts.models import Membership, Organization
from ronghe.platform.accounts.validators import credit_code_check_char

_serial = itertools.count(1)
PASSWORD = "correct-horse-9"


def make_credit_code() -> str:
    """A valid 统一社会信用代码 that is unique within a test run."""
    body = f"91320500MA{next(_serial):07d}"
    return body + credit_code_check_char(body)


def make_org(kind: str, name: str | None = None, province: str = "32", **fields) -> Organization:
    org = Organization.objects.create(
        name=name or f"{kind}-{next(_serial)}", kind=kind, credit_code=make_credit_code(),
        province=province, city=fields.pop("city", "苏州"), **fields,
    )
    return org


def make_user(org: Organization | None, role: str = "admin", username: str | None = None):
    User = get_user_model()
    user = User.objects.create_user(username=username or f"u{next(_serial)}", password=PASSWORD)
    if org is not None:
        Membership.objects.create(user=user, organization=org, role=role)
    return user


@pytest.fixture
def orgs(db) -> dict[str, Organization]:
    """Two organizations of every kind: ``manufacturer``, ``manufacturer_b``, ``provider``, ``provider_b`` …"""
    out: dict[str, Organization] = {}
    for kind in Organization.Kind.values:
        out[kind] = make_org(kind, name=f"{kind} A")
        out[f"{kind}_b"] = make_org(kind, name=f"{kind} B", province="44", city="深圳")
    return out


@pytest.fixture
def users(orgs) -> dict[str, object]:
    """An admin and a member for every organization in ``orgs`` (keys ``<org key>``, ``<org key>_member``)."""
    out: dict[str, object] = {}
    for key, org in orgs.items():
        out[key] = make_user(org, "admin", username=f"{key}_admin")
        out[f"{key}_member"] = make_user(org, "member", username=f"{key}_member")
    out["anonymous"] = None
    return out


@pytest.fixture
def api_client_for():
    """``api_client_for(user)`` → an APIClient authenticated with the user's token (anonymous for None)."""

    def make(user) -> APIClient:
        client = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests create dozens of users; the production PBKDF2 cost would dominate the suite's run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_throttle_counts(request, django_db_blocker):
    """Rate limits count in the caches (the shared one is a database table); every test starts from zero."""
    from django.core.cache import caches

    caches["local"].clear()
    if not (request.node.get_closest_marker("django_db")
            or {"db", "transactional_db", "live_server"} & set(request.fixturenames)):
        return
    request.getfixturevalue("django_db_setup")  # the cache table lives in the test database
    with django_db_blocker.unblock():
        caches["default"].clear()


@pytest.fixture
def keep_test_connection():
    """Calling the WSGI app directly (schemathesis) fires request signals that close the connection holding
    the test's transaction — fatal on PostgreSQL. Django's test client disconnects them the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)
