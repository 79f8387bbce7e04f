"""Reading one's inbox: only one's own notifications, on the page, in the top bar and in the API; marking read
goes through the services and the audit chain; nobody reads or marks another person's notifications."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ronghe.platform.core.audit import verify
from ronghe.platform.core.models import AuditEntry
from ronghe.platform.demand import services
from ronghe.platform.inbox import services as inbox_services
from ronghe.platform.inbox.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def invited(make_demand, users, orgs, delivered):
    """An NDA demand to which provider A was invited: its admin and member each have one unread notification."""
    demand = make_demand("nda")
    with delivered():
        services.invite_provider(users["manufacturer"], demand, provider=orgs["provider"])
    return demand


def _note(user) -> Notification:
    return Notification.objects.get(recipient=user)


def test_marking_read_is_the_recipients_alone_and_on_the_chain(invited, users):
    note = _note(users["provider"])
    entries = AuditEntry.objects.count()
    for other in ("provider_member", "manufacturer", "operator", "government"):
        with pytest.raises(PermissionDenied):
            inbox_services.mark_notification_read(users[other], note)
    assert AuditEntry.objects.count() == entries
    inbox_services.mark_notification_read(users["provider"], note)
    note.refresh_from_db()
    assert note.state == "read" and note.read_at is not None
    assert _note(users["provider_member"]).state == "unread"  # each person reads for themself
    with pytest.raises(ValidationError):
        inbox_services.mark_notification_read(users["provider"], note)
    assert AuditEntry.objects.filter(action="notification.read").count() == 1
    assert verify().ok


def test_mark_all_read(invited, make_demand, users, orgs, delivered):
    with delivered():
        services.invite_provider(users["manufacturer"], make_demand("nda"), provider=orgs["provider"])
    assert inbox_services.mark_all_notifications_read(users["provider"], users["provider"]) == 2
    assert inbox_services.mark_all_notifications_read(users["provider"], users["provider"]) == 0
    assert Notification.objects.filter(recipient=users["provider_member"]).unread().count() == 2
    with pytest.raises(PermissionDenied):
        inbox_services.mark_all_notifications_read(users["provider"], users["provider_member"])


def test_unread_count_in_the_top_bar_and_opening_goes_to_the_next_step(invited, users, client):
    client.force_login(users["provider"])
    home = client.get("/").content.decode()
    assert "has-unread" in home and '<span class="badge' in home
    note = _note(users["provider"])
    response = client.post(f"/inbox/{note.pk}/open/")
    assert response.status_code == 302 and response["Location"] == f"/demand/{invited.pk}/nda/"
    assert _note(users["provider"]).state == "read"
    assert "has-unread" not in client.get("/").content.decode()
    assert client.post(f"/inbox/{note.pk}/open/").status_code == 302  # opening again is fine


def test_nobody_opens_another_persons_notification(invited, users, client):
    note = _note(users["provider"])
    client.force_login(users["provider_member"])
    assert client.post(f"/inbox/{note.pk}/open/").status_code == 404
    assert client.get(f"/api/notifications/{note.pk}/").status_code == 404
    assert _note(users["provider"]).state == "unread"
    client.logout()
    assert client.get("/inbox/").status_code == 302  # to the login page


def test_the_page_lists_own_notifications_only(invited, users, client):
    client.force_login(users["manufacturer"])
    page = client.get("/inbox/").content.decode()
    assert invited.title not in page  # the inviter hears nothing of its own invitation
    client.force_login(users["provider_member"])
    page = client.get("/inbox/?unread=1").content.decode()
    assert invited.title in page


def test_api_lists_marks_and_sets_preferences(invited, users, api_client_for):
    api = api_client_for(users["provider"])
    body = api.get("/api/notifications/").json()
    assert body["count"] == 1 and body["unread_count"] == 1
    item = body["results"][0]
    assert item["action"] == "demand.invited" and item["unread"] is True and invited.title in item["text"]
    assert api.post(f"/api/notifications/{item['id']}/read/").json()["unread"] is False
    assert api.post(f"/api/notifications/{item['id']}/read/").status_code == 400  # already read
    assert api.get("/api/notifications/?unread=1").json()["count"] == 0
    other = api_client_for(users["provider_member"])
    assert other.post(f"/api/notifications/{item['id']}/read/").status_code == 404
    assert other.post("/api/notifications/read-all/").json() == {"marked": 1}
    assert api.get("/api/notifications/preferences/").json() == {"email": False}
    assert api.patch("/api/notifications/preferences/", {"email": True}, format="json").json() == {"email": True}
    assert api.patch("/api/notifications/preferences/", {"email": "perhaps"}, format="json").status_code == 400
    assert api_client_for(None).get("/api/notifications/").status_code in (401, 403)


def test_page_sets_the_email_preference(users, client):
    client.force_login(users["provider"])
    assert client.post("/inbox/preferences/", {"email": "on"}).status_code == 302
    assert users["provider"].notification_preference.email is True
    client.post("/inbox/preferences/", {})
    users["provider"].notification_preference.refresh_from_db()
    assert users["provider"].notification_preference.email is False
    assert [e.action for e in AuditEntry.objects.filter(object_type="inbox.notificationpreference")] == [
        "notification.preference_changed", "notification.preference_changed"]


def test_the_inbox_reads_in_english(invited, users):
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(users["provider"])
    page = client.get("/inbox/").content.decode()
    assert "Notifications" in page and "A manufacturer invites your organization" in page
    assert "站内消息" not in page and "邀请贵单位" not in page
