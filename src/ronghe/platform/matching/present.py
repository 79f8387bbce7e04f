"""The engine's explanations as a page reads them, in the page's language (zh-Hans or English).

The engine (``ronghe.match``, no Django) writes its explanations in Chinese and keeps the data beside them:
constraint keys, factor labels in both languages, and the registry codes of the required qualifications
(``Explanation.required_codes``). The services hand that on unchanged (the API's JSON stays as it is); this
module only renders it for the pages: constraint labels and fixed phrases through the matching catalog,
qualifications by their registry ``name_en``, provinces and service items by their English names, factor
details re-worded from the engine's fixed patterns (anything it does not recognise is shown as written).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.utils.translation import get_language, pgettext
from django.utils.translation import pgettext_lazy as _p

from ronghe.match.constraints import REASONS

CONSTRAINT_LABELS = {
    "service": _p("matching constraint", "服务条目"),
    "active": _p("matching constraint", "供给状态"),
    "region": _p("matching constraint", "服务区域"),
    "qualifications": _p("matching constraint", "必需资质"),
    "capacity": _p("matching constraint", "剩余产能"),
    "price": _p("matching constraint", "价格与预算"),
    "lead_time": _p("matching constraint", "交付周期"),
    "conflict": _p("matching constraint", "利益冲突"),
}
#: the fixed phrases the engine writes as constraint values and factor details
PHRASES = {
    "有效": _p("matching explanation", "有效"),
    "全国": _p("matching explanation", "全国"),
    "需求未限定省份": _p("matching explanation", "需求未限定省份"),
    "无必需资质": _p("matching explanation", "无必需资质"),
    "未设截止": _p("matching explanation", "未设截止"),
    "非需求方本组织，无共同成员": _p("matching explanation", "非需求方本组织，无共同成员"),
    "需求未注明行业": _p("matching explanation", "需求未注明行业"),
    "推荐资质持有比例": _p("matching explanation", "推荐资质持有比例"),
}


def english() -> bool:
    return (get_language() or "").startswith("en")


def _province_en(name: str) -> str:
    from ronghe.platform.accounts.reference import provinces

    if name == "全国":
        return str(PHRASES["全国"])
    by_zh = {p.name_zh: p.name_en for p in provinces().values()}
    return by_zh.get(name, name)


def _item_names(codes: Iterable[str]) -> dict[str, str]:
    from ronghe.platform.catalog.models import ServiceCategory, ServiceItem

    codes = {c for c in codes if c}
    if not codes:
        return {}
    names = dict(ServiceCategory.objects.filter(code__in=codes).values_list("code", "name_en"))
    names.update(ServiceItem.objects.current().filter(code__in=codes).values_list("code", "name_en"))
    return {c: n for c, n in names.items() if n}


def _detail_patterns() -> list[tuple[re.Pattern, Callable[[re.Match], str]]]:
    def msg(text: str, **values: Any) -> str:
        return pgettext("matching explanation", text) % values

    return [
        (re.compile(r"^(\w+): BM25 (\S+)（第(\S+?)名），语义 (\S+)（第(\S+?)名）$"),
         lambda m: msg("%(method)s: BM25 %(lex)s（第%(lex_rank)s名），语义 %(sem)s（第%(sem_rank)s名）",
                       method=m[1], lex=m[2], lex_rank=m[3], sem=m[4], sem_rank=m[5])),
        (re.compile(r"^等级 (\S+)$"), lambda m: msg("等级 %(tier)s", tier=m[1])),
        (re.compile(r"^已核验有效证书 (\d+) 张，案例 (\d+) 个$"),
         lambda m: msg("已核验有效证书 %(certs)s 张，案例 %(cases)s 个", certs=m[1], cases=m[2])),
        (re.compile(r"^按期完成 (\d+)/(\d+)（向 0\.8 平滑）$"),
         lambda m: msg("按期完成 %(on_time)s/%(completed)s（向 0.8 平滑）", on_time=m[1], completed=m[2])),
        (re.compile(r"^报价 (\S+)–(\S+)，预算 (\S+)–(\S+)$"),
         lambda m: msg("报价 %(lo)s–%(hi)s，预算 %(blo)s–%(bhi)s", lo=m[1], hi=m[2], blo=m[3], bhi=m[4])),
        (re.compile(r"^所在地 (.*)，需求在 (.*)$"),
         lambda m: msg("所在地 %(home)s，需求在 %(there)s", home=_province_en(m[1]), there=_province_en(m[2]))),
        (re.compile(r"^剩余 (-?\d+)/月，数量 (\d+)$"),
         lambda m: msg("剩余 %(left)s/月，数量 %(quantity)s", left=m[1], quantity=m[2])),
        (re.compile(r"^周期 (\d+) 天，距截止 (\S+) 天$"),
         lambda m: msg("周期 %(lead)s 天，距截止 %(days)s 天", lead=m[1], days=m[2])),
    ]


def detail(text: str) -> str:
    """A factor's detail in the page's language (as written when it is zh-Hans or an unknown pattern)."""
    if not english() or not text:
        return text
    if text in PHRASES:
        return str(PHRASES[text])
    for pattern, render in _detail_patterns():
        if m := pattern.match(text):
            return render(m)
    return text


def _codes_from_names(text: str, registry) -> list[str]:
    """The engine's 「、」-joined qualification names back to codes (for an explanation without
    ``required_codes``); a name may itself hold 「、」 (承装（修、试）电力设施许可证), so the longest known run wins."""
    parts, out, i = text.split("、"), [], 0
    while i < len(parts):
        for j in range(len(parts), i, -1):
            code = registry.code_of("、".join(parts[i:j]))
            if code:
                out.append(code)
                i = j
                break
        else:
            out.append(parts[i])  # not in the registry: kept verbatim, as the engine does
            i += 1
    return out


def qualification_names(codes: Iterable[str], registry) -> str:
    names = [registry.name(c, "en" if english() else "zh") for c in dict.fromkeys(codes)]
    return (", " if english() else "、").join(names) if names else str(PHRASES["无必需资质"])


def constraint_rows(constraints: Mapping[str, str], required_codes: list[str] | None, registry,
                    items: Mapping[str, str]) -> list[dict[str, str]]:
    """``[{"key", "label", "value"}]`` in the engine's order, labels and values in the page's language."""
    rows = []
    for key, value in constraints.items():
        label = str(CONSTRAINT_LABELS.get(key, key))
        if key == "qualifications":
            codes = required_codes if required_codes else (
                [] if value == "无必需资质" else _codes_from_names(value, registry))
            value = qualification_names(codes, registry)
        elif english():
            if value in PHRASES:
                value = str(PHRASES[value])
            elif key == "region":
                value = _province_en(value)
            elif key == "service" and " · " in value:
                code, _, title = value.partition(" · ")
                value = f"{code} · {items.get(code) or title}"
        rows.append({"key": key, "label": label, "value": value})
    return rows


def factor_rows(factors: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    en = english()
    return [{**f, "label": f["label_en"] if en else f["label_zh"], "detail": detail(f.get("detail", ""))}
            for f in factors]


def reasons(factors: Iterable[Mapping[str, Any]], top: int = 3) -> list[str]:
    """The largest contributions in words (``score.Explanation.reasons``, in the page's language)."""
    best = sorted(factor_rows(factors), key=lambda f: -f["contribution"])[:top]
    if english():
        return [f"{f['label']} {f['contribution']:.3f} ({f['detail']})" if f["detail"] else
                f"{f['label']} {f['contribution']:.3f}" for f in best if f["contribution"] > 0]
    return [f"{f['label']} {f['contribution']:.3f}（{f['detail']}）" if f["detail"] else
            f"{f['label']} {f['contribution']:.3f}" for f in best if f["contribution"] > 0]


def dropped_reasons(constraints: Iterable[str]) -> list[str]:
    lang = 1 if english() else 0
    return [REASONS[c][lang] if c in REASONS else c for c in constraints]


def demand_matches(data: dict) -> dict:
    """``services.demand_matches``'s result with display rows added (the data itself unchanged)."""
    from ronghe.platform.catalog.models import qualification_registry

    registry = qualification_registry()
    services = [m["constraints"].get("service", "").partition(" · ")[0] for m in data.get("matches", [])]
    items = _item_names(services) if english() else {}
    matches = [{**m, "constraint_rows": constraint_rows(m["constraints"], m["explanation"].get("required_codes"),
                                                       registry, items),
                "factor_rows": factor_rows(m["explanation"]["factors"])} for m in data.get("matches", [])]
    dropped = [{**d, "reasons": dropped_reasons(d["constraints"])} for d in data.get("dropped", [])]
    return {**data, "matches": matches, "dropped": dropped}


def _summary_display(summary: dict, industries: Mapping[str, str]) -> dict:
    """A demand summary's reference fields (province, industry, budget band) named in English."""
    from django.utils.translation import gettext

    from ronghe.platform.accounts.reference import provinces

    province = provinces().get(summary.get("province") or "")
    return {**summary, "province_name": province.name_en if province else summary.get("province_name", ""),
            "industry_name": industries.get(summary.get("industry")) or summary.get("industry_name", ""),
            "budget_band_label": gettext(summary["budget_band_label"]) if summary.get("budget_band_label") else ""}


def provider_feed(data: dict) -> dict:
    """``services.provider_feed``'s result as the page shows it (the summaries' fields stay what they were)."""
    if not english():
        return data
    from ronghe.platform.accounts.models import Industry

    feed = data.get("feed", [])
    industries = dict(Industry.objects.filter(code__in={e["summary"].get("industry") for e in feed})
                      .values_list("code", "name_en"))
    return {**data, "feed": [{**e, "reasons": reasons(e["factors"]),
                              "summary": _summary_display(e["summary"], industries)} for e in feed]}
