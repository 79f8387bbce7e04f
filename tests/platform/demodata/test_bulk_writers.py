"""The generator writes only through each app's bulk writer; each keeps its app's invariants and audits its batches."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from ronghe.errors import InputError
from ronghe.platform.accounts.bulk import AccountsBulkWriter, OrganizationRow
from ronghe.platform.accounts.models import Membership, Organization
from ronghe.platform.catalog.models import ServiceItem
from ronghe.platform.core.audit import verify
from ronghe.platform.core.bulk import DEMO_DATA_ACTOR
from ronghe.platform.core.models import AuditEntry
from ronghe.platform.demand.bulk import DemandBulkWriter, DemandListRow, DemandRow, state_path
from ronghe.platform.demand.models import Demand, DemandList, DemandListEntry
from ronghe.platform.demand.states import DEMAND_TRANSITIONS
from ronghe.platform.demand.visibility import budget_band
from ronghe.platform.demodata.generator import Spec, generate
from tests.platform.conftest import make_credit_code

SRC = Path(__file__).resolve().parents[3] / "src" / "ronghe" / "platform"


def test_the_generator_writes_through_the_bulk_writers_only():
    text = (SRC / "demodata" / "generator.py").read_text()
    assert not (SRC / "demodata" / "fastinsert.py").exists()
    for forbidden in ("Table(", ".objects.create(", "bulk_create(", "executemany", "INSERT INTO", ".save("):
        assert forbidden not in text, forbidden


def test_a_generated_run_is_on_the_chain_batch_by_batch(catalog):
    before = AuditEntry.objects.count()
    result = generate(Spec(seed=31, manufacturers=6, providers=5, demands=7, demand_lists=1, batch_size=3,
                           with_users=True))
    entries = list(AuditEntry.objects.order_by("seq")[before:])
    assert entries and {e.actor for e in entries} == {DEMO_DATA_ACTOR}
    by_type: dict[str, int] = {}
    for e in entries:
        by_type[e.object_type] = by_type.get(e.object_type, 0) + e.after["count"]
    assert by_type["accounts.organization"] == result.counts["organizations"]
    assert by_type["accounts.membership"] == result.counts["users"]
    assert by_type["providers.offering"] == result.counts["offerings"]
    assert by_type["demand.demand"] == result.counts["demands"] == 7
    assert by_type["demand.demandlistentry"] == result.counts["demand_list_entries"]
    # 7 demands in batches of 3: three entries
    assert sum(1 for e in entries if e.object_type == "demand.demand") == 3
    assert verify().ok


def _orgs(kind: str, n: int) -> list[OrganizationRow]:
    return [OrganizationRow(name=f"{kind}{i}", kind=kind, credit_code=make_credit_code(), province="32",
                            industries=("36",)) for i in range(n)]


def test_accounts_bulk_keeps_the_accounts_invariants(db):
    writer = AccountsBulkWriter(timezone.now())
    pks = writer.organizations(_orgs("manufacturer", 3))
    assert Organization.objects.filter(pk__in=pks, industries="36").count() == 3
    users = writer.admins(pks, ["a1", "a2", "a3"], "!unusable")
    assert set(Membership.objects.filter(user__in=users).values_list("role", flat=True)) == {"admin"}
    before = Organization.objects.count()
    with pytest.raises(InputError, match="kind"):
        writer.organizations([OrganizationRow(name="x", kind="bank", credit_code=make_credit_code(), province="32")])
    with pytest.raises(InputError, match="credit code"):
        writer.organizations([OrganizationRow(name="x", kind="provider", credit_code="91320500MA0000000X",
                                              province="32")])
    assert Organization.objects.count() == before
    entries = AuditEntry.objects.filter(actor=DEMO_DATA_ACTOR).order_by("seq")
    assert [(e.object_type, e.after["count"]) for e in entries] == [("accounts.organization", 3),
                                                                   ("accounts.membership", 3)]
    assert entries[0].after["industries"] == 3


def _demand(org: int, item: int, state: str, **over) -> DemandRow:
    today, now = timezone.localdate(), timezone.now()
    published = now if any(to == "published" for _, _, to in state_path(state)) else None
    fields = dict(organization_id=org, created_by_id=None, title="t", summary="s", industry_id="36",
                  province="32", city="苏州", budget_min=1000, budget_max=250_000, deadline=today + timedelta(30),
                  contact_name="王", contact_phone="0512-1", contact_email="", confidentiality="public",
                  state=state, published_at=published, lines=[(item, "范围", 1)])
    return DemandRow(**{**fields, **over})


def test_demand_bulk_keeps_the_demand_invariants(db):
    from ronghe.platform.catalog.models import ServiceCategory

    top = ServiceCategory.objects.create(code="T05", level=1, name_zh="信息服务", name_en="IT")
    item = ServiceItem.objects.create(code="SI-05-001", version=1, status="published", category=top, name_zh="MES",
                                      scope="s", pricing_model="fixed")
    (maker,) = AccountsBulkWriter(timezone.now()).organizations(_orgs("manufacturer", 1))
    (association,) = AccountsBulkWriter(timezone.now()).organizations(_orgs("association", 1))
    writer = DemandBulkWriter(timezone.now())
    pks, lines, events = writer.demands([_demand(maker, item.pk, s) for s in ("draft", "published", "closed",
                                                                               "cancelled")])
    assert (len(pks), lines, events) == (4, 4, 1 + 2 + 3 + 2)
    for d in Demand.objects.filter(pk__in=pks).prefetch_related("events"):
        assert d.budget_band == budget_band(d.budget_max)
        state = "draft"
        for e in list(d.events.all())[1:]:
            assert e.to_state in DEMAND_TRANSITIONS[state]
            state = e.to_state
        assert state == d.state
        assert (d.closed_at is not None) == (d.state in ("closed", "cancelled"))
    with pytest.raises(InputError, match="published_at"):
        writer.demands([_demand(maker, item.pk, "published", published_at=None)])
    with pytest.raises(InputError, match="budget"):
        writer.demands([_demand(maker, item.pk, "draft", budget_min=10, budget_max=5)])
    assert Demand.objects.count() == 4
    list_pk, entries = writer.demand_list(DemandListRow(
        name="清单", organization_id=association, industry_id="36", province="32", city="苏州", pain_points="p",
        items=[item.pk], entries=[(item.pk, maker, 2, None)], published_at=timezone.now()))
    assert entries == 1 and DemandListEntry.objects.get().demand_list_id == list_pk
    assert list(DemandList.objects.get(pk=list_pk).items.all()) == [item]
    with pytest.raises(InputError, match="not on the list"):
        writer.demand_list(DemandListRow(name="x", organization_id=association, industry_id="36", province="32",
                                         city="", pain_points="p", items=[], entries=[(item.pk, maker, 1, None)],
                                         published_at=timezone.now()))
    types = list(AuditEntry.objects.filter(actor=DEMO_DATA_ACTOR, object_type__startswith="demand.")
                 .values_list("object_type", flat=True))
    assert types == ["demand.demand", "demand.demandlist", "demand.demandlistentry"]
    assert verify().ok
