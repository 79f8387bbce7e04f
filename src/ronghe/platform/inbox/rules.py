"""Who may do what in the inbox: a notification and an e-mail preference belong to one user alone."""

from __future__ import annotations

from typing import Any

from ronghe.platform.core.permissions import is_authenticated
from ronghe.platform.core.rules import Rules
from ronghe.platform.inbox.models import Notification, NotificationPreference

notification_rules = Rules("inbox.notification")
preference_rules = Rules("inbox.notificationpreference")


def _is(user: Any, user_id: int) -> bool:
    return is_authenticated(user) and user.pk == user_id


@notification_rules.rule("read", "只有收件人可以处理这条消息 (only its recipient handles a notification)",
                         when=lambda n: n.state == Notification.State.UNREAD,
                         when_message="这条消息已读 (already read)")
def can_read(user: Any, notification: Notification) -> bool:
    """Government viewers too: reading one's own inbox changes nothing anyone else sees."""
    return _is(user, notification.recipient_id)


@preference_rules.rule("change", "只有本人可以修改消息偏好 (only the user changes their own preferences)")
def can_change_preference(user: Any, preference: NotificationPreference) -> bool:
    return _is(user, preference.user_id)
