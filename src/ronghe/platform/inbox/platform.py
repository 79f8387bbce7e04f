"""What the inbox adds to the platform (collected by ``core.registry``): it is the platform's event sink, and
its unread count sits in the top bar (not the menu)."""

from ronghe.platform.core.registry import PlatformApp

app = PlatformApp(
    label="inbox",
    url_prefix="inbox/",
    urls="ronghe.platform.inbox.urls",
    api="ronghe.platform.inbox.api:register",
    event_sink="ronghe.platform.inbox.delivery:event_sink",
    topbar=("inbox/_topbar.html",),
    audit_types=("inbox.notification", "inbox.notificationpreference"),
)
