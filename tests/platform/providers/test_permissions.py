"""Permission matrix: each role of an unrelated organization is refused on every write, and nothing changes."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from ronghe.platform.providers.models import Case, Certificate, Offering, OfferingProvince, ProviderProfile

OUTSIDERS = ["provider_b", "manufacturer", "manufacturer_member", "government", "association", "certifier", None]


def snapshot() -> tuple:
    return (
        list(ProviderProfile.objects.values_list("headline", "team_size").order_by("pk")),
        list(Offering.objects.values_list("price_min", "price_max", "monthly_capacity", "is_active", "provinces")
             .order_by("pk")),
        list(OfferingProvince.objects.values_list("offering_id", "province").order_by("pk")),
        list(Certificate.objects.values_list("number", "verified", "scope").order_by("pk")),
        list(Case.objects.values_list("title").order_by("pk")),
    )


@pytest.mark.parametrize("who", OUTSIDERS)
def test_api_writes_by_outsiders_refused(provider_a, api_client_for, users, catalog, who):
    client = api_client_for(users[who] if who else None)
    org = provider_a["org"].pk
    before = snapshot()
    refused = {401, 403, 404}
    attempts = [
        client.patch(f"/api/providers/{provider_a['profile'].pk}/", {"headline": "hijacked"}, format="json"),
        client.put(f"/api/providers/{provider_a['profile'].pk}/", {"organization": org, "headline": "h"},
                   format="json"),
        client.patch(f"/api/offerings/{provider_a['offering'].pk}/", {"monthly_capacity": 99}, format="json"),
        client.delete(f"/api/offerings/{provider_a['offering'].pk}/"),
        client.patch(f"/api/certificates/{provider_a['certificate'].pk}/", {"number": "FORGED"}, format="json"),
        client.post("/api/offerings/", {"provider": org, "service_item": catalog["mes"].pk, "price_min": 1,
                                        "price_max": 2, "monthly_capacity": 1, "provinces": ["32"]}, format="json"),
        client.post("/api/certificates/", {"provider": org, "cert_type": "ccc", "number": "X", "issuer": "Y",
                                           "valid_from": "2024-01-01", "valid_to": "2030-01-01"}, format="json"),
    ]
    assert [r.status_code in refused for r in attempts] == [True] * len(attempts), [r.status_code for r in attempts]
    # a second provider profile for somebody else's organization is refused too
    ProviderProfile.objects.filter(pk=provider_a["profile"].pk).delete()
    before = snapshot()
    r = client.post("/api/providers/", {"organization": org, "headline": "squat"}, format="json")
    assert r.status_code in refused
    assert snapshot() == before


@pytest.mark.parametrize("who", ["provider_b", "manufacturer", "government", "certifier"])
def test_someone_elses_objects_are_403_when_public_404_when_hidden(provider_a, api_client_for, users, who):
    """Existence does not leak through writes: an object the user cannot see (an inactive offering) is a 404;
    a public one they may not change is a 403, the rule's answer (docs/architecture.md, "One rule per action")."""
    client = api_client_for(users[who])
    r = client.patch(f"/api/offerings/{provider_a['offering'].pk}/", {"monthly_capacity": 99}, format="json")
    assert r.status_code == 403
    Offering.objects.filter(pk=provider_a["offering"].pk).update(is_active=False)
    r = client.patch(f"/api/offerings/{provider_a['offering'].pk}/", {"monthly_capacity": 99}, format="json")
    assert r.status_code in ({403} if who == "government" else {404})
    assert Offering.objects.get(pk=provider_a["offering"].pk).monthly_capacity == 3


@pytest.mark.parametrize("who", OUTSIDERS)
def test_page_writes_by_outsiders_refused(provider_a, users, who):
    client = Client()
    if who:
        client.force_login(users[who])
    before = snapshot()
    urls = [
        ("post", reverse("providers:offering_edit", args=[provider_a["offering"].pk]), {"monthly_capacity": 99}),
        ("post", reverse("providers:offering_set_active", args=[provider_a["offering"].pk]), {"active": "0"}),
        ("post", reverse("providers:certificate_edit", args=[provider_a["certificate"].pk]), {"number": "F"}),
        ("post", reverse("providers:case_edit", args=[provider_a["case"].pk]), {"title": "F"}),
        ("get", reverse("providers:offering_edit", args=[provider_a["offering"].pk]), {}),
        ("post", reverse("providers:profile_edit") + f"?org={provider_a['org'].pk}", {"headline": "hijacked"}),
    ]
    for method, url, data in urls:
        r = getattr(client, method)(url, data)
        if who is None:
            assert r.status_code == 302 and "/login/" in r["Location"], url
        else:
            assert r.status_code in {403, 404}, (url, r.status_code)
    assert snapshot()[1:] == before[1:]
    assert ProviderProfile.objects.get(pk=provider_a["profile"].pk).headline == "苏州智造数字化服务商"


def test_operator_may_maintain_any_provider(provider_a, api_client_for, users):
    r = api_client_for(users["operator"]).patch(f"/api/offerings/{provider_a['offering'].pk}/",
                                                {"monthly_capacity": 9}, format="json")
    assert r.status_code == 200
    assert Offering.objects.get(pk=provider_a["offering"].pk).monthly_capacity == 9


def test_lists_show_inactive_offerings_only_to_their_provider(provider_a, api_client_for, users):
    Offering.objects.filter(pk=provider_a["offering"].pk).update(is_active=False)
    for who in ("provider_b", "manufacturer", "government", None):
        client = api_client_for(users[who] if who else None)
        assert client.get("/api/offerings/").json()["count"] == 0
        assert client.get(f"/api/offerings/{provider_a['offering'].pk}/").status_code == 404
    assert api_client_for(users["provider_member"]).get("/api/offerings/").json()["count"] == 1
