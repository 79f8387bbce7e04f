"""Who a user is on the platform: organizations, roles and kinds, in one place."""

from __future__ import annotations

from typing import Any

from rest_framework import permissions


def _memberships(user: Any) -> list:
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_ronghe_memberships", None)
    if cached is None:
        from ronghe.platform.accounts.models import Membership

        cached = list(Membership.objects.filter(user=user).select_related("organization"))
        user._ronghe_memberships = cached
    return cached


def org_ids(user: Any, *, role: str | None = None, kinds: set[str] | None = None) -> list[int]:
    """Organizations the user belongs to, optionally only where they hold ``role`` or of given ``kinds``."""
    return [
        m.organization_id
        for m in _memberships(user)
        if (role is None or m.role == role) and (kinds is None or m.organization.kind in kinds)
    ]


def has_kind(user: Any, *kinds: str) -> bool:
    return any(m.organization.kind in kinds for m in _memberships(user))


def is_operator(user: Any) -> bool:
    """Superusers and members of a platform-operator organization may act on everything."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser) or has_kind(user, "operator")


def is_read_only(user: Any) -> bool:
    """Government viewers (政府) read everything public and write nothing."""
    mems = _memberships(user)
    return bool(mems) and all(m.organization.kind == "government" for m in mems)


class ReadOnlyForGovernment(permissions.BasePermission):
    """API guard: the government role never writes."""

    message = "政府只读账户不能修改数据 (government accounts are read-only)"

    def has_permission(self, request, view) -> bool:
        return request.method in permissions.SAFE_METHODS or not is_read_only(request.user)
