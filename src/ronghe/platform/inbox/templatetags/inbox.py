"""``{% unread_notifications as n %}``: the top bar's unread count, one indexed COUNT per page."""

from __future__ import annotations

from django import template

from ronghe.platform.inbox.models import Notification

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    user = getattr(context.get("request"), "user", None)
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.restrict(user, "view").unread().count()
