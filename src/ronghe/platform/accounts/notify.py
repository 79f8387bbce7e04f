"""Who hears of an organization's verification, and what they read (declared in ``platform.py``)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_noop

from ronghe.platform.accounts.models import Organization, OrganizationEvent
from ronghe.platform.core.registry import Notice


def the_organization(event: OrganizationEvent) -> list[int]:
    """Verified or rejected: the organization itself, every member."""
    return [event.organization_id]


def reviewers(event: OrganizationEvent) -> list[int]:
    """A business licence was submitted: the platform operator must review it."""
    return list(Organization.objects.filter(kind=Organization.Kind.OPERATOR).values_list("pk", flat=True))


_NOTICES = {
    "accounts.organization_verified": gettext_noop("“{name}”已通过平台审核，现在可以使用全部功能"),
    "accounts.organization_rejected": gettext_noop("“{name}”未通过平台审核：{reason}"),
    "accounts.licence_submitted": gettext_noop("“{name}”提交了营业执照，等待审核"),
}


def describe(event: OrganizationEvent, action: str, user: Any) -> Notice:
    """The organization's name is public; the rejection reason goes only to the organization itself."""
    org = event.organization
    url = reverse("accounts:review_queue") if action == "accounts.licence_submitted" else reverse(
        "accounts:org_detail", args=[org.pk])
    return Notice(_NOTICES.get(action, gettext_noop("“{name}”有新动态")),
                  {"name": org.name, "reason": org.review_note}, url)
