"""Who a user is on the platform: organizations, roles and kinds, asked of the registered identity.

These helpers are what every app's ``rules`` module builds its predicates from. Core knows no organization
model: ``core.identity`` is fed by the accounts app, so this module imports nothing above core.
"""

from __future__ import annotations

from typing import Any

from rest_framework import permissions

from ronghe.platform.core.identity import Affiliation, current


def _memberships(user: Any) -> list[Affiliation]:
    """The user's affiliations, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_ronghe_memberships", None)
    if cached is None:
        cached = list(current().affiliations(user))
        user._ronghe_memberships = cached
    return cached


def forget(user: Any) -> None:
    """Drop the cached affiliations (after a membership changed within the same request)."""
    if hasattr(user, "_ronghe_memberships"):
        del user._ronghe_memberships


def affiliations(user: Any) -> list[Affiliation]:
    return _memberships(user)


def org_ids(user: Any, *, role: str | None = None, kinds: set[str] | frozenset[str] | None = None,
            verified: bool | None = None) -> list[int]:
    """Organizations the user belongs to, optionally only where they hold ``role``, of given ``kinds``, or
    (``verified=True``) only those the platform has verified — what every entitlement beyond summaries asks."""
    return [
        m.organization_id
        for m in _memberships(user)
        if (role is None or m.role == role) and (kinds is None or m.kind in kinds)
        and (verified is None or m.verified == verified)
    ]


def has_kind(user: Any, *kinds: str, verified: bool | None = None) -> bool:
    return any(m.kind in kinds and (verified is None or m.verified == verified) for m in _memberships(user))


def is_authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_operator(user: Any) -> bool:
    """Superusers and members of a platform-operator organization may act on everything."""
    if not is_authenticated(user):
        return False
    return bool(user.is_superuser) or has_kind(user, *current().operator_kinds)


def is_read_only(user: Any) -> bool:
    """Government viewers (政府) read everything public and write nothing."""
    mems = _memberships(user)
    kinds = current().read_only_kinds
    return bool(mems) and all(m.kind in kinds for m in mems)


def may_write(user: Any) -> bool:
    """Signed in and not a read-only viewer: the precondition of every write rule."""
    return is_authenticated(user) and not is_read_only(user)


class ReadOnlyForGovernment(permissions.BasePermission):
    """API guard: the government role never writes."""

    message = "政府只读账户不能修改数据 (government accounts are read-only)"

    def has_permission(self, request, view) -> bool:
        return request.method in permissions.SAFE_METHODS or not is_read_only(request.user)
