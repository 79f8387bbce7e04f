"""The inbox's event sink: after a write commits, the kit hands each event here (``PlatformApp.event_sink``).

Who is told is declared by the app that owns the event (``PlatformApp.recipients``: action → organization
ids); what each person reads is decided by the same app for that person (``PlatformApp.notices``). The inbox
only fans an event out to the members of those organizations — never to the person who acted — and e-mails
a copy to those who opted in. It runs after the commit, so a rolled-back write tells nobody, and it never
raises into the write that caused it (the kit logs a failure; each e-mail fails alone).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from ronghe.platform.accounts.models import Membership
from ronghe.platform.core.models import Event
from ronghe.platform.core.registry import Notice, notices_for, recipients_for, resolve
from ronghe.platform.inbox.models import Notification, NotificationPreference

log = logging.getLogger("ronghe.platform.inbox")

#: what a recipient reads when the event's app declared no describer: the action only, nothing of the object
FALLBACK = Notice(gettext_noop("平台有一条与您相关的新动态（{action}）"), {})


def recipient_organizations(event: Event, action: str) -> list[int]:
    """Every organization the event's apps say must know of it, each once, in a stable order."""
    found: list[int] = []
    for path in recipients_for(action):
        for org_id in resolve(path)(event) or ():
            if org_id is not None and int(org_id) not in found:
                found.append(int(org_id))
    return found


def _recipients(event: Event, action: str) -> list[tuple[Any, int]]:
    """(user, organization id) for every active member of the recipient organizations but the actor."""
    orgs = recipient_organizations(event, action)
    if not orgs:
        return []
    rows = (Membership.objects.filter(organization__in=orgs, user__is_active=True)
            .exclude(user_id=event.user_id).select_related("user").order_by("user_id", "organization_id"))
    seen: dict[int, tuple[Any, int]] = {}
    for m in rows:  # a user in two recipient organizations hears once, for the first of them
        seen.setdefault(m.user_id, (m.user, m.organization_id))
    return list(seen.values())


def _describe(event: Event, action: str, user: Any) -> Notice:
    path = notices_for(event._meta.app_label)
    if path is None:
        return Notice(FALLBACK.message, {"action": action})
    with translation.override(settings.LANGUAGE_CODE):  # any labels in params: the platform's language
        return resolve(path)(event, action, user)


def deliver(event: Event, action: str) -> list[Notification]:
    """Write one notification per recipient for ``event`` (idempotent), then e-mail the opted-in."""
    recipients = _recipients(event, action)
    if not recipients:
        return []
    event_type = ContentType.objects.get_for_model(event)
    rows = []
    for user, org_id in recipients:
        notice = _describe(event, action, user)
        rows.append(Notification(recipient=user, organization_id=org_id, event_type=event_type, event_id=event.pk,
                                 action=action[:48], message=str(notice.message)[:300], params=dict(notice.params),
                                 url=notice.url[:300]))
    with transaction.atomic():
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
    written = list(Notification.objects.filter(event_type=event_type, event_id=event.pk,
                                               recipient__in=[u for u, _ in recipients], emailed_at__isnull=True)
                   .select_related("recipient"))
    send_emails(written)
    return written


def send_emails(notifications: list[Notification]) -> int:
    """E-mail each notification whose recipient opted in and has an address; returns how many went out."""
    opted_in = set(NotificationPreference.objects.filter(
        user__in={n.recipient_id for n in notifications}, email=True).values_list("user_id", flat=True))
    sent = 0
    for n in notifications:
        address = n.recipient.email
        if n.recipient_id not in opted_in or not address:
            continue
        try:
            with translation.override(settings.LANGUAGE_CODE):
                send_mail(subject=f"[ronghe] {n.text}"[:150], message=_email_body(n),
                          from_email=None, recipient_list=[address])
        except Exception:  # one bad address or a mail server down never stops the others, nor the write
            log.exception("e-mail for notification %s to user %s failed", n.pk, n.recipient_id)
            continue
        Notification.objects.filter(pk=n.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


def _email_body(n: Notification) -> str:
    base = getattr(settings, "RONGHE_SITE_URL", "").rstrip("/")
    link = f"\n\n{base}{n.url}" if n.url else ""
    return (f"{n.text}{link}\n\n"
            "— 融合 ronghe 站内消息。不再接收邮件：在“站内消息”页面关闭邮件通知。\n"
            "(You receive this because you turned on e-mail notifications; turn them off on the inbox page.)")


def event_sink(event: Event, action: str) -> None:
    """What ``core.kit`` calls after commit (declared in ``platform.py``)."""
    deliver(event, action)
