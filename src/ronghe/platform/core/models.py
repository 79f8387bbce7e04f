"""Base models shared by every app: timestamps, restricted querysets, the confidential-access log.

Object permissions are constraints on querysets (NetBox's ``RestrictedQuerySet.restrict(user, action)``):
every page and API endpoint starts from ``Model.objects.restrict(user, action)``, so the two can never
disagree about who sees what.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class RestrictedQuerySet(models.QuerySet):
    """A queryset that knows how to narrow itself to what a user may do.

    Subclasses implement :meth:`restrict`; the default lets everyone view and only the owning organization's
    members (``owner_field``) change or delete. Operators (平台运营方) and superusers may do everything.
    """

    owner_field: str | None = "organization"

    def restrict(self, user: Any, action: str = "view") -> RestrictedQuerySet:
        from ronghe.platform.core.permissions import is_operator, org_ids

        if action not in {"view", "change", "delete"}:
            raise ValueError(f"unknown action {action!r}")
        if is_operator(user):
            return self
        if action == "view":
            return self
        if not getattr(user, "is_authenticated", False) or self.owner_field is None:
            return self.none()
        return self.filter(**{f"{self.owner_field}__in": org_ids(user)})


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ConfidentialAccess(models.Model):
    """One row per access to confidential material: who, when, what (required by the Match section)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    organization = models.ForeignKey(
        "accounts.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    what = models.CharField(max_length=200, help_text="field set or attachment accessed")
    channel = models.CharField(max_length=16, default="web", help_text="web, api or export")

    class Meta:
        ordering = ["-at"]
        verbose_name = "保密信息访问记录 confidential access"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.object_type}#{self.object_id} {self.what}"
