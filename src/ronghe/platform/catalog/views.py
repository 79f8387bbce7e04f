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
from ronghe.platform.catalog.rules import CURATORS_ONLY, can_create_item, item_rules
from ronghe.platform.core.errors import apply_service_errors

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
    may_create = can_create_item(request.user)
    drafts = []
    if may_create:
        candidates = _visible(request).filter(status=ServiceItem.Status.DRAFT)[:50]
        drafts = [d for d in candidates if item_rules.can(request.user, "edit", d)]
    query = params.copy()
    query.pop("page", None)
    return render(request, "catalog/item_list.html", {
        "filter": filterset, "page": page, "tree": services.category_tree(), "drafts": drafts,
        "can_curate": may_create, "selected_category": params.get("category", ""),
        "query_string": query.urlencode(),
    })


def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(_visible(request), pk=pk)
    history = _visible(request).filter(code=item.code).order_by("-version")
    return render(request, "catalog/item_detail.html", {
        "item": item, "history": history, "actions": item_rules.allowed(request.user, item),
    })


def _curated(request: HttpRequest, pk: int) -> ServiceItem:
    """A visible item (else 404) its curator acts on (else 403); which state allows what is the service's."""
    if not can_create_item(request.user):
        raise PermissionDenied(_("只有行业协会和平台运营方可以维护服务目录"))
    item = get_object_or_404(_visible(request), pk=pk)
    item_rules.require(request.user, "curate", item)
    return item


@login_required
def item_create(request: HttpRequest) -> HttpResponse:
    if not can_create_item(request.user):
        raise PermissionDenied(CURATORS_ONLY)
    form = ServiceItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.create_item_draft(request.user, None, **form.to_fields())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("草稿已保存：%(code)s") % {"code": item.code})
            return redirect("catalog:item_detail", pk=item.pk)
    return render(request, "catalog/item_form.html", {"form": form, "mode": "create"})


@login_required
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = _curated(request, pk)
    if not item_rules.can(request.user, "edit", item):
        messages.error(request, _("已发布的条目不能直接修改，请创建新版本。"))
        return redirect("catalog:item_detail", pk=item.pk)
    form = ServiceItemForm(request.POST or None, initial=ServiceItemForm.initial_from(item))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_item_draft(request.user, item, **form.to_fields())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("草稿已更新。"))
            return redirect("catalog:item_detail", pk=item.pk)
    return render(request, "catalog/item_form.html", {"form": form, "mode": "edit", "item": item})


@login_required
def item_revise(request: HttpRequest, pk: int) -> HttpResponse:
    """A form prefilled with the published version; saving creates the next version as a draft."""
    item = _curated(request, pk)
    if not item_rules.can(request.user, "revise", item):
        messages.error(request, _("只能修订当前已发布的版本。"))
        return redirect("catalog:item_detail", pk=item.pk)
    initial = ServiceItemForm.initial_from(item) | {"change_note": ""}
    form = ServiceItemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            draft = services.revise_item(request.user, item, **form.to_fields())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("已创建新版本草稿 v%(v)s。") % {"v": draft.version})
            return redirect("catalog:item_detail", pk=draft.pk)
    return render(request, "catalog/item_form.html", {"form": form, "mode": "revise", "item": item})


def _transition(request: HttpRequest, pk: int, fn, done: str) -> HttpResponse:
    item = _curated(request, pk)
    try:
        item = fn(request.user, item)
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
