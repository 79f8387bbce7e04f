"""The accounts write path: registration, profile edits, membership — with broken input and refusals."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError

from ronghe.platform.accounts import services
from ronghe.platform.accounts.models import Membership, Organization
from ronghe.platform.accounts.rules import organization_rules
from tests.platform.conftest import make_credit_code, make_user

pytestmark = pytest.mark.django_db


def _org_fields(**over):
    return {"name": "无锡精密模具有限公司", "credit_code": make_credit_code(), "province": "32", "city": "无锡",
            "industries": ["35"]} | over


def test_registering_makes_the_user_admin_of_a_new_organization():
    user = make_user(None)
    org = services.register_organization(user, kind="manufacturer", **_org_fields())
    assert org.kind == "manufacturer"
    assert list(org.industries.values_list("code", flat=True)) == ["35"]
    assert Membership.objects.get(user=user, organization=org).role == "admin"
    assert organization_rules.can(user, "change", org)


@pytest.mark.parametrize("kind", ["operator", "government", "nonsense"])
def test_operator_and_government_cannot_be_self_registered(kind):
    user = make_user(None)
    with pytest.raises(ValidationError) as exc:
        services.register_organization(user, kind=kind, **_org_fields())
    assert "kind" in exc.value.message_dict
    assert Organization.objects.count() == 0


@pytest.mark.parametrize("bad", [
    {"credit_code": "91320500MA1234567X"},        # wrong check character
    {"credit_code": "123"},
    {"province": "99"},
    {"name": ""},
    {"website": "not a url"},
    {"industries": ["99", "36"]},
])
def test_broken_registration_input_writes_nothing(bad):
    user = make_user(None)
    with pytest.raises(ValidationError):
        services.register_organization(user, kind="provider", **_org_fields(**bad))
    assert Organization.objects.count() == 0
    assert Membership.objects.count() == 0


def test_a_credit_code_registers_only_once():
    code = make_credit_code()
    services.register_organization(make_user(None), kind="provider", **_org_fields(credit_code=code))
    with pytest.raises(ValidationError) as exc:
        services.register_organization(make_user(None), kind="provider", **_org_fields(credit_code=code.lower()))
    assert "credit_code" in exc.value.message_dict
    assert Organization.objects.count() == 1


def test_sign_up_creates_account_and_organization_or_neither():
    user, org = services.register_account(None, username="li.na", password="Zh1zao-2026!", kind="association",
                                          **_org_fields())
    assert user.check_password("Zh1zao-2026!") and org.memberships.get().user == user
    users_before = get_user_model().objects.count()
    with pytest.raises(ValidationError) as exc:  # a bad credit code rolls the new user back too
        services.register_account(None, username="wang.wei", password="Zh1zao-2026!", kind="provider",
                                  **_org_fields(credit_code="bad"))
    assert "credit_code" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.register_account(None, username="zhao", password="short", kind="provider", **_org_fields())
    assert "password" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.register_account(None, username="LI.NA", password="Zh1zao-2026!", kind="provider", **_org_fields())
    assert "username" in exc.value.message_dict
    assert get_user_model().objects.count() == users_before
    assert Organization.objects.count() == 1


def test_only_admins_and_the_operator_update_a_profile(orgs, users):
    org = orgs["provider"]
    services.update_organization(users["provider"], org, description="新的简介", industries=["65", "74"])
    org.refresh_from_db()
    assert org.description == "新的简介"
    assert sorted(org.industries.values_list("code", flat=True)) == ["65", "74"]
    services.update_organization(users["operator_member"], org, city="上海")
    for who in ("provider_member", "provider_b", "manufacturer", "government", "association_b"):
        with pytest.raises(PermissionDenied):
            services.update_organization(users[who], org, description="hijacked")
    with pytest.raises(PermissionDenied):
        services.update_organization(users["government"], orgs["government"], description="x")
    org.refresh_from_db()
    assert org.description == "新的简介" and org.city == "上海"


def test_an_admin_cannot_change_the_kind_or_break_the_credit_code(orgs, users):
    org = orgs["provider"]
    with pytest.raises(ValidationError):
        services.update_organization(users["provider"], org, kind="operator")
    with pytest.raises(ValidationError):
        services.update_organization(users["provider"], Organization.objects.get(pk=org.pk), credit_code="X" * 18)
    org.refresh_from_db()
    assert org.kind == "provider" and len(org.credit_code) == 18


def test_members_are_added_once_and_the_last_admin_stays(orgs, users):
    org = orgs["manufacturer"]
    newcomer = make_user(None, username="chen.jie")
    m = services.add_member(users["manufacturer"], org, username="chen.jie", role="member")
    assert m.role == "member"
    with pytest.raises(ValidationError, match="已是成员"):
        services.add_member(users["manufacturer"], org, username="chen.jie")
    with pytest.raises(ValidationError, match="用户不存在"):
        services.add_member(users["manufacturer"], org, username="nobody")
    with pytest.raises(ValidationError):
        services.add_member(users["manufacturer"], org, username="chen.jie", role="owner")
    with pytest.raises(PermissionDenied):
        services.add_member(users["manufacturer_member"], org, username=users["provider"].username)
    with pytest.raises(PermissionDenied):
        services.add_member(users["manufacturer_b"], org, username=users["provider"].username)

    admin_membership = Membership.objects.get(user=users["manufacturer"], organization=org)
    with pytest.raises(ValidationError, match="至少需要一名管理员"):
        services.remove_member(users["manufacturer"], admin_membership)
    with pytest.raises(ValidationError, match="至少需要一名管理员"):
        services.change_role(users["manufacturer"], admin_membership, role="member")
    services.change_role(users["manufacturer"], m, role="admin")
    services.change_role(users["manufacturer"], admin_membership, role="member")  # another admin exists now
    with pytest.raises(ValidationError):  # the newcomer is now the only admin and cannot just leave
        services.remove_member(newcomer, Membership.objects.get(user=newcomer, organization=org))
    services.remove_member(newcomer, admin_membership)
    assert not org.memberships.filter(user=users["manufacturer"]).exists()
    assert org.memberships.get(role="admin").user == newcomer


def test_a_member_may_leave_but_not_remove_others(orgs, users):
    org = orgs["association"]
    other = Membership.objects.get(user=users["association"], organization=org)
    with pytest.raises(PermissionDenied):
        services.remove_member(users["association_member"], other)
    services.remove_member(users["association_member"],
                           Membership.objects.get(user=users["association_member"], organization=org))
    assert org.memberships.count() == 1


def test_a_government_account_cannot_register_another_organization(users):
    before = Organization.objects.count()
    with pytest.raises(PermissionDenied):
        services.register_organization(users["government_member"], kind="provider", **_org_fields())
    assert Organization.objects.count() == before
