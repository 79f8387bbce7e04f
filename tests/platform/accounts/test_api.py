"""/api/organizations/ and /api/auth/token/: public directory, self-service registration, admin-only edits."""

import pytest
from rest_framework.test import APIClient

from ronghe.platform.accounts.models import Membership, Organization
from tests.platform.conftest import PASSWORD, make_credit_code, make_org, make_user

pytestmark = pytest.mark.django_db
URL = "/api/organizations/"


def _payload(**over):
    return {"name": "佛山智能装备有限公司", "kind": "manufacturer", "credit_code": make_credit_code(),
            "province": "44", "city": "佛山", "industries": ["35", "38"]} | over


def test_token_for_good_credentials_and_refusal_for_bad(users):
    client = APIClient()
    ok = client.post("/api/auth/token/", {"username": "provider_admin", "password": PASSWORD}, format="json")
    assert ok.status_code == 200 and len(ok.json()["token"]) == 40
    authed = APIClient()
    authed.credentials(HTTP_AUTHORIZATION=f"Token {ok.json()['token']}")
    assert authed.patch(f"{URL}{users['provider'].memberships.get().organization_id}/",
                        {"city": "杭州"}, format="json").status_code == 200
    bad = client.post("/api/auth/token/", {"username": "provider_admin", "password": "wrong"}, format="json")
    assert bad.status_code == 400 and "token" not in bad.json()
    assert client.post("/api/auth/token/", {"username": "provider_admin"}, format="json").status_code == 400
    forged = APIClient()
    forged.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert forged.get(URL).status_code == 401


def test_anyone_lists_the_directory_with_public_fields_only(orgs, api_client_for):
    body = api_client_for(None).get(URL).json()
    assert body["count"] == len(orgs)
    row = body["results"][0]
    assert set(row) == {"id", "name", "name_en", "kind", "credit_code", "province", "province_name", "city",
                        "industries", "description", "website", "is_synthetic", "verification", "created_at",
                        "updated_at"}
    assert "memberships" not in row and "members" not in row


def test_filters_kind_province_industry_and_search(orgs, api_client_for):
    auto = make_org("manufacturer", name="常州汽车零部件有限公司", province="32", city="常州", name_en="Changzhou Auto")
    auto.industries.set(["36"])
    client = api_client_for(None)

    def names(**params):
        return {r["name"] for r in client.get(URL, params).json()["results"]}

    assert names(kind="certifier") == {"certifier A", "certifier B"}
    assert names(province="44") == {o.name for o in orgs.values() if o.province == "44"}
    assert names(industry="36") == {"常州汽车零部件有限公司"}
    assert names(search="汽车零部件") == names(search="changzhou") == {"常州汽车零部件有限公司"}
    assert names(kind="manufacturer", province="32") == {"manufacturer A", "常州汽车零部件有限公司"}
    for bad in ({"kind": "pirate"}, {"province": "99"}, {"industry": "00"}):
        assert client.get(URL, bad).status_code == 400


def test_a_signed_in_user_registers_an_organization_and_becomes_admin(api_client_for):
    user = make_user(None)
    resp = api_client_for(user).post(URL, _payload(), format="json")
    assert resp.status_code == 201, resp.json()
    org = Organization.objects.get(pk=resp.json()["id"])
    assert Membership.objects.get(user=user, organization=org).role == "admin"
    assert resp.json()["industries"] == ["35", "38"] and resp.json()["province_name"] == "广东省"


@pytest.mark.parametrize("bad", [
    {"kind": "operator"}, {"kind": "government"}, {"credit_code": "91440600MA0000000X"}, {"province": "00"},
    {"industries": ["99"]}, {"name": ""}, {"website": "ftp//x"},
])
def test_broken_registration_is_a_400_and_writes_nothing(bad, api_client_for):
    user = make_user(None)
    before = Organization.objects.count()
    resp = api_client_for(user).post(URL, _payload(**bad), format="json")
    assert resp.status_code == 400
    assert set(resp.json()) & set(bad)
    assert Organization.objects.count() == before and not Membership.objects.filter(user=user).exists()


def test_a_taken_credit_code_is_a_400(orgs, api_client_for):
    resp = api_client_for(make_user(None)).post(URL, _payload(credit_code=orgs["provider"].credit_code),
                                                format="json")
    assert resp.status_code == 400 and "credit_code" in resp.json()


def test_anonymous_and_government_cannot_register(users, api_client_for):
    assert api_client_for(None).post(URL, _payload(), format="json").status_code == 401
    assert api_client_for(users["government"]).post(URL, _payload(), format="json").status_code == 403


def test_only_the_admins_and_operator_edit_and_nobody_deletes(orgs, users, api_client_for):
    target = f"{URL}{orgs['association'].pk}/"
    assert api_client_for(users["association"]).patch(target, {"description": "会员服务"}, format="json")\
        .status_code == 200
    assert api_client_for(users["operator"]).patch(target, {"city": "常州"}, format="json").status_code == 200
    for who, status in [("association_member", 403), ("association_b", 403), ("manufacturer", 403),
                        ("government", 403), ("anonymous", 401)]:
        resp = api_client_for(users[who]).patch(target, {"description": "hijack"}, format="json")
        assert resp.status_code == status, who
    assert api_client_for(users["association"]).patch(target, {"kind": "operator"}, format="json")\
        .status_code == 400
    assert api_client_for(users["association"]).patch(target, {"credit_code": "123"}, format="json")\
        .status_code == 400
    assert api_client_for(users["operator"]).delete(target).status_code == 405
    org = Organization.objects.get(pk=orgs["association"].pk)
    assert (org.description, org.city, org.kind) == ("会员服务", "常州", "association")


def test_unknown_organization_is_404(api_client_for, users):
    assert api_client_for(users["provider"]).get(f"{URL}999999/").status_code == 404
