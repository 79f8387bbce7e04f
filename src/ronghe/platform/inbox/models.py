"""The inbox (站内消息): one notification per recipient user of each kit event that someone must know of.

A notification is not a second history: it points at the app's event row (``core.models.Event`` subclass, by
content type and id) and names its action; what it says was decided for this recipient by the app that owns
the event (``PlatformApp.notices``), so it never carries what the recipient may not see.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ronghe.platform.core.models import RestrictedQuerySet, TimeStampedModel


class NotificationQuerySet(RestrictedQuerySet):
    """A notification is seen by its recipient only — not by colleagues, not by the operator's pages."""

    def visible_to(self, user: Any) -> NotificationQuerySet:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(recipient=user)

    def unread(self) -> NotificationQuerySet:
        return self.filter(state=Notification.State.UNREAD)


class Notification(TimeStampedModel):
    class State(models.TextChoices):
        UNREAD = "unread", _("未读")
        READ = "read", _("已读")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    organization = models.ForeignKey(
        "accounts.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="the organization the event was addressed to (the recipient is one of its members)",
    )
    event_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    event_id = models.PositiveBigIntegerField()
    event = GenericForeignKey("event_type", "event_id")
    action = models.CharField(max_length=48, help_text="the kit action, e.g. demand.invited")
    message = models.CharField(max_length=300, help_text="translatable text with {name} fields")
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=300, blank=True)
    state = models.CharField(_("状态"), max_length=8, choices=State.choices, default=State.UNREAD)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "event_type", "event_id"],
                                               name="one_notification_per_event_and_recipient")]
        indexes = [models.Index(fields=["recipient", "state"], name="inbox_recipient_state")]
        verbose_name = "站内消息 notification"

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.action}"

    @property
    def text(self) -> str:
        """The message in the active language, its fields filled in (a missing field never breaks a page)."""
        template = gettext(self.message)
        try:
            return template.format(**self.params)
        except (KeyError, IndexError, ValueError):
            return template

    @property
    def is_unread(self) -> bool:
        return self.state == self.State.UNREAD


class NotificationPreference(TimeStampedModel):
    """Per user: whether the inbox's notifications also go out by e-mail (opt-in: off until the user says so)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_preference")
    email = models.BooleanField(_("同时发送电子邮件"), default=False)

    class Meta:
        verbose_name = "消息偏好 notification preference"

    def __str__(self) -> str:
        return f"{self.user_id}: email={'on' if self.email else 'off'}"
