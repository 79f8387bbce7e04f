"""Every demand event that has recipients reaches exactly them — the members of the organizations the demand
app names, never the person who acted, nobody else — says nothing the recipient may not see, and is never
sent for a write that rolled back. E-mail goes only to those who opted in."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from ronghe.platform.core.registry import platform_apps
from ronghe.platform.demand import services
from ronghe.platform.inbox import delivery
from ronghe.platform.inbox import services as inbox_services
from ronghe.platform.inbox.models import Notification
from tests.platform.demand.conftest import SECRET_STRINGS, assert_no_secret

pytestmark = pytest.mark.django_db


def _published_list(users, orgs, items):
    demand_list = services.create_demand_list(users["association"], orgs["association"], items=[items[0]],
                                              name="汽车零部件清单", industry="36", province="32", pain_points="联网")
    return services.publish_demand_list(users["association"], demand_list)


def _nda_demand_with_accepted_provider(make_demand, users, orgs):
    demand = make_demand("nda")
    services.invite_provider(users["manufacturer"], demand, provider=orgs["provider"])
    services.accept_nda(users["provider_member"], demand)
    return demand


def _invited(make_demand, users, orgs, items):
    demand = make_demand("nda")
    return lambda: services.invite_provider(users["manufacturer"], demand, provider=orgs["provider"])


def _nda_accepted(make_demand, users, orgs, items):
    demand = make_demand("nda")
    services.invite_provider(users["manufacturer"], demand, provider=orgs["provider"])
    return lambda: services.accept_nda(users["provider_member"], demand)


def _expiring(make_demand, users, orgs, items):
    make_demand("public", deadline=timezone.localdate() + dt.timedelta(days=1))
    return lambda: services.warn_expiring_demands()


def _expired(make_demand, users, orgs, items):
    make_demand("public", deadline=timezone.localdate() + dt.timedelta(days=1))
    return lambda: services.expire_due_demands(today=timezone.localdate() + dt.timedelta(days=5))


def _closed(make_demand, users, orgs, items):
    demand = _nda_demand_with_accepted_provider(make_demand, users, orgs)
    return lambda: services.close_demand(users["manufacturer"], demand)


def _cancelled(make_demand, users, orgs, items):
    demand = _nda_demand_with_accepted_provider(make_demand, users, orgs)
    services.invite_provider(users["manufacturer"], demand, provider=orgs["provider_b"])  # invited, not accepted
    return lambda: services.cancel_demand(users["operator"], demand)


def _joined(make_demand, users, orgs, items):
    demand_list = _published_list(users, orgs, items)
    return lambda: services.join_demand_list(users["manufacturer_member"], demand_list,
                                             manufacturer=orgs["manufacturer"],
                                             entries=[services.EntryInput(items[0], 7)])


def _left(make_demand, users, orgs, items):
    demand_list = _published_list(users, orgs, items)
    services.join_demand_list(users["manufacturer"], demand_list, manufacturer=orgs["manufacturer"],
                              entries=[services.EntryInput(items[0], 7)])
    return lambda: services.leave_demand_list(users["manufacturer"], demand_list, manufacturer=orgs["manufacturer"])


#: action → (set-up returning the write, the user keys that must hear of it)
CASES = {
    "demand.invited": (_invited, {"provider", "provider_member"}),
    "demand.nda_accepted": (_nda_accepted, {"manufacturer", "manufacturer_member"}),
    "demand.expiring": (_expiring, {"manufacturer", "manufacturer_member"}),
    "demand.expired": (_expired, {"manufacturer", "manufacturer_member"}),
    "demand.closed": (_closed, {"provider", "provider_member"}),
    "demand.cancelled": (_cancelled, {"provider", "provider_member"}),
    # the acting member is not told of their own act; the association's people are
    "demandlist.joined": (_joined, {"association", "association_member"}),
    "demandlist.left": (_left, {"association", "association_member"}),
}


def test_every_demand_event_with_recipients_is_covered_here():
    declared = next(a for a in platform_apps() if a.label == "demand").recipients
    assert set(declared) == set(CASES)


@pytest.mark.parametrize("action", sorted(CASES))
def test_event_reaches_exactly_its_recipients(action, make_demand, users, orgs, items, delivered):
    setup, expected = CASES[action]
    write = setup(make_demand, users, orgs, items)
    before = set(Notification.objects.values_list("pk", flat=True))
    with delivered():
        write()
    new = Notification.objects.exclude(pk__in=before)
    assert {n.action for n in new} == {action}
    names = {key for key, user in users.items() if user is not None}
    got = {key for key in names if new.filter(recipient=users[key]).exists()}
    assert got == expected
    assert new.count() == len(expected)  # once each
    for n in new:
        assert n.text and "{" not in n.text
        assert_no_secret(n.text + n.url + repr(n.params))


def test_an_invitation_says_what_not_who_or_how_much(make_demand, users, orgs, delivered, client):
    demand = make_demand("nda")
    with delivered():
        services.invite_provider(users["manufacturer"], demand, provider=orgs["provider"])
    note = Notification.objects.get(recipient=users["provider"])
    assert demand.title in note.text
    assert orgs["manufacturer"].name not in note.text + repr(note.params)  # the buyer is an NDA detail
    assert note.url.endswith(f"/{demand.pk}/nda/")  # the next step: read and accept the NDA
    client.force_login(users["provider"])
    page = client.get("/inbox/").content.decode()
    assert demand.title in page and orgs["manufacturer"].name not in page
    assert_no_secret(page)
    api = client.get("/api/notifications/").content.decode()
    assert demand.title in api and orgs["manufacturer"].name not in api
    assert_no_secret(api)


def test_an_invitation_to_a_draft_does_not_even_name_it(make_demand, users, orgs, delivered):
    demand = make_demand("nda", publish=False)
    with delivered():
        services.invite_provider(users["manufacturer"], demand, provider=orgs["provider"])
    note = Notification.objects.get(recipient=users["provider"])
    assert demand.title not in note.text and not note.url


def test_a_rolled_back_write_notifies_nobody(make_demand, users, orgs, delivered):
    demand = make_demand("nda")
    with delivered(), pytest.raises(RuntimeError), transaction.atomic():
        services.invite_provider(users["manufacturer"], demand, provider=orgs["provider"])
        raise RuntimeError("a later step of the same request fails")
    assert not Notification.objects.exists()
    assert not demand.invitations.exists()


def test_a_refused_write_notifies_nobody(make_demand, users, orgs, delivered):
    from django.core.exceptions import PermissionDenied

    demand = make_demand("nda")
    with delivered(), pytest.raises(PermissionDenied):
        services.invite_provider(users["manufacturer_b"], demand, provider=orgs["provider"])
    assert not Notification.objects.exists()


def test_delivery_is_idempotent(make_demand, users, orgs, delivered):
    demand = make_demand("nda")
    with delivered():
        services.invite_provider(users["manufacturer"], demand, provider=orgs["provider"])
    event = demand.events.get(kind="invited")
    delivery.deliver(event, "demand.invited")
    assert Notification.objects.count() == 2


def test_email_only_for_those_who_opted_in(make_demand, users, orgs, delivered, mailoutbox):
    users["provider"].email = "boss@provider.example"
    users["provider"].save()
    users["provider_member"].email = "staff@provider.example"  # has an address, did not opt in
    users["provider_member"].save()
    inbox_services.set_notification_preference(users["provider"], users["provider"], email=True)
    demand = make_demand("nda")
    with delivered():
        services.invite_provider(users["manufacturer"], demand, provider=orgs["provider"])
    assert [m.to for m in mailoutbox] == [["boss@provider.example"]]
    assert demand.title in mailoutbox[0].body
    for secret in (*SECRET_STRINGS, orgs["manufacturer"].name):
        assert secret not in mailoutbox[0].body + mailoutbox[0].subject
    assert Notification.objects.get(recipient=users["provider"]).emailed_at is not None
    assert Notification.objects.get(recipient=users["provider_member"]).emailed_at is None


def test_opting_out_stops_email(make_demand, users, orgs, delivered, mailoutbox):
    users["provider"].email = "boss@provider.example"
    users["provider"].save()
    inbox_services.set_notification_preference(users["provider"], users["provider"], email=True)
    inbox_services.set_notification_preference(users["provider"], users["provider"], email=False)
    with delivered():
        services.invite_provider(users["manufacturer"], make_demand("nda"), provider=orgs["provider"])
    assert mailoutbox == []


def test_a_failing_mail_server_breaks_neither_the_write_nor_the_inbox(make_demand, users, orgs, delivered,
                                                                      settings, caplog):
    settings.EMAIL_BACKEND = "tests.platform.inbox.test_delivery.BrokenBackend"
    users["provider"].email = "boss@provider.example"
    users["provider"].save()
    inbox_services.set_notification_preference(users["provider"], users["provider"], email=True)
    demand = make_demand("nda")
    with delivered():
        services.invite_provider(users["manufacturer"], demand, provider=orgs["provider"])
    assert demand.invitations.filter(provider=orgs["provider"]).exists()
    assert Notification.objects.filter(action="demand.invited").count() == 2
    assert "failed" in caplog.text


class BrokenBackend:
    def __init__(self, *args, **kwargs) -> None: ...

    def send_messages(self, messages):
        raise ConnectionRefusedError("smtp down")
