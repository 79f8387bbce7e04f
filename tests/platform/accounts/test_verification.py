"""Who is a registered provider: an organization is verified before it is entitled to more than summaries.

A self-registered organization starts pending; its admin submits the business licence; the operator — or, for
a provider, a *verified* certifier — verifies it or rejects it with a reason. Every decision is a service on
the audit chain and reaches the organization's inbox; certifiers and associations are verified by the operator
before they verify anything.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from ronghe.platform.accounts import services
from ronghe.platform.accounts.models import Organization
from ronghe.platform.core.audit import history, verify
from ronghe.platform.core.models import AuditEntry, ConfidentialAccess
from ronghe.platform.core.permissions import forget
from ronghe.platform.demand.visibility import can_view_details
from ronghe.platform.inbox.models import Notification
from tests.platform.conftest import make_credit_code, make_org, make_user
from tests.platform.demand.conftest import assert_no_secret

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
V = Organization.Verification


def licence(name: str = "营业执照.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def newcomer(db):
    """Someone who self-registered a provider a minute ago, with a code that passes the checksum."""
    user = make_user(None, username="newcomer")
    org = services.register_organization(user, kind="provider", name="随便填的服务商", credit_code=make_credit_code(),
                                         province="32", city="苏州")
    forget(user)
    return user, org


def test_a_self_registered_provider_is_pending_and_sees_only_summaries(newcomer, make_demand, client):
    user, org = newcomer
    assert org.verification == V.PENDING
    demand = make_demand("registered")
    assert not can_view_details(user, demand)
    client.force_login(user)
    page = client.get(f"/demand/{demand.pk}/").content.decode()
    assert_no_secret(page)
    assert 'id="awaiting-verification"' in page  # the page says why
    assert client.get(f"/api/demands/{demand.pk}/").json()["details"] is None


def test_submit_verify_and_the_provider_is_entitled(newcomer, users, make_demand, django_capture_on_commit_callbacks):
    user, org = newcomer
    with pytest.raises(ValidationError):  # no licence yet: nothing to review
        services.verify_organization(users["operator"], org)
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_licence(user, org, upload=licence())
    assert Notification.objects.filter(recipient=users["operator"], action="accounts.licence_submitted").exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.verify_organization(users["operator"], org, note="执照与注册信息一致")
    org.refresh_from_db()
    assert org.verification == V.VERIFIED and org.reviewed_by_id == users["operator"].pk
    forget(user)
    assert can_view_details(user, make_demand("registered"))
    note = Notification.objects.get(recipient=user, action="accounts.organization_verified")
    assert org.name in note.text
    actions = [e.action for e in history("accounts.organization", org.pk)]
    assert actions == ["accounts.organization_registered", "accounts.licence_submitted",
                       "accounts.organization_verified"]
    assert verify().ok


def test_rejection_needs_a_reason_the_organization_reads_and_it_may_submit_again(newcomer, users, client,
                                                                               django_capture_on_commit_callbacks):
    user, org = newcomer
    services.submit_licence(user, org, upload=licence())
    entries = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.reject_organization(users["operator"], org, reason="  ")
    assert "reason" in refused.value.message_dict and AuditEntry.objects.count() == entries
    with django_capture_on_commit_callbacks(execute=True):
        services.reject_organization(users["operator"], org, reason="执照名称与注册名称不符")
    org.refresh_from_db()
    assert org.verification == V.REJECTED
    assert "执照名称与注册名称不符" in Notification.objects.get(recipient=user).text
    client.force_login(user)
    assert "执照名称与注册名称不符" in client.get(f"/orgs/{org.pk}/").content.decode()
    client.force_login(users["manufacturer"])  # the reason is not for the public
    assert "执照名称与注册名称不符" not in client.get(f"/orgs/{org.pk}/").content.decode()
    services.submit_licence(user, org, upload=licence("营业执照-新.pdf"))
    org.refresh_from_db()
    assert org.verification == V.PENDING


@pytest.mark.parametrize("reviewer", ["provider", "manufacturer", "association", "government", "anonymous"])
def test_only_the_operator_or_a_certifier_reviews(reviewer, newcomer, users):
    user, org = newcomer
    services.submit_licence(user, org, upload=licence())
    with pytest.raises(PermissionDenied):
        services.verify_organization(users[reviewer], org)
    with pytest.raises(PermissionDenied):
        services.reject_organization(users[reviewer], org, reason="不行")
    with pytest.raises(PermissionDenied):
        services.verify_organization(user, org)  # never oneself
    org.refresh_from_db()
    assert org.verification == V.PENDING


def test_a_certifier_verifies_providers_only_once_verified_itself(newcomer, users, orgs):
    user, org = newcomer
    services.submit_licence(user, org, upload=licence())
    fresh = make_org("certifier", verification=V.PENDING)
    fresh_user = make_user(fresh)
    with pytest.raises(PermissionDenied):  # a self-registered certifier verifies nothing
        services.verify_organization(fresh_user, org)
    manufacturer = make_org("manufacturer", verification=V.PENDING)
    services.submit_licence(users["operator"], manufacturer, upload=licence())
    with pytest.raises(PermissionDenied):  # a verified certifier reviews providers, not manufacturers
        services.verify_organization(users["certifier"], manufacturer)
    services.verify_organization(users["certifier"], org)
    org.refresh_from_db()
    assert org.verification == V.VERIFIED


def test_certifiers_and_associations_are_verified_by_the_operator(users):
    for kind in ("certifier", "association"):
        pending = make_org(kind, verification=V.PENDING)
        services.submit_licence(users["operator"], pending, upload=licence())
        with pytest.raises(PermissionDenied):
            services.verify_organization(users["certifier"], pending)
        services.verify_organization(users["operator"], pending)


def test_the_licence_goes_to_the_organization_and_its_reviewers_only(newcomer, users, client):
    user, org = newcomer
    row = services.submit_licence(user, org, upload=licence())
    url = f"/orgs/{org.pk}/licences/{row.pk}/"
    for key, status in (("operator", 200), ("certifier", 200), ("manufacturer", 404), ("provider_b", 404),
                        ("government", 404)):
        client.force_login(users[key])
        assert client.get(url).status_code == status, key
    client.force_login(user)
    assert client.get(url).status_code == 200
    assert ConfidentialAccess.objects.filter(what=f"licence:{row.pk}").count() == 2  # reviewers, logged
    client.logout()
    assert client.get(url).status_code in (302, 404)


def test_review_pages_and_api(newcomer, users, client, api_client_for):
    user, org = newcomer
    own = api_client_for(user)
    response = own.post(f"/api/organizations/{org.pk}/licence/", {"licence": licence()}, format="multipart")
    assert response.status_code == 200, response.content
    assert response.json()["verification"] == "pending"
    assert own.post(f"/api/organizations/{org.pk}/verify/", {}, format="json").status_code == 403
    client.force_login(users["operator"])
    queue = client.get("/orgs/review/").content.decode()
    assert org.name in queue
    assert api_client_for(users["operator"]).post(f"/api/organizations/{org.pk}/reject/", {"reason": ""},
                                                  format="json").status_code == 400
    response = client.post(f"/orgs/{org.pk}/verify/", {"next": "queue"})
    assert response.status_code == 302 and response["Location"] == "/orgs/review/"
    org.refresh_from_db()
    assert org.verification == V.VERIFIED
    assert api_client_for(None).get(f"/api/organizations/{org.pk}/").json()["verification"] == "verified"
    unverified = make_user(make_org("certifier", verification=V.PENDING))
    client.force_login(unverified)
    assert "贵机构尚未通过平台审核" in client.get("/orgs/review/").content.decode()
    client.force_login(users["manufacturer"])
    assert client.get("/orgs/review/").status_code == 404


def test_organizations_the_operator_creates_are_verified(users):
    admin = make_user(None)
    org = services.create_organization(users["operator"], kind="government", admin=admin, name="某市工信局",
                                       credit_code=make_credit_code(), province="32")
    assert org.verification == V.VERIFIED


def test_an_unverified_association_curates_no_list(users, orgs, items):
    from ronghe.platform.demand import services as demand_services
    from ronghe.platform.demand.aggregates import sees_exact_totals
    from ronghe.platform.demand.rules import can_create_demand_list

    fields = {"items": [items[0]], "name": "清单", "industry": "36", "province": "32", "pain_points": "联网"}
    pending = make_org("association", verification=V.PENDING)
    newcomer = make_user(pending)
    assert not can_create_demand_list(newcomer)
    with pytest.raises(PermissionDenied):
        demand_services.create_demand_list(newcomer, pending, **fields)
    # a list it drafted while verified is no longer its to curate should its verification ever lapse (by hand here)
    demand_list = demand_services.create_demand_list(users["association"], orgs["association"], **fields)
    Organization.objects.filter(pk=orgs["association"].pk).update(verification=V.REJECTED)
    forget(users["association"])
    assert not sees_exact_totals(users["association"], demand_list)
