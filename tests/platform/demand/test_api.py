"""``/api/demand-lists/`` and ``/api/demands/``: per-entitlement fields, refusals, broken input, access log."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from ronghe.platform.core.models import ConfidentialAccess
from ronghe.platform.demand import services
from ronghe.platform.demand.models import Demand, DemandAttachment, DemandLine, DemandList, DemandListEntry
from tests.platform.demand.conftest import (
    MARKER,
    OPERATOR_KEYS,
    OWNER_KEYS,
    PDF,
    PROVIDER_KEYS,
    assert_no_secret,
    future,
    pdf_upload,
)

pytestmark = pytest.mark.django_db


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_unentitled_roles_never_see_confidential_values(make_demand, users, api_client_for):
    """Every role of every unrelated organization, against a registered-, an NDA- and a private-level demand."""
    demands = {level: make_demand(level) for level in ("registered", "nda", "private")}
    for key in [k for k in users if k not in OWNER_KEYS | OPERATOR_KEYS]:
        client = api_client_for(users[key])
        provider, member = key in PROVIDER_KEYS, key.endswith("_member")
        searches = {MARKER: 1, "冲压线": 1, "1234567": 0} if provider else {MARKER: 0, "冲压线": 0, "1234567": 0}
        if member:  # members act like their admins (same organization): spot-check
            searches = {MARKER: searches[MARKER]}
        listing = client.get("/api/demands/")
        assert listing.json()["count"] == 2, key  # the private one does not exist for them
        for text, found in searches.items():
            response = client.get("/api/demands/", {"search": text})
            assert response.json()["count"] == found, (key, text)  # confidential text only for the entitled
            assert_no_secret(response.content)  # and lists carry summaries only, even then
        assert_no_secret(listing.content)
        for level, demand in demands.items():
            if level == "registered" and provider:
                continue  # entitled: see test_entitled_provider_sees_details_and_the_access_is_logged
            attachment = demand.attachments.get()
            detail = client.get(f"/api/demands/{demand.pk}/")
            download = client.get(f"/api/demands/{demand.pk}/attachments/{attachment.pk}/")
            writes = [] if member else [
                client.patch(f"/api/demands/{demand.pk}/", {"title": "x"}, format="json"),
                client.post(f"/api/demands/{demand.pk}/close/"),
                client.post(f"/api/demands/{demand.pk}/accept-nda/", {}, format="json"),
                client.post(f"/api/demands/{demand.pk}/invite/", {"provider": 1}, format="json"),
                client.post(f"/api/demands/{demand.pk}/attachments/", {"file": pdf_upload()}, format="multipart"),
            ]
            for response in [detail, download, *writes]:
                assert_no_secret(body_of(response))
            assert download.status_code == 404, (key, level)
            assert all(r.status_code in (401, 403, 404) for r in writes), (key, level)
            if level == "private":
                assert detail.status_code == 404, key
            else:
                assert detail.status_code == 200 and detail.json()["details"] is None, (key, level)
    assert all(Demand.objects.get(pk=d.pk).state == "published" for d in demands.values())
    assert DemandAttachment.objects.count() == 3
    assert ConfidentialAccess.objects.count() == 0


def test_entitled_provider_sees_details_and_the_access_is_logged(make_demand, users, api_client_for):
    demand = make_demand("registered")
    client = api_client_for(users["provider_b_member"])
    data = client.get(f"/api/demands/{demand.pk}/").json()
    assert data["entitled"] is True
    assert data["details"]["budget_min"] == "1234567.89"
    assert MARKER in data["details"]["lines"][0]["scope"]
    [row] = ConfidentialAccess.objects.all()
    assert (row.user, row.channel, row.what, row.object_id) == (users["provider_b_member"], "api", "details",
                                                               str(demand.pk))
    url = data["details"]["attachments"][0]["download_url"]
    response = client.get(url)
    assert response.status_code == 200 and body_of(response) == PDF
    assert response["Cache-Control"] == "private, no-store"
    assert ConfidentialAccess.objects.filter(what__startswith="attachment:", channel="api").count() == 1
    # an entitled user's text search may find confidential text
    assert client.get("/api/demands/?search=冲压线").json()["count"] == 1
    # lists never carry details, not even for the entitled
    listing = client.get("/api/demands/").json()
    assert listing["results"][0]["details"] is None
    assert_no_secret(str(listing))


def test_owner_reads_its_own_demand_without_a_log_row(make_demand, users, api_client_for):
    demand = make_demand("private")
    data = api_client_for(users["manufacturer_member"]).get(f"/api/demands/{demand.pk}/").json()
    assert data["details"]["contact_name"].endswith(MARKER)
    assert ConfidentialAccess.objects.count() == 0


def test_nda_invitation_and_acceptance_over_the_api(make_demand, users, orgs, api_client_for):
    demand = make_demand("nda")
    provider = api_client_for(users["provider"])
    assert provider.get(f"/api/demands/{demand.pk}/").json()["details"] is None
    assert provider.post(f"/api/demands/{demand.pk}/accept-nda/", {}, format="json").status_code == 403
    owner = api_client_for(users["manufacturer"])
    response = owner.post(f"/api/demands/{demand.pk}/invite/", {"provider": orgs["provider"].pk}, format="json")
    assert response.status_code == 201, response.content
    assert provider.get(f"/api/demands/{demand.pk}/").json()["details"] is None  # invited, not yet accepted
    response = provider.post(f"/api/demands/{demand.pk}/accept-nda/", {"nda_version": "2026.1"}, format="json")
    assert response.status_code == 200 and response.json()["nda_version"] == "2026.1"
    data = provider.get(f"/api/demands/{demand.pk}/").json()
    assert MARKER in data["details"]["lines"][0]["scope"]
    assert ConfidentialAccess.objects.filter(user=users["provider"], channel="api").exists()
    # the other provider stays outside
    assert api_client_for(users["provider_b"]).get(f"/api/demands/{demand.pk}/").json()["details"] is None


def payload(items, **over) -> dict:
    data = {
        "title": "注塑车间能耗诊断", "summary": "公开摘要", "industry": "29", "province": "33", "city": "宁波",
        "budget_min": "50000.00", "budget_max": "80000.00", "deadline": future().isoformat(),
        "confidentiality": "nda", "contact_name": "李工",
        "lines": [{"item": items[1].pk, "scope": "12 台注塑机能耗监测", "quantity": 1}],
    }
    data.update(over)
    return data


def test_manufacturer_creates_edits_and_publishes(users, items, api_client_for):
    client = api_client_for(users["manufacturer_member"])
    response = client.post("/api/demands/", payload(items), format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["state"] == "draft" and created["budget_band"] == "lt10w" and created["entitled"]
    pk = created["id"]
    response = client.patch(f"/api/demands/{pk}/", {"title": "注塑车间能耗诊断（二期）"}, format="json")
    assert response.status_code == 200 and response.json()["title"].endswith("二期）")
    assert client.post(f"/api/demands/{pk}/publish/").json()["state"] == "published"
    assert client.post(f"/api/demands/{pk}/publish/").status_code == 400  # illegal transition
    assert client.patch(f"/api/demands/{pk}/", {"title": "y"}, format="json").status_code == 400
    assert client.post(f"/api/demands/{pk}/cancel/").json()["state"] == "cancelled"
    assert client.post(f"/api/demands/{pk}/close/").status_code == 400


def db_counts() -> tuple[int, int, int]:
    return Demand.objects.count(), DemandLine.objects.count(), DemandAttachment.objects.count()


@pytest.mark.parametrize(("over", "field"), [
    ({"budget_min": "90000", "budget_max": "1000"}, "budget_max"),
    ({"deadline": "2020-01-01"}, "deadline"),
    ({"industry": "52"}, "industry"),
    ({"lines": []}, "lines"),
    ({"lines": [{"item": 999999, "scope": "x"}]}, "lines"),
    ({"budget_min": "-1"}, "budget_min"),
    ({"confidentiality": "top-secret"}, "confidentiality"),
    ({"province": "xx"}, "province"),
])
def test_broken_input_gives_400_and_writes_nothing(over, field, users, items, api_client_for):
    client = api_client_for(users["manufacturer"])
    before = db_counts()
    response = client.post("/api/demands/", payload(items, **over), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert db_counts() == before


@pytest.mark.parametrize("key", ["provider", "association", "government", "certifier", "anonymous"])
def test_non_manufacturers_cannot_create_demands(key, users, items, api_client_for):
    before = db_counts()
    response = api_client_for(users[key]).post("/api/demands/", payload(items), format="json")
    assert response.status_code in (401, 403)
    assert db_counts() == before


def test_attachment_upload_validates_type_and_size(make_demand, users, api_client_for):
    demand = make_demand("nda", attach=False)
    client = api_client_for(users["manufacturer"])
    url = f"/api/demands/{demand.pk}/attachments/"
    fake = pdf_upload(name="drawing.pdf", content=b"MZ\x90\x00" + b"\x00" * 100)
    response = client.post(url, {"file": fake}, format="multipart")
    assert response.status_code == 400 and "attachments" in response.json()
    with override_settings(RONGHE_MAX_UPLOAD_BYTES=64):
        response = client.post(url, {"file": pdf_upload(content=PDF + b"0" * 200)}, format="multipart")
    assert response.status_code == 400
    assert DemandAttachment.objects.count() == 0
    stranger = api_client_for(users["manufacturer_b"])
    assert stranger.post(url, {"file": pdf_upload()}, format="multipart").status_code == 403
    response = client.post(url, {"file": pdf_upload()}, format="multipart")
    assert response.status_code == 201 and response.json()[0]["sha256"].startswith("sha256:")
    assert DemandAttachment.objects.count() == 1


def test_expired_demand_stays_summarised(make_demand, users, api_client_for):
    demand = make_demand("registered")
    Demand.objects.filter(pk=demand.pk).update(deadline=timezone.localdate() - dt.timedelta(days=2))
    assert services.expire_due_demands() == 1
    data = api_client_for(None).get(f"/api/demands/{demand.pk}/?state=expired").json()
    assert data["state"] == "expired" and data["details"] is None


def test_filters(make_demand, users, api_client_for):
    make_demand("public")
    client = api_client_for(None)
    assert client.get("/api/demands/?industry=36&province=32&category=02").json()["count"] == 1
    assert client.get("/api/demands/?category=021&state=published").json()["count"] == 1
    assert client.get("/api/demands/?province=44").json()["count"] == 0
    assert client.get("/api/demands/?budget_band=50w-200w").json()["count"] == 1
    assert client.get("/api/demands/?ordering=budget_max").status_code == 200  # ignored, not a leak
    assert client.get("/api/demands/?province=zz").status_code == 400


# --- demand lists -------------------------------------------------------------------------------------------


def list_payload(items) -> dict:
    return {"name": "汽车零部件数字化转型需求清单", "industry": "36", "province": "32",
            "pain_points": "设备联网率低；质量追溯难", "items": [items[0].pk, items[1].pk]}


def test_association_publishes_and_manufacturers_join(users, items, api_client_for):
    association = api_client_for(users["association_member"])
    response = association.post("/api/demand-lists/", list_payload(items), format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert api_client_for(None).get(f"/api/demand-lists/{pk}/").status_code == 404  # draft
    assert association.post(f"/api/demand-lists/{pk}/publish/").json()["state"] == "published"
    manufacturer = api_client_for(users["manufacturer"])
    response = manufacturer.post(f"/api/demand-lists/{pk}/join/",
                                 {"entries": [{"item": items[0].pk, "quantity": 4}]}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["totals"]["manufacturers"] is None  # one joiner: suppressed, even for itself
    detail = api_client_for(None).get(f"/api/demand-lists/{pk}/").json()
    by_item = {row["item"]: row["quantity"] for row in detail["totals"]["by_item"]}
    assert by_item == {items[0].pk: None, items[1].pk: 0}
    assert detail["totals"]["by_province"] == []
    curated = association.get(f"/api/demand-lists/{pk}/").json()["totals"]
    assert curated["manufacturers"] == 1 and curated["suppressed_below"] is None
    assert curated["by_province"] == [{"province": "32", "province_name": "江苏省", "manufacturers": 1}]


@pytest.mark.parametrize("key", ["manufacturer", "provider", "government", "certifier", "anonymous"])
def test_others_cannot_create_or_publish_lists(key, users, items, api_client_for):
    client = api_client_for(users[key])
    response = client.post("/api/demand-lists/", list_payload(items), format="json")
    assert response.status_code in (401, 403)
    draft = services.create_demand_list(users["association"], users["association"].memberships.get().organization,
                                        **{**list_payload(items), "industry": "36"})
    assert client.post(f"/api/demand-lists/{draft.pk}/publish/").status_code in (401, 403, 404)
    assert DemandList.objects.get(pk=draft.pk).state == "draft"
    assert DemandList.objects.count() == 1


@pytest.mark.parametrize("key", ["provider", "association", "government", "anonymous"])
def test_only_manufacturers_join(key, users, orgs, items, api_client_for):
    demand_list = services.publish_demand_list(users["association"], services.create_demand_list(
        users["association"], orgs["association"], **list_payload(items)))
    response = api_client_for(users[key]).post(f"/api/demand-lists/{demand_list.pk}/join/",
                                               {"entries": [{"item": items[0].pk}]}, format="json")
    assert response.status_code in (401, 403)
    assert DemandListEntry.objects.count() == 0


def test_broken_list_input_gives_400(users, items, api_client_for):
    client = api_client_for(users["association"])
    for over in ({"items": []}, {"industry": "52"}, {"pain_points": ""}, {"province": "99"}):
        response = client.post("/api/demand-lists/", {**list_payload(items), **over}, format="json")
        assert response.status_code == 400, (over, response.content)
    assert DemandList.objects.count() == 0


def test_openapi_schema_has_demand_paths_without_warnings():
    """Only this app's endpoints (other apps' schema warnings are theirs)."""
    from django.urls import include, path
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from rest_framework.routers import DefaultRouter

    from ronghe.platform.demand import api

    router = DefaultRouter()
    api.register(router)
    GENERATOR_STATS.reset()
    schema = SchemaGenerator(patterns=[path("api/", include(router.urls))]).get_schema(request=None, public=True)
    paths = schema["paths"]
    for url in ("/api/demands/", "/api/demands/{id}/accept-nda/", "/api/demand-lists/{id}/join/",
                "/api/demands/{id}/attachments/{attachment_id}/", "/api/demands/{id}/attachments/"):
        assert url in paths, url
    assert not GENERATOR_STATS._warn_cache, list(GENERATOR_STATS._warn_cache)
    assert not GENERATOR_STATS._error_cache, list(GENERATOR_STATS._error_cache)
    assert "budget_min" not in str(schema["components"]["schemas"]["DemandItem"])


def test_demand_list_endpoint_uses_a_fixed_number_of_queries(make_demand, users, api_client_for,
                                                              django_assert_max_num_queries):
    for level in ("public", "registered", "nda", "public", "registered"):
        make_demand(level)
    client = api_client_for(users["provider"])
    client.get("/api/demands/")  # warm caches (memberships, content types)
    with django_assert_max_num_queries(8):
        data = client.get("/api/demands/?search=数字化").json()
    assert data["count"] == 5 and all(row["details"] is None for row in data["results"])
