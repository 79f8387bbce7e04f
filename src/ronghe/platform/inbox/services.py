"""The only write path of the inbox for people (delivery itself is :mod:`inbox.delivery`, run by the kit).

Each function is ``verb_noun(actor, obj_or_parent, **fields)`` on the write kit: lock, rule, write, audit.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from ronghe.platform.core import kit
from ronghe.platform.core.permissions import is_authenticated
from ronghe.platform.inbox.models import Notification, NotificationPreference
from ronghe.platform.inbox.rules import notification_rules, preference_rules
from ronghe.platform.inbox.states import NOTIFICATION_STATES


def _read_at(notification: Notification) -> list[str]:
    notification.read_at = timezone.now()
    return ["read_at"]


def mark_notification_read(actor: Any, notification: Notification) -> Notification:
    """unread → read, by its recipient (a second click answers 400 "already read", and changes nothing)."""
    return kit.transition(actor, notification, Notification.State.READ, table=NOTIFICATION_STATES,
                          action="notification.read",
                          check=lambda locked: notification_rules.require(actor, "read", locked), apply=_read_at)


def mark_all_notifications_read(actor: Any, recipient: Any) -> int:
    """Every unread notification of ``recipient`` (the actor themself) → read; one audit entry for the batch."""
    if not is_authenticated(actor) or actor.pk != recipient.pk:
        raise PermissionDenied("只能处理自己的消息 (only your own notifications)")
    with transaction.atomic():
        ids = list(Notification.objects.select_for_update().filter(recipient=recipient).unread()
                   .order_by("pk").values_list("pk", flat=True))
        if not ids:
            return 0
        now = timezone.now()
        Notification.objects.filter(pk__in=ids).update(state=Notification.State.READ, read_at=now, updated_at=now)
        kit.record(actor, ("inbox.notification", f"user:{recipient.pk}"), "notification.all_read",
                   before={"state": Notification.State.UNREAD}, after={"state": Notification.State.READ,
                                                                         "ids": ids})
    return len(ids)


def preference_of(user: Any) -> NotificationPreference:
    """The user's preference as stored, or the default (no e-mail) unsaved — reading never writes."""
    return (NotificationPreference.objects.filter(user=user).first()
            or NotificationPreference(user=user, email=False))


def set_notification_preference(actor: Any, user: Any, *, email: bool) -> NotificationPreference:
    """Opt in to (or out of) e-mail copies of one's notifications."""
    with transaction.atomic():
        preference, _ = NotificationPreference.objects.get_or_create(user=user)
        preference = kit.lock(preference)
        preference_rules.require(actor, "change", preference)
        before = kit.snapshot(preference, ["email"])
        preference.email = bool(email)
        preference.save(update_fields=["email", "updated_at"])
        old, new = kit.changed(before, kit.snapshot(preference, ["email"]))
        if new:
            kit.record(actor, preference, "notification.preference_changed", before=old, after=new)
    return preference
