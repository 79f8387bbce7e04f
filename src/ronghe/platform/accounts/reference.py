"""Reference data shipped with the platform: GB/T 4754-2017 divisions and the 31 provinces (GB/T 2260)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib.resources import files


@dataclass(frozen=True)
class Province:
    code: str
    name_zh: str
    name_en: str
    cities: tuple[str, ...]


def _rows(name: str) -> list[dict[str, str]]:
    text = files("ronghe.platform.accounts").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))


@cache
def provinces() -> dict[str, Province]:
    return {
        r["code"]: Province(r["code"], r["name_zh"], r["name_en"], tuple(r["cities"].split("|")))
        for r in _rows("provinces.csv")
    }


@cache
def industries() -> list[dict[str, str]]:
    return _rows("industries.csv")


def province_choices() -> list[tuple[str, str]]:
    return [(p.code, p.name_zh) for p in provinces().values()]


def manufacturing_division_codes() -> list[str]:
    """GB/T 4754-2017 section C: divisions 13–43."""
    return [r["code"] for r in industries() if r["section"] == "C"]


PROVINCE_CHOICES: list[tuple[str, str]] = province_choices()  # for drf-spectacular's ENUM_NAME_OVERRIDES
