"""Who may do what to organizations and memberships — the ONE answer services, pages and the API share.

Every organization is public (``restrict(user, "view")`` shows them all); changing one, or its members, is for
its admins and the platform operator. A member may always leave by themself (unless they are the last admin,
which the service refuses as a ``ValidationError``: that is the organization's state, not a permission).
Government viewers write nothing. ``tests/platform/accounts/test_rules.py`` checks that the rules, the
services, the pages and the API agree for every role × object × action.
"""

from __future__ import annotations

from typing import Any

from ronghe.platform.accounts.models import Membership, Organization
from ronghe.platform.core.permissions import is_authenticated, is_operator, may_write, org_ids
from ronghe.platform.core.rules import Rules

organization_rules = Rules("accounts.organization")
membership_rules = Rules("accounts.membership")

#: kinds anyone signed in may register themself; the operator creates the others (they govern everything)
SELF_SERVICE_KINDS: tuple[str, ...] = (
    Organization.Kind.MANUFACTURER,
    Organization.Kind.PROVIDER,
    Organization.Kind.ASSOCIATION,
    Organization.Kind.CERTIFIER,
)


def _operates(user: Any) -> bool:
    return may_write(user) and is_operator(user)


def _administers(user: Any, org_id: int) -> bool:
    return may_write(user) and (org_id in org_ids(user, role=Membership.Role.ADMIN) or is_operator(user))


# --- creating organizations (rules on no object yet) ---------------------------------------------------------


def can_register_organization(user: Any) -> bool:
    """Anyone signed in who may write registers an organization of a self-service kind and becomes its admin."""
    return may_write(user)


def can_create_organization(actor: Any) -> bool:
    """Organizations of any kind (operator, government too) are created by the operator or by system code."""
    return actor is None or _operates(actor)


def can_grant_admin_site(actor: Any) -> bool:
    """Only a superuser (or system code such as ``ronghe demo``) hands out Django-admin access."""
    return actor is None or (is_authenticated(actor) and bool(actor.is_superuser))


# --- organizations -------------------------------------------------------------------------------------------


@organization_rules.rule("change", "只有该组织的管理员可以修改 (only the organization's admins may change it)")
def can_change_organization(user: Any, org: Organization) -> bool:
    return _administers(user, org.pk)


@organization_rules.rule("change_kind", "只有平台运营方可以修改组织类型 (only the operator changes an organization's kind)")
def can_change_kind(user: Any, org: Organization) -> bool:
    return _operates(user)


@organization_rules.rule("view_members", "只有该组织的成员可以查看成员 (members are for the organization itself)")
def can_view_members(user: Any, org: Organization) -> bool:
    return is_authenticated(user) and (org.pk in org_ids(user) or is_operator(user))


@organization_rules.rule("manage_members", "只有该组织的管理员可以管理成员 (only the organization's admins manage members)")
def can_manage_members(user: Any, org: Organization) -> bool:
    return _administers(user, org.pk)


# --- memberships ---------------------------------------------------------------------------------------------


@membership_rules.rule("change_role", "只有该组织的管理员可以修改角色 (only the organization's admins change roles)")
def can_change_role(user: Any, membership: Membership) -> bool:
    return _administers(user, membership.organization_id)


@membership_rules.rule("remove", "只有该组织的管理员可以移除成员 (only the organization's admins remove members)")
def can_remove_member(user: Any, membership: Membership) -> bool:
    """Its admins and the operator remove anyone; a member leaves by themself."""
    leaving = is_authenticated(user) and membership.user_id == user.pk
    return _administers(user, membership.organization_id) or (leaving and may_write(user))
