"""Fixtures for the providers tests: a small published catalog, a provider with a profile, offering, certificate."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ronghe.platform.catalog.models import ServiceCategory, ServiceItem
from ronghe.platform.providers import services

PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def pdf(name: str = "iso9001.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _item(code: str, category: ServiceCategory, status: str, name: str) -> ServiceItem:
    return ServiceItem.objects.create(
        code=code, version=1, status=status, category=category, name_zh=name, scope=f"{name}：范围与内容",
        pricing_model=ServiceItem.Pricing.FIXED,
    )


@pytest.fixture
def catalog(db) -> dict[str, object]:
    """Two 大类 with one 中类 each; two published items, one draft."""
    it = ServiceCategory.objects.create(code="T05", level=1, name_zh="信息服务", name_en="Information services")
    it_sub = ServiceCategory.objects.create(code="T051", level=2, parent=it, name_zh="软件和信息技术服务",
                                            name_en="Software and IT services")
    test = ServiceCategory.objects.create(code="T03", level=1, name_zh="研发设计与其他技术服务",
                                          name_en="R&D, design and other technical services")
    test_sub = ServiceCategory.objects.create(code="T032", level=2, parent=test, name_zh="检验检测服务",
                                              name_en="Testing and inspection")
    return {
        "it": it, "it_sub": it_sub, "test": test, "test_sub": test_sub,
        "mes": _item("SI-05-001", it_sub, ServiceItem.Status.PUBLISHED, "MES 制造执行系统实施"),
        "cma": _item("SI-03-001", test_sub, ServiceItem.Status.PUBLISHED, "汽车零部件 CMA 检测"),
        "draft": _item("SI-05-002", it_sub, ServiceItem.Status.DRAFT, "工业数据治理（草稿）"),
    }


@pytest.fixture
def offering_data(catalog) -> dict[str, object]:
    return {"service_item": catalog["mes"], "price_min": "50000", "price_max": "300000", "price_unit": "project",
            "monthly_capacity": 3, "provinces": ["32", "31"], "industries": ["36", "38"], "lead_time_days": 10,
            "notes": "含上线培训"}


@pytest.fixture
def certificate_data() -> dict[str, object]:
    today = timezone.localdate()
    return {"cert_type": "iso9001", "number": "00121Q34567R0M", "issuer": "中国质量认证中心",
            "scope": "工业软件的设计开发与实施服务", "valid_from": today - timedelta(days=365),
            "valid_to": today + timedelta(days=700)}


@pytest.fixture
def provider_a(orgs, users, catalog, offering_data, certificate_data) -> dict[str, object]:
    """orgs["provider"] with a profile, one offering, one certificate with evidence, one anonymised case."""
    org, user = orgs["provider"], users["provider"]
    profile = services.save_profile(user, org, headline="苏州智造数字化服务商", team_size=45,
                                    founded_year=2012, service_provinces=["32", "31"],
                                    contact_phone="0512-66668888")
    offering = services.add_offering(user, org, **offering_data)
    cert = services.add_certificate(user, org, **{**certificate_data, "evidence": pdf()})
    case = services.add_case(user, org, title="某变速箱厂 MES 上线", client_name="秘密齿轮有限公司",
                             client_industry="36", year=2023, summary="三个月完成上线",
                             outcome="OEE 提升 12%", is_public=False)
    return {"org": org, "user": user, "profile": profile, "offering": offering, "certificate": cert, "case": case}


@pytest.fixture
def provider_b(orgs, users, catalog) -> dict[str, object]:
    """orgs["provider_b"] (Guangdong): a testing lab with a CMA certificate that has expired."""
    org, user = orgs["provider_b"], users["provider_b"]
    profile = services.save_profile(user, org, headline="深圳检测实验室", team_size=80)
    offering = services.add_offering(user, org, service_item=catalog["cma"], price_min=2000, price_max=8000,
                                     price_unit="day", monthly_capacity=20, provinces=["44"], industries=["36"],
                                     lead_time_days=3)
    cert = services.add_certificate(user, org, cert_type="cma", number="CMA-2019-0001", issuer="广东省市场监督管理局",
                                    valid_from=date(2019, 1, 1), valid_to=date(2022, 12, 31))
    return {"org": org, "user": user, "profile": profile, "offering": offering, "certificate": cert}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    """The shared ``users`` fixture makes 24 users per test; PBKDF2 would dominate the run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
