"""Service actions in the admin have distinct names, so the system checks pass (and the task worker starts)."""

from django.core.management import call_command

from ronghe.platform.core.admin import service_action


def _publish(user, obj):
    pass


def _close(user, obj):
    pass


def test_each_service_action_is_named_after_its_service():
    assert service_action(_publish, "发布", "{n}").__name__ == "_publish_action"
    assert service_action(_publish, "发布", "{n}").__name__ != service_action(_close, "关闭", "{n}").__name__


def test_the_system_checks_pass():
    call_command("check")  # raises SystemCheckError on admin.E130 and friends
