"""Template helpers of the Bootstrap pages: widgets with the toolkit's classes, reference names in the page's language.

``{{ field|bs }}`` renders a form field's widget with Bootstrap's classes (``form-control``, ``form-select``,
``form-check-input``, ``is-invalid``); ``{{ field|bs:"filter" }}`` does the same for a filter form, whose empty
choices read 「全部」 instead of Django's 「---------」 and 「未知」. Province and GB/T 4754 industry choices show their
English names when the page is in English (the reference CSVs carry both).
"""

from __future__ import annotations

from functools import cache

from django import forms, template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ronghe.platform.accounts.reference import industries, provinces

register = template.Library()

def _english() -> bool:
    return (get_language() or "").startswith("en")


@cache
def _industry_names() -> dict[str, tuple[str, str]]:
    return {r["code"]: (r["name_zh"], r["name_en"]) for r in industries()}


@register.filter
def province_name(code: str) -> str:
    """GB/T 2260 code → the province's name in the page's language (the code itself when unknown)."""
    p = provinces().get(str(code or ""))
    if p is None:
        return code or ""
    return p.name_en if _english() else p.name_zh


@register.filter
def industry_name(value) -> str:
    """GB/T 4754 division (code or Industry row) → its name in the page's language."""
    code = getattr(value, "code", value)
    names = _industry_names().get(str(code or ""))
    if names is None:
        return getattr(value, "name_zh", "") or str(value or "")
    return names[1] if _english() and names[1] else names[0]


@register.filter
def industry_label(value) -> str:
    """「36 汽车制造业」 / 「36 Manufacture of automobiles」."""
    code = getattr(value, "code", value)
    return f"{code} {industry_name(value)}" if code else ""


def _category_label(category) -> str:
    return f"{category.code} {category.name_en or category.name_zh}"


def _item_label(item) -> str:
    return f"{item.code} v{item.version} {item.name_en or item.name_zh}"


#: English option labels of model choices (by model label), used when the page is in English
_ENGLISH_LABELS = {
    "accounts.Industry": industry_label,
    "catalog.ServiceCategory": _category_label,
    "catalog.ServiceItem": _item_label,
}


def _localize_label(value, label):
    value = str(value)
    if isinstance(label, str):  # a plain label marked with gettext_noop (budget bands); lazy ones translate themselves
        label = _(label) if label else label
    if _english():
        p = provinces().get(value)
        if p is not None and str(label) == p.name_zh:
            return p.name_en
        names = _industry_names().get(value)
        if names is not None and str(label) in (names[0], f"{value} {names[0]}"):
            return f"{value} {names[1]}"
    return label


def _prepare_choices(field: forms.Field, empty: str) -> None:
    widget = field.widget
    if isinstance(widget, forms.NullBooleanSelect):
        # django-filter's BooleanFilter: 「未知」 means "don't filter"; say so
        widget.choices = [(v, empty if v in ("unknown", "") else label) for v, label in widget.choices]
        return
    if isinstance(field, forms.ModelChoiceField):
        if field.empty_label is not None:
            field.empty_label = empty
        model = field.queryset.model._meta.label
        if _english() and model in _ENGLISH_LABELS:
            field.label_from_instance = _ENGLISH_LABELS[model]
        return
    if not isinstance(field, forms.ChoiceField):
        return
    if hasattr(field, "iterator") and hasattr(field, "empty_label"):
        # django-filter's ChoiceField: its iterator adds the empty choice itself, labelled empty_label
        raw = [(v, label) for v, label in field.choices if v not in ("", None)]
        if field.empty_label is not None:
            field.empty_label = empty
        field.choices = [(v, _localize_label(v, label)) for v, label in raw]
        return
    choices = []
    for value, label in field.choices:
        if isinstance(label, (list, tuple)):
            choices.append((value, label))
        elif value in ("", None):
            choices.append((value, empty))
        else:
            choices.append((value, _localize_label(value, label)))
    field.choices = choices


def _classes(widget: forms.Widget, invalid: bool, small: bool) -> str:
    if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
        # Django puts the class on the wrapping <div> too; the inputs are styled by .choice-list in ronghe.css
        return "is-invalid" if invalid else ""
    if isinstance(widget, forms.CheckboxInput):
        base = "form-check-input"
    elif isinstance(widget, forms.Select):
        base = "form-select" + (" form-select-sm" if small else "")
    elif isinstance(widget, forms.FileInput):
        base = "form-control"
    else:
        base = "form-control" + (" form-control-sm" if small else "")
    return base + (" is-invalid" if invalid else "")


@register.filter
def bs(bound: forms.BoundField, mode: str = "form"):
    """The bound field's widget with Bootstrap classes; ``mode`` "filter" for the filter bars above lists."""
    field, widget = bound.field, bound.field.widget
    if isinstance(widget, (forms.Select, forms.NullBooleanSelect)) or isinstance(field, forms.ChoiceField):
        _prepare_choices(field, _("全部") if mode == "filter" else _("请选择"))
    if isinstance(widget, forms.DateInput):
        widget.format = "%Y-%m-%d"  # <input type=date> takes ISO values only
        widget.input_type = "date"
    attrs = {"class": " ".join(c for c in (widget.attrs.get("class", ""), _classes(widget, bool(bound.errors),
                                                                                        mode == "filter")) if c)}
    if isinstance(widget, forms.SelectMultiple) and not isinstance(widget, forms.CheckboxSelectMultiple):
        attrs["data-searchable"] = "multiple"  # Tom Select: type to search, click to add, × to remove
    if bound.errors:
        attrs["aria-invalid"] = "true"
    return bound.as_widget(attrs=attrs)


@register.filter
def is_checkbox(bound: forms.BoundField) -> bool:
    return isinstance(bound.field.widget, forms.CheckboxInput)


@register.filter
def is_choice_list(bound: forms.BoundField) -> bool:
    """Radio buttons and checkbox lists, laid out as Bootstrap form-checks."""
    return isinstance(bound.field.widget, (forms.RadioSelect, forms.CheckboxSelectMultiple))
