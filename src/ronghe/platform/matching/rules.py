"""Who may ask the matching engine what — one predicate per action, shared by services, pages and the API.

Which demands (and which of their fields) a provider may see stays in :mod:`demand.visibility`; these rules
only say who may ask.
"""

from __future__ import annotations

from typing import Any

from ronghe.platform.core.permissions import is_operator, may_write, org_ids
from ronghe.platform.core.rules import Rules
from ronghe.platform.demand.models import DemandList
from ronghe.platform.demand.rules import curates

demand_match_rules = Rules("matching.demand")
feed_rules = Rules("matching.provider")
assignment_rules = Rules("matching.demandlist")


@demand_match_rules.rule("view_matches", "只有需求方与平台运营方可以查看匹配结果 (only the owner and the operator)")
def can_view_matches(user: Any, demand) -> bool:
    return demand.organization_id in org_ids(user) or is_operator(user)


@demand_match_rules.rule("view_dropped", "只有需求方与平台运营方可以查看排除原因 (only the owner and the operator)")
def can_view_dropped(user: Any, demand) -> bool:
    return demand.organization_id in org_ids(user) or is_operator(user)


@feed_rules.rule("view_feed", "只有服务商本身与平台运营方可以查看其订单推荐 (only the provider and the operator)")
def can_view_feed(user: Any, provider) -> bool:
    return provider.id in org_ids(user, kinds={"provider"}) or is_operator(user)


@assignment_rules.rule("assign", "只有发布协会与平台运营方可以批量分派 (only the list's association or the operator)",
                       when=lambda dl: dl.state == DemandList.State.PUBLISHED,
                       when_message="只能对已发布的清单批量分派 (only a published list can be assigned)")
def can_assign(user: Any, demand_list: DemandList) -> bool:
    return may_write(user) and curates(user, demand_list)


@demand_match_rules.rule("require_qualifications", "只有需求方可以设定资质要求 (only the owner sets requirements)",
                         when=lambda d: d.state in ("draft", "published"),
                         when_message="只能为草稿或已发布的需求设定资质要求 (only open demands)")
def can_require_qualifications(user: Any, demand) -> bool:
    return may_write(user) and demand.organization_id in org_ids(user)
