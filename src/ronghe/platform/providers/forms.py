"""Forms of the provider's own pages. They only collect input; ``providers.services`` validates and writes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ronghe.platform.accounts.reference import province_choices
from ronghe.platform.catalog.models import ServiceItem
from ronghe.platform.providers.filtersets import industry_choices
from ronghe.platform.providers.models import (
    Case,
    Certificate,
    Offering,
    ProviderProfile,
    qualification_choices,
)
from ronghe.platform.providers.services import (
    CASE_FIELDS,
    CERTIFICATE_FIELDS,
    OFFERING_FIELDS,
    PROFILE_FIELDS,
)

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def published_items():
    return ServiceItem.objects.filter(status=ServiceItem.Status.PUBLISHED).order_by("code", "-version")


class ProfileForm(forms.ModelForm):
    service_provinces = forms.MultipleChoiceField(choices=province_choices(), required=False,
                                                  widget=forms.CheckboxSelectMultiple, label=_("服务省份"))

    class Meta:
        model = ProviderProfile
        fields = list(PROFILE_FIELDS)

    def service_data(self) -> dict:
        return {f: self.cleaned_data[f] for f in PROFILE_FIELDS}


class OfferingForm(forms.ModelForm):
    service_item = forms.ModelChoiceField(queryset=published_items(), label=_("服务条目（已发布版本）"))
    provinces = forms.MultipleChoiceField(choices=province_choices(), widget=forms.CheckboxSelectMultiple,
                                          label=_("服务省份"))
    industries = forms.MultipleChoiceField(choices=industry_choices, required=False,
                                           widget=forms.SelectMultiple(attrs={"size": 8}),
                                           label=_("服务行业（GB/T 4754）"))

    class Meta:
        model = Offering
        fields = [f for f in OFFERING_FIELDS if f != "provinces"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["provinces"] = self.instance.provinces
            self.initial["industries"] = list(self.instance.industries.values_list("pk", flat=True))

    def clean(self) -> dict:
        data = super().clean()
        for field in ("price_min", "price_max"):
            # refused here as the service refuses it, before the model's check constraint (whose name would show)
            if data.get(field) is not None and data[field] < 0:
                self.add_error(field, _("金额不能为负"))
        low, high = data.get("price_min"), data.get("price_max")
        if low is not None and high is not None and low > high:
            self.add_error("price_max", _("最高价不能低于最低价"))
        return data

    def service_data(self) -> dict:
        return {f: self.cleaned_data[f] for f in OFFERING_FIELDS}


class CertificateForm(forms.ModelForm):
    class Meta:
        model = Certificate
        fields = list(CERTIFICATE_FIELDS)
        # a plain FileInput: the stored file has no URL to show (private storage)
        widgets = {"valid_from": _DATE, "valid_to": _DATE, "evidence": forms.FileInput}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # the qualification registry (catalog.Qualification), read when the form is built: operators extend it
        self.fields["cert_type"] = forms.ChoiceField(label=_("证书类型"), choices=qualification_choices(),
                                                     initial=self.initial.get("cert_type"))

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and start > end:
            self.add_error("valid_to", _("有效期截止日不能早于起始日"))
        return data

    def service_data(self) -> dict:
        data = {f: self.cleaned_data.get(f) for f in CERTIFICATE_FIELDS}
        if not self.files.get("evidence"):  # no new upload: keep the stored file
            data.pop("evidence")
        return data


class CaseForm(forms.ModelForm):
    service_item = forms.ModelChoiceField(queryset=published_items(), required=False, label=_("对应服务条目"))
    client_industry = forms.ChoiceField(choices=[("", "---------"), *industry_choices()], required=False,
                                        label=_("客户行业"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["client_industry"] = self.instance.client_industry_id or ""

    class Meta:
        model = Case
        # client_industry is the declared code field above: the model field would want an Industry instance
        fields = [f for f in CASE_FIELDS if f != "client_industry"]

    def service_data(self) -> dict:
        return {f: self.cleaned_data[f] for f in CASE_FIELDS}
