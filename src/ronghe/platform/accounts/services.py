"""The only write path for organizations, memberships and logins: lock, check the rule, write, record.

Every function is ``verb_noun(actor, obj_or_parent, **fields)``; every write appends to the audit chain and the
organization's history (``OrganizationEvent``) in its own transaction (``core.kit.record``). Who may do what
is ``accounts.rules``. Self-service registration creates every kind except the platform operator and
government, which the operator (or system code, actor ``None``) creates with :func:`create_organization`:
those kinds see and govern everything.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from ronghe.platform.accounts.models import Industry, Membership, Organization, OrganizationEvent
from ronghe.platform.accounts.rules import (
    SELF_SERVICE_KINDS,
    can_create_organization,
    can_grant_admin_site,
    can_register_organization,
    membership_rules,
    organization_rules,
)
from ronghe.platform.core import kit
from ronghe.platform.core.permissions import forget, is_authenticated

log = logging.getLogger("ronghe.platform.accounts")

__all__ = [
    "EDITABLE_FIELDS", "SELF_SERVICE_KINDS", "add_member", "change_role", "create_login", "create_organization",
    "grant_admin_site", "register_account", "register_organization", "remove_member", "update_organization",
]

EDITABLE_FIELDS: tuple[str, ...] = (
    "name", "name_en", "credit_code", "province", "city", "description", "website",
)
#: what system code and the operator may also set when creating an organization
CREATE_FIELDS: tuple[str, ...] = (*EDITABLE_FIELDS, "is_synthetic")
#: the fields an organization's audit entries carry (industries by code)
AUDITED_FIELDS: tuple[str, ...] = ("kind", *EDITABLE_FIELDS, "is_synthetic")
READ_ONLY = "政府只读账户不能修改数据 (government accounts are read-only)"


def _org_snapshot(org: Organization) -> dict[str, Any]:
    data = kit.snapshot(org, AUDITED_FIELDS)
    data["industries"] = sorted(org.industries.values_list("code", flat=True)) if org.pk else []
    return data


def _acting_for(actor: Any, org: Organization) -> int | None:
    """The organization an audit entry names: the one acted on when the actor belongs to it."""
    from ronghe.platform.core.audit import acting_organization
    from ronghe.platform.core.permissions import org_ids

    if not is_authenticated(actor):
        return None
    return org.pk if org.pk in org_ids(actor) else acting_organization(actor)


# --- organizations -------------------------------------------------------------------------------------------


def register_organization(actor: Any, *, kind: str, industries: Iterable[Industry | str] = (),
                          **fields: Any) -> Organization:
    """Create an organization of a self-service kind with ``actor`` as its admin."""
    if not is_authenticated(actor):
        raise PermissionDenied("请先登录 (sign in first)")
    if not can_register_organization(actor):
        raise PermissionDenied(READ_ONLY)
    if kind not in SELF_SERVICE_KINDS:
        raise ValidationError({"kind": [
            "平台运营方和政府账户由运营方创建 (operator and government organizations are created by the operator)"
        ]})
    return _create(actor, actor, kind, industries, fields, allowed=EDITABLE_FIELDS,
                   action="accounts.organization_registered")


def create_organization(actor: Any, *, kind: str, admin: Any, industries: Iterable[Industry | str] = (),
                        **fields: Any) -> Organization:
    """Create an organization of any kind (operator and government too) with ``admin`` (a user) as its admin.

    For the platform operator and for system code (``actor=None``: ``ronghe demo``, ``ronghe manage shell``).
    """
    if not can_create_organization(actor):
        raise PermissionDenied("只有平台运营方可以创建此类组织 (only the operator creates organizations of any kind)")
    if kind not in Organization.Kind.values:
        raise ValidationError({"kind": [f"未知组织类型 {kind!r} (unknown kind)"]})
    if admin is None or not getattr(admin, "pk", None):
        raise ValidationError({"admin": ["请指定组织管理员 (an existing user becomes the admin)"]})
    return _create(actor, admin, kind, industries, fields, allowed=CREATE_FIELDS,
                   action="accounts.organization_created")


def _create(actor: Any, admin: Any, kind: str, industries: Iterable[Industry | str], fields: dict[str, Any], *,
            allowed: tuple[str, ...], action: str) -> Organization:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationError(f"unknown organization fields: {', '.join(sorted(unknown))}")
    org = Organization(kind=kind, **fields)
    industry_rows = _industries(industries)
    with transaction.atomic():
        _save(org)
        org.industries.set(industry_rows)
        membership = Membership.objects.create(user=admin, organization=org, role=Membership.Role.ADMIN)
        forget(admin)
        kit.record(actor, org, action, after=_org_snapshot(org) | {"admin": admin.pk, "membership": membership.pk},
                   event=OrganizationEvent, organization_id=org.pk if actor is admin else _acting_for(actor, org),
                   data={"admin": admin.pk})
    log.info("organization %s id=%s kind=%s admin=%s by %s", action, org.pk, kind, admin.pk,
             getattr(actor, "pk", actor))
    return org


def update_organization(actor: Any, org: Organization, *, industries: Iterable[Industry | str] | None = None,
                        **fields: Any) -> Organization:
    """Change an organization's public profile; its admins and the operator may (the kind: the operator)."""
    with transaction.atomic():
        locked = kit.lock(org)
        organization_rules.require(actor, "change", locked)
        if "kind" in fields and fields["kind"] != locked.kind:
            if not organization_rules.can(actor, "change_kind", locked):  # a field the admin may not set
                raise ValidationError({"kind": ["只有平台运营方可以修改组织类型 (only the operator changes the kind)"]})
            if fields["kind"] not in Organization.Kind.values:
                raise ValidationError({"kind": [f"未知组织类型 {fields['kind']!r} (unknown kind)"]})
        unknown = set(fields) - set(EDITABLE_FIELDS) - {"kind"}
        if unknown:
            raise ValidationError(f"这些字段不能修改 (fields not editable): {', '.join(sorted(unknown))}")
        industry_rows = _industries(industries) if industries is not None else None
        before = _org_snapshot(locked)
        for name, value in fields.items():
            setattr(locked, name, value)
        _save(locked)
        if industry_rows is not None:
            locked.industries.set(industry_rows)
        old, new = kit.changed(before, _org_snapshot(locked))
        kit.record(actor, locked, "accounts.organization_updated", before=old, after=new, event=OrganizationEvent,
                   organization_id=_acting_for(actor, locked), data={"fields": sorted(new)})
    log.info("organization updated id=%s by user=%s fields=%s", locked.pk, getattr(actor, "pk", None), sorted(new))
    return locked


# --- memberships ---------------------------------------------------------------------------------------------


def add_member(actor: Any, org: Organization, *, username: str, role: str = Membership.Role.MEMBER) -> Membership:
    """Add an existing user to ``org``; its admins and the operator may."""
    with transaction.atomic():
        locked = kit.lock(org)
        organization_rules.require(actor, "manage_members", locked)
        if role not in Membership.Role.values:
            raise ValidationError({"role": [f"未知角色 {role!r} (unknown role)"]})
        User = get_user_model()
        try:
            member = User.objects.get(username=(username or "").strip())
        except User.DoesNotExist:
            raise ValidationError({"username": ["用户不存在 (no such user)"]}) from None
        if Membership.objects.filter(user=member, organization=locked).exists():
            raise ValidationError({"username": ["该用户已是成员 (already a member)"]})
        try:
            with transaction.atomic():
                membership = Membership.objects.create(user=member, organization=locked, role=role)
        except IntegrityError:
            raise ValidationError({"username": ["该用户已是成员 (already a member)"]}) from None
        kit.record(actor, membership, "accounts.member_added",
                   after={"user": member.pk, "username": member.get_username(), "role": role},
                   event=OrganizationEvent, subject=locked, organization_id=_acting_for(actor, locked),
                   data={"user": member.pk, "role": role})
    log.info("member added org=%s user=%s role=%s by=%s", org.pk, member.pk, role, getattr(actor, "pk", None))
    return membership


def change_role(actor: Any, membership: Membership, *, role: str) -> Membership:
    """Promote or demote a member; an organization always keeps at least one admin."""
    with transaction.atomic():
        org = kit.lock(Organization, membership.organization_id)  # serialises "keep an admin" per organization
        locked = kit.lock(membership)
        membership_rules.require(actor, "change_role", locked)
        if role not in Membership.Role.values:
            raise ValidationError({"role": [f"未知角色 {role!r} (unknown role)"]})
        before = locked.role
        if before == Membership.Role.ADMIN and role != Membership.Role.ADMIN:
            _keep_an_admin(locked)
        locked.role = role
        locked.save(update_fields=["role", "updated_at"])
        kit.record(actor, locked, "accounts.role_changed", before={"role": before}, after={"role": role},
                   event=OrganizationEvent, subject=org, organization_id=_acting_for(actor, org),
                   data={"user": locked.user_id, "from": before, "to": role})
    if is_authenticated(actor):
        forget(actor)
    log.info("member role changed org=%s user=%s role=%s by=%s", locked.organization_id, locked.user_id,
             role, getattr(actor, "pk", None))
    return locked


def remove_member(actor: Any, membership: Membership) -> None:
    """Remove someone from an organization (its admins, the operator, or the member leaving by themself)."""
    with transaction.atomic():
        org = kit.lock(Organization, membership.organization_id)
        locked = kit.lock(membership)
        membership_rules.require(actor, "remove", locked)
        if locked.role == Membership.Role.ADMIN:
            _keep_an_admin(locked)
        pk, user_id, role = locked.pk, locked.user_id, locked.role
        acting = _acting_for(actor, org)
        locked.delete()
        kit.record(actor, ("accounts.membership", pk), "accounts.member_removed",
                   before={"user": user_id, "role": role}, event=OrganizationEvent, subject=org,
                   organization_id=acting, data={"user": user_id, "role": role})
    if is_authenticated(actor):
        forget(actor)
    log.info("member removed org=%s user=%s by=%s", membership.organization_id, membership.user_id,
             getattr(actor, "pk", None))


def _keep_an_admin(membership: Membership) -> None:
    admins = Membership.objects.filter(organization_id=membership.organization_id, role=Membership.Role.ADMIN)
    if admins.count() <= 1:
        raise ValidationError("组织至少需要一名管理员 (an organization needs at least one admin)")


# --- logins --------------------------------------------------------------------------------------------------


def register_account(actor: Any, *, username: str, password: str, email: str = "", kind: str,
                     industries: Iterable[Industry | str] = (), **fields: Any) -> tuple[Any, Organization]:
    """A newcomer's sign-up (``actor``: the anonymous visitor): a login and its organization, both or neither."""
    if is_authenticated(actor):
        raise PermissionDenied("已登录用户请直接注册组织 (signed in: register an organization instead)")
    with transaction.atomic():
        user = _new_user(username, password, email)
        org = register_organization(user, kind=kind, industries=industries, **fields)
    return user, org


def create_login(actor: Any, *, username: str, password: str, email: str = "") -> Any:
    """A login made by the operator or system code (``ronghe demo``); it joins an organization separately."""
    if not can_create_organization(actor):
        raise PermissionDenied("只有平台运营方可以创建账户 (only the operator creates logins)")
    with transaction.atomic():
        user = _new_user(username, password, email)
        kit.record(actor, user, "accounts.login_created", after={"username": user.get_username()})
    return user


def grant_admin_site(actor: Any, user: Any, *, superuser: bool = False) -> Any:
    """Give a login the Django admin (``is_staff``, and ``is_superuser`` when asked): superusers or system code."""
    if not can_grant_admin_site(actor):
        raise PermissionDenied("只有超级管理员可以授予管理后台权限 (only a superuser grants admin access)")
    with transaction.atomic():
        locked = kit.lock(user)
        before = kit.snapshot(locked, ("is_staff", "is_superuser"))
        locked.is_staff = True
        locked.is_superuser = locked.is_superuser or superuser
        locked.save(update_fields=["is_staff", "is_superuser"])
        old, new = kit.changed(before, kit.snapshot(locked, ("is_staff", "is_superuser")))
        kit.record(actor, locked, "accounts.admin_site_granted", before=old, after=new)
    return locked


def _new_user(username: str, password: str, email: str) -> Any:
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
    except IntegrityError:  # the same username signed up concurrently, after the check above
        raise ValidationError({"username": ["该用户名已被使用 (username already taken)"]}) from None
    return user


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
