"""The accounts pages: directory, detail, registration, profile editing, members."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from ronghe.platform.accounts.models import Membership, Organization
from tests.platform.conftest import make_credit_code, make_org, make_user

pytestmark = pytest.mark.django_db


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_directory_filters_and_shows_public_profiles(orgs):
    make_org("provider", name="深圳云测检测技术有限公司", province="44", city="深圳").industries.set(["74"])
    page = _client().get("/orgs/", {"kind": "provider", "province": "44"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "深圳云测检测技术有限公司" in text and "provider B" in text and "provider A" not in text
    assert "深圳云测" in _client().get("/orgs/", {"search": "云测"}).content.decode()
    assert "深圳云测" in _client().get("/orgs/", {"industry": "74"}).content.decode()
    assert _client().get(f"/orgs/{orgs['provider'].pk}/").status_code == 200
    assert _client().get("/orgs/999999/").status_code == 404


def test_a_newcomer_registers_an_account_and_organization():
    data = {"account-username": "zhou.min", "account-password1": "Liang-ye-2026", "account-password2": "Liang-ye-2026",
            "org-kind": "provider", "org-name": "杭州云织工业软件有限公司", "org-credit_code": make_credit_code(),
            "org-province": "33", "org-city": "杭州", "org-industries": ["65"]}
    client = _client()
    resp = client.post("/orgs/register/", data)
    org = Organization.objects.get(name="杭州云织工业软件有限公司")
    assert resp.status_code == 302 and resp["Location"] == f"/orgs/{org.pk}/"
    assert Membership.objects.get(organization=org).user.username == "zhou.min"
    assert "杭州云织" in client.get("/").content.decode()  # signed in: the header names the organization


@pytest.mark.parametrize("field,value,message", [
    ("org-credit_code", "91330100MA0000000X", "校验位"),
    ("org-kind", "operator", "org-kind"),
    ("account-password2", "different-2026", "password"),
    ("org-province", "", "org-province"),
])
def test_broken_registration_shows_errors_and_writes_nothing(field, value, message):
    data = {"account-username": "sun.li", "account-password1": "Liang-ye-2026", "account-password2": "Liang-ye-2026",
            "org-kind": "manufacturer", "org-name": "宁波注塑机械有限公司", "org-credit_code": make_credit_code(),
            "org-province": "33", "org-city": "宁波"} | {field: value}
    resp = _client().post("/orgs/register/", data)
    assert resp.status_code == 200 and "errorlist" in resp.content.decode()
    assert not Organization.objects.exists() and not get_user_model().objects.exists()


def test_a_signed_in_user_without_organization_only_fills_the_organization():
    user = make_user(None)
    client = _client(user)
    assert "account-username" not in client.get("/orgs/register/").content.decode()
    assert client.get("/orgs/mine/")["Location"] == "/orgs/register/"
    resp = client.post("/orgs/register/", {"org-kind": "certifier", "org-name": "华南计量认证有限公司",
                                            "org-credit_code": make_credit_code(), "org-province": "44"})
    assert resp.status_code == 302
    assert client.get("/orgs/mine/")["Location"] == resp["Location"]


def test_admins_edit_their_profile_others_get_404(orgs, users):
    org = orgs["manufacturer"]
    url = f"/orgs/{org.pk}/edit/"
    page = _client(users["manufacturer"]).get(url)
    assert page.status_code == 200 and "credit_code" in page.content.decode()
    form = {"name": "manufacturer A", "credit_code": org.credit_code, "province": "32", "city": "常州",
            "industries": ["36"], "description": "汽车零部件", "website": "https://example.cn"}
    assert _client(users["manufacturer"]).post(url, form).status_code == 302
    org.refresh_from_db()
    assert org.city == "常州" and org.website == "https://example.cn"
    bad = _client(users["manufacturer"]).post(url, form | {"credit_code": "91320500MA0000000X", "city": "无锡"})
    assert bad.status_code == 200 and "校验位" in bad.content.decode()
    org.refresh_from_db()
    assert org.city == "常州"
    for who in ("manufacturer_member", "manufacturer_b", "government", "provider"):
        assert _client(users[who]).get(url).status_code == 404, who
        assert _client(users[who]).post(url, form | {"city": "X"}).status_code == 404, who
    assert _client().get(url).status_code == 302  # to the login page
    assert _client(users["operator_member"]).get(url).status_code == 200


def test_members_page_is_for_members_and_admins_add_people(orgs, users):
    org = orgs["provider"]
    url = f"/orgs/{org.pk}/members/"
    make_user(None, username="gao.yang")
    for who in ("provider_b", "manufacturer", "government"):
        assert _client(users[who]).get(url).status_code == 404, who
    member_page = _client(users["provider_member"]).get(url)
    assert member_page.status_code == 200 and "gao.yang" not in member_page.content.decode()
    assert _client(users["provider_member"]).post(url, {"username": "gao.yang", "role": "member"}).status_code == 403
    assert _client(users["provider"]).post(url, {"username": "gao.yang", "role": "member"}).status_code == 302
    unknown = _client(users["provider"]).post(url, {"username": "nobody", "role": "member"})
    assert unknown.status_code == 200 and "用户不存在" in unknown.content.decode()
    assert org.memberships.count() == 3
    gao = org.memberships.get(user__username="gao.yang")
    assert _client(users["provider_b"]).post(f"{url}{gao.pk}/remove/").status_code == 404
    assert _client(users["provider"]).post(f"{url}{gao.pk}/remove/").status_code == 302
    assert org.memberships.count() == 2


def test_home_lists_every_role_journey_and_puts_mine_first(users):
    anonymous = _client().get("/").content.decode()
    for title in ("制造企业", "生产性服务商", "行业协会", "认证机构", "平台运营方", "政府"):
        assert title in anonymous
    mine = _client(users["certifier"]).get("/").content.decode()
    assert mine.index('data-kind="certifier"') < mine.index('data-kind="manufacturer"')


def test_government_users_get_a_form_error_not_a_new_organization(users):
    before = Organization.objects.count()
    resp = _client(users["government"]).post("/orgs/register/", {
        "org-kind": "provider", "org-name": "借壳服务商", "org-credit_code": make_credit_code(), "org-province": "11"})
    assert resp.status_code == 200 and "只读" in resp.content.decode()
    assert Organization.objects.count() == before


def test_pages_speak_english_when_asked(orgs):
    page = Client(headers={"accept-language": "en"}).get("/orgs/", {"kind": "provider"}).content.decode()
    assert "Organization directory" in page and "2 organizations" in page
    assert "Start by role" in Client(headers={"accept-language": "en"}).get("/").content.decode()
