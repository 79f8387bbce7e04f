"""Forms of the accounts pages; they only collect input, the services validate and write."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from ronghe.platform.accounts.models import Industry, Membership, Organization
from ronghe.platform.accounts.rules import SELF_SERVICE_KINDS


class OrganizationForm(forms.ModelForm):
    """The public profile an organization's admins maintain."""

    industries = forms.ModelMultipleChoiceField(
        queryset=Industry.objects.all(), required=False, label=_("所属行业"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("GB/T 4754-2017 行业大类，可多选"),
    )
    website = forms.URLField(label=_("网站"), required=False, assume_scheme="https")

    class Meta:
        model = Organization
        fields = ["name", "name_en", "credit_code", "province", "city", "industries", "description", "website"]
        widgets = {"city": forms.TextInput(attrs={"list": "city-options"})}

    def service_fields(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name != "industries"}
        return data | {"industries": list(self.cleaned_data["industries"])}


class RegistrationOrganizationForm(OrganizationForm):
    kind = forms.ChoiceField(
        label=_("组织类型"),
        choices=[(k, label) for k, label in Organization.Kind.choices if k in SELF_SERVICE_KINDS],
    )

    class Meta(OrganizationForm.Meta):
        fields = ["kind", *OrganizationForm.Meta.fields]

    def validate_unique(self) -> None:  # the service reports a taken credit code
        pass


class AccountForm(UserCreationForm):
    email = forms.EmailField(label=_("电子邮箱"), required=False)

    class Meta(UserCreationForm.Meta):
        fields = ["username", "email"]


class AddMemberForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    role = forms.ChoiceField(label=_("角色"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER)
