"""A notification is unread until its recipient reads it; reading is final (there is no "mark unread")."""

from ronghe.platform.core.kit import StateTable
from ronghe.platform.inbox.models import Notification

NOTIFICATION_STATES = StateTable(
    moves={Notification.State.UNREAD: frozenset({Notification.State.READ})},
    labels={Notification.State.UNREAD: "未读", Notification.State.READ: "已读"},
)
