"""Every demand write lands on the audit chain with its before/after; a refused write appends nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ronghe.platform.core.audit import history, verify
from ronghe.platform.core.models import AuditEntry
from ronghe.platform.demand import services
from ronghe.platform.demand.models import DemandEvent
from tests.platform.demand.conftest import future, pdf_upload

pytestmark = pytest.mark.django_db


def _actions(demand) -> list[str]:
    return [e.action for e in history("demand.demand", demand.pk)]


def test_a_demands_life_is_on_the_chain_with_who_and_what(make_demand, users, orgs):
    demand = make_demand("nda")
    services.invite_provider(users["manufacturer"], demand, provider=orgs["provider"])
    services.accept_nda(users["provider_member"], demand)
    services.add_attachments(users["manufacturer"], demand, uploads=[pdf_upload("b.pdf")])
    services.close_demand(users["operator"], demand)
    assert _actions(demand) == ["demand.created", "demand.published", "demand.invited", "demand.nda_accepted",
                                "demand.attachments_added", "demand.closed"]
    closed = history("demand.demand", demand.pk)[-1]
    assert closed.before == {"state": "published"} and closed.after["state"] == "closed"
    assert closed.actor_id == users["operator"].pk and closed.organization_id == orgs["operator"].pk
    created = history("demand.demand", demand.pk)[0]
    assert created.after["title"] == demand.title and created.after["lines"][0]["quantity"] == 2
    # the business timeline is the same story, from the same calls
    kinds = list(DemandEvent.objects.filter(demand=demand).values_list("kind", flat=True))
    assert kinds == ["created", "published", "invited", "nda_accepted", "attachments_added", "closed"]
    assert verify().ok


def test_an_edit_records_only_the_changed_fields(make_demand, users):
    demand = make_demand("registered", publish=False)
    services.update_demand(users["manufacturer"], demand, title="冲压线改造", deadline=future(60))
    entry = history("demand.demand", demand.pk)[-1]
    assert entry.action == "demand.updated"
    assert set(entry.after) == {"title", "deadline"} and entry.after["title"] == "冲压线改造"
    assert entry.before["title"] == "汽车零部件产线数字化改造"


@pytest.mark.parametrize("attempt", [
    lambda users, demand, orgs: services.publish_demand(users["manufacturer"], demand),  # already published
    lambda users, demand, orgs: services.update_demand(users["manufacturer"], demand, title="x"),
    lambda users, demand, orgs: services.close_demand(users["manufacturer_b"], demand),
    lambda users, demand, orgs: services.cancel_demand(users["government"], demand),
    lambda users, demand, orgs: services.accept_nda(users["provider"], demand),  # not invited
    lambda users, demand, orgs: services.add_attachments(users["manufacturer"], demand, uploads=[]),
])
def test_a_refused_write_changes_nothing_and_appends_nothing(attempt, make_demand, users, orgs):
    demand = make_demand("nda")
    entries, events = AuditEntry.objects.count(), DemandEvent.objects.count()
    with pytest.raises((ValidationError, PermissionDenied)):
        attempt(users, demand, orgs)
    assert AuditEntry.objects.count() == entries and DemandEvent.objects.count() == events
    demand.refresh_from_db()
    assert demand.state == "published"


def test_expiry_is_recorded_as_the_system_and_keeps_updated_at_true(make_demand, users):
    import datetime as dt

    from django.utils import timezone

    demand = make_demand("public")
    stamp = demand.updated_at
    assert services.expire_due_demands(today=timezone.localdate() + dt.timedelta(days=400)) == 1
    demand.refresh_from_db()
    assert demand.state == "expired" and demand.updated_at > stamp
    entry = history("demand.demand", demand.pk)[-1]
    assert entry.action == "demand.expired" and entry.actor == "system:expire_due_demands" and entry.actor_id is None


def test_joining_and_leaving_a_list_are_recorded_per_manufacturer(users, orgs, items):
    demand_list = services.create_demand_list(users["association"], orgs["association"], items=[items[0], items[1]],
                                              name="清单", industry="36", province="32", pain_points="数字化")
    services.publish_demand_list(users["association"], demand_list)
    services.join_demand_list(users["manufacturer"], demand_list, manufacturer=orgs["manufacturer"],
                              entries=[services.EntryInput(items[0], 3)])
    assert services.leave_demand_list(users["manufacturer"], demand_list, manufacturer=orgs["manufacturer"]) == 1
    actions = [e.action for e in history("demand.demandlist", demand_list.pk)]
    assert actions == ["demandlist.created", "demandlist.published", "demandlist.joined", "demandlist.left"]
    left = history("demand.demandlist", demand_list.pk)[-1]
    assert left.before == {"entries": {str(items[0].pk): {"quantity": 3, "notes": ""}}}
    assert left.organization_id == orgs["manufacturer"].pk
    with pytest.raises(ValidationError):  # nothing left to withdraw
        services.leave_demand_list(users["manufacturer"], demand_list, manufacturer=orgs["manufacturer"])


def test_owners_are_warned_once_before_a_deadline(make_demand, users):
    import datetime as dt

    from django.utils import timezone

    soon = make_demand("public", deadline=timezone.localdate() + dt.timedelta(days=2))
    make_demand("public", deadline=timezone.localdate() + dt.timedelta(days=20))
    assert services.warn_expiring_demands() == 1
    assert services.warn_expiring_demands() == 0  # once only
    assert [e.action for e in history("demand.demand", soon.pk)][-1] == "demand.expiring"
