"""Provinces (GB/T 2260) by code or official name, and 「全国」 for nationwide service."""

from __future__ import annotations

from functools import cache

from ronghe.platform.accounts.reference import provinces  # a CSV reader; no Django

NATIONWIDE = "全国"
NATIONWIDE_WORDS = {"全国", "nationwide", "china", "cn", "00", "000000"}


@cache
def _names() -> dict[str, str]:
    out: dict[str, str] = {}
    for code, p in provinces().items():
        out[code] = code
        out[p.name_zh] = code
        out[p.name_en.lower()] = code
        short = p.name_zh.rstrip("省市").replace("壮族自治区", "").replace("回族自治区", "")
        short = short.replace("维吾尔自治区", "").replace("自治区", "")
        out.setdefault(short, code)
    return out


def province_code(value: str) -> str | None:
    """``"32"``, ``"320000"``, ``"江苏省"``, ``"江苏"`` → ``"32"``; 「全国」 → ``NATIONWIDE``; unknown → None."""
    text = str(value).strip()
    if text.lower() in NATIONWIDE_WORDS:
        return NATIONWIDE
    if len(text) == 6 and text.isdigit():
        text = text[:2]
    return _names().get(text) or _names().get(text.lower())


def province_name(code: str) -> str:
    if code == NATIONWIDE:
        return NATIONWIDE
    p = provinces().get(code)
    return p.name_zh if p else code


def all_codes() -> list[str]:
    return sorted(provinces())
