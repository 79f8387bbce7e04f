"""The REST API: /api/providers/, /api/offerings/, /api/certificates/ — reads, filters, writes, bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ronghe.platform.core.models import ConfidentialAccess
from ronghe.platform.providers.models import Certificate, Offering, OfferingProvince, ProviderProfile
from tests.platform.providers.conftest import pdf


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (ProviderProfile, Offering, OfferingProvince, Certificate))


# ------------------------------------------------------------------------------------------------ reads & filters
def test_anyone_lists_providers_but_contacts_only_for_signed_in(provider_a, provider_b, api_client_for, users):
    rows = api_client_for(None).get("/api/providers/").json()["results"]
    assert {r["organization_name"] for r in rows} == {"provider A", "provider B"}
    assert all("contact_phone" not in r for r in rows)
    rows = api_client_for(users["manufacturer"]).get("/api/providers/").json()["results"]
    assert "0512-66668888" in {r["contact_phone"] for r in rows}


PROVIDER_FILTERS = [
    ("province=32", {"a"}), ("province=44", {"b"}), ("province=11", set()),
    ("industry=38", {"a"}), ("industry=36", {"a", "b"}),
    ("certificate_type=iso9001", {"a"}), ("certificate_type=cma", {"b"}),
    ("verified_only=true", set()), ("located_in=44", {"b"}), ("q=检测", {"b"}),
    ("province=44&industry=38", set()),  # both must hold for the same offering
]


def test_provider_filters(provider_a, provider_b, api_client_for, catalog):
    for query, expected in PROVIDER_FILTERS:
        want = {provider_a["profile"].pk if k == "a" else provider_b["profile"].pk for k in expected}
        assert ids(api_client_for(None).get(f"/api/providers/?{query}")) == want, query


def test_provider_filters_by_item_category_and_verified(provider_a, provider_b, api_client_for, catalog, users):
    client = api_client_for(None)
    a, b = provider_a["profile"].pk, provider_b["profile"].pk
    assert ids(client.get(f"/api/providers/?service_item={catalog['cma'].pk}")) == {b}
    assert ids(client.get(f"/api/providers/?category={catalog['it'].pk}")) == {a}  # 大类 includes its 中类
    api_client_for(users["certifier"]).post(f"/api/certificates/{provider_a['certificate'].pk}/verify/")
    assert ids(client.get("/api/providers/?verified_only=true")) == {a}


OFFERING_FILTERS = [
    ("province=31", {"a"}), ("industry=38", {"a"}), ("price_from=250000", {"a"}), ("price_to=5000", {"b"}),
    ("min_capacity=10", {"b"}), ("max_lead_time=5", {"b"}), ("", {"a", "b"}),
]


def test_offering_filters(provider_a, provider_b, api_client_for):
    for query, expected in OFFERING_FILTERS:
        want = {provider_a["offering"].pk if k == "a" else provider_b["offering"].pk for k in expected}
        assert ids(api_client_for(None).get(f"/api/offerings/?{query}")) == want, query


def test_offering_filter_by_item_and_category(provider_a, provider_b, api_client_for, catalog):
    client = api_client_for(None)
    assert ids(client.get(f"/api/offerings/?service_item={catalog['mes'].pk}")) == {provider_a["offering"].pk}
    assert ids(client.get(f"/api/offerings/?category={catalog['test'].pk}")) == {provider_b["offering"].pk}


def test_bad_filter_values_are_400(provider_a, api_client_for):
    for query in ["province=99", "industry=00", "service_item=999999", "price_from=abc", "certificate_type=xyz"]:
        path = "/api/providers/" if "certificate_type" in query else "/api/offerings/"
        assert api_client_for(None).get(f"{path}?{query}").status_code == 400, query


# ------------------------------------------------------------------------------------------------ writes
def test_provider_creates_profile_offering_and_certificate(orgs, users, catalog, api_client_for):
    client = api_client_for(users["provider"])
    org = orgs["provider"].pk
    r = client.post("/api/providers/", {"organization": org, "headline": "新服务商", "service_provinces": ["32"]},
                    format="json")
    assert r.status_code == 201, r.content
    assert client.post("/api/providers/", {"organization": org, "headline": "again"}, format="json").status_code == 400
    r = client.post("/api/offerings/", {"provider": org, "service_item": catalog["mes"].pk, "price_min": "1000",
                                        "price_max": "2000", "monthly_capacity": 2, "provinces": ["32", "33"],
                                        "industries": ["36"]}, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["provinces"] == ["32", "33"] and r.json()["category"] == catalog["it_sub"].pk
    today = timezone.localdate()
    r = client.post("/api/certificates/", {"provider": org, "cert_type": "iso27001", "number": "ISMS-1",
                                           "issuer": "CQC", "valid_from": today.isoformat(),
                                           "valid_to": (today + timedelta(days=30)).isoformat(),
                                           "evidence": pdf(), "verified": True}, format="multipart")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["verified"] is False  # a provider cannot declare itself verified
    assert body["evidence_url"].endswith(f"/api/certificates/{body['id']}/evidence/")


def test_update_and_deactivate_offering(provider_a, api_client_for, users):
    client = api_client_for(users["provider_member"])
    pk = provider_a["offering"].pk
    r = client.patch(f"/api/offerings/{pk}/", {"monthly_capacity": 7, "provinces": ["11"]}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["provinces"] == ["11"]
    assert client.delete(f"/api/offerings/{pk}/").status_code == 204
    assert Offering.objects.get(pk=pk).is_active is False  # soft: still there
    assert pk not in ids(api_client_for(None).get("/api/offerings/"))
    assert pk in ids(client.get("/api/offerings/"))


@pytest.mark.parametrize("bad", [
    {"price_min": "500", "price_max": "100"},
    {"monthly_capacity": -1},
    {"provinces": []},
    {"provinces": ["99"]},
    {"industries": ["00"]},
    {"industries": ["\x003"]},  # a NUL byte must be a 400, not a PostgreSQL error
    {"price_min": "abc"},
    {"service_item": "draft"},
])
def test_bad_offering_is_400_and_nothing_written(provider_a, api_client_for, users, catalog, bad):
    if bad.get("service_item") == "draft":
        bad = {"service_item": catalog["draft"].pk}
    data = {"provider": provider_a["org"].pk, "service_item": catalog["mes"].pk, "price_min": "100",
            "price_max": "200", "monthly_capacity": 1, "provinces": ["32"], **bad}
    before = counts()
    r = api_client_for(users["provider"]).post("/api/offerings/", data, format="json")
    assert r.status_code == 400, r.content
    assert counts() == before
    r = api_client_for(users["provider"]).patch(f"/api/offerings/{provider_a['offering'].pk}/", bad, format="json")
    assert r.status_code == 400, r.content
    assert counts() == before


@pytest.mark.parametrize("bad", [
    {"valid_to": "2000-01-01"},
    {"evidence": "exe"},
    {"evidence": "renamed"},
    {"cert_type": "unknown"},
])
def test_bad_certificate_is_400_and_nothing_written(provider_a, api_client_for, users, bad):
    evidence = {"exe": pdf("tool.exe", b"MZ\x90"), "renamed": pdf("scan.pdf", b"GIF89a not a pdf")}
    if "evidence" in bad:
        bad = {"evidence": evidence[bad["evidence"]]}
    data = {"provider": provider_a["org"].pk, "cert_type": "iso9001", "number": "N", "issuer": "I",
            "valid_from": "2024-01-01", "valid_to": "2030-01-01", **bad}
    before = counts()
    r = api_client_for(users["provider"]).post("/api/certificates/", data, format="multipart")
    assert r.status_code == 400, r.content
    assert counts() == before


def test_oversized_evidence_is_400(provider_a, api_client_for, users, settings):
    settings.RONGHE_MAX_UPLOAD_BYTES = 100
    before = counts()
    r = api_client_for(users["provider"]).patch(
        f"/api/certificates/{provider_a['certificate'].pk}/",
        {"evidence": pdf(content=b"%PDF-1.4\n" + b"x" * 500)}, format="multipart")
    assert r.status_code == 400
    assert "过大" in r.content.decode()
    assert counts() == before


# ------------------------------------------------------------------------------------------------ evidence & verify
def test_evidence_never_exposed_to_the_unentitled(provider_a, api_client_for, users):
    pk = provider_a["certificate"].pk
    for who in (None, "manufacturer", "provider_b", "government"):
        client = api_client_for(users[who] if who else None)
        for body in (client.get(f"/api/certificates/{pk}/").json(),
                     client.get("/api/certificates/").json()["results"][0]):
            assert body["has_evidence"] is True
            assert body["evidence_url"] is None and body["evidence_name"] is None
            assert "iso9001.pdf" not in str(body) and "certificates/" not in str(body)
        assert client.get(f"/api/certificates/{pk}/evidence/").status_code == 404
    assert not ConfidentialAccess.objects.exists()


def test_evidence_download_for_owner_and_verifiers_is_logged(provider_a, api_client_for, users):
    pk = provider_a["certificate"].pk
    for who in ("provider", "provider_member", "certifier", "association", "operator"):
        client = api_client_for(users[who])
        assert client.get(f"/api/certificates/{pk}/").json()["evidence_name"] == "iso9001.pdf"
        r = client.get(f"/api/certificates/{pk}/evidence/")
        assert r.status_code == 200, who
        assert b"".join(r.streaming_content).startswith(b"%PDF-")
        log = ConfidentialAccess.objects.get(object_id=str(pk), user=users[who])
        assert log.channel == "api"


@pytest.mark.parametrize(("who", "status"), [
    (None, 401), ("provider", 403), ("provider_member", 403), ("provider_b", 403), ("manufacturer", 403),
    ("government", 403), ("certifier", 200), ("association", 200), ("operator", 200),
])
def test_verify_endpoint(provider_a, api_client_for, users, who, status):
    pk = provider_a["certificate"].pk
    r = api_client_for(users[who] if who else None).post(f"/api/certificates/{pk}/verify/")
    assert r.status_code == status, r.content
    assert Certificate.objects.get(pk=pk).verified is (status == 200)


def test_expired_certificate_shown_expired_and_not_verifiable(provider_b, api_client_for, users):
    pk = provider_b["certificate"].pk
    assert api_client_for(None).get(f"/api/certificates/{pk}/").json()["is_expired"] is True
    assert api_client_for(users["certifier"]).post(f"/api/certificates/{pk}/verify/").status_code == 400
    assert ids(api_client_for(None).get("/api/certificates/?valid=true")) == set()


def test_schema_documents_the_endpoints(db, api_client_for):
    paths = api_client_for(None).get("/api/schema/?format=json").json()["paths"]
    for path in ("/api/providers/", "/api/offerings/{id}/", "/api/certificates/{id}/verify/",
                 "/api/certificates/{id}/evidence/"):
        assert path in paths


def test_lists_do_not_query_per_row(provider_a, api_client_for, users, offering_data, django_assert_max_num_queries):
    """Lists stay a fixed number of queries however many rows a page holds (they must serve 500,000 offerings)."""
    from ronghe.platform.providers import services
    from tests.platform.conftest import make_org

    for i in range(12):
        org = make_org("provider", name=f"extra {i}")
        users["operator"]._ronghe_memberships = None
        services.save_profile(users["operator"], org, headline=f"h{i}")
        services.add_offering(users["operator"], org, **offering_data)
        services.add_certificate(users["operator"], org, cert_type="ccc", number=f"C{i}", issuer="CQC",
                                 valid_from="2024-01-01", valid_to="2030-01-01")
    client = api_client_for(users["manufacturer"])
    for path in ("/api/providers/", "/api/offerings/", "/api/certificates/"):
        with django_assert_max_num_queries(8):
            assert client.get(path).json()["count"] == 13
