"""Pages of the organization directory, registration, profile editing and member management."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ronghe.platform.accounts import services
from ronghe.platform.accounts.filtersets import OrganizationFilterSet
from ronghe.platform.accounts.forms import (
    AccountForm,
    AddMemberForm,
    OrganizationForm,
    RegistrationOrganizationForm,
)
from ronghe.platform.accounts.models import Membership, Organization
from ronghe.platform.accounts.reference import provinces
from ronghe.platform.core.permissions import is_operator, org_ids

PAGE_SIZE = 50


def org_index(request: HttpRequest) -> HttpResponse:
    """The public directory (组织名录), filtered by kind, province, industry and name."""
    queryset = Organization.objects.restrict(request.user, "view").prefetch_related("industries")
    filterset = OrganizationFilterSet(request.GET or None, queryset=queryset)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "accounts/org_index.html", {
        "filter": filterset, "page": page, "query": query.urlencode(), "provinces": provinces(),
    })


def org_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(Organization.objects.restrict(request.user, "view").prefetch_related("industries"),
                            pk=pk)
    return render(request, "accounts/org_detail.html", {
        "org": org,
        "province": provinces().get(org.province),
        "can_change": _can_change(request.user, org),
        "is_member": org.pk in org_ids(request.user) or is_operator(request.user),
        "member_count": org.memberships.count(),
    })


@login_required
def my_org(request: HttpRequest) -> HttpResponse:
    """“我的组织”: the first organization the user administers (else belongs to); none yet → register one."""
    ids = org_ids(request.user, role=Membership.Role.ADMIN) or org_ids(request.user)
    if not ids:
        messages.info(request, _("您还没有所属组织，请先注册一个。"))
        return redirect("accounts:register")
    return redirect("accounts:org_detail", pk=ids[0])


@login_required
def org_edit(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(Organization.objects.restrict(request.user, "change"), pk=pk)
    form = OrganizationForm(request.POST or None, instance=org)
    if request.method == "POST" and form.is_valid():
        fresh = Organization.objects.get(pk=org.pk)  # the form has already written into ``org``
        try:
            services.update_organization(request.user, fresh, **form.service_fields())
        except ValidationError as exc:
            _add_service_errors(exc, form, None)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("组织信息已保存。"))
            return redirect("accounts:org_detail", pk=org.pk)
    return render(request, "accounts/org_form.html", {"form": form, "org": org, "provinces": provinces()})


@login_required
def org_members(request: HttpRequest, pk: int) -> HttpResponse:
    """Members are visible to the organization's own members and the operator; admins add and remove them."""
    org = get_object_or_404(Organization.objects.restrict(request.user, "view"), pk=pk)
    if org.pk not in org_ids(request.user) and not is_operator(request.user):
        raise Http404
    can_change = _can_change(request.user, org)
    form = AddMemberForm(request.POST or None)
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.add_member(request.user, org, form.cleaned_data["username"], form.cleaned_data["role"])
            except ValidationError as exc:
                _add_service_errors(exc, form, None)
            else:
                messages.success(request, _("已添加成员 %(name)s。") % {"name": form.cleaned_data["username"]})
                return redirect("accounts:org_members", pk=org.pk)
    members = org.memberships.select_related("user").order_by("-role", "user__username")
    return render(request, "accounts/org_members.html",
                  {"org": org, "members": members, "form": form, "can_change": can_change})


@login_required
@require_POST
def member_remove(request: HttpRequest, pk: int, membership_id: int) -> HttpResponse:
    membership = get_object_or_404(Membership.objects.select_related("organization"), pk=membership_id,
                                   organization_id=pk)
    if membership.organization_id not in org_ids(request.user) and not is_operator(request.user):
        raise Http404
    try:
        services.remove_member(request.user, membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已移除成员。"))
    if membership.user_id == request.user.pk:
        return redirect("home")
    return redirect("accounts:org_members", pk=pk)


def register(request: HttpRequest) -> HttpResponse:
    """Sign-up: a newcomer creates an account and an organization; a signed-in user adds an organization."""
    signed_in = request.user.is_authenticated
    account = None if signed_in else AccountForm(request.POST or None, prefix="account")
    org_form = RegistrationOrganizationForm(request.POST or None, prefix="org")
    if request.method == "POST" and org_form.is_valid() and (account is None or account.is_valid()):
        fields = org_form.service_fields() | {"kind": org_form.cleaned_data["kind"]}
        try:
            with transaction.atomic():
                if account is None:
                    org = services.register_organization(request.user, **fields)
                else:
                    user, org = services.register_account(
                        username=account.cleaned_data["username"], email=account.cleaned_data["email"],
                        password=account.cleaned_data["password1"], **fields,
                    )
        except ValidationError as exc:
            _add_service_errors(exc, org_form, account)
        except PermissionDenied as exc:
            org_form.add_error(None, str(exc))
        else:
            if account is not None:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("注册成功，您是“%(org)s”的管理员。") % {"org": org.name})
            return redirect("accounts:org_detail", pk=org.pk)
    return render(request, "accounts/register.html",
                  {"account_form": account, "org_form": org_form, "provinces": provinces()})


def _add_service_errors(exc: ValidationError, org_form, account_form) -> None:
    """Put a service's ValidationError on the fields it names (the account's or the form's), else on top."""
    if not hasattr(exc, "error_dict"):
        org_form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        if account_form is not None and field in ("username", "password"):
            account_form.add_error("username" if field == "username" else "password2", errors)
        elif field in org_form.fields:
            org_form.add_error(field, errors)
        else:
            org_form.add_error(None, errors)


def _can_change(user, org: Organization) -> bool:
    from ronghe.platform.core.permissions import is_read_only

    return (getattr(user, "is_authenticated", False) and not is_read_only(user)
            and Organization.objects.restrict(user, "change").filter(pk=org.pk).exists())
