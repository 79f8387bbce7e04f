"""Pages: the directory, the detail page, the provider's profile builder, evidence download and verification."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from ronghe.platform.core.models import ConfidentialAccess
from ronghe.platform.providers.models import Case, Certificate, Offering, OfferingProvince, ProviderProfile
from tests.platform.providers.conftest import pdf


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (ProviderProfile, Offering, OfferingProvince, Certificate, Case))


def test_directory_renders_and_filters(provider_a, provider_b, catalog):
    client = client_for(None)
    page = client.get(reverse("providers:provider_index")).content.decode()
    assert "provider A" in page and "provider B" in page and "MES 制造执行系统实施" in page
    page = client.get(reverse("providers:provider_index"), {"province": "44"}).content.decode()
    assert "provider B" in page and "provider A" not in page
    page = client.get(reverse("providers:provider_index"), {"service_item": catalog["mes"].pk}).content.decode()
    assert "provider A" in page and "provider B" not in page
    page = client.get(reverse("providers:provider_index"), {"certificate_type": "cma"}).content.decode()
    assert "provider B" in page and "provider A" not in page
    page = client.get(reverse("providers:provider_index"), {"verified_only": "true"}).content.decode()
    assert "provider A" not in page and "provider B" not in page


def test_directory_survives_bad_filter_values(provider_a):
    for query in ({"province": "99", "industry": "zz", "page": "x"}, {"industry": "\x00"}, {"service_item": "1e9"}):
        assert client_for(None).get(reverse("providers:provider_index"), query).status_code == 200


def test_detail_shows_badges_contacts_and_anonymised_cases(provider_a, provider_b, users):
    url_b = reverse("providers:provider_detail", args=[provider_b["profile"].pk])
    page = client_for(None).get(url_b).content.decode()
    assert "已过期" in page and "CMA-2019-0001" in page
    url_a = reverse("providers:provider_detail", args=[provider_a["profile"].pk])
    anon = client_for(None).get(url_a).content.decode()
    assert "0512-66668888" not in anon and "秘密齿轮" not in anon and "某汽车制造业企业" in anon
    assert "江苏" in anon  # provinces served shown by name
    signed_in = client_for(users["manufacturer"]).get(url_a).content.decode()
    assert "0512-66668888" in signed_in and "秘密齿轮" not in signed_in
    assert "秘密齿轮" in client_for(users["provider_member"]).get(url_a).content.decode()


def test_detail_links_evidence_only_for_the_entitled(provider_a, users):
    url = reverse("providers:provider_detail", args=[provider_a["profile"].pk])
    link = reverse("providers:certificate_evidence", args=[provider_a["certificate"].pk])
    for who in (None, "manufacturer", "provider_b", "government"):
        assert link not in client_for(users[who] if who else None).get(url).content.decode()
    for who in ("provider", "certifier"):
        assert link in client_for(users[who]).get(url).content.decode()


EVIDENCE_MATRIX = [
    (None, 404), ("manufacturer", 404), ("provider_b", 404), ("government", 404),
    ("provider", 200), ("provider_member", 200), ("certifier", 200), ("association", 200), ("operator", 200),
]


def test_evidence_download_permission(provider_a, users):
    pk = provider_a["certificate"].pk
    for who, status in EVIDENCE_MATRIX:
        user = users[who] if who else None
        r = client_for(user).get(reverse("providers:certificate_evidence", args=[pk]))
        assert r.status_code == status, who
        logged = ConfidentialAccess.objects.filter(object_id=str(pk), user=user).count()
        assert logged == (1 if status == 200 else 0), who
        if status == 200:
            assert r["Content-Disposition"].startswith("attachment")


def test_verify_button(provider_a, users):
    pk = provider_a["certificate"].pk
    url = reverse("providers:certificate_verify", args=[pk])
    assert client_for(users["provider"]).post(url).status_code == 403
    assert not Certificate.objects.get(pk=pk).verified
    r = client_for(users["certifier"]).post(url)
    assert r.status_code == 302
    assert Certificate.objects.get(pk=pk).verified
    detail = client_for(None).get(reverse("providers:provider_detail", args=[provider_a["profile"].pk]))
    assert "已核验" in detail.content.decode()


def test_my_provider_page_is_for_provider_members(provider_a, users):
    url = reverse("providers:my_provider")
    assert client_for(None).get(url).status_code == 302
    assert client_for(users["manufacturer"]).get(url).status_code == 403
    page = client_for(users["provider_member"]).get(url).content.decode()
    assert "苏州智造数字化服务商" in page and "MES 制造执行系统实施" in page


def test_builder_journey(orgs, users, catalog, certificate_data):
    """A provider builds its profile: profile, an offering, a certificate with evidence, a case."""
    client = client_for(users["provider"])
    r = client.post(reverse("providers:profile_edit"), {"headline": "新建档案", "team_size": 12,
                                                        "service_provinces": ["32", "33"], "languages": "中文"})
    assert r.status_code == 302, r.content.decode()
    assert ProviderProfile.objects.get(organization=orgs["provider"]).service_provinces == ["32", "33"]
    r = client.post(reverse("providers:offering_new"), {
        "service_item": catalog["mes"].pk, "price_min": "1000", "price_max": "5000", "price_unit": "project",
        "monthly_capacity": 4, "provinces": ["32"], "industries": ["36"], "lead_time_days": 5})
    assert r.status_code == 302, r.content.decode()
    offering = Offering.objects.get(provider=orgs["provider"])
    assert offering.provinces == ["32"]
    r = client.post(reverse("providers:certificate_new"), {
        **{k: str(v) for k, v in certificate_data.items()}, "evidence": pdf()})
    assert r.status_code == 302, r.content.decode()
    cert = Certificate.objects.get(provider=orgs["provider"])
    assert cert.evidence_name == "iso9001.pdf"
    assert client.get(reverse("providers:certificate_edit", args=[cert.pk])).status_code == 200
    assert client.get(reverse("providers:offering_edit", args=[offering.pk])).status_code == 200
    r = client.post(reverse("providers:case_new"), {"title": "案例一", "year": 2024, "summary": "概述",
                                                    "client_industry": "36"})
    assert r.status_code == 302, r.content.decode()
    case = Case.objects.get(provider=orgs["provider"])
    assert case.client_industry_id == "36"
    edit = client.get(reverse("providers:case_edit", args=[case.pk])).content.decode()
    assert 'value="36" selected' in edit
    r = client.post(reverse("providers:offering_set_active", args=[offering.pk]), {"active": "0"})
    assert r.status_code == 302 and not Offering.objects.get(pk=offering.pk).is_active


@pytest.mark.parametrize("bad", [
    {"price_min": "900", "price_max": "100"},
    {"monthly_capacity": "-1"},
    {"service_item": "draft"},
    {"provinces": ["99"]},
    {"provinces": []},
])
def test_bad_offering_form(provider_a, users, catalog, bad):
    if bad.get("service_item") == "draft":
        bad = {"service_item": catalog["draft"].pk}
    data = {"service_item": catalog["cma"].pk, "price_min": "100", "price_max": "200", "price_unit": "project",
            "monthly_capacity": 1, "provinces": ["32"], "lead_time_days": 1, **bad}
    before = counts()
    client = client_for(users["provider"])
    r = client.post(reverse("providers:offering_new"), data)
    assert r.status_code == 400 and "errorlist" in r.content.decode()
    r = client.post(reverse("providers:offering_edit", args=[provider_a["offering"].pk]), data)
    assert r.status_code == 400
    assert counts() == before
    assert Offering.objects.get(pk=provider_a["offering"].pk).monthly_capacity == 3


@pytest.mark.parametrize("bad", ["dates", "exe", "renamed", "oversized"])
def test_bad_certificate_form(provider_a, users, certificate_data, settings, bad):
    data = {k: str(v) for k, v in certificate_data.items()}
    if bad == "dates":
        data["valid_from"], data["valid_to"] = "2025-06-01", "2025-01-01"
    elif bad == "exe":
        data["evidence"] = pdf("setup.exe", b"MZ\x90\x00")
    elif bad == "renamed":
        data["evidence"] = pdf("scan.pdf", b"PK\x03\x04 a zip, not a pdf")
    else:
        settings.RONGHE_MAX_UPLOAD_BYTES = 64
        data["evidence"] = pdf(content=b"%PDF-1.4\n" + b"0" * 200)
    before = counts()
    r = client_for(users["provider"]).post(reverse("providers:certificate_new"), data)
    assert r.status_code == 400 and "errorlist" in r.content.decode()
    assert counts() == before


def test_bad_profile_and_case_forms(orgs, users):
    client = client_for(users["provider"])
    r = client.post(reverse("providers:profile_edit"), {"headline": "x", "founded_year": 2999})
    assert r.status_code == 400
    r = client.post(reverse("providers:case_new"), {"title": "t", "year": 1800, "summary": "s"})
    assert r.status_code == 400
    r = client.post(reverse("providers:case_new"), {"title": "t", "year": 2020, "summary": "s",
                                                    "client_industry": "\x0036"})
    assert r.status_code == 400
    assert counts() == (0, 0, 0, 0, 0)


def test_directory_page_query_count_is_flat(provider_a, provider_b, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        assert client_for(None).get(reverse("providers:provider_index")).status_code == 200


@pytest.mark.parametrize("prices", [("-1", "200"), ("-5", "-1"), ("100", "-1")])
def test_negative_price_is_refused_with_a_readable_message(provider_a, users, catalog, prices):
    data = {"service_item": catalog["cma"].pk, "price_min": prices[0], "price_max": prices[1],
            "price_unit": "project", "monthly_capacity": 1, "provinces": ["32"], "lead_time_days": 1}
    before = counts()
    r = client_for(users["provider"]).post(reverse("providers:offering_new"), data)
    body = r.content.decode()
    assert r.status_code == 400 and "errorlist" in body
    assert "offering_price_nonnegative" not in body and "约束" not in body and "onstraint" not in body
    assert "不能为负" in body
    assert counts() == before


def test_offering_the_same_item_again_is_refused_on_the_page(provider_a, users, catalog):
    data = {"service_item": catalog["mes"].pk, "price_min": "100", "price_max": "200", "price_unit": "project",
            "monthly_capacity": 1, "provinces": ["32"], "lead_time_days": 1}
    before = counts()
    r = client_for(users["provider"]).post(reverse("providers:offering_new"), data)
    assert r.status_code == 400 and "不能重复提供" in r.content.decode()
    assert counts() == before


def test_a_certificate_without_evidence_is_saved_with_a_warning(orgs, users, certificate_data):
    data = {k: str(v) for k, v in certificate_data.items() if k != "evidence"}
    r = client_for(users["provider"]).post(reverse("providers:certificate_new"), data, follow=True)
    assert r.status_code == 200
    assert Certificate.objects.filter(provider=orgs["provider"], evidence="").count() == 1
    assert "没有证明文件" in r.content.decode() and "无法核验" in r.content.decode()


def test_evidence_must_be_chosen_again_when_the_certificate_form_comes_back(orgs, users, certificate_data):
    data = {k: str(v) for k, v in certificate_data.items() if k != "evidence"}
    data["valid_from"], data["valid_to"] = "2025-06-01", "2025-01-01"
    r = client_for(users["provider"]).post(reverse("providers:certificate_new"), {**data, "evidence": pdf()})
    assert r.status_code == 400 and "已选择的文件没有保留，请重新选择" in r.content.decode()
    assert not Certificate.objects.filter(provider=orgs["provider"]).exists()
