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
from ronghe.platform.accounts.rules import membership_rules, organization_rules
from ronghe.platform.core.errors import apply_service_errors
from ronghe.platform.core.permissions import org_ids

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
        "actions": organization_rules.allowed(request.user, org),
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


def _org_for(request: HttpRequest, pk: int, action: str) -> Organization:
    """The organization, if ``action`` is allowed; 404 otherwise, as if the page did not exist for the user."""
    org = get_object_or_404(Organization.objects.restrict(request.user, "view"), pk=pk)
    if not organization_rules.can(request.user, action, org):
        raise Http404
    return org


@login_required
def org_edit(request: HttpRequest, pk: int) -> HttpResponse:
    org = _org_for(request, pk, "change")
    form = OrganizationForm(request.POST or None, instance=org)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_organization(request.user, Organization.objects.get(pk=org.pk), **form.service_fields())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("组织信息已保存。"))
            return redirect("accounts:org_detail", pk=org.pk)
    return render(request, "accounts/org_form.html", {"form": form, "org": org, "provinces": provinces()})


@login_required
def org_members(request: HttpRequest, pk: int) -> HttpResponse:
    """Members are visible to the organization's own members and the operator; admins add and remove them."""
    org = _org_for(request, pk, "view_members")
    actions = organization_rules.allowed(request.user, org)
    form = AddMemberForm(request.POST or None)
    if request.method == "POST":
        if "manage_members" not in actions:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.add_member(request.user, org, username=form.cleaned_data["username"],
                                    role=form.cleaned_data["role"])
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("已添加成员 %(name)s。") % {"name": form.cleaned_data["username"]})
                return redirect("accounts:org_members", pk=org.pk)
    members = list(org.memberships.select_related("user").order_by("-role", "user__username"))
    for m in members:
        m.actions = membership_rules.allowed(request.user, m)
    return render(request, "accounts/org_members.html",
                  {"org": org, "members": members, "form": form, "actions": actions})


@login_required
@require_POST
def member_remove(request: HttpRequest, pk: int, membership_id: int) -> HttpResponse:
    org = _org_for(request, pk, "view_members")
    membership = get_object_or_404(Membership.objects.select_related("organization"), pk=membership_id,
                                   organization=org)
    try:
        services.remove_member(request.user, membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("accounts:org_members", pk=pk)
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
                        request.user, username=account.cleaned_data["username"], email=account.cleaned_data["email"],
                        password=account.cleaned_data["password1"], **fields,
                    )
        except ValidationError as exc:
            rest: ValidationError | None = exc
            if account is not None and hasattr(exc, "error_dict"):  # the login's fields are on the other form
                errors = exc.message_dict
                for name, target in (("username", "username"), ("password", "password2")):
                    for message in errors.pop(name, []):
                        account.add_error(target, message)
                rest = ValidationError(errors) if errors else None
            if rest is not None:
                apply_service_errors(org_form, rest)
        except PermissionDenied as exc:
            org_form.add_error(None, str(exc))
        else:
            if account is not None:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("注册成功，您是“%(org)s”的管理员。") % {"org": org.name})
            return redirect("accounts:org_detail", pk=org.pk)
    return render(request, "accounts/register.html",
                  {"account_form": account, "org_form": org_form, "provinces": provinces()})
