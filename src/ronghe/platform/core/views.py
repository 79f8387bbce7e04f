"""Pages that belong to no single domain: the home page with each role's journeys."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Step:
    label: str
    url_name: str


@dataclass(frozen=True)
class Journey:
    kind: str
    title: str
    summary: str
    steps: tuple[Step, ...]


JOURNEYS: tuple[Journey, ...] = (
    Journey("manufacturer", _("制造企业（需求方）"), _("发布需求（可设保密级别），加入行业需求清单，寻找服务商。"), (
        Step(_("浏览服务目录"), "catalog:item_list"), Step(_("加入需求清单"), "demand:list_index"),
        Step(_("发布需求"), "demand:demand_index"), Step(_("查找服务商"), "providers:provider_index"),
    )),
    Journey("provider", _("生产性服务商"), _("建立企业档案，登记服务供给、资质证书和案例。"), (
        Step(_("服务商档案"), "providers:provider_index"), Step(_("浏览服务目录"), "catalog:item_list"),
        Step(_("查看公开需求"), "demand:demand_index"),
    )),
    Journey("association", _("行业协会"), _("维护标准化服务条目，发布行业需求清单，汇总会员需求。"), (
        Step(_("服务目录"), "catalog:item_list"), Step(_("发布需求清单"), "demand:list_index"),
        Step(_("组织名录"), "accounts:org_index"),
    )),
    Journey("certifier", _("认证机构"), _("核验服务商资质，参与服务条目的交付标准。"), (
        Step(_("服务商与资质"), "providers:provider_index"), Step(_("服务目录"), "catalog:item_list"),
    )),
    Journey("operator", _("平台运营方"), _("管理组织、账户与目录，处理审核。"), (
        Step(_("管理后台"), "admin:index"), Step(_("组织名录"), "accounts:org_index"),
    )),
    # only pages that exist: the statistics arrive with the monitor app
    Journey("government", _("政府（只读）"), _("只读查看两业融合的供需情况：行业需求清单、公开需求、服务商和组织。"), (
        Step(_("需求清单"), "demand:list_index"), Step(_("公开需求"), "demand:demand_index"),
        Step(_("服务商"), "providers:provider_index"),
        Step(_("组织名录"), "accounts:org_index"),
    )),
)


def _links(journey: Journey) -> list[tuple[str, str]]:
    """Steps whose pages exist (apps add their pages independently; a missing one is left out, not a 500)."""
    out = []
    for step in journey.steps:
        try:
            out.append((str(step.label), reverse(step.url_name)))
        except NoReverseMatch:
            continue
    return out


def home(request: HttpRequest) -> HttpResponse:
    """Journeys for every role; the signed-in user's own roles come first."""
    mine = {m.organization.kind for m in _memberships(request)}
    ordered = sorted(JOURNEYS, key=lambda j: j.kind not in mine)
    cards = [{"journey": j, "links": _links(j), "mine": j.kind in mine} for j in ordered]
    return render(request, "core/home.html", {"cards": cards})


def _memberships(request: HttpRequest) -> list:
    from ronghe.platform.core.permissions import _memberships as memberships

    return memberships(request.user)
