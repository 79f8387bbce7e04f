"""The template helpers behind the Bootstrap pages: names in the page's language, the empty choices of forms and
filters, ISO dates in date inputs."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.utils import translation

from ronghe.platform.accounts.reference import province_choices
from ronghe.platform.core.templatetags.ui import bs, industry_label, industry_name, province_name


def test_reference_names_follow_the_language():
    with translation.override("zh-hans"):
        assert (province_name("32"), industry_name("36"), industry_label("36")) == ("江苏省", "汽车制造业", "36 汽车制造业")
    with translation.override("en"):
        assert (province_name("32"), industry_name("36"), industry_label("36")) == ("Jiangsu", "Motor vehicles",
                                                                                     "36 Motor vehicles")
    assert province_name("99") == "99"  # an unknown code shows as itself, never a 500


class _Form(forms.Form):
    province = forms.ChoiceField(choices=[("", "---------"), *province_choices()])
    deadline = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    tags = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B")])


class _Filters(django_filters.FilterSet):
    province = django_filters.ChoiceFilter(choices=province_choices())
    mine = django_filters.BooleanFilter(method="noop")

    def noop(self, queryset, name, value):
        return queryset


def test_forms_say_choose_and_dates_are_iso():
    form = _Form(initial={"deadline": dt.date(2026, 12, 31)})
    with translation.override("zh-hans"):
        province, deadline, tags = bs(form["province"]), bs(form["deadline"]), bs(form["tags"])
    assert '<option value="" selected>请选择</option>' in province and 'class="form-select"' in province
    assert 'value="2026-12-31"' in deadline and 'type="date"' in deadline  # not 2026/12/31
    assert 'data-searchable="multiple"' in tags


def test_filters_say_all_not_unknown_and_speak_english():
    from ronghe.platform.accounts.models import Organization

    filters = _Filters({}, queryset=Organization.objects.none())
    with translation.override("zh-hans"):
        mine, province = bs(filters.form["mine"], "filter"), bs(filters.form["province"], "filter")
    assert ">全部</option>" in mine and "未知" not in mine
    assert ">全部</option>" in province and "---------" not in province
    filters = _Filters({}, queryset=Organization.objects.none())
    with translation.override("en"):
        province = bs(filters.form["province"], "filter")
    assert ">All</option>" in province and ">Jiangsu</option>" in province and "江苏省" not in province
