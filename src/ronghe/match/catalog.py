"""What the engine needs of the service catalog, read from the shipped file (no database).

Item names, keywords and category synonyms become jieba's user dictionary; an item's category and its
required qualifications complete a record that names only the item.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files


@dataclass(frozen=True)
class Item:
    code: str
    category: str  # 中类 code, e.g. "011"
    name_zh: str
    name_en: str
    keywords: tuple[str, ...]
    qualifications: tuple[str, ...]
    scope: str = ""


@dataclass(frozen=True)
class Category:
    code: str
    name_zh: str
    synonyms: tuple[str, ...]


def _catalog_file(name: str) -> str:
    return files("ronghe.platform.catalog").joinpath("data", name).read_text(encoding="utf-8")


@cache
def shipped_items() -> dict[str, Item]:
    data = json.loads(_catalog_file("items.json"))
    return {
        i["code"]: Item(
            i["code"], i["category"], i["name_zh"], i.get("name_en", ""),
            tuple(k.strip() for k in i.get("keywords", "").replace("，", ",").split(",") if k.strip()),
            tuple(i.get("required_qualifications", [])), i.get("scope", ""),
        )
        for i in data["items"]
    }


@cache
def shipped_categories() -> dict[str, Category]:
    lines = [line for line in _catalog_file("categories.csv").splitlines() if not line.startswith("#")]
    return {
        r["code"]: Category(r["code"], r["name_zh"], tuple(s for s in r["synonyms"].split("|") if s))
        for r in csv.DictReader(lines)
    }


def category_of(item: str, items: Mapping[str, Item]) -> str | None:
    """The category of an item code: from the catalog, else from the ``SI-01-…`` pattern, else unknown."""
    if item in items:
        return items[item].category
    parts = item.split("-")
    if len(parts) >= 2 and parts[1].isdigit():
        return parts[1]
    return None


def dictionary_terms(items: Mapping[str, Item] | None = None,
                     categories: Mapping[str, Category] | None = None) -> list[str]:
    """Item names, keywords and category names/synonyms: the terms jieba must keep whole."""
    items = shipped_items() if items is None else items
    categories = shipped_categories() if categories is None else categories
    terms: set[str] = set()
    for i in items.values():
        terms.add(i.name_zh)
        terms.update(i.keywords)
    for c in categories.values():
        terms.add(c.name_zh)
        terms.update(c.synonyms)
    return sorted(t for t in terms if t and len(t) >= 2)
