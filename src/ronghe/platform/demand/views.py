"""Pages of demand lists and demands. Templates get ``visibility.present`` output, never a Demand with details."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ronghe.platform.core.errors import apply_service_errors
from ronghe.platform.core.models import ConfidentialAccess
from ronghe.platform.core.permissions import org_ids
from ronghe.platform.core.registry import object_links
from ronghe.platform.demand import rules, services
from ronghe.platform.demand.aggregates import demand_list_totals
from ronghe.platform.demand.downloads import serve_attachment
from ronghe.platform.demand.exports import MAX_ROWS as MAX_EXPORT_ROWS
from ronghe.platform.demand.exports import demands_csv
from ronghe.platform.demand.filtersets import DemandFilterSet, DemandListFilterSet
from ronghe.platform.demand.forms import (
    AcceptNdaForm,
    AttachmentForm,
    DemandForm,
    DemandLineFormSet,
    DemandListForm,
    InviteForm,
    JoinForm,
)
from ronghe.platform.demand.models import Demand, DemandList, DemandListEntry
from ronghe.platform.demand.nda import NDA_TEXT, NDA_VERSION
from ronghe.platform.demand.rules import demand_list_rules, demand_rules
from ronghe.platform.demand.visibility import present

PAGE_SIZE = 50


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _refused(request: HttpRequest, rules_of, action: str, obj, back: str = "demand:demand_detail"):
    """None if the rule holds; 403 for the wrong person; back to the object with the reason for the wrong moment."""
    try:
        rules_of.require(request.user, action, obj)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back, pk=obj.pk)
    return None


# --- demand lists -------------------------------------------------------------------------------------------


def list_index(request: HttpRequest) -> HttpResponse:
    queryset = (DemandList.objects.restrict(request.user, "view").select_related("organization", "industry")
                .annotate(manufacturer_count=Count("entries__manufacturer", distinct=True))
                .order_by("-created_at", "-id"))
    filterset = DemandListFilterSet(request.GET or None, queryset=queryset, request=request)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    can_create = rules.can_create_demand_list(request.user)
    return render(request, "demand/list_index.html", {
        "filter": filterset, "page": page, "query": _query_without_page(request), "can_create": can_create,
    })


def list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    demand_list = get_object_or_404(
        DemandList.objects.restrict(request.user, "view").select_related("organization", "industry"), pk=pk
    )
    join_form = None
    actions = demand_list_rules.allowed(request.user, demand_list)
    if "join" in actions:
        # Pre-fill what the user's manufacturer already declared, so joining again edits, not resets.
        declared = (DemandListEntry.objects
                    .filter(demand_list=demand_list, manufacturer__in=org_ids(request.user, kinds={"manufacturer"}))
                    .order_by("manufacturer_id"))
        initial = {f"qty_{e.item_id}": e.quantity for e in declared}
        join_form = JoinForm(request.POST or None, user=request.user, demand_list=demand_list, initial=initial)
        if request.method == "POST" and join_form.is_valid():
            entries = [services.EntryInput(item, qty, join_form.cleaned_data["notes"])
                       for item, qty in join_form.entries()]
            try:
                services.join_demand_list(request.user, demand_list,
                                          manufacturer=join_form.cleaned_data["manufacturer"], entries=entries)
            except ValidationError as exc:
                apply_service_errors(join_form, exc)
            else:
                messages.success(request, _("已报名该需求清单。"))
                return redirect("demand:list_detail", pk=pk)
    elif request.method == "POST":
        raise PermissionDenied
    curates = "view_entries" in actions
    entries = (DemandListEntry.objects.filter(demand_list=demand_list).select_related("manufacturer", "item")
               .order_by("manufacturer__name", "item__code")) if curates else None
    mine = (DemandListEntry.objects.filter(demand_list=demand_list, manufacturer__in=org_ids(request.user))
            .select_related("item", "manufacturer") if request.user.is_authenticated else [])
    return render(request, "demand/list_detail.html", {
        "demand_list": demand_list, "items": demand_list.items.select_related("category").order_by("code"),
        "totals": demand_list_totals(demand_list), "join_form": join_form, "curates": curates,
        "entries": entries, "mine": mine, "actions": actions,
    })


@login_required
def list_create(request: HttpRequest) -> HttpResponse:
    if not rules.can_create_demand_list(request.user):
        raise PermissionDenied
    form = DemandListForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            demand_list = services.create_demand_list(request.user, form.cleaned_data["organization"],
                                                      **form.service_fields())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("清单草稿已保存，发布后制造企业即可报名。"))
            return redirect("demand:list_detail", pk=demand_list.pk)
    return render(request, "demand/list_form.html", {"form": form})


@login_required
def list_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a draft list; the form starts from what is saved."""
    demand_list = get_object_or_404(DemandList.objects.restrict(request.user, "view"), pk=pk)
    if (refused := _refused(request, demand_list_rules, "change", demand_list, "demand:list_detail")) is not None:
        return refused
    initial = {f: getattr(demand_list, f) for f in services.LIST_FIELDS}
    initial.update(organization=demand_list.organization_id, items=list(demand_list.items.all()),
                   industry=demand_list.industry_id)
    form = DemandListForm(request.POST or None, user=request.user, initial=initial)
    form.fields["organization"].disabled = True  # a list never changes hands
    form.fields["organization"].queryset = form.fields["organization"].queryset.model.objects.filter(
        pk=demand_list.organization_id)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_demand_list(request.user, demand_list, **form.service_fields())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("清单草稿已保存。"))
            return redirect("demand:list_detail", pk=pk)
    return render(request, "demand/list_form.html", {"form": form, "demand_list": demand_list})


@login_required
@require_POST
def list_leave(request: HttpRequest, pk: int) -> HttpResponse:
    """The manufacturer withdraws all its declarations (one organization: the first that joined)."""
    demand_list = get_object_or_404(DemandList.objects.restrict(request.user, "view"), pk=pk)
    joined = (DemandListEntry.objects.filter(demand_list=demand_list,
                                             manufacturer__in=org_ids(request.user, kinds={"manufacturer"}))
              .select_related("manufacturer").order_by("manufacturer_id").first())
    if joined is None:
        raise PermissionDenied(demand_list_rules.message("leave"))
    try:
        services.leave_demand_list(request.user, demand_list, manufacturer=joined.manufacturer)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已退出该需求清单。"))
    return redirect("demand:list_detail", pk=pk)


def _transition(request: HttpRequest, model, pk: int, transition, done: str, back: str) -> HttpResponse:
    """Run one state-changing service on an object the user may see; the rule inside it decides (403/400)."""
    obj = get_object_or_404(model.objects.restrict(request.user, "view"), pk=pk)
    try:
        transition(request.user, obj)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect(back, pk=pk)


def _list_transition(request: HttpRequest, pk: int, transition, done: str) -> HttpResponse:
    return _transition(request, DemandList, pk, transition, done, "demand:list_detail")


@login_required
@require_POST
def list_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _list_transition(request, pk, services.publish_demand_list, _("清单已发布。"))


@login_required
@require_POST
def list_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _list_transition(request, pk, services.close_demand_list, _("清单已关闭。"))


# --- demands ------------------------------------------------------------------------------------------------


def _demands(user):
    return Demand.objects.restrict(user, "view").for_listing()


def _index(request: HttpRequest, queryset, template: str, extra: dict | None = None) -> HttpResponse:
    filterset = DemandFilterSet(request.GET or None, queryset=queryset, request=request)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [present(d, request.user, "web", with_details=False).summary for d in page.object_list]
    return render(request, template, {
        "filter": filterset, "page": page, "rows": rows, "query": _query_without_page(request),
        "can_post": rules.can_create_demand(request.user), **(extra or {}),
    })


def demand_index(request: HttpRequest) -> HttpResponse:
    """Public summaries (公开摘要) of published demands, filterable; never any confidential field."""
    return _index(request, _demands(request.user), "demand/demand_index.html")


@login_required
def my_demands(request: HttpRequest) -> HttpResponse:
    """“我的需求”: every demand of the user's organizations, drafts included."""
    return _index(request, _demands(request.user).filter(organization__in=org_ids(request.user)),
                  "demand/my_demands.html")


def demand_export(request: HttpRequest) -> HttpResponse:
    """CSV of the filtered demand index; detail columns only where the user is entitled (logged)."""
    filterset = DemandFilterSet(request.GET or None, queryset=_demands(request.user), request=request)
    rows = filterset.qs.prefetch_related("attachments")[:MAX_EXPORT_ROWS]
    response = HttpResponse(demands_csv(rows, request.user), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="demands.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


def demand_detail(request: HttpRequest, pk: int) -> HttpResponse:
    demand = get_object_or_404(_demands(request.user).prefetch_related("attachments"), pk=pk)
    shown = present(demand, request.user, "web")
    actions = demand_rules.allowed(request.user, demand)
    invitation = services.pending_invitation(request.user, demand) if request.user.is_authenticated else None
    access_log = None
    if "view_access_log" in actions:  # 需求方可随时查阅: who read its confidential material, newest first
        access_log = (ConfidentialAccess.objects.filter(object_type="demand.demand", object_id=str(demand.pk))
                      .select_related("user", "organization").order_by("-at")[:200])
    return render(request, "demand/demand_detail.html", {
        "demand": shown.summary, "details": shown.details, "actions": actions,
        "invitation": invitation,
        "invitations": demand.invitations.select_related("provider").order_by("invited_at")
        if "invite" in actions else None,
        "invite_form": InviteForm() if "invite" in actions else None,
        "attachment_form": AttachmentForm() if "attach" in actions else None,
        "access_log": access_log,
        "next_steps": object_links("demand.demand", request.user, demand),
    })


@login_required
def demand_create(request: HttpRequest) -> HttpResponse:
    """“发布需求”: a manufacturer writes a demand with lines and attachments; it starts as a draft."""
    if not rules.can_create_demand(request.user):
        raise PermissionDenied
    form = DemandForm(request.POST or None, request.FILES or None, user=request.user)
    lines = DemandLineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and form.is_valid() & lines.is_valid():
        line_inputs, fields, uploads = _demand_inputs(form, lines)
        try:
            demand = services.create_demand(request.user, form.cleaned_data["organization"], lines=line_inputs,
                                            attachments=uploads, **fields)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if "publish" in request.POST:
                try:
                    services.publish_demand(request.user, demand)
                    messages.success(request, _("需求已发布。"))
                except ValidationError as exc:
                    messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("需求草稿已保存。"))
            return redirect("demand:demand_detail", pk=demand.pk)
    return render(request, "demand/demand_form.html", {"form": form, "lines": lines})


def _demand_inputs(form: DemandForm, lines) -> tuple[list, dict, list]:
    """(lines, fields, uploads) for the services, from a valid demand form and its line formset."""
    line_inputs = [services.LineInput(f.cleaned_data["item"], f.cleaned_data["scope"], f.cleaned_data["quantity"])
                   for f in lines.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
    fields = form.service_fields()
    return line_inputs, fields, fields.pop("attachments", [])


@login_required
def demand_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a draft (a published demand is never changed in place: providers may have read it)."""
    demand = get_object_or_404(Demand.objects.restrict(request.user, "view"), pk=pk)
    if (refused := _refused(request, demand_rules, "change", demand)) is not None:
        return refused
    initial = {f: getattr(demand, f) for f in services.DEMAND_FIELDS}
    initial["organization"] = demand.organization_id
    form = DemandForm(request.POST or None, request.FILES or None, user=request.user, initial=initial)
    form.fields["organization"].disabled = True  # a demand never changes hands
    lines = DemandLineFormSet(request.POST or None, prefix="lines", initial=[
        {"item": line.item_id, "scope": line.scope, "quantity": line.quantity} for line in demand.lines.all()])
    if request.method == "POST" and form.is_valid() & lines.is_valid():
        line_inputs, fields, uploads = _demand_inputs(form, lines)
        try:
            with transaction.atomic():
                services.update_demand(request.user, demand, lines=line_inputs, **fields)
                if uploads:
                    services.add_attachments(request.user, demand, uploads=uploads)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("需求草稿已保存。"))
            return redirect("demand:demand_detail", pk=demand.pk)
    return render(request, "demand/demand_form.html", {"form": form, "lines": lines, "demand": demand})


def _owned(request: HttpRequest, pk: int) -> Demand:
    demand = get_object_or_404(Demand.objects.restrict(request.user, "view"), pk=pk)
    return demand


def _demand_transition(request: HttpRequest, pk: int, transition, done: str) -> HttpResponse:
    return _transition(request, Demand, pk, transition, done, "demand:demand_detail")


@login_required
@require_POST
def demand_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _demand_transition(request, pk, services.publish_demand, _("需求已发布。"))


@login_required
@require_POST
def demand_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _demand_transition(request, pk, services.close_demand, _("需求已关闭。"))


@login_required
@require_POST
def demand_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _demand_transition(request, pk, services.cancel_demand, _("需求已取消。"))


@login_required
@require_POST
def demand_attach(request: HttpRequest, pk: int) -> HttpResponse:
    demand = _owned(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_attachments(request.user, demand, uploads=form.cleaned_data["attachments"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("附件已上传。"))
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("demand:demand_detail", pk=pk)


@login_required
@require_POST
def demand_invite(request: HttpRequest, pk: int) -> HttpResponse:
    demand = _owned(request, pk)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            services.invite_provider(request.user, demand, provider=form.cleaned_data["provider"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已邀请服务商 %(name)s。") % {"name": form.cleaned_data["provider"].name})
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("demand:demand_detail", pk=pk)


@login_required
def nda_accept(request: HttpRequest, pk: int) -> HttpResponse:
    """The invited provider reads the NDA text and accepts it for its organization."""
    demand = _owned(request, pk)
    invitation = services.pending_invitation(request.user, demand)
    if invitation is None:
        raise Http404
    form = AcceptNdaForm(request.POST or None, initial={"nda_version": NDA_VERSION})
    if request.method == "POST" and form.is_valid():
        try:
            services.accept_nda(request.user, demand, nda_version=form.cleaned_data["nda_version"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("已接受保密协议，现在可以查看需求详情。"))
            return redirect("demand:demand_detail", pk=pk)
    return render(request, "demand/nda_accept.html", {
        "demand": present(demand, request.user, "web", with_details=False).summary,
        "invitation": invitation, "form": form, "nda_text": NDA_TEXT, "nda_version": NDA_VERSION,
    })


def attachment_download(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponse:
    demand = get_object_or_404(Demand.objects.restrict(request.user, "view"), pk=pk)
    return serve_attachment(request, demand, attachment_id, channel="web")
