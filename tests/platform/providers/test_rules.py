"""The change-permission matrix of the providers app: for every role × object state × action, the rule
(``providers.rules``), the service, the page and the API give the same answer — and a refused call writes
nothing and appends nothing to the audit chain, an allowed one appends exactly its entry and its event.

Every check runs inside a rolled-back savepoint, so each starts from the same fixture.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ronghe.platform.core.audit import verify
from ronghe.platform.core.models import AuditEntry
from ronghe.platform.providers import rules, services
from ronghe.platform.providers.models import Certificate, Offering, ProviderEvent

ROLES = ["provider", "provider_member", "provider_b", "manufacturer", "manufacturer_member", "association",
         "association_member", "certifier", "certifier_member", "operator", "operator_member", "government",
         "government_member", "anonymous"]
MAINTAINERS = {"provider", "provider_member", "operator", "operator_member"}
VERIFIERS = {"certifier", "certifier_member", "association", "association_member", "operator", "operator_member"}
SIGNED_IN = set(ROLES) - {"anonymous"}
OWNERS = {"provider", "provider_member"}


class _Rollback(Exception):
    pass


def rolled_back(fn: Callable[[], Any]) -> Any:
    """Run ``fn`` in a savepoint that is always undone; returns its result (or the exception it raised)."""
    box: dict[str, Any] = {}
    try:
        with transaction.atomic():
            try:
                box["result"] = fn()
            except (PermissionDenied, ValidationError) as exc:
                box["result"] = exc
            box["appended"] = AuditEntry.objects.count()
            box["events"] = ProviderEvent.objects.count()
            raise _Rollback
    except _Rollback:
        pass
    return box


@dataclass(frozen=True)
class Case:
    """One row of the matrix: the object (after ``state``), the action, who may, and how each path asks."""

    obj: str  # profile | offering | certificate | case
    state: str
    action: str
    allowed: frozenset[str]
    audit_action: str = ""


CASES = [
    Case("profile", "public", "change", frozenset(MAINTAINERS), "providers.profile_changed"),
    Case("profile", "public", "view_contacts", frozenset(SIGNED_IN)),
    Case("offering", "active", "change", frozenset(MAINTAINERS), "providers.offering_changed"),
    Case("offering", "active", "deactivate", frozenset(MAINTAINERS), "providers.offering_deactivated"),
    Case("offering", "active", "activate", frozenset()),
    Case("offering", "inactive", "change", frozenset(MAINTAINERS), "providers.offering_changed"),
    Case("offering", "inactive", "activate", frozenset(MAINTAINERS), "providers.offering_activated"),
    Case("offering", "inactive", "deactivate", frozenset()),
    Case("certificate", "pending", "change", frozenset(MAINTAINERS), "providers.certificate_changed"),
    Case("certificate", "pending", "verify", frozenset(VERIFIERS), "providers.certificate_verified"),
    Case("certificate", "pending", "reject", frozenset(VERIFIERS), "providers.certificate_rejected"),
    Case("certificate", "pending", "see_evidence", frozenset(OWNERS | VERIFIERS)),
    Case("certificate", "verified", "change", frozenset(MAINTAINERS), "providers.certificate_changed"),
    Case("certificate", "verified", "verify", frozenset()),
    Case("certificate", "verified", "reject", frozenset()),
    Case("certificate", "expired", "verify", frozenset()),
    Case("certificate", "expired", "reject", frozenset(VERIFIERS), "providers.certificate_rejected"),
    Case("certificate", "rejected", "verify", frozenset(VERIFIERS), "providers.certificate_verified"),
    Case("certificate", "rejected", "reject", frozenset()),
    Case("certificate", "rejected", "change", frozenset(MAINTAINERS), "providers.certificate_changed"),
    Case("case", "anonymised", "change", frozenset(MAINTAINERS), "providers.case_changed"),
]

RULES = {"profile": rules.profile_rules, "offering": rules.offering_rules, "certificate": rules.certificate_rules,
         "case": rules.case_rules}


def _set_state(p: dict[str, Any], case: Case) -> Any:
    """Put the fixture's object into the case's state (directly: this is test setup, not a write path)."""
    if case.obj == "offering":
        Offering.objects.filter(pk=p["offering"].pk).update(is_active=case.state == "active")
    if case.obj == "certificate":
        today, now = timezone.localdate(), timezone.now()
        fields: dict[str, Any] = {"verified": False, "verified_at": None, "rejected_at": None,
                                  "rejection_reason": "", "valid_to": today + timedelta(days=700)}
        if case.state == "verified":
            fields.update(verified=True, verified_at=now)
        elif case.state == "expired":
            fields.update(valid_from=today - timedelta(days=400), valid_to=today - timedelta(days=1))
        elif case.state == "rejected":
            fields.update(rejected_at=now, rejection_reason="编号与发证机构记录不符")
        Certificate.objects.filter(pk=p["certificate"].pk).update(**fields)
    obj = p[case.obj]
    return type(obj).objects.get(pk=obj.pk)


def _service(case: Case, user: Any, obj: Any, p: dict[str, Any]) -> Callable[[], Any] | None:
    return {
        ("profile", "change"): lambda: services.save_profile(user, p["org"], headline="改过的介绍"),
        ("offering", "change"): lambda: services.update_offering(user, obj, notes="改过的说明"),
        ("offering", "activate"): lambda: services.set_offering_active(user, obj, active=True),
        ("offering", "deactivate"): lambda: services.set_offering_active(user, obj, active=False),
        ("certificate", "change"): lambda: services.update_certificate(user, obj, scope="改过的范围"),
        ("certificate", "verify"): lambda: services.verify_certificate(user, obj),
        ("certificate", "reject"): lambda: services.reject_certificate(user, obj, reason="证书编号查无此证"),
        ("case", "change"): lambda: services.update_case(user, obj, title="改过的标题"),
    }.get((case.obj, case.action))


def _refused_status(status: int) -> bool:
    return status in {401, 403, 404}


def _page(case: Case, client: Client, obj: Any, p: dict[str, Any]) -> bool | None:
    """Does the page allow it? (a button shown, an edit page served, a POST that took effect)"""
    detail = reverse("providers:provider_detail", args=[p["profile"].pk])
    if case.action == "change":
        url = {"profile": reverse("providers:profile_edit") + f"?org={p['org'].pk}",
               "offering": reverse("providers:offering_edit", args=[obj.pk]),
               "certificate": reverse("providers:certificate_edit", args=[obj.pk]),
               "case": reverse("providers:case_edit", args=[obj.pk])}[case.obj]
        r = client.get(url)
        assert r.status_code in {200, 302, 403, 404}, (url, r.status_code)
        if case.obj == "profile":  # the detail page's "manage" link is shown exactly then, too
            link = reverse("providers:my_provider") + f"?org={p['org'].pk}"
            assert (link in client.get(detail).content.decode()) == (r.status_code == 200)
        return r.status_code == 200
    if case.action == "view_contacts":
        return "0512-66668888" in client.get(detail).content.decode()
    if case.action in ("activate", "deactivate"):
        url = reverse("providers:offering_set_active", args=[obj.pk])
        active = "1" if case.action == "activate" else "0"

        def post() -> bool:
            r = client.post(url, {"active": active})
            return r.status_code == 302 and "/login/" not in r["Location"]

        return rolled_back(post)["result"]
    if case.action == "see_evidence":
        r = client.get(reverse("providers:certificate_evidence", args=[obj.pk]))
        assert r.status_code in {200, 404}
        return r.status_code == 200
    if case.action in ("verify", "reject"):
        button = reverse("providers:certificate_verify", args=[obj.pk])
        shown = button in client.get(detail).content.decode()
        url = reverse(f"providers:certificate_{case.action}", args=[obj.pk])

        def post() -> bool:
            client.post(url, {"reason": "证书编号查无此证"})
            cert = Certificate.objects.get(pk=obj.pk)
            if case.action == "verify":
                return cert.verified and not obj.verified
            return bool(cert.rejected_at and not obj.rejected_at)

        took = rolled_back(post)["result"]
        if case.action == "verify":
            assert shown == took, "the verify button is shown exactly when verifying works"
        return took
    raise AssertionError(case)


def _api(case: Case, client: Any, obj: Any, p: dict[str, Any]) -> bool | None:
    """Does the API allow it? (2xx, or the field served) — None where the API has no such call."""
    base = {"profile": "/api/providers/", "offering": "/api/offerings/", "certificate": "/api/certificates/"}
    if case.obj == "case" or (case.obj == "offering" and case.action == "activate" and case.state == "active"):
        return None  # cases have no API; activating an active offering is no API call at all
    url = f"{base[case.obj]}{obj.pk}/"
    if case.action == "view_contacts":
        return "contact_phone" in client.get(url).json()
    if case.action == "see_evidence":
        r = client.get(f"{url}evidence/")
        assert r.status_code in {200, 404}
        return r.status_code == 200
    call = {
        "change": lambda: client.patch(url, {"profile": {"headline": "改过的介绍"}, "offering": {"notes": "改"},
                                             "certificate": {"scope": "改"}}[case.obj], format="json"),
        "deactivate": lambda: client.delete(url),
        "activate": lambda: client.patch(url, {"is_active": True}, format="json"),
        "verify": lambda: client.post(f"{url}verify/"),
        "reject": lambda: client.post(f"{url}reject/", {"reason": "证书编号查无此证"}, format="json"),
    }[case.action]

    def run() -> int:
        return call().status_code

    status = rolled_back(run)["result"]
    assert 200 <= status < 300 or _refused_status(status) or status == 400, (url, status)
    return 200 <= status < 300


@pytest.mark.parametrize("role", ROLES)
def test_rule_service_page_and_api_agree(provider_a, users, api_client_for, role):
    user = users[role] if role != "anonymous" else None
    actor = user if user is not None else AnonymousUser()
    page_client = Client()
    if user is not None:
        page_client.force_login(user)
    api_client = api_client_for(user)
    for case in CASES:
        where = f"{role} × {case.obj}:{case.state} × {case.action}"
        obj = _set_state(provider_a, case)
        expected = role in case.allowed
        assert RULES[case.obj].can(actor, case.action, obj) == expected, f"rule: {where}"
        service = _service(case, actor, obj, provider_a)
        if service is not None:
            entries, events = AuditEntry.objects.count(), ProviderEvent.objects.count()
            box = rolled_back(service)
            refused = isinstance(box["result"], Exception)
            assert refused != expected, f"service: {where}: {box['result']!r}"
            assert box["appended"] - entries == (1 if expected else 0), f"audit entries: {where}"
            assert box["events"] - events == (1 if expected else 0), f"provider events: {where}"
            if expected:
                last = rolled_back(lambda s=service: (s(), AuditEntry.objects.order_by("-seq").first().action))
                assert last["result"][1] == case.audit_action, where
        assert _page(case, page_client, obj, provider_a) == expected, f"page: {where}"
        api = _api(case, api_client, obj, provider_a)
        assert api in (None, expected), f"api: {where}"
    assert verify().ok


def test_a_refused_write_changes_nothing(provider_a, users):
    """An outsider's attempt leaves every row and the chain as they were."""
    cert, offering = provider_a["certificate"], provider_a["offering"]
    entries = AuditEntry.objects.count()
    for attempt in (lambda: services.verify_certificate(users["provider"], cert),
                    lambda: services.update_offering(users["provider_b"], offering, notes="x"),
                    lambda: services.set_offering_active(users["government"], offering, active=False),
                    lambda: services.add_offering(users["certifier"], provider_a["org"], notes="x"),
                    lambda: services.reject_certificate(users["certifier"], cert, reason="")):
        with pytest.raises((PermissionDenied, ValidationError)):
            attempt()
    assert AuditEntry.objects.count() == entries
    offering.refresh_from_db()
    cert.refresh_from_db()
    assert offering.is_active and offering.notes == "含上线培训" and not cert.verified and not cert.rejected_at


def test_every_fixture_write_is_on_the_chain_and_in_the_provider_history(provider_a):
    org = provider_a["org"]
    actions = list(AuditEntry.objects.filter(object_type__startswith="providers.").values_list("action", flat=True))
    assert actions == ["providers.profile_created", "providers.offering_added", "providers.certificate_added",
                       "providers.case_added"]
    events = list(ProviderEvent.objects.filter(provider=org).values_list("kind", "data"))
    assert events == [("profile_created", {"profile": provider_a["profile"].pk}),
                      ("offering_added", {"offering": provider_a["offering"].pk}),
                      ("certificate_added", {"certificate": provider_a["certificate"].pk}),
                      ("case_added", {"case": provider_a["case"].pk})]
    entry = AuditEntry.objects.get(action="providers.offering_added")
    assert entry.organization_id == org.pk and entry.after["provinces"] == ["31", "32"]
    assert verify().ok


def test_audit_entries_hold_only_the_changed_fields(provider_a, users):
    services.update_offering(provider_a["user"], provider_a["offering"], notes="新说明", monthly_capacity=3)
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.before, entry.after) == ("providers.offering_changed", {"notes": "含上线培训"},
                                                         {"notes": "新说明"})
    services.reject_certificate(users["certifier"], provider_a["certificate"], reason="查无此证")
    services.update_certificate(provider_a["user"], provider_a["certificate"], number="00121Q34567R0N")
    cert = Certificate.objects.get(pk=provider_a["certificate"].pk)
    assert not cert.rejected_at and cert.rejection_reason == ""  # editing asks for a new verification
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.before["rejection_reason"] == "查无此证" and entry.after["number"] == "00121Q34567R0N"
    assert verify().ok


def test_rejection_needs_a_reason_and_is_shown_to_the_provider_only(provider_a, users, api_client_for):
    cert = provider_a["certificate"]
    with pytest.raises(ValidationError):
        services.reject_certificate(users["certifier"], cert, reason="  ")
    services.reject_certificate(users["certifier"], cert, reason="编号与发证机构记录不符")
    own = api_client_for(users["provider"]).get(f"/api/certificates/{cert.pk}/").json()
    public = api_client_for(users["manufacturer"]).get(f"/api/certificates/{cert.pk}/").json()
    assert own["rejection_reason"] == "编号与发证机构记录不符" and own["rejected_at"]
    assert public["rejection_reason"] is None and not public["verified"]
    with pytest.raises(ValidationError):  # a verifier meets a state problem: a clear 400, not a 403
        services.reject_certificate(users["certifier"], cert, reason="again")


def test_the_admin_is_read_only(provider_a, users, client):
    from django.contrib.auth import get_user_model

    admin_user = get_user_model().objects.create_superuser("root", "root@example.com", "pw-12345678")
    client.force_login(admin_user)
    offering, cert = provider_a["offering"], provider_a["certificate"]
    for model in ("providerprofile", "offering", "certificate", "case", "providerevent"):
        assert client.get(reverse(f"admin:providers_{model}_add")).status_code == 403
    assert client.get(reverse("admin:providers_offering_change", args=[offering.pk])).status_code == 200
    r = client.post(reverse("admin:providers_offering_change", args=[offering.pk]),
                    {"monthly_capacity": 99, "price_min": 1, "price_max": 2})
    assert r.status_code == 403
    r = client.post(reverse("admin:providers_offering_delete", args=[offering.pk]), {"post": "yes"})
    assert r.status_code == 403
    assert Offering.objects.get(pk=offering.pk).monthly_capacity == 3
    # the one write the admin has: verifying through the service, recorded on the chain
    entries = AuditEntry.objects.count()
    actions = client.get(reverse("admin:providers_certificate_changelist")).context["action_form"].fields[
        "action"].choices
    name = next(value for value, label in actions if "verify" in str(label))
    r = client.post(reverse("admin:providers_certificate_changelist"),
                    {"action": name, "_selected_action": [cert.pk]})
    assert r.status_code == 302
    assert Certificate.objects.get(pk=cert.pk).verified
    assert AuditEntry.objects.count() == entries + 1
    assert AuditEntry.objects.order_by("-seq").first().action == "providers.certificate_verified"
    assert verify().ok
