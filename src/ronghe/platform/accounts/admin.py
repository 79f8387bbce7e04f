"""Django admin for the operator: a read-only window on organizations, members and industries.

Organizations and memberships change only through ``accounts.services`` (the audit chain records each change).
The operator creates operator and government organizations with ``create_organization``: here through the
"create an organization" admin view (an action that calls the service), or from a shell
(``ronghe manage shell -c "…create_organization(None, kind=…, admin=…, …)"``).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path

from ronghe.platform.accounts import services
from ronghe.platform.accounts.models import Industry, Membership, Organization, OrganizationEvent
from ronghe.platform.accounts.rules import can_create_organization
from ronghe.platform.core.admin import ReadOnlyAdmin, ReadOnlyInline
from ronghe.platform.core.errors import apply_service_errors


class MembershipInline(ReadOnlyInline):
    model = Membership
    fields = ["user", "role", "created_at"]
    readonly_fields = fields


class OrganizationEventInline(ReadOnlyInline):
    model = OrganizationEvent
    fields = ["at", "kind", "user", "note", "data"]
    readonly_fields = fields


class CreateOrganizationForm(forms.Form):
    """What ``create_organization`` needs; the service validates (credit code, province, the admin)."""

    kind = forms.ChoiceField(choices=Organization.Kind.choices)
    name = forms.CharField(max_length=200)
    credit_code = forms.CharField(max_length=18)
    province = forms.ChoiceField(choices=Organization._meta.get_field("province").choices)
    city = forms.CharField(max_length=64, required=False)
    admin_username = forms.CharField(max_length=150, help_text="an existing login; it becomes the admin")


@admin.register(Organization)
class OrganizationAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "credit_code", "province", "city", "is_synthetic", "created_at"]
    list_filter = ["kind", "province", "is_synthetic"]
    search_fields = ["name", "name_en", "credit_code"]
    inlines = [MembershipInline, OrganizationEventInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_urls(self):
        return [path("create/", self.admin_site.admin_view(self.create_view), name="accounts_organization_create"),
                *super().get_urls()]

    def create_view(self, request: HttpRequest) -> HttpResponse:
        """The one door for operator and government organizations: a form that calls ``create_organization``."""
        if not can_create_organization(request.user):
            raise PermissionDenied
        form = CreateOrganizationForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            admin_user = get_user_model().objects.filter(username=data.pop("admin_username").strip()).first()
            try:
                org = services.create_organization(request.user, admin=admin_user, **data)
            except ValidationError as exc:
                apply_service_errors(form, exc, mapping={"admin": "admin_username"})
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                self.message_user(request, f"{org} created", messages.SUCCESS)
                return redirect("admin:accounts_organization_change", org.pk)
        context = {**self.admin_site.each_context(request), "title": "创建组织 create an organization",
                   "form": form, "opts": self.model._meta}
        return TemplateResponse(request, "admin/accounts/create_organization.html", context)


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role", "organization__kind"]
    search_fields = ["user__username", "organization__name"]


@admin.register(Industry)
class IndustryAdmin(ReadOnlyAdmin):
    list_display = ["code", "section", "name_zh", "name_en"]
    list_filter = ["section"]
    search_fields = ["code", "name_zh", "name_en"]
