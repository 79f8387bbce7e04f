"""Province and industry names in the page's language, for templates and for the form helpers' choices.

Registered with core through ``platform.py`` (``labels=``), so core's form helpers show English choices without
knowing what a province or an industry is.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.utils.translation import get_language

from ronghe.platform.accounts.reference import industries, provinces


def _english() -> bool:
    return (get_language() or "").startswith("en")


@cache
def _industry_names() -> dict[str, tuple[str, str]]:
    return {r["code"]: (r["name_zh"], r["name_en"]) for r in industries()}


def province_name(code: str) -> str:
    """GB/T 2260 code → the province's name in the page's language (the code itself when unknown)."""
    p = provinces().get(str(code or ""))
    if p is None:
        return code or ""
    return p.name_en if _english() else p.name_zh


def industry_name(value: Any) -> str:
    """GB/T 4754 division (code or Industry row) → its name in the page's language."""
    code = getattr(value, "code", value)
    names = _industry_names().get(str(code or ""))
    if names is None:
        return getattr(value, "name_zh", "") or str(value or "")
    return names[1] if _english() and names[1] else names[0]


def industry_label(value: Any) -> str:
    """「36 汽车制造业」 / 「36 Manufacture of automobiles」."""
    code = getattr(value, "code", value)
    return f"{code} {industry_name(value)}" if code else ""


def english_choice(value: str, label: str) -> str | None:
    """The English label of a province or industry choice (None: not one of ours)."""
    p = provinces().get(value)
    if p is not None and label == p.name_zh:
        return p.name_en
    names = _industry_names().get(value)
    if names is not None and label in (names[0], f"{value} {names[0]}"):
        return f"{value} {names[1]}"
    return None


#: model label → how an instance reads in English (ModelChoiceField options)
ENGLISH_OPTIONS = {"accounts.Industry": industry_label}
