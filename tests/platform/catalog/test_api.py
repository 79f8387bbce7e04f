"""/api/catalog/categories/ and /api/catalog/items/: browse for all, curate for associations and the operator."""

import pytest

from ronghe.platform.catalog.models import ServiceItem
from ronghe.platform.catalog.services import create_item_draft

pytestmark = pytest.mark.django_db
ITEMS = "/api/catalog/items/"


def _codes(response) -> set[str]:
    return {row["code"] for row in response.json()["results"]}


def test_categories_filter_by_level_and_parent(catalog, api_client_for):
    client = api_client_for(None)
    top = client.get("/api/catalog/categories/", {"level": 1}).json()
    assert top["count"] == 10
    subs = client.get("/api/catalog/categories/", {"parent": "05"}).json()["results"]
    assert {c["code"] for c in subs} == {"051", "052", "053"}
    assert all(c["parent"] == "05" and c["synonyms"] for c in subs)
    assert client.post("/api/catalog/categories/", {}).status_code in (401, 403, 405)


def test_items_list_and_filters_for_anonymous(catalog, api_client_for):
    client = api_client_for(None)
    everything = client.get(ITEMS, {"current": "true"}).json()
    assert everything["count"] == catalog.items_created
    detail = client.get(f"{ITEMS}{everything['results'][0]['id']}/").json()
    assert detail["sla"] and detail["deliverables"] and detail["is_current"] is True
    assert _codes(client.get(ITEMS, {"category": "014"})) == {"SI-01-009", "SI-01-010", "SI-01-011", "SI-01-012"}
    assert all(c.startswith("SI-05-") for c in _codes(client.get(ITEMS, {"category": "05"})))
    outcome = client.get(ITEMS, {"pricing_model": "outcome"}).json()["results"]
    assert outcome and all(r["pricing_model"] == "outcome" for r in outcome)
    assert "SI-03-002" in _codes(client.get(ITEMS, {"search": "MES"}))
    assert "SI-01-009" in _codes(client.get(ITEMS, {"qualification": "CMA"}))
    assert client.get(ITEMS, {"pricing_model": "barter"}).status_code == 400


def test_curator_drafts_edits_publishes_and_revises(catalog, users, api_client_for, draft_fields):
    client = api_client_for(users["association_member"])
    created = client.post(ITEMS, draft_fields, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "draft" and body["version"] == 1 and body["code"].startswith("SI-08-")
    pk = body["id"]
    assert client.patch(f"{ITEMS}{pk}/", {"duration_days_max": 45}, format="json").json()["duration_days_max"] == 45
    published = client.post(f"{ITEMS}{pk}/publish/")
    assert published.status_code == 200 and published.json()["status"] == "published"

    refused = client.patch(f"{ITEMS}{pk}/", {"name_zh": "改名"}, format="json")
    assert refused.status_code == 409 and "revise" in refused.json()["detail"]

    revised = client.post(f"{ITEMS}{pk}/revise/", {"name_zh": "模具企业五轴编程与仿真培训"}, format="json")
    assert revised.status_code == 201
    v2 = revised.json()
    assert (v2["version"], v2["status"], v2["supersedes"], v2["code"]) == (2, "draft", pk, body["code"])
    client.post(f"{ITEMS}{v2['id']}/publish/")
    v1 = api_client_for(None).get(f"{ITEMS}{pk}/").json()
    assert v1["name_zh"] == draft_fields["name_zh"] and v1["is_current"] is False and v1["superseded_by"] == v2["id"]
    current = api_client_for(None).get(ITEMS, {"code": body["code"], "current": "true"}).json()["results"]
    assert [r["version"] for r in current] == [2]


def test_non_curators_cannot_create_publish_or_revise(catalog, users, api_client_for, draft_fields):
    item = ServiceItem.objects.current().first()
    count = ServiceItem.objects.count()
    for role in ("manufacturer", "provider", "government", "certifier", "anonymous"):
        client = api_client_for(users[role])
        assert client.post(ITEMS, draft_fields, format="json").status_code in (401, 403), role
        assert client.post(f"{ITEMS}{item.pk}/revise/", {}, format="json").status_code in (401, 403), role
        assert client.post(f"{ITEMS}{item.pk}/retire/").status_code in (401, 403), role
        assert client.patch(f"{ITEMS}{item.pk}/", {"name_zh": "x"}, format="json").status_code in (401, 403), role
    assert ServiceItem.objects.count() == count
    assert ServiceItem.objects.get(pk=item.pk).status == "published"


def test_drafts_are_invisible_to_others_in_list_detail_and_search(catalog, users, api_client_for, draft_fields):
    draft = create_item_draft(users["association"], **draft_fields)
    for role in ("anonymous", "association_b", "manufacturer", "provider", "government", "certifier"):
        client = api_client_for(users[role])
        assert draft.code not in _codes(client.get(ITEMS, {"category": "082"})), role
        assert client.get(f"{ITEMS}{draft.pk}/").status_code == 404, role
        assert client.get(ITEMS, {"search": "模具企业五轴数控编程培训"}).json()["count"] == 0, role
        if role != "anonymous":
            assert client.patch(f"{ITEMS}{draft.pk}/", {"name_zh": "x"}, format="json").status_code in (403, 404)
            assert client.post(f"{ITEMS}{draft.pk}/publish/").status_code in (403, 404)
    assert ServiceItem.objects.get(pk=draft.pk).status == "draft"
    assert api_client_for(users["association_member"]).get(f"{ITEMS}{draft.pk}/").status_code == 200
    assert api_client_for(users["operator_member"]).get(f"{ITEMS}{draft.pk}/").status_code == 200


BROKEN = [
    ({"duration_days_min": 30, "duration_days_max": 10}, "duration_days_max"),
    ({"category": "999"}, "category"),
    ({"scope": ""}, "scope"),
    ({"pricing_model": "barter"}, "pricing_model"),
    ({"deliverables": "not a list"}, "deliverables"),
    ({"sla": [{"metric": "响应时间"}]}, "sla"),
    ({"duration_days_min": "abc"}, "duration_days_min"),
]


def test_broken_input_is_a_400_naming_the_field_and_writes_nothing(catalog, users, api_client_for, draft_fields):
    client = api_client_for(users["association"])
    count = ServiceItem.objects.count()
    for change, field in BROKEN:
        response = client.post(ITEMS, draft_fields | change, format="json")
        assert response.status_code == 400, change
        assert field in response.json(), change
    assert ServiceItem.objects.count() == count


def test_broken_update_of_a_draft_leaves_it_unchanged(catalog, users, api_client_for, draft_fields):
    draft = create_item_draft(users["association"], **draft_fields)
    client = api_client_for(users["association"])
    response = client.patch(f"{ITEMS}{draft.pk}/", {"duration_days_min": 99}, format="json")
    assert response.status_code == 400 and "duration_days_max" in response.json()
    assert ServiceItem.objects.get(pk=draft.pk).duration_days_min == 10
    assert client.post(f"{ITEMS}{draft.pk}/retire/").status_code == 400  # a draft is not retired, it is edited
    assert client.post(f"{ITEMS}{draft.pk}/revise/", {}, format="json").status_code == 400


def test_publishing_twice_is_refused(catalog, users, api_client_for, draft_fields):
    draft = create_item_draft(users["association"], **draft_fields)
    client = api_client_for(users["association"])
    assert client.post(f"{ITEMS}{draft.pk}/publish/").status_code == 200
    assert client.post(f"{ITEMS}{draft.pk}/publish/").status_code == 400


def test_item_list_costs_a_fixed_number_of_queries(catalog, users, api_client_for, django_assert_max_num_queries):
    client = api_client_for(users["association"])
    with django_assert_max_num_queries(8):
        response = client.get(ITEMS, {"page_size": 100})
    assert response.json()["count"] == catalog.items_created
