"""Fixtures for the demand tests: published catalog items and a demand carrying unique confidential markers.

Every confidential value contains ``MARKER`` (scope, contact, attachment name) or is the odd budget figure
``BUDGET_MIN``/``BUDGET_MAX``, so a test can assert that none of it appears in a response body.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ronghe.platform.accounts.models import Industry
from ronghe.platform.catalog.models import ServiceCategory, ServiceItem
from ronghe.platform.demand import services

MARKER = "ZQX7-绝密-MARKER"
BUDGET_MIN = Decimal("1234567.89")
BUDGET_MAX = Decimal("1876543.21")
SECRET_STRINGS = (MARKER, "ZQX7", "1234567.89", "1876543.21", "1234567", "1876543")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

OWNER_KEYS = {"manufacturer", "manufacturer_member"}
OPERATOR_KEYS = {"operator", "operator_member", "operator_b", "operator_b_member"}
PROVIDER_KEYS = {"provider", "provider_member", "provider_b", "provider_b_member"}


def pdf_upload(name: str = f"{MARKER}-drawing.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def future(days: int = 30) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


@pytest.fixture
def items(db) -> list[ServiceItem]:
    """Two published service items (and a draft that must never be accepted)."""
    # get_or_create: the catalog may ship the NBS taxonomy as data
    top, _ = ServiceCategory.objects.get_or_create(
        code="02", defaults={"level": 1, "name_zh": "信息服务", "name_en": "Information services"})
    sub, _ = ServiceCategory.objects.get_or_create(
        code="021", defaults={"parent": top, "level": 2, "name_zh": "软件和信息技术服务",
                              "name_en": "Software and IT services"})
    made = [
        ServiceItem.objects.create(code="TEST-MES-01", version=1, status="published", category=sub,
                                   name_zh="制造执行系统实施", scope="MES 实施", pricing_model="fixed"),
        ServiceItem.objects.create(code="TEST-DATA-02", version=1, status="published", category=sub,
                                   name_zh="工业数据治理", scope="数据治理", pricing_model="fixed"),
        ServiceItem.objects.create(code="TEST-DRAFT-03", version=1, status="draft", category=sub,
                                   name_zh="草稿条目", scope="草稿", pricing_model="fixed"),
    ]
    return made


def demand_fields(**over) -> dict:
    fields = {
        "title": "汽车零部件产线数字化改造", "summary": "冲压车间 MES 与数据治理",
        "industry": Industry.objects.get(code="36"), "province": "32", "city": "苏州",
        "budget_min": BUDGET_MIN, "budget_max": BUDGET_MAX, "deadline": future(),
        "confidentiality": "registered", "contact_name": f"张工 {MARKER}", "contact_phone": "0512-00000000",
        "contact_email": "zhang@example.com",
    }
    fields.update(over)
    return fields


@pytest.fixture
def make_demand(orgs, users, items):
    """``make_demand(level, publish=True, attach=True)`` → a demand of ``orgs['manufacturer']`` with markers."""

    def make(level: str = "registered", *, publish: bool = True, attach: bool = True, **over):
        demand = services.create_demand(
            users["manufacturer"], orgs["manufacturer"],
            lines=[services.LineInput(items[0], f"冲压线 12 台设备联网，工艺参数 {MARKER}", 2)],
            attachments=[pdf_upload()] if attach else [],
            **demand_fields(confidentiality=level, **over),
        )
        if publish:
            demand = services.publish_demand(users["manufacturer"], demand)
        return demand

    return make


def assert_no_secret(body: bytes | str) -> None:
    text = body.decode() if isinstance(body, bytes) else body
    for secret in SECRET_STRINGS:
        assert secret not in text, f"confidential {secret!r} leaked"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The role fixtures create ~24 users; a fast hasher keeps the suite quick (security is tested elsewhere)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
