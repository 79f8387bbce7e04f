"""Forms of the demand pages: they parse input; the services validate the rules and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ronghe.platform.accounts.models import Industry, Organization
from ronghe.platform.accounts.reference import province_choices
from ronghe.platform.catalog.models import ServiceItem
from ronghe.platform.core.documents import ALLOWED_EXTENSIONS
from ronghe.platform.core.permissions import org_ids
from ronghe.platform.demand.models import Confidentiality, DemandList


def _published_items():
    return ServiceItem.objects.filter(status=ServiceItem.Status.PUBLISHED).select_related("category").order_by("code")


class _ItemChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: ServiceItem) -> str:
        return f"{obj.code} v{obj.version} {obj.name_zh}"


class _ItemMultipleChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: ServiceItem) -> str:
        return f"{obj.code} v{obj.version} {obj.name_zh}"


def _province_field() -> forms.ChoiceField:
    """GB/T 2260 provinces with no default: a person picks one (the first, 北京市, is not everyone's province)."""
    return forms.ChoiceField(choices=[("", _("请选择")), *province_choices()], label=_("省份"))


def _org_field(user: Any, kinds: set[str], label: str) -> forms.ModelChoiceField:
    queryset = Organization.objects.filter(pk__in=org_ids(user, kinds=kinds)).order_by("name")
    return forms.ModelChoiceField(queryset=queryset, label=label, empty_label=None)


class DemandListForm(forms.Form):
    organization = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("发布协会"))
    name = forms.CharField(label=_("清单名称"), max_length=200)
    industry = forms.ModelChoiceField(queryset=Industry.objects.filter(section="C"), label=_("行业"))
    province = _province_field()
    city = forms.CharField(label=_("城市（可选）"), max_length=64, required=False)
    pain_points = forms.CharField(label=_("共性痛点"), widget=forms.Textarea(attrs={"rows": 4}))
    # a searchable multi-select (Tom Select, see core/static/ronghe/ronghe.js), not a 72-row Ctrl-click list
    items = _ItemMultipleChoice(queryset=ServiceItem.objects.none(), label=_("服务条目"),
                                help_text=_("输入编码或名称搜索，可选多个"),
                                widget=forms.SelectMultiple(attrs={"data-placeholder": _("输入编码或名称搜索服务条目…")}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"] = _org_field(user, {"association", "operator"}, _("发布协会"))
        self.fields["items"].queryset = _published_items()

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("organization")
        return data


class JoinForm(forms.Form):
    """One quantity per item on the list (0 = not needed) and a note."""

    def __init__(self, *args: Any, user: Any, demand_list: DemandList, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["manufacturer"] = _org_field(user, {"manufacturer"}, _("报名企业"))
        self.item_fields: list[tuple[ServiceItem, str]] = []
        for item in demand_list.items.order_by("code"):
            name = f"qty_{item.pk}"
            self.fields[name] = forms.IntegerField(
                label=f"{item.code} {item.name_zh}", min_value=0, max_value=1_000_000, initial=0, required=False,
            )
            self.item_fields.append((item, name))
        self.fields["notes"] = forms.CharField(label=_("备注"), max_length=500, required=False)

    def entries(self) -> list[tuple[ServiceItem, int]]:
        return [(item, self.cleaned_data.get(name) or 0) for item, name in self.item_fields
                if (self.cleaned_data.get(name) or 0) > 0]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern); each is validated by the service."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(ALLOWED_EXTENSIONS)}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class DemandForm(forms.Form):
    organization = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("需求方"))
    title = forms.CharField(label=_("标题"), max_length=200)
    summary = forms.CharField(label=_("公开摘要（所有可见者都能看到，请勿填写保密信息）"), widget=forms.Textarea(attrs={"rows": 4}),
                              required=False)
    industry = forms.ModelChoiceField(queryset=Industry.objects.filter(section="C"), label=_("所属制造业行业"))
    province = _province_field()
    city = forms.CharField(label=_("城市"), max_length=64, required=False)
    budget_min = forms.DecimalField(label=_("预算下限（元）"), max_digits=14, decimal_places=2, min_value=0)
    budget_max = forms.DecimalField(label=_("预算上限（元）"), max_digits=14, decimal_places=2, min_value=0)
    # <input type=date> shows only ISO values; the zh-hans default format (2026/12/31) would leave it empty
    deadline = forms.DateField(label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    confidentiality = forms.ChoiceField(choices=Confidentiality.choices, label=_("保密级别"),
                                        initial=Confidentiality.REGISTERED, widget=forms.RadioSelect)
    contact_name = forms.CharField(label=_("联系人"), max_length=64, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=32, required=False)
    contact_email = forms.EmailField(label=_("联系邮箱"), required=False)
    attachments = MultipleFileField(label=_("附件（PDF、图片、Word、Excel、文本；单个不超过上限）"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"] = _org_field(user, {"manufacturer"}, _("需求方"))

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("organization")
        return data


class DemandLineForm(forms.Form):
    item = _ItemChoice(queryset=ServiceItem.objects.none(), label=_("服务条目"))
    scope = forms.CharField(label=_("具体范围与技术要求（保密）"), widget=forms.Textarea(attrs={"rows": 3}))
    quantity = forms.IntegerField(label=_("数量"), min_value=1, max_value=1_000_000, initial=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = _published_items()

    def has_changed(self) -> bool:
        """A spare line left without item and scope is blank, whatever its quantity says."""
        return bool(self.data.get(self.add_prefix("item")) or self.data.get(self.add_prefix("scope")))


DemandLineFormSet = forms.formset_factory(DemandLineForm, extra=2, min_num=1, validate_min=True, max_num=50,
                                          validate_max=True)


class AttachmentForm(forms.Form):
    attachments = MultipleFileField(label=_("附件"))


class InviteForm(forms.Form):
    provider = forms.ModelChoiceField(
        queryset=Organization.objects.filter(kind="provider"), to_field_name="credit_code",
        widget=forms.TextInput, label=_("服务商统一社会信用代码"),
        error_messages={"invalid_choice": _("没有该信用代码的服务商 (no provider with this credit code)")},
    )


class AcceptNdaForm(forms.Form):
    agree = forms.BooleanField(label=_("我已阅读并代表本组织接受上述保密协议"), required=True)
    nda_version = forms.CharField(widget=forms.HiddenInput)
