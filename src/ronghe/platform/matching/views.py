"""Pages of the three journeys: a demand's matches (with one-click invite), a provider's feed, a list's batch."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ronghe.platform.accounts.models import Organization
from ronghe.platform.core.permissions import is_operator, org_ids
from ronghe.platform.demand.models import Demand, DemandInvitation, DemandList
from ronghe.platform.demand.rules import demand_rules
from ronghe.platform.demand.visibility import summarize, summary_q
from ronghe.platform.matching import present, services
from ronghe.platform.matching.rules import assignment_rules, demand_match_rules


def _errors(exc: ValidationError) -> str:
    return "；".join(m for ms in getattr(exc, "message_dict", {"": exc.messages}).values() for m in ms)


@login_required
def my_demands(request: HttpRequest) -> HttpResponse:
    """需求方: its own demands, each a link to its matches."""
    mine = org_ids(request.user, kinds={"manufacturer"})
    demands = Demand.objects.filter(organization__in=mine).prefetch_related("lines__item__category") \
        .select_related("industry").order_by("-id")[:200] if mine or not is_operator(request.user) else []
    return render(request, "matching/my_demands.html", {"demands": [summarize(d) for d in demands]})


@login_required
def demand_matches(request: HttpRequest, pk: int) -> HttpResponse:
    demand = get_object_or_404(Demand.objects.filter(summary_q(request.user))
                               .select_related("industry").prefetch_related("lines__item__category"), pk=pk)
    if not demand_match_rules.can(request.user, "view_matches", demand):
        raise PermissionDenied
    try:
        data = services.demand_matches(request.user, demand, limit=request.GET.get("limit", 20),
                                       method=request.GET.get("method", "fusion"), with_dropped=True)
    except ValidationError as exc:
        return HttpResponse(_errors(exc), status=400, content_type="text/plain; charset=utf-8")
    invited = set(DemandInvitation.objects.filter(demand=demand).values_list("provider_id", flat=True))
    return render(request, "matching/demand_matches.html", {
        "demand": summarize(demand), "data": present.demand_matches(data), "invited": invited,
        "can_invite": "invite" in demand_rules.allowed(request.user, demand),
    })


@login_required
@require_POST
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    """一键触达: the demand app's own ``invite_provider`` (NDA flow and access log unchanged)."""
    demand = get_object_or_404(Demand.objects.filter(summary_q(request.user)), pk=pk)
    try:
        services.invite_from_matches(request.user, demand, request.POST.get("provider"))
        messages.success(request, _("已邀请，服务商接受保密协议后可查看详情。"))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect("matching:demand_matches", pk=demand.pk)


@login_required
def my_feed(request: HttpRequest) -> HttpResponse:
    mine = org_ids(request.user, kinds={"provider"})
    if not mine:
        raise Http404
    return redirect("matching:provider_feed", pk=mine[0])


@login_required
def provider_feed(request: HttpRequest, pk: int) -> HttpResponse:
    provider = get_object_or_404(Organization.objects.filter(kind=Organization.Kind.PROVIDER), pk=pk)
    try:
        data = services.provider_feed(request.user, provider, limit=request.GET.get("limit", 20),
                                      method=request.GET.get("method", "fusion"))
    except ValidationError as exc:
        return HttpResponse(_errors(exc), status=400, content_type="text/plain; charset=utf-8")
    lists = DemandList.objects.restrict(request.user, "view").filter(
        state=DemandList.State.PUBLISHED,
        items__code__in=provider.offerings.filter(is_active=True).values("service_item__code")).distinct()[:20]
    return render(request, "matching/provider_feed.html", {"provider": provider, "data": present.provider_feed(data),
                                                           "lists": lists})


@login_required
def list_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """批量分派: preview on GET/“预览”, invitations only on “确认发送”."""
    demand_list = get_object_or_404(DemandList.objects.restrict(request.user, "view"), pk=pk)
    if not assignment_rules.who(request.user, "assign", demand_list):
        raise PermissionDenied
    per_demand = request.POST.get("per_demand", request.GET.get("per_demand", 5))
    fairness = request.POST.get("fairness", request.GET.get("fairness", 0.02))
    result, error, applied = None, None, None
    try:
        if request.method == "POST" and request.POST.get("confirm") == "1":
            applied = services.apply_assignment(request.user, demand_list, per_demand=per_demand, fairness=fairness)
            result = {**applied.result, "applied": True}
            messages.success(request, _("已发送 %(n)d 份邀请。") % {"n": result["totals"]["invitations"]})
        else:
            result = services.preview_assignment(request.user, demand_list, per_demand=per_demand, fairness=fairness)
    except ValidationError as exc:
        error = _errors(exc)
    names = dict(Organization.objects.filter(
        id__in={p["provider"] for a in (result or {}).get("assignments", []) for p in a["providers"]})
        .values_list("id", "name"))
    entries = {str(e.id): e for e in demand_list.entries.select_related("item", "manufacturer")}
    rows = [{"entry": entries.get(a["demand"]), "providers": [
        {"name": names.get(int(p["provider"]), p["provider"]), "score": p["score"]} for p in a["providers"]]}
        for a in (result or {}).get("assignments", [])]
    return render(request, "matching/list_assign.html", {
        "demand_list": demand_list, "result": result, "rows": rows, "error": error, "per_demand": per_demand,
        "fairness": fairness, "applied": applied,
    }, status=400 if error else 200)


@login_required
def my_lists(request: HttpRequest) -> HttpResponse:
    """协会: its published lists, each a link to the batch assignment."""
    lists = [dl for dl in DemandList.objects.restrict(request.user, "view").filter(state=DemandList.State.PUBLISHED)
             .order_by("-id")[:200] if assignment_rules.who(request.user, "assign", dl)]
    return render(request, "matching/my_lists.html", {"lists": lists})
