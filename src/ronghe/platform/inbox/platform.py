"""What the inbox adds to the platform (collected by ``core.registry``): it is the platform's event sink."""

from django.utils.translation import gettext_lazy as _

from ronghe.platform.core.registry import NavEntry, PlatformApp

app = PlatformApp(
    label="inbox",
    url_prefix="inbox/",
    urls="ronghe.platform.inbox.urls",
    api="ronghe.platform.inbox.api:register",
    nav=(NavEntry(_("站内消息"), "inbox:inbox", order=95, signed_in=True),),
    event_sink="ronghe.platform.inbox.delivery:event_sink",
    topbar=("inbox/_topbar.html",),
    audit_types=("inbox.notification", "inbox.notificationpreference"),
)
