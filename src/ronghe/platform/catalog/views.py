"""Catalog pages: browse and search for everyone; draft, edit, publish, revise and retire for curators."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ronghe.platform.catalog import services
from ronghe.platform.catalog.filtersets import ServiceItemFilterSet
from ronghe.platform.catalog.forms import ServiceItemForm
from ronghe.platform.catalog.models import ServiceItem

PAGE_SIZE = 30


def _visible(request: HttpRequest):
    return ServiceItem.objects.restrict(request.user, "view").select_related(
        "category", "category__parent", "curated_by", "superseded_by"
    )


def item_list(request: HttpRequest) -> HttpResponse:
    """Browse by category, search and filter; current versions unless ``current`` says otherwise."""
    params = request.GET.copy()
    params.setdefault("current", "true")
    filterset = ServiceItemFilterSet(params, queryset=_visible(request).order_by("code", "-version"),
                                     request=request)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    drafts = []
    if services.can_curate(request.user):
        drafts = list(ServiceItem.objects.restrict(request.user, "change")
                      .filter(status=ServiceItem.Status.DRAFT).select_related("category")[:50])
    query = params.copy()
    query.pop("page", None)
    return render(request, "catalog/item_list.html", {
        "filter": filterset, "page": page, "tree": services.category_tree(), "drafts": drafts,
        "can_curate": services.can_curate(request.user), "selected_category": params.get("category", ""),
        "query_string": query.urlencode(),
    })


def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(_visible(request), pk=pk)
    history = _visible(request).filter(code=item.code).order_by("-version")
    may_curate = services.may_curate_item(item, request.user)
    return render(request, "catalog/item_detail.html", {
        "item": item, "history": history,
        "may_change": may_curate and item.status == ServiceItem.Status.DRAFT,
        "may_revise": may_curate and item.is_current,
    })


def _require_curator(request: HttpRequest) -> None:
    if not services.can_curate(request.user):
        raise PermissionDenied(_("只有行业协会和平台运营方可以维护服务目录"))


def _apply_errors(form: ServiceItemForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def item_create(request: HttpRequest) -> HttpResponse:
    _require_curator(request)
    form = ServiceItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.create_item_draft(request.user, **form.to_fields())
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("草稿已保存：%(code)s") % {"code": item.code})
            return redirect("catalog:item_detail", pk=item.pk)
    return render(request, "catalog/item_form.html", {"form": form, "mode": "create"})


@login_required
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_curator(request)
    item = get_object_or_404(_visible(request), pk=pk)
    if item.status != ServiceItem.Status.DRAFT:
        messages.error(request, _("已发布的条目不能直接修改，请创建新版本。"))
        return redirect("catalog:item_detail", pk=item.pk)
    form = ServiceItemForm(request.POST or None, initial=ServiceItemForm.initial_from(item))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_item_draft(item, form.to_fields(), request.user)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("草稿已更新。"))
            return redirect("catalog:item_detail", pk=item.pk)
    return render(request, "catalog/item_form.html", {"form": form, "mode": "edit", "item": item})


@login_required
def item_revise(request: HttpRequest, pk: int) -> HttpResponse:
    """A form prefilled with the published version; saving creates the next version as a draft."""
    _require_curator(request)
    item = get_object_or_404(_visible(request), pk=pk)
    initial = ServiceItemForm.initial_from(item) | {"change_note": ""}
    form = ServiceItemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            draft = services.revise_item(item, form.to_fields(), request.user)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("已创建新版本草稿 v%(v)s。") % {"v": draft.version})
            return redirect("catalog:item_detail", pk=draft.pk)
    return render(request, "catalog/item_form.html", {"form": form, "mode": "revise", "item": item})


def _transition(request: HttpRequest, pk: int, fn, done: str) -> HttpResponse:
    _require_curator(request)
    item = get_object_or_404(_visible(request), pk=pk)
    try:
        item = fn(item, request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("catalog:item_detail", pk=item.pk)


@login_required
@require_POST
def item_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, services.publish_item, _("已发布。"))


@login_required
@require_POST
def item_retire(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, services.retire_item, _("已停用。"))
