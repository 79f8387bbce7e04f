from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "ronghe.platform.inbox"
    label = "inbox"
    verbose_name = "站内消息 Inbox"
