"""The providers' one bulk writer: the same derived copies as the services, one audit entry per model and batch."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from ronghe.errors import InputError
from ronghe.platform.core.audit import verify
from ronghe.platform.core.bulk import DEMO_DATA_ACTOR, audit_batch
from ronghe.platform.core.models import AuditEntry
from ronghe.platform.providers import services
from ronghe.platform.providers.bulk import bulk_create_providers
from ronghe.platform.providers.derived import offering_provinces
from ronghe.platform.providers.models import Offering, OfferingProvince
from tests.platform.conftest import make_org


def provinces_agree(offering: Offering) -> bool:
    """Both copies hold the same codes: the JSON list (sorted) and the province rows."""
    offering.refresh_from_db()
    rows = sorted(OfferingProvince.objects.filter(offering=offering).values_list("province", flat=True))
    return offering.provinces == rows


def test_services_and_bulk_keep_both_province_copies_equal(provider_a, catalog):
    offering = provider_a["offering"]
    assert provinces_agree(offering)
    services.update_offering(provider_a["user"], offering, provinces=["44", "32", "44"])
    assert provinces_agree(offering) and offering.provinces == ["32", "44"]
    services.update_offering(provider_a["user"], offering, notes="provinces untouched")
    assert provinces_agree(offering) and offering.provinces == ["32", "44"]

    org = make_org("provider", is_synthetic=True)
    bulk_create_providers([{"organization_id": org.pk, "offerings": [
        {"service_item_id": catalog["mes"].pk, "price_min": 1, "price_max": 2, "monthly_capacity": 1,
         "provinces": ["44", "11", "44", "32"]}]}])
    bulk = Offering.objects.get(provider=org)
    assert provinces_agree(bulk) and bulk.provinces == ["11", "32", "44"]
    # and both paths take the copies from the one function
    assert offering_provinces(bulk.pk, ["44", "11", "44", "32"]) == (
        ["11", "32", "44"], [(bulk.pk, "11"), (bulk.pk, "32"), (bulk.pk, "44")])
    # a bulk-written offering then changed through the service stays consistent too
    from tests.platform.conftest import make_user

    services.update_offering(make_user(org), bulk, provinces=["31"])
    assert provinces_agree(bulk) and bulk.provinces == ["31"]


def _rows(orgs, catalog, today):
    return [{
        "organization_id": org.pk,
        "profile": {"headline": f"合成服务商{i}", "team_size": 10 + i},
        "offerings": [{"service_item_id": catalog["mes"].pk, "price_min": 1e4, "price_max": 5e4,
                       "monthly_capacity": 2, "provinces": ["32", "31"], "industries": ["36"]}],
        "certificates": [{"cert_type": "iso9001", "number": f"Q{i}", "issuer": "CQC",
                          "valid_from": today - timedelta(days=10), "valid_to": today + timedelta(days=10),
                          "verified_by_org_id": None if i % 2 else orgs[0].pk}],
        "cases": [{"title": "合成案例", "year": 2022, "summary": "合成"}],
    } for i, org in enumerate(orgs)]


def test_each_batch_appends_one_entry_per_model(db, catalog):
    orgs = [make_org("provider", is_synthetic=True) for _ in range(5)]
    before = AuditEntry.objects.count()
    started = timezone.now()
    bulk_create_providers(_rows(orgs, catalog, timezone.localdate()), batch_size=2)
    entries = list(AuditEntry.objects.order_by("seq")[before:])
    # 3 batches (2 + 2 + 1) × profile, offering, certificate, case
    assert len(entries) == 12
    assert {e.actor for e in entries} == {DEMO_DATA_ACTOR}
    assert [e.object_type for e in entries[:4]] == ["providers.providerprofile", "providers.offering",
                                                    "providers.certificate", "providers.case"]
    offerings = [e for e in entries if e.object_type == "providers.offering"]
    assert [e.after["count"] for e in offerings] == [2, 2, 1]
    ids = sorted(Offering.objects.values_list("pk", flat=True))
    assert (offerings[0].after["first_id"], offerings[-1].after["last_id"]) == (ids[0], ids[-1])
    assert offerings[0].object_id == f"{ids[0]}-{ids[1]}" and offerings[0].after["province_rows"] == 4
    assert sum(e.after["verified"] for e in entries if e.object_type == "providers.certificate") == 3
    assert {e.action for e in entries} == {"providers.bulk_created"}
    # updated_at stays true: every bulk row carries the run's time
    assert all(o.updated_at >= started and o.created_at == o.updated_at for o in Offering.objects.all())
    assert verify().ok


def test_a_refused_batch_writes_and_appends_nothing(db, catalog):
    orgs = [make_org("provider") for _ in range(3)]
    rows = _rows(orgs, catalog, timezone.localdate())
    rows[2]["offerings"][0]["price_min"] = 9e9  # above price_max
    before = AuditEntry.objects.count()
    with pytest.raises(InputError, match="row 2"):
        bulk_create_providers(rows, batch_size=2)
    # the first batch (rows 0–1) stays written with its entries; the bad one left nothing
    assert Offering.objects.count() == 2
    assert AuditEntry.objects.count() - before == 4
    assert verify().ok


def test_audit_batch_needs_the_batch_transaction(db, monkeypatch):
    from types import SimpleNamespace

    from ronghe.platform.core import bulk

    with monkeypatch.context() as patch:  # as outside any transaction (the test itself runs in one)
        patch.setattr(bulk.transaction, "get_connection", lambda: SimpleNamespace(in_atomic_block=False))
        with pytest.raises(RuntimeError):
            audit_batch(Offering, [1, 2])
    with transaction.atomic():
        assert audit_batch(Offering, []) is None
        entry = audit_batch(Offering, [7, 3, 5], actor="system:loader")
    assert (entry.object_id, entry.after, entry.actor) == ("3-7", {"count": 3, "first_id": 3, "last_id": 7},
                                                          "system:loader")
