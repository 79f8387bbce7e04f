"""Who may do what to demands and demand lists — the ONE answer services, pages and the API share.

Each rule names *who* (a predicate on the user and the object) and *when* (the object's state): services ask
``require`` after taking the row lock (403 for the wrong person, 400 for the right person at the wrong moment),
pages turn :meth:`Rules.allowed` into buttons, the API's :class:`~core.rules.RulePermission` into 403s.
``tests/platform/demand/test_rules.py`` checks that the three agree for every role × state × action.
Who may *see* a demand and which of its fields stays in :mod:`demand.visibility`.
"""

from __future__ import annotations

from typing import Any

from ronghe.platform.core.permissions import has_kind, is_operator, may_write, org_ids
from ronghe.platform.core.rules import Rules
from ronghe.platform.demand.models import Confidentiality, Demand, DemandList, DemandState
from ronghe.platform.demand.states import OPEN_DEMAND_STATES

demand_rules = Rules("demand.demand")
demand_list_rules = Rules("demand.demandlist")

_DRAFT_ONLY = "只能修改草稿状态的需求 (only drafts can be edited)"


def _owns(user: Any, obj: Demand | DemandList) -> bool:
    return may_write(user) and obj.organization_id in org_ids(user)


def _owns_or_moderates(user: Any, obj: Demand | DemandList) -> bool:
    return _owns(user, obj) or (may_write(user) and is_operator(user))


# --- demands -------------------------------------------------------------------------------------------------


def _draft(d: Demand) -> bool:
    return d.state == DemandState.DRAFT


def _open(d: Demand) -> bool:
    return d.state in OPEN_DEMAND_STATES


def _published(d: Demand) -> bool:
    return d.state == DemandState.PUBLISHED


@demand_rules.rule("change", "只有需求方可以修改需求 (only the owner edits a demand)", when=_draft,
                   when_message=_DRAFT_ONLY)
def can_change_demand(user: Any, demand: Demand) -> bool:
    return _owns(user, demand)


@demand_rules.rule("publish", "只有需求方可以发布需求 (only the owner publishes)", when=_draft,
                   when_message="只能发布草稿 (only a draft can be published)")
def can_publish_demand(user: Any, demand: Demand) -> bool:
    return _owns(user, demand)


@demand_rules.rule("attach", "只有需求方可以上传附件 (only the owner adds attachments)", when=_open,
                   when_message="该状态下不能上传附件 (attachments cannot be added in this state)")
def can_attach(user: Any, demand: Demand) -> bool:
    return _owns(user, demand)


@demand_rules.rule("invite", "只有需求方可以邀请服务商 (only the owner invites)",
                   when=lambda d: _open(d) and d.confidentiality == Confidentiality.NDA,
                   when_message="只有草稿或已发布的“保密协议”级别需求可以邀请 (only open NDA-level demands take invitations)")
def can_invite(user: Any, demand: Demand) -> bool:
    return _owns(user, demand)


@demand_rules.rule("close", "只有需求方或平台运营方可以关闭 (only the owner or the operator closes)", when=_published,
                   when_message="只能关闭已发布的需求 (only a published demand can be closed)")
def can_close_demand(user: Any, demand: Demand) -> bool:
    return _owns_or_moderates(user, demand)


@demand_rules.rule("cancel", "只有需求方或平台运营方可以取消 (only the owner or the operator cancels)", when=_open,
                   when_message="只能取消草稿或已发布的需求 (only a draft or published demand can be cancelled)")
def can_cancel_demand(user: Any, demand: Demand) -> bool:
    return _owns_or_moderates(user, demand)


@demand_rules.rule("accept_nda", "您的组织未受邀 (your organization was not invited)", when=_published,
                   when_message="需求未在发布状态 (the demand is not published)")
def can_accept_nda(user: Any, demand: Demand) -> bool:
    if not may_write(user):
        return False
    providers = org_ids(user, kinds={"provider"})
    return bool(providers) and demand.invitations.filter(provider__in=providers).exists()


@demand_rules.rule("view_access_log", "只有需求方可以查看访问记录 (only the owner sees who read its demand)")
def can_view_access_log(user: Any, demand: Demand) -> bool:
    return demand.organization_id in org_ids(user) or is_operator(user)


def can_create_demand(user: Any) -> bool:
    """Manufacturers write demands (a rule on the parent: there is no object yet)."""
    return may_write(user) and has_kind(user, "manufacturer")


# --- demand lists --------------------------------------------------------------------------------------------


def can_create_demand_list(user: Any) -> bool:
    """*Verified* associations and the operator draft lists (a rule on the parent: there is no object yet) —
    a list's curator reads who joined and how much, which is more than a public summary."""
    return may_write(user) and (has_kind(user, "association", verified=True) or is_operator(user))


def curates(user: Any, demand_list: DemandList) -> bool:
    """The list's association, while it is verified, and the operator."""
    return may_write(user) and (demand_list.organization_id in org_ids(user, verified=True) or is_operator(user))


def _list_draft(dl: DemandList) -> bool:
    return dl.state == DemandList.State.DRAFT


def _list_published(dl: DemandList) -> bool:
    return dl.state == DemandList.State.PUBLISHED


@demand_list_rules.rule("change", "只有发布协会可以修改清单 (only the list's association edits it)", when=_list_draft,
                        when_message="只能修改草稿清单 (only draft lists can be edited)")
def can_change_list(user: Any, demand_list: DemandList) -> bool:
    return curates(user, demand_list)


@demand_list_rules.rule("publish", "只有发布协会可以发布清单 (only the list's association publishes)",
                        when=_list_draft, when_message="只能发布草稿清单 (only a draft list can be published)")
def can_publish_list(user: Any, demand_list: DemandList) -> bool:
    return curates(user, demand_list)


@demand_list_rules.rule("close", "只有发布协会可以关闭清单 (only the list's association closes it)",
                        when=_list_published, when_message="只能关闭已发布的清单 (only a published list can be closed)")
def can_close_list(user: Any, demand_list: DemandList) -> bool:
    return curates(user, demand_list)


@demand_list_rules.rule("join", "只有制造企业可以报名清单 (only manufacturers join a list)", when=_list_published,
                        when_message="清单未在发布状态 (the list is not open for joining)")
def can_join_list(user: Any, demand_list: DemandList) -> bool:
    return may_write(user) and has_kind(user, "manufacturer")


@demand_list_rules.rule("leave", "只有已报名的制造企业可以退出 (only a manufacturer that joined can leave)",
                        when=_list_published, when_message="清单未在发布状态 (the list is not open)")
def can_leave_list(user: Any, demand_list: DemandList) -> bool:
    return can_join_list(user, demand_list) and demand_list.entries.filter(
        manufacturer__in=org_ids(user, kinds={"manufacturer"})).exists()


@demand_list_rules.rule("view_entries", "只有发布协会和平台运营方可以查看报名明细 (entries are for the curator)")
def can_view_entries(user: Any, demand_list: DemandList) -> bool:
    return curates(user, demand_list)
