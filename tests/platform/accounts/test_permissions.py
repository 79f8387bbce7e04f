"""Permission matrix: every role of an unrelated organization, on every accounts page and endpoint."""

import pytest
from django.test import Client

from ronghe.platform.accounts.models import Membership, Organization

KINDS = Organization.Kind.values
OUTSIDERS = [f"{kind}{suffix}" for kind in KINDS for suffix in ("_b", "_b_member") if kind != "operator"]


@pytest.mark.django_db
@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_an_unrelated_organization_sees_the_public_profile_only_and_changes_nothing(outsider, orgs, users,
                                                                                     api_client_for):
    target = orgs["manufacturer"] if not outsider.startswith("manufacturer") else orgs["provider"]
    user = users[outsider]
    api = api_client_for(user)
    assert api.get(f"/api/organizations/{target.pk}/").status_code == 200
    assert api.patch(f"/api/organizations/{target.pk}/", {"name": "x"}, format="json").status_code == 403
    web = Client()
    web.force_login(user)
    assert web.get(f"/orgs/{target.pk}/").status_code == 200
    for page in ("edit/", "members/"):
        assert web.get(f"/orgs/{target.pk}/{page}").status_code == 404, page
    assert web.post(f"/orgs/{target.pk}/members/", {"username": user.username, "role": "admin"}).status_code == 404
    admin_membership = Membership.objects.get(organization=target, role="admin")
    assert web.post(f"/orgs/{target.pk}/members/{admin_membership.pk}/remove/").status_code == 404
    target.refresh_from_db()
    assert target.name.endswith(" A") and not target.memberships.filter(user=user).exists()
    assert Membership.objects.filter(pk=admin_membership.pk).exists()


@pytest.mark.django_db
def test_the_operator_manages_any_organization(orgs, users, api_client_for):
    target = orgs["certifier_b"]
    assert api_client_for(users["operator_member"]).patch(
        f"/api/organizations/{target.pk}/", {"city": "广州"}, format="json").status_code == 200
    web = Client()
    web.force_login(users["operator_member"])
    assert web.get(f"/orgs/{target.pk}/members/").status_code == 200
    assert web.post(f"/orgs/{target.pk}/members/", {"username": "provider_admin", "role": "member"}).status_code == 302
    assert target.memberships.filter(user=users["provider"]).exists()
