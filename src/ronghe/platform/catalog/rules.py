"""Who may do what to a service item — the ONE answer services, pages and the API share.

One rule per action, each *who* = ``curate`` (the item's association, or the operator) and *when* = the state
it needs: ``edit`` and ``publish`` a draft, ``revise`` and ``retire`` the current published version. A service
refuses a non-curator with ``PermissionDenied`` (403) and a curator asking at the wrong moment with a
``ValidationError`` that says why (400; the API answers 409 to an edit of a published item), so a page shows
a button exactly when the service would do it. ``tests/platform/catalog/test_rules.py`` checks the four agree.
"""

from __future__ import annotations

from typing import Any

from ronghe.platform.catalog.models import ServiceItem
from ronghe.platform.core.permissions import is_operator, may_write, org_ids
from ronghe.platform.core.rules import Rules

item_rules = Rules("catalog.serviceitem")

CURATORS_ONLY = "只有行业协会和平台运营方可以维护服务目录 (only associations and the operator curate)"


def curator_org_ids(user: Any) -> list[int]:
    """Association organizations the user may curate for (operators curate everything)."""
    return org_ids(user, kinds={"association"})


def can_create_item(user: Any) -> bool:
    """Associations and the operator draft new items (a rule on no object yet)."""
    return may_write(user) and (is_operator(user) or bool(curator_org_ids(user)))


def _pending_revision(item: ServiceItem) -> ServiceItem | None:
    successor = getattr(item, "superseded_by", None)
    return successor if successor is not None and successor.status == ServiceItem.Status.DRAFT else None


@item_rules.rule("curate", "只能维护本组织的服务条目 (you may only curate your own organization's items)")
def can_curate_item(user: Any, item: ServiceItem) -> bool:
    return can_create_item(user) and (is_operator(user) or item.curated_by_id in curator_org_ids(user))


def _draft(item: ServiceItem) -> bool:
    return item.status == ServiceItem.Status.DRAFT


def _current_without_revision(item: ServiceItem) -> bool:
    return item.is_current and getattr(item, "superseded_by", None) is None


@item_rules.rule("edit", CURATORS_ONLY, when=_draft,
                 when_message="只有草稿可以修改 (only a draft is edited; revise a published item)")
def can_edit_item(user: Any, item: ServiceItem) -> bool:
    return can_curate_item(user, item)


@item_rules.rule("publish", CURATORS_ONLY, when=_draft, when_message="只有草稿可以发布 (only a draft is published)")
def can_publish_item(user: Any, item: ServiceItem) -> bool:
    return can_curate_item(user, item)


@item_rules.rule("revise", CURATORS_ONLY, when=_current_without_revision,
                 when_message="只能修订当前已发布且无修订草稿的版本 (only the current version without a pending revision)")
def can_revise_item(user: Any, item: ServiceItem) -> bool:
    return can_curate_item(user, item)


@item_rules.rule("retire", CURATORS_ONLY, when=lambda item: item.is_current and _pending_revision(item) is None,
                 when_message="只能停用当前已发布且无修订草稿的版本 (only the current version without a pending revision)")
def can_retire_item(user: Any, item: ServiceItem) -> bool:
    return can_curate_item(user, item)
