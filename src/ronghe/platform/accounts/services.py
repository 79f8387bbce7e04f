"""The only write path for organizations and memberships: validate, write in one transaction, log.

Self-service registration may create every kind except the platform operator and government, which the
operator creates in the Django admin: those kinds see and govern everything.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from ronghe.platform.accounts.models import Industry, Membership, Organization
from ronghe.platform.core.permissions import is_operator, is_read_only

log = logging.getLogger("ronghe.platform.accounts")

SELF_SERVICE_KINDS: tuple[str, ...] = (
    Organization.Kind.MANUFACTURER,
    Organization.Kind.PROVIDER,
    Organization.Kind.ASSOCIATION,
    Organization.Kind.CERTIFIER,
)
EDITABLE_FIELDS: tuple[str, ...] = (
    "name", "name_en", "credit_code", "province", "city", "description", "website",
)


def register_organization(user: Any, *, kind: str, industries: Iterable[Industry | str] = (),
                          **fields: Any) -> Organization:
    """Create an organization of a self-service kind with ``user`` as its admin."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied("请先登录 (sign in first)")
    if is_read_only(user):
        raise PermissionDenied("政府只读账户不能修改数据 (government accounts are read-only)")
    if kind not in SELF_SERVICE_KINDS:
        raise ValidationError({"kind": [
            "平台运营方和政府账户由运营方创建 (operator and government organizations are created by the operator)"
        ]})
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(f"unknown organization fields: {', '.join(sorted(unknown))}")
    org = Organization(kind=kind, **fields)
    industry_rows = _industries(industries)
    with transaction.atomic():
        _save(org)
        org.industries.set(industry_rows)
        Membership.objects.create(user=user, organization=org, role=Membership.Role.ADMIN)
    _forget_memberships(user)
    log.info("organization registered id=%s kind=%s by user=%s", org.pk, kind, user.pk)
    return org


def register_account(*, username: str, password: str, email: str = "", kind: str,
                     industries: Iterable[Industry | str] = (), **fields: Any) -> tuple[Any, Organization]:
    """A newcomer's sign-up: a user account and its organization, both or neither."""
    User = get_user_model()
    username = (username or "").strip()
    if not username:
        raise ValidationError({"username": ["请填写用户名 (username is required)"]})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": ["该用户名已被使用 (username already taken)"]})
    user = User(username=username, email=email)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    try:
        with transaction.atomic():
            user.set_password(password)
            user.save()
            org = register_organization(user, kind=kind, industries=industries, **fields)
    except IntegrityError:  # the same username signed up concurrently, after the check above
        raise ValidationError({"username": ["该用户名已被使用 (username already taken)"]}) from None
    return user, org


def update_organization(user: Any, org: Organization, *, industries: Iterable[Industry | str] | None = None,
                        **fields: Any) -> Organization:
    """Change an organization's public profile; its admins and the operator may."""
    _require(user, org, "change")
    unknown = set(fields) - set(EDITABLE_FIELDS) - ({"kind"} if is_operator(user) else set())
    if unknown:
        raise ValidationError(f"这些字段不能修改 (fields not editable): {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(org, name, value)
    industry_rows = _industries(industries) if industries is not None else None
    with transaction.atomic():
        _save(org)
        if industry_rows is not None:
            org.industries.set(industry_rows)
    log.info("organization updated id=%s by user=%s fields=%s", org.pk, user.pk,
             sorted([*fields, *(["industries"] if industries is not None else [])]))
    return org


def add_member(actor: Any, org: Organization, username: str, role: str = Membership.Role.MEMBER) -> Membership:
    """Add an existing user to ``org``; its admins and the operator may."""
    _require(actor, org, "change")
    if role not in Membership.Role.values:
        raise ValidationError({"role": [f"未知角色 {role!r} (unknown role)"]})
    User = get_user_model()
    try:
        member = User.objects.get(username=(username or "").strip())
    except User.DoesNotExist:
        raise ValidationError({"username": ["用户不存在 (no such user)"]}) from None
    try:
        with transaction.atomic():
            membership = Membership.objects.create(user=member, organization=org, role=role)
    except IntegrityError:
        raise ValidationError({"username": ["该用户已是成员 (already a member)"]}) from None
    log.info("member added org=%s user=%s role=%s by=%s", org.pk, member.pk, role, actor.pk)
    return membership


def change_role(actor: Any, membership: Membership, role: str) -> Membership:
    """Promote or demote a member; an organization always keeps at least one admin."""
    _require(actor, membership.organization, "change")
    if role not in Membership.Role.values:
        raise ValidationError({"role": [f"未知角色 {role!r} (unknown role)"]})
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if locked.role == Membership.Role.ADMIN and role != Membership.Role.ADMIN:
            _keep_an_admin(locked)
        locked.role = role
        locked.save(update_fields=["role", "updated_at"])
    log.info("member role changed org=%s user=%s role=%s by=%s", locked.organization_id, locked.user_id,
             role, actor.pk)
    return locked


def remove_member(actor: Any, membership: Membership) -> None:
    """Remove someone from an organization (admins, the operator, or the member leaving by themself)."""
    if actor.pk != membership.user_id:
        _require(actor, membership.organization, "change")
    elif is_read_only(actor) and not is_operator(actor):
        raise PermissionDenied("政府只读账户不能修改数据 (government accounts are read-only)")
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if locked.role == Membership.Role.ADMIN:
            _keep_an_admin(locked)
        locked.delete()
    log.info("member removed org=%s user=%s by=%s", membership.organization_id, membership.user_id, actor.pk)


def _keep_an_admin(membership: Membership) -> None:
    admins = (Membership.objects.select_for_update()
              .filter(organization_id=membership.organization_id, role=Membership.Role.ADMIN))
    if admins.count() <= 1:
        raise ValidationError("组织至少需要一名管理员 (an organization needs at least one admin)")


def _require(user: Any, org: Organization, action: str) -> None:
    if is_read_only(user):
        raise PermissionDenied("政府只读账户不能修改数据 (government accounts are read-only)")
    if not Organization.objects.restrict(user, action).filter(pk=org.pk).exists():
        raise PermissionDenied("只有该组织的管理员可以修改 (only the organization's admins may change it)")


def _industries(values: Iterable[Industry | str]) -> list[Industry]:
    codes = [v.code if isinstance(v, Industry) else str(v) for v in values]
    rows = list(Industry.objects.filter(code__in=codes))
    missing = sorted(set(codes) - {r.code for r in rows})
    if missing:
        raise ValidationError({"industries": [f"未知行业代码 {', '.join(missing)} (unknown GB/T 4754 division)"]})
    return rows


def _save(org: Organization) -> None:
    org.credit_code = (org.credit_code or "").strip().upper()
    org.full_clean(exclude=["industries"])
    try:
        with transaction.atomic():
            org.save()
    except IntegrityError:
        raise ValidationError({"credit_code": ["该统一社会信用代码已注册 (credit code already registered)"]}) from None


def _forget_memberships(user: Any) -> None:
    if hasattr(user, "_ronghe_memberships"):
        del user._ronghe_memberships
