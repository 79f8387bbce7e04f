"""One answer per action: for every role × organization × action, the rule, the service, the page and the API agree.

Roles are the ``users`` fixture (each kind's admin and member, an unrelated organization of the same kind,
government, operator, anonymous). Each service that succeeds appends exactly its audit entry; one that is refused
writes and appends nothing. Successful calls run in a savepoint that is rolled back, so every cell starts fresh.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.test import Client

from ronghe.platform.accounts import services
from ronghe.platform.accounts.models import Membership, Organization, OrganizationEvent
from ronghe.platform.accounts.rules import membership_rules, organization_rules
from ronghe.platform.core.audit import verify
from ronghe.platform.core.models import AuditEntry
from ronghe.platform.core.permissions import forget
from tests.platform.conftest import make_credit_code, make_user

pytestmark = pytest.mark.django_db

ROLES = [f"{kind}{suffix}" for kind in Organization.Kind.values for suffix in ("", "_member", "_b", "_b_member")]
ROLES.append("anonymous")
TARGETS = ["manufacturer", "government"]


def is_operator_key(key: str) -> bool:
    return key.startswith("operator")


def expected(key: str, target: str, action: str) -> bool:
    """The truth table, written independently of ``accounts.rules``."""
    writer = key != "anonymous" and not key.startswith("government")
    if action == "view_members":
        return key in (target, f"{target}_member") or is_operator_key(key)
    if action == "leave":  # remove one's own membership
        return writer and key in (target, f"{target}_member")
    # change, manage_members, change_role, remove (someone else)
    return writer and (key == target or is_operator_key(key))


class Rollback(Exception):
    pass


@contextmanager
def undone():
    """Run a successful write and undo it, so the next cell of the matrix starts from the same rows."""
    try:
        with transaction.atomic():
            yield
            raise Rollback
    except Rollback:
        pass


def _service(fn, user) -> tuple[bool, int]:
    """(allowed, audit entries appended) of one service call, undone afterwards; refusals must write nothing."""
    before = AuditEntry.objects.count()
    events = OrganizationEvent.objects.count()
    allowed, appended = True, 0
    try:
        with undone():
            fn()
            appended = AuditEntry.objects.count() - before
            assert OrganizationEvent.objects.count() == events + 1
    except PermissionDenied:
        allowed = False
        assert AuditEntry.objects.count() == before and OrganizationEvent.objects.count() == events
    if user is not None:
        forget(user)
    return allowed, appended


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _page(client: Client, method: str, url: str, data=None) -> int:
    with undone():
        status = getattr(client, method)(url, data or {}).status_code
    return status


def _edit_form(org: Organization, **over) -> dict:
    return {"name": org.name, "name_en": org.name_en, "credit_code": org.credit_code, "province": org.province,
            "city": org.city, "description": "matrix", "website": ""} | over


@pytest.mark.parametrize("target_key", TARGETS)
@pytest.mark.parametrize("key", ROLES)
def test_organization_actions_agree_everywhere(key, target_key, orgs, users, api_client_for):
    user = users[key]
    org = orgs[target_key]
    outsider = make_user(None, username=f"newcomer-{key}")
    member_row = Membership.objects.get(organization=org, role="member")
    web = _client(user)
    actions = organization_rules.allowed(user, org)
    for action in ("change", "manage_members", "view_members"):
        assert (action in actions) is expected(key, target_key, action), (action, key, target_key)

    # change: service, page, API
    want = expected(key, target_key, "change")
    assert _service(lambda: services.update_organization(user, org, description="matrix"), user) == (want, int(want))
    detail = web.get(f"/orgs/{org.pk}/").content.decode()
    assert (f"/orgs/{org.pk}/edit/" in detail) is want, key
    assert (f"/orgs/{org.pk}/members/" in detail) is expected(key, target_key, "view_members"), key
    if user is None:
        assert web.get(f"/orgs/{org.pk}/edit/").status_code == 302  # to the login page
    else:
        assert web.get(f"/orgs/{org.pk}/edit/").status_code == (200 if want else 404), key
        assert _page(web, "post", f"/orgs/{org.pk}/edit/", _edit_form(org)) == (302 if want else 404), key
    api = api_client_for(user).patch(f"/api/organizations/{org.pk}/", {"description": "matrix"}, format="json")
    assert api.status_code == (200 if want else 401 if user is None else 403), (key, api.content)

    # manage members: add one
    want = expected(key, target_key, "manage_members")
    assert _service(lambda: services.add_member(user, org, username=outsider.username), user) == (want, int(want))
    sees = expected(key, target_key, "view_members")
    if user is not None:
        page = web.get(f"/orgs/{org.pk}/members/")
        assert page.status_code == (200 if sees else 404), key
        if sees:
            assert ('name="username"' in page.content.decode()) is want, key
        added = _page(web, "post", f"/orgs/{org.pk}/members/", {"username": outsider.username, "role": "member"})
        assert added == (302 if want else 403 if sees else 404), key

    # memberships: re-role and remove someone else's
    assert membership_rules.can(user, "change_role", member_row) is expected(key, target_key, "change_role")
    assert _service(lambda: services.change_role(user, member_row, role="admin"), user) == (want, int(want))
    mine = user is not None and member_row.user_id == user.pk
    if not mine:
        assert membership_rules.can(user, "remove", member_row) is want, key
        assert _service(lambda: services.remove_member(user, member_row), user) == (want, int(want))
        if user is not None:
            removed = _page(web, "post", f"/orgs/{org.pk}/members/{member_row.pk}/remove/")
            assert removed == (302 if want else 403 if sees else 404), key
    page_rows = web.get(f"/orgs/{org.pk}/members/").content.decode() if sees and user is not None else ""
    if page_rows:
        assert (f"/members/{member_row.pk}/remove/" in page_rows) is (want or (mine and expected(key, target_key, "leave"))), key

    # leaving: one's own membership
    own = Membership.objects.filter(organization=org, user=user).first() if user is not None else None
    if own is not None and own.role == "member":
        leave = expected(key, target_key, "leave")
        assert membership_rules.can(user, "remove", own) is leave, key
        assert _service(lambda: services.remove_member(user, own), user) == (leave, int(leave))
        assert _page(web, "post", f"/orgs/{org.pk}/members/{own.pk}/remove/") == (302 if leave else 403), key
    assert verify().ok


def test_the_last_admin_cannot_leave_or_be_demoted_and_nothing_is_appended(orgs, users):
    org = orgs["provider"]
    admin = Membership.objects.get(organization=org, role="admin")
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError, match="至少需要一名管理员"):
        services.remove_member(users["provider"], admin)
    with pytest.raises(ValidationError, match="至少需要一名管理员"):
        services.change_role(users["operator"], admin, role="member")
    assert AuditEntry.objects.count() == before and Membership.objects.filter(pk=admin.pk, role="admin").exists()


def test_each_service_appends_its_entry_with_the_changed_fields_only(orgs, users):
    org = orgs["certifier"]
    actor = users["certifier"]
    services.update_organization(actor, org, city="杭州", description=org.description, industries=["74"])
    entry = AuditEntry.objects.latest("seq")
    assert (entry.action, entry.object_type, entry.object_id) == ("accounts.organization_updated",
                                                                  "accounts.organization", str(org.pk))
    assert entry.before == {"city": "苏州", "industries": []} and entry.after == {"city": "杭州", "industries": ["74"]}
    assert entry.actor_id == actor.pk and entry.organization_id == org.pk
    newcomer = make_user(None, username="qian")
    membership = services.add_member(actor, org, username="qian", role="member")
    services.change_role(actor, membership, role="admin")
    services.remove_member(newcomer, membership)
    actions = list(AuditEntry.objects.filter(object_type="accounts.membership", object_id=str(membership.pk))
                   .values_list("action", flat=True))
    assert actions == ["accounts.member_added", "accounts.role_changed", "accounts.member_removed"]
    kinds = list(OrganizationEvent.objects.filter(organization=org).values_list("kind", flat=True))
    assert kinds == ["organization_updated", "member_added", "role_changed", "member_removed"]
    assert verify().ok


def test_registration_appends_one_entry_and_broken_input_none(users):
    user = make_user(None)
    before = AuditEntry.objects.count()
    fields = {"name": "常州精工", "credit_code": make_credit_code(), "province": "32"}
    with pytest.raises(ValidationError):
        services.register_organization(user, kind="provider", **(fields | {"credit_code": "bad"}))
    assert AuditEntry.objects.count() == before
    org = services.register_organization(user, kind="provider", **fields)
    entry = AuditEntry.objects.get(seq=before + 1)
    assert entry.action == "accounts.organization_registered" and entry.object_id == str(org.pk)
    assert entry.after["admin"] == user.pk and entry.organization_id == org.pk
    assert AuditEntry.objects.count() == before + 1


@pytest.mark.parametrize("kind", ["operator", "government", "provider"])
def test_only_the_operator_or_system_creates_organizations_of_any_kind(kind, users):
    admin = make_user(None, username=f"{kind}-head")
    fields = {"name": f"{kind} 新", "credit_code": make_credit_code(), "province": "11"}
    for refused in (users["provider"], users["association_member"], users["government"], AnonymousUser()):
        with pytest.raises(PermissionDenied):  # (actor None is system code, not a visitor)
            services.create_organization(refused, kind=kind, admin=admin, **fields)
    assert not Organization.objects.filter(name=f"{kind} 新").exists()
    org = services.create_organization(users["operator_member"], kind=kind, admin=admin, **fields)
    assert org.memberships.get().user == admin and org.memberships.get().role == "admin"
    system = services.create_organization(None, kind=kind, admin=admin, is_synthetic=True,
                                          **(fields | {"credit_code": make_credit_code()}))
    assert system.is_synthetic
    assert list(AuditEntry.objects.filter(action="accounts.organization_created").values_list("actor", flat=True)) \
        == ["operator_member", "system"]
    assert verify().ok


def test_logins_and_admin_site_access_are_for_system_code_and_superusers(users):
    with pytest.raises(PermissionDenied):
        services.create_login(users["provider"], username="x1", password="Liang-ye-2026")
    login = services.create_login(None, username="x1", password="Liang-ye-2026")
    assert login.check_password("Liang-ye-2026")
    with pytest.raises(PermissionDenied):
        services.grant_admin_site(users["operator_member"], login, superuser=True)  # an operator is not a superuser
    services.grant_admin_site(None, login, superuser=True)
    login.refresh_from_db()
    assert login.is_staff and login.is_superuser
    assert list(AuditEntry.objects.filter(object_type="auth.user").values_list("action", flat=True)) == [
        "accounts.login_created", "accounts.admin_site_granted"]


def test_the_admin_is_a_window_and_its_one_door_is_the_service(orgs, users):
    superuser = get_user_model().objects.create_superuser("ops", password="Ops-admin-2026")
    client = _client(superuser)
    org = orgs["provider"]
    membership = Membership.objects.filter(organization=org).first()
    for model, pk in (("organization", org.pk), ("membership", membership.pk), ("industry", "36")):
        assert client.get(f"/admin/accounts/{model}/add/").status_code == 403, model
        assert client.get(f"/admin/accounts/{model}/{pk}/change/").status_code == 200, model  # a view page
        assert client.post(f"/admin/accounts/{model}/{pk}/change/", {"name": "x", "role": "admin"}).status_code \
            == 403, model
        assert client.post(f"/admin/accounts/{model}/{pk}/delete/", {"post": "yes"}).status_code == 403, model
    org.refresh_from_db()
    assert org.name == "provider A"
    head = make_user(None, username="gov-head")
    before = AuditEntry.objects.count()
    code = make_credit_code()
    assert "/admin/accounts/organization/create/" in client.get("/admin/accounts/organization/").content.decode()
    assert client.get("/admin/accounts/organization/create/").status_code == 200
    bad = client.post("/admin/accounts/organization/create/", {"kind": "government", "name": "省工信厅",
                      "credit_code": "bad", "province": "32", "admin_username": "gov-head"})
    assert bad.status_code == 200 and AuditEntry.objects.count() == before
    resp = client.post("/admin/accounts/organization/create/", {"kind": "government", "name": "省工信厅",
                       "credit_code": code, "province": "32", "admin_username": "gov-head"})
    assert resp.status_code == 302
    created = Organization.objects.get(credit_code=code)
    assert created.kind == "government" and created.memberships.get().user == head
    assert AuditEntry.objects.latest("seq").action == "accounts.organization_created"
    staff = make_user(orgs["provider"], username="staff-not-operator")
    staff.is_staff = True
    staff.save()
    assert _client(staff).get("/admin/accounts/organization/create/").status_code == 403
    assert verify().ok
