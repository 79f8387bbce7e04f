"""Only a *verified* certifier or association verifies a certificate or reads its evidence (today a
self-registered certifier could do both at once); the provider hears of each decision in its inbox."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from ronghe.platform.inbox.models import Notification
from ronghe.platform.providers import rules, services
from tests.platform.conftest import make_org, make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["certifier", "association"])
def test_an_unverified_verifier_neither_verifies_nor_reads_the_evidence(kind, provider_a, client):
    cert = provider_a["certificate"]
    newcomer = make_user(make_org(kind, verification="pending"))
    assert not rules.can_see_evidence(newcomer, cert)
    with pytest.raises(PermissionDenied):
        services.verify_certificate(newcomer, cert)
    with pytest.raises(PermissionDenied):
        services.reject_certificate(newcomer, cert, reason="看不清")
    client.force_login(newcomer)
    assert client.get(f"/providers/certificates/{cert.pk}/evidence/").status_code == 404
    cert.refresh_from_db()
    assert not cert.verified and not cert.rejected_at


def test_a_verified_certifiers_decisions_reach_the_providers_inbox(provider_a, users, orgs,
                                                                    django_capture_on_commit_callbacks):
    cert = provider_a["certificate"]
    with django_capture_on_commit_callbacks(execute=True):
        services.reject_certificate(users["certifier"], cert, reason="证书编号与发证机构查询结果不符")
    rejected = Notification.objects.filter(action="providers.certificate_rejected")
    assert {n.recipient_id for n in rejected} == {users["provider"].pk, users["provider_member"].pk}
    assert "证书编号与发证机构查询结果不符" in rejected.first().text and cert.number in rejected.first().text
    with django_capture_on_commit_callbacks(execute=True):
        services.verify_certificate(users["certifier"], cert)
    verified = Notification.objects.filter(action="providers.certificate_verified")
    assert verified.count() == 2 and "已通过核验" in verified.first().text
    cert.refresh_from_db()
    assert cert.verified_by_org_id == orgs["certifier"].pk
    assert not Notification.objects.filter(recipient__in=[users["certifier"], users["provider_b"]]).exists()
