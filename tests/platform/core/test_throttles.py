"""Signing in, API tokens and registering organizations are rate-limited per client address: a clear 429."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.test import APIClient

from ronghe.platform.accounts.models import Organization
from ronghe.platform.core.throttles import ScopeThrottle
from tests.platform.conftest import PASSWORD, make_credit_code, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _low_rates(monkeypatch):
    monkeypatch.setattr(ScopeThrottle, "THROTTLE_RATES", {"login": "3/min", "register": "2/hour"})


def test_login_page_answers_429_after_the_rate_then_nothing_is_signed_in():
    user = make_user(None, username="li.lei")
    client = Client()
    for _ in range(3):
        assert client.post("/login/", {"username": "li.lei", "password": "wrong"}).status_code == 200
    refused = client.post("/login/", {"username": "li.lei", "password": PASSWORD})
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "请求过于频繁" in refused.content.decode() and "too many requests" in refused.content.decode()
    assert "_auth_user_id" not in client.session and get_user_model().objects.get(pk=user.pk).last_login is None
    assert Client(REMOTE_ADDR="10.0.0.9").post("/login/", {"username": "li.lei", "password": PASSWORD}).status_code == 302


def test_token_endpoint_answers_429_in_json_and_hands_out_no_token():
    make_user(None, username="han.mei")
    client = APIClient()
    for _ in range(3):
        assert client.post("/api/auth/token/", {"username": "han.mei", "password": "wrong"}).status_code == 400
    refused = client.post("/api/auth/token/", {"username": "han.mei", "password": PASSWORD}, format="json")
    assert refused.status_code == 429 and "detail" in refused.json() and int(refused["Retry-After"]) > 0
    # spoofing the forwarded address does not open a new bucket (only waitress's trusted proxy sets it)
    spoofed = client.post("/api/auth/token/", {"username": "han.mei", "password": PASSWORD},
                          HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert spoofed.status_code == 429


def _registration(name: str) -> dict:
    return {"org-kind": "provider", "org-name": name, "org-credit_code": make_credit_code(), "org-province": "33",
            "org-city": "杭州"}


def test_organization_registration_is_throttled_on_the_page_and_in_the_api():
    user = make_user(None)
    page = Client()
    page.force_login(user)
    assert page.post("/orgs/register/", _registration("甲")).status_code == 302
    assert page.post("/orgs/register/", _registration("乙")).status_code == 302
    assert page.post("/orgs/register/", _registration("丙")).status_code == 429
    api = APIClient()
    api.force_authenticate(user)
    body = {"kind": "provider", "name": "丁", "credit_code": make_credit_code(), "province": "33"}
    assert api.post("/api/organizations/", body, format="json").status_code == 429  # the same address's bucket
    assert sorted(Organization.objects.values_list("name", flat=True)) == ["乙", "甲"]
    assert page.get("/orgs/register/").status_code == 200  # only POSTs count
