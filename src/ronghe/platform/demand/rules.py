"""Who may do what to demands and demand lists — the ONE answer services, pages and the API share.

Each rule takes the object as it is *now* (state included): services ask it after taking the row lock, pages
turn :meth:`Rules.allowed` into buttons, the API's :class:`~core.rules.RulePermission` into 403s.
``tests/platform/demand/test_rules.py`` checks that the three agree for every role × state × action.
Who may *see* a demand and which of its fields stays in :mod:`demand.visibility`.
"""

from __future__ import annotations

from typing import Any

from ronghe.platform.core.permissions import has_kind, is_operator, may_write, org_ids
from ronghe.platform.core.rules import Rules
from ronghe.platform.demand.models import Confidentiality, Demand, DemandList, DemandState

demand_rules = Rules("demand.demand")
demand_list_rules = Rules("demand.demandlist")


def _owns(user: Any, obj: Demand | DemandList) -> bool:
    return may_write(user) and obj.organization_id in org_ids(user)


# --- demands -------------------------------------------------------------------------------------------------


@demand_rules.rule("change", "只有需求方可以修改草稿 (only the owner edits a draft)")
def can_change_demand(user: Any, demand: Demand) -> bool:
    return _owns(user, demand) and demand.state == DemandState.DRAFT


@demand_rules.rule("publish", "只有需求方可以发布草稿 (only the owner publishes a draft)")
def can_publish_demand(user: Any, demand: Demand) -> bool:
    return _owns(user, demand) and demand.state == DemandState.DRAFT


@demand_rules.rule("attach", "只有需求方可以上传附件 (only the owner adds attachments)")
def can_attach(user: Any, demand: Demand) -> bool:
    return _owns(user, demand) and demand.state in (DemandState.DRAFT, DemandState.PUBLISHED)


@demand_rules.rule("invite", "只有需求方可以邀请服务商 (only the owner invites)")
def can_invite(user: Any, demand: Demand) -> bool:
    return (_owns(user, demand) and demand.confidentiality == Confidentiality.NDA
            and demand.state in (DemandState.DRAFT, DemandState.PUBLISHED))


@demand_rules.rule("close", "只有需求方或平台运营方可以关闭 (only the owner or the operator closes)")
def can_close_demand(user: Any, demand: Demand) -> bool:
    return (_owns(user, demand) or (may_write(user) and is_operator(user))) and demand.state == DemandState.PUBLISHED


@demand_rules.rule("cancel", "只有需求方或平台运营方可以取消 (only the owner or the operator cancels)")
def can_cancel_demand(user: Any, demand: Demand) -> bool:
    return ((_owns(user, demand) or (may_write(user) and is_operator(user)))
            and demand.state in (DemandState.DRAFT, DemandState.PUBLISHED))


@demand_rules.rule("accept_nda", "您的组织未受邀 (your organization was not invited)")
def can_accept_nda(user: Any, demand: Demand) -> bool:
    if not may_write(user) or demand.state != DemandState.PUBLISHED:
        return False
    providers = org_ids(user, kinds={"provider"})
    return bool(providers) and demand.invitations.filter(provider__in=providers).exists()


# --- demand lists --------------------------------------------------------------------------------------------


def can_create_demand_list(user: Any) -> bool:
    """Associations and the operator draft lists (a rule on the parent, so no object yet)."""
    return may_write(user) and has_kind(user, "association", "operator")


def can_create_demand(user: Any) -> bool:
    return may_write(user) and has_kind(user, "manufacturer")


def curates(user: Any, demand_list: DemandList) -> bool:
    """The list's association and the operator see who joined with what."""
    return may_write(user) and (demand_list.organization_id in org_ids(user) or is_operator(user))


@demand_list_rules.rule("change", "只能修改本协会的草稿清单 (only the list's association edits a draft)")
def can_change_list(user: Any, demand_list: DemandList) -> bool:
    return curates(user, demand_list) and demand_list.state == DemandList.State.DRAFT


@demand_list_rules.rule("publish", "只有发布协会可以发布清单 (only the list's association publishes)")
def can_publish_list(user: Any, demand_list: DemandList) -> bool:
    return curates(user, demand_list) and demand_list.state == DemandList.State.DRAFT


@demand_list_rules.rule("close", "只有发布协会可以关闭清单 (only the list's association closes it)")
def can_close_list(user: Any, demand_list: DemandList) -> bool:
    return curates(user, demand_list) and demand_list.state == DemandList.State.PUBLISHED


@demand_list_rules.rule("join", "只有制造企业可以报名已发布的清单 (only manufacturers join a published list)")
def can_join_list(user: Any, demand_list: DemandList) -> bool:
    return may_write(user) and has_kind(user, "manufacturer") and demand_list.state == DemandList.State.PUBLISHED


@demand_list_rules.rule("leave", "只能退出本企业已报名的已发布清单 (only a joined manufacturer leaves)")
def can_leave_list(user: Any, demand_list: DemandList) -> bool:
    if not can_join_list(user, demand_list):
        return False
    return demand_list.entries.filter(manufacturer__in=org_ids(user, kinds={"manufacturer"})).exists()


@demand_list_rules.rule("view_entries", "只有发布协会和平台运营方可以查看报名明细 (entries are for the curator)")
def can_view_entries(user: Any, demand_list: DemandList) -> bool:
    return curates(user, demand_list)
