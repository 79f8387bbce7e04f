"""Reference names in the page's language: GB/T 2260 provinces and GB/T 4754 industries (``{% load reference %}``)."""

from __future__ import annotations

from django import template

from ronghe.platform.accounts.labels import industry_label, industry_name, province_name

register = template.Library()
register.filter("province_name", province_name)
register.filter("industry_name", industry_name)
register.filter("industry_label", industry_label)
