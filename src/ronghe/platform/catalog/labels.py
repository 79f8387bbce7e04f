"""How catalog rows read in English in form choices (registered with core through ``platform.py``)."""

from __future__ import annotations

from typing import Any


def _category_label(category: Any) -> str:
    return f"{category.code} {category.name_en or category.name_zh}"


def _item_label(item: Any) -> str:
    return f"{item.code} v{item.version} {item.name_en or item.name_zh}"


ENGLISH_OPTIONS = {"catalog.ServiceCategory": _category_label, "catalog.ServiceItem": _item_label}
