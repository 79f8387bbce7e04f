"""Who must know of each demand event, and how it reads for each of them (declared in ``platform.py``;
delivered by the inbox after commit).

What a notice says is limited by :mod:`demand.visibility`, asked for the recipient: an invited provider that
has not accepted the NDA learns the demand's summary title and that a manufacturer invites it — not who, and
never budgets, scope or contacts (those are details, for the entitled).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_noop

from ronghe.platform.accounts.models import Organization
from ronghe.platform.core.registry import Notice
from ronghe.platform.demand.models import DemandEvent, DemandInvitation, DemandListEvent
from ronghe.platform.demand.visibility import can_view_details, can_view_summary

# --- recipients (organization ids) ----------------------------------------------------------------------------


def invited_provider(event: DemandEvent) -> list[int]:
    """邀请: the invited provider must read and accept the NDA."""
    provider = (event.data or {}).get("provider")
    return [int(provider)] if provider else []


def demand_owner(event: DemandEvent) -> list[int]:
    """NDA accepted, demand expiring: the manufacturer that owns the demand."""
    return [event.demand.organization_id]


def accepted_providers(event: DemandEvent) -> list[int]:
    """Closed or cancelled: providers that accepted the NDA were working on it."""
    return list(DemandInvitation.objects.filter(demand=event.demand_id, accepted_at__isnull=False)
                .values_list("provider_id", flat=True))


def list_curator(event: DemandListEvent) -> list[int]:
    """A manufacturer joined or left: the association that curates the list."""
    return [event.demand_list.organization_id]


# --- what each recipient reads --------------------------------------------------------------------------------

_DEMAND_NOTICES = {
    "demand.invited": gettext_noop("{actor}邀请贵单位查看需求“{title}”：阅读并接受保密协议后可查看详情"),
    "demand.nda_accepted": gettext_noop("{provider}已接受需求“{title}”的保密协议，现在可以查看详情"),
    "demand.expiring": gettext_noop("您的需求“{title}”将于 {deadline} 截止"),
    "demand.expired": gettext_noop("您的需求“{title}”已过截止日期，已自动结束"),
    "demand.closed": gettext_noop("需求“{title}”已关闭"),
    "demand.cancelled": gettext_noop("需求“{title}”已被取消"),
}
_LIST_NOTICES = {
    "demandlist.joined": gettext_noop("{actor}报名了需求清单“{title}”"),
    "demandlist.left": gettext_noop("{actor}退出了需求清单“{title}”"),
}
#: the buyer is a detail of the demand: an invited provider learns who invites once it may read the details
INVITED_BY_A_MANUFACTURER = gettext_noop("一家制造企业邀请贵单位查看需求“{title}”：阅读并接受保密协议后可查看详情")
#: an invitation to a draft: the provider may not see the demand at all until it is published
INVITED_TO_A_DRAFT = gettext_noop("贵单位受邀查看一项尚未发布的需求：发布后即可阅读并接受保密协议")


def _org_name(org_id: Any) -> str:
    return Organization.objects.filter(pk=org_id).values_list("name", flat=True).first() or ""


def describe(event: DemandEvent | DemandListEvent, action: str, user: Any) -> Notice:
    """The notice ``user`` reads for ``event``: only what ``visibility`` lets that user see of the demand."""
    if isinstance(event, DemandListEvent):
        demand_list = event.demand_list
        return Notice(_LIST_NOTICES.get(action, gettext_noop("需求清单“{title}”有新动态")),
                      {"title": demand_list.name, "actor": _org_name(event.organization_id_acting)},
                      reverse("demand:list_detail", args=[demand_list.pk]))
    demand = event.demand
    if not can_view_summary(user, demand):
        return Notice(INVITED_TO_A_DRAFT if action == "demand.invited" else gettext_noop("有一项需求有新动态"))
    params: dict[str, Any] = {"title": demand.title}
    url = reverse("demand:demand_detail", args=[demand.pk])
    if action == "demand.invited":
        url = reverse("demand:nda_accept", args=[demand.pk])
        if not can_view_details(user, demand):
            return Notice(INVITED_BY_A_MANUFACTURER, params, url)
        params["actor"] = demand.organization.name
    elif action == "demand.nda_accepted":
        params["provider"] = _org_name((event.data or {}).get("provider"))
    elif action == "demand.expiring":
        params["deadline"] = demand.deadline.isoformat()
    return Notice(_DEMAND_NOTICES.get(action, gettext_noop("需求“{title}”有新动态")), params, url)
