"""The frames behind every report output: the report's 表 3–表 6, sector detail, definitions, long CSV.

The workbook, the HTML page and the CSV are all written from :func:`report_frames`, so they never disagree.
The report's own published figures ship with the package (``published/``) and are set beside ronghe's
numbers where country and year match, always labelled as such; they are never used to compute anything.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from ronghe import __version__
from ronghe.errors import InputError
from ronghe.measure.fusion import compare, flat_summary

GROUPS = ("all", "high", "medium", "low")
GROUP_LABELS = {
    "all": ("全部制造业", "All manufacturing"),
    "high": ("高技术制造业", "High-tech"),
    "medium": ("中技术制造业", "Medium-tech"),
    "low": ("低技术制造业", "Low-tech"),
}
COUNTRY_LABELS = {"CHN": "中国", "USA": "美国", "DEU": "德国", "JPN": "日本"}
PUBLISHED_LABEL = "report (published)"
PUBLISHED_SOURCE = ("CAICT (中国信息通信研究院), 《制造业与生产性服务业深度融合发展研究报告（2026年）》, "
                    "表 3–表 5; shipped as ronghe/measure/published/*.csv")
_PUBLISHED_GROUPS = {"all_manufacturing": "all", "high_tech": "high", "medium_tech": "medium", "low_tech": "low"}


class IndicatorsLike(Protocol):
    """What the reports read from :class:`ronghe.measure.fusion.Indicators`."""

    meta: Any
    definitions: dict
    by_group: pd.DataFrame
    by_mfg_sector: pd.DataFrame
    by_ps_subsector: pd.DataFrame
    embodied: pd.DataFrame
    summary: dict


# ----- published figures ------------------------------------------------------------------------------
@cache
def published(name: str) -> pd.DataFrame:
    """One of the report's tables as shipped: ``table3``, ``table4`` or ``table5``."""
    files = {"table3": "table3_china_ps_inputs_in_manufacturing.csv",
             "table4": "table4_ps_vs_manufacturing_value_added.csv",
             "table5": "table5_ps_structure_pct.csv"}
    with resources.files("ronghe.measure").joinpath("published", files[name]).open("rb") as fh:
        return pd.read_csv(fh)


# ----- labels and small helpers -----------------------------------------------------------------------
def computed_label(ind: IndicatorsLike) -> str:
    return f"ronghe (computed from {ind.meta.id})"


def _country(code: str) -> str:
    return f"{COUNTRY_LABELS.get(code, code)} {code}" if code in COUNTRY_LABELS else code


def in_trillion(ind: IndicatorsLike, value: float) -> float:
    """A value in the table's own unit, in trillions of its currency."""
    return float(value) * float(ind.meta.unit_factor) / 1e12


def _ordered(items: Iterable[IndicatorsLike]) -> list[IndicatorsLike]:
    return sorted(items, key=lambda i: (str(i.meta.country), i.meta.year or 0, str(i.meta.id)))


def _column_label(ind: IndicatorsLike) -> str:
    return f"{ind.meta.country} {ind.meta.year} · {ind.meta.id}"


def _ps_va(ind: IndicatorsLike) -> float:
    return float(ind.by_ps_subsector["value_added"].sum())


def _mfg_va(ind: IndicatorsLike) -> float:
    """Manufacturing value added: from the summary where given, else PS value added / the ratio."""
    if ind.summary.get("mfg_va") is not None:
        return float(ind.summary["mfg_va"])
    ratio = ind.summary.get("ps_va_to_mfg_va")
    return _ps_va(ind) / float(ratio) if ratio else math.nan


def _ps_key(sub_id: str, name_en: str) -> str | None:
    """The report's Table 5 row for a ps7 sub-sector: same id, else the closest English name (Jaccard ≥ 0.4)."""
    keys = list(published("table5")["sector"])
    if sub_id in keys:
        return sub_id
    words = {w for w in re.split(r"[^a-z]+", str(name_en).lower()) if w and w not in {"and", "of", "the"}}
    score = {k: len(words & set(k.split("_"))) / len(words | set(k.split("_"))) for k in keys}
    best = max(score, key=score.__getitem__)
    return best if score[best] >= 0.4 else None


# ----- the frames behind every output -----------------------------------------------------------------
def table3(items: Sequence[IndicatorsLike]) -> pd.DataFrame:
    """表 3: PS inputs into manufacturing (trillion) and their share (%), all and by technology group."""
    pub = published("table3")
    rows: list[dict[str, Any]] = []
    for ind in _ordered(items):
        g = ind.by_group
        row: dict[str, Any] = {"country": ind.meta.country, "year": ind.meta.year, "source": computed_label(ind),
                               "currency": ind.meta.currency}
        for grp in GROUPS:
            row[f"{grp}_trillion"] = float(g.loc[grp, "ps_inputs_trillion"]) if grp in g.index else math.nan
            row[f"{grp}_share_pct"] = float(g.loc[grp, "share_pct"]) if grp in g.index else math.nan
        rows.append(row)
        match = pub[pub["year"] == ind.meta.year] if ind.meta.country == "CHN" else pub.iloc[0:0]
        if len(match):
            prow: dict[str, Any] = {"country": "CHN", "year": ind.meta.year, "source": PUBLISHED_LABEL,
                                    "currency": "CNY"}
            for _, r in match.iterrows():
                grp = _PUBLISHED_GROUPS[r["group"]]
                prow[f"{grp}_trillion"] = float(r["ps_inputs_trillion_cny"])
                prow[f"{grp}_share_pct"] = float(r["share_of_intermediate_inputs_pct"])
            rows.append(prow)
    return pd.DataFrame(rows, columns=["country", "year", "source", "currency",
                                       *[f"{g}_{k}" for g in GROUPS for k in ("trillion", "share_pct")]])


def table4(items: Sequence[IndicatorsLike]) -> pd.DataFrame:
    """表 4: producer-services value added vs manufacturing value added (trillion) and their ratio."""
    pub = published("table4")
    rows: list[dict[str, Any]] = []
    for ind in _ordered(items):
        ps, mfg = _ps_va(ind), _mfg_va(ind)
        rows.append({"country": ind.meta.country, "year": ind.meta.year, "source": computed_label(ind),
                     "currency": ind.meta.currency, "ps_va_trillion": in_trillion(ind, ps),
                     "mfg_va_trillion": in_trillion(ind, mfg),
                     "ratio": float(ind.summary.get("ps_va_to_mfg_va", ps / mfg if mfg else math.nan))})
        for _, r in pub[(pub["economy"] == ind.meta.country) & (pub["year"] == ind.meta.year)].iterrows():
            rows.append({"country": r["economy"], "year": int(r["year"]), "source": PUBLISHED_LABEL,
                         "currency": str(r["currency_unit"]).split()[-1], "ps_va_trillion": r["producer_services_va"],
                         "mfg_va_trillion": r["manufacturing_va"], "ratio": r["ratio_reported"]})
    return pd.DataFrame(rows, columns=["country", "year", "source", "currency", "ps_va_trillion",
                                       "mfg_va_trillion", "ratio"])


def table5(items: Sequence[IndicatorsLike]) -> pd.DataFrame:
    """表 5: structure of producer services by sub-sector (% of PS value added), one column per table."""
    pub = published("table5").set_index("sector")
    ordered = _ordered(items)
    first = ordered[0].by_ps_subsector if ordered else pd.DataFrame(columns=["name_zh", "name_en"])
    out = pd.DataFrame({"name_zh": first["name_zh"], "name_en": first["name_en"]})
    for ind in ordered:
        sub = ind.by_ps_subsector
        out[_column_label(ind)] = sub["structure_pct"].reindex(out.index).astype(float)
        pub_col = f"{ind.meta.country}_{ind.meta.year}"
        if pub_col in pub.columns:
            keys = [_ps_key(str(i), n) for i, n in zip(out.index, out["name_en"], strict=True)]
            out[f"{ind.meta.country} {ind.meta.year} · {PUBLISHED_LABEL}"] = pub[pub_col].reindex(keys).to_numpy()
    out.index.name = "ps_subsector"
    return out


def table6(items: Sequence[IndicatorsLike]) -> pd.DataFrame:
    """表 6: PS share of manufacturing intermediate inputs by technology group, countries side by side."""
    rows = [{"year": ind.meta.year, "country": ind.meta.country, "source": computed_label(ind),
             **{f"{g}_share_pct": float(ind.by_group.loc[g, "share_pct"]) if g in ind.by_group.index else math.nan
                for g in GROUPS}} for ind in items]
    frame = pd.DataFrame(rows, columns=["year", "country", "source", *[f"{g}_share_pct" for g in GROUPS]])
    return frame.sort_values(["year", "country"], ascending=[False, True], kind="stable").reset_index(drop=True)


def _stacked(items: Sequence[IndicatorsLike], block: str, key: str) -> pd.DataFrame:
    """One table's ``block`` frame after another, with the table id, unit and row label as columns."""
    parts = []
    for ind in _ordered(items):
        f = getattr(ind, block).copy()
        f.insert(0, key, f.index.astype(str))
        f.insert(0, "table", ind.meta.id)
        f.insert(1, "unit", ind.meta.unit)
        parts.append(f.reset_index(drop=True))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def mfg_sectors(items: Sequence[IndicatorsLike]) -> pd.DataFrame:
    """Per-manufacturing-sector detail, one block of rows per table."""
    return _stacked(items, "by_mfg_sector", "code")


def ps_subsectors(items: Sequence[IndicatorsLike]) -> pd.DataFrame:
    """Per producer-service sub-sector: inputs into manufacturing, value added, structure."""
    return _stacked(items, "by_ps_subsector", "id")


def embodied(items: Sequence[IndicatorsLike]) -> pd.DataFrame:
    """隐性服务增加值: PS value added embodied in each manufacturing sector's final demand and exports."""
    parts = []
    for ind in _ordered(items):
        f = ind.embodied.copy()
        names = ind.by_mfg_sector["name"].reindex(f.index) if "name" in ind.by_mfg_sector else f.index
        f.insert(0, "name", names)
        f.insert(0, "code", f.index.astype(str))
        f.insert(0, "table", ind.meta.id)
        f.insert(1, "unit", ind.meta.unit)
        fd, ex = f["final_demand"].astype(float), f["exports"].astype(float)
        f["share_final_demand_pct"] = (100 * f["embodied_ps_va_final_demand"] / fd.where(fd != 0)).astype(float)
        f["share_exports_pct"] = (100 * f["embodied_ps_va_exports"] / ex.where(ex != 0)).astype(float)
        parts.append(f.reset_index(drop=True))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _flatten(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, key + "."))
        elif isinstance(v, list | tuple):
            out[key] = "; ".join(map(str, v))
        else:
            out[key] = v
    return out


def definitions(items: Sequence[IndicatorsLike]) -> pd.DataFrame:
    """Provenance of every figure: table, source files and hashes, concordance, formulas, ronghe version."""
    rows: list[dict[str, Any]] = []
    for ind in _ordered(items):
        m = ind.meta
        base = [("table", m.id), ("publisher", m.publisher), ("country", m.country), ("year", m.year),
                ("unit", m.unit), ("currency", m.currency), ("unit_factor", m.unit_factor),
                ("price_basis", m.price_basis), ("layout", m.layout), ("classification", m.classification)]
        base += [(f"source_file[{i}]", f"{f}  sha256 {h}")
                 for i, (f, h) in enumerate(zip(m.source_files, m.sha256, strict=False))]
        base += [(f"definitions.{k}", v) for k, v in _flatten(ind.definitions or {}).items()]
        rows += [{"table": m.id, "key": k, "value": "" if v is None else str(v)} for k, v in base]
    rows.append({"table": "*", "key": "published_figures", "value": PUBLISHED_SOURCE})
    rows.append({"table": "*", "key": "ronghe_version", "value": __version__})
    return pd.DataFrame(rows, columns=["table", "key", "value"])


def summary_side_by_side(items: Sequence[IndicatorsLike]) -> pd.DataFrame:
    """Scalar indicators (rows) × tables (columns), in report order (country, year)."""
    return compare(_ordered(items))


def to_long(items: Sequence[IndicatorsLike]) -> pd.DataFrame:
    """Tidy long format for scripts: one numeric value per row, named by block, row and variable."""
    records: list[dict[str, Any]] = []
    for ind in _ordered(items):
        m = ind.meta
        head = {"table": m.id, "country": m.country, "year": m.year, "unit": m.unit}
        for k, v in flat_summary(ind).items():
            if k != "year" and isinstance(v, int | float) and not isinstance(v, bool):
                records.append({**head, "block": "summary", "row": "", "name": "", "variable": k, "value": v})
        for block in ("by_group", "by_mfg_sector", "by_ps_subsector", "embodied"):
            frame: pd.DataFrame = getattr(ind, block)
            names = _row_names(ind, block, frame)
            for col in frame.columns:
                if not pd.api.types.is_numeric_dtype(frame[col]):
                    continue
                for idx, v in frame[col].items():
                    records.append({**head, "block": block, "row": str(idx), "name": names.get(idx, ""),
                                    "variable": col, "value": float(v)})
    return pd.DataFrame(records, columns=["table", "country", "year", "unit", "block", "row", "name",
                                          "variable", "value"])


def _row_names(ind: IndicatorsLike, block: str, frame: pd.DataFrame) -> dict[Any, str]:
    if block == "by_group":
        return {g: f"{GROUP_LABELS[g][0]} {GROUP_LABELS[g][1]}" for g in frame.index if g in GROUP_LABELS}
    if "name_zh" in frame:
        return {i: f"{z} {e}" for i, z, e in zip(frame.index, frame["name_zh"], frame["name_en"], strict=True)}
    source = frame if "name" in frame else ind.by_mfg_sector
    return source["name"].astype(str).to_dict() if "name" in source else {}


@dataclass(frozen=True)
class ReportFrames:
    """Everything a report shows, computed once."""

    summary: pd.DataFrame
    t3: pd.DataFrame
    t4: pd.DataFrame
    t5: pd.DataFrame
    t6: pd.DataFrame
    mfg_sectors: pd.DataFrame
    ps_subsectors: pd.DataFrame
    embodied: pd.DataFrame
    definitions: pd.DataFrame


#: The summary an analyst reads: flat-summary key → (中文, English, unit; "{cur}" = the table's currency).
SUMMARY_LABELS: dict[str, tuple[str, str, str]] = {
    "ps_inputs_to_mfg_trillion": ("制造业中生产性服务投入", "PS inputs into manufacturing", "trillion {cur}"),
    "ps_share_of_mfg_intermediate_pct.all": ("占制造业中间投入比重", "PS share of mfg intermediate inputs", "%"),
    "ps_share_of_mfg_intermediate_pct.high": ("其中：高技术", "… high-tech manufacturing", "%"),
    "ps_share_of_mfg_intermediate_pct.medium": ("其中：中技术", "… medium-tech manufacturing", "%"),
    "ps_share_of_mfg_intermediate_pct.low": ("其中：低技术", "… low-tech manufacturing", "%"),
    "ps_va_to_mfg_va": ("生产性服务业增加值/制造业增加值", "PS value added / manufacturing value added", "ratio"),
    "complete_ps_requirement_per_unit_mfg_final_demand": ("完全需求系数", "Complete PS requirement per unit of "
                                                          "mfg final demand", "per unit"),
    "embodied_ps_va_share_of_mfg_final_demand_pct": ("最终需求隐含生产性服务增加值占比",
                                                     "Embodied PS VA, share of mfg final demand", "%"),
    "embodied_ps_va_share_of_mfg_exports_pct": ("出口隐含生产性服务增加值占比", "Embodied PS VA, share of mfg exports",
                                                "%"),
    "embodied_ps_va_share_of_mfg_final_demand_domestic_pct": ("同上（非竞争型，仅国内）", "… domestic-only "
                                                              "(non-competitive), final demand", "%"),
    "embodied_ps_va_share_of_mfg_exports_domestic_pct": ("同上（非竞争型，仅国内）", "… domestic-only "
                                                         "(non-competitive), exports", "%"),
}


def summary_by_table(items: Sequence[IndicatorsLike]) -> pd.DataFrame:
    """The Summary an analyst reads: one row per table (years as rows), labelled indicators, units in headers."""
    rows = []
    for ind in _ordered(items):
        flat = flat_summary(ind)
        row: dict[str, Any] = {"country": ind.meta.country, "year": ind.meta.year, "table": ind.meta.id,
                               "unit": ind.meta.unit}
        for key in SUMMARY_LABELS:
            v = flat.get(key)
            row[key] = float(v) if isinstance(v, int | float) and v is not None else math.nan
        rows.append(row)
    return pd.DataFrame(rows, columns=["country", "year", "table", "unit", *SUMMARY_LABELS])


def unit_of_key(key: str) -> str:
    """The unit of a flat-summary key, for `compare`'s unit column."""
    if key in ("table_unit", "year"):
        return ""
    if key in SUMMARY_LABELS:
        return SUMMARY_LABELS[key][2].replace(" {cur}", ", each table's currency")
    if key.endswith("_pct") or "_pct." in key:
        return "% of producer-services value added" if key.startswith("ps_structure_pct") else "%"
    if "trillion" in key:
        return "trillion, each table's currency"
    if key in ("ps_va_to_mfg_va",):
        return "ratio"
    if key == "year":
        return ""
    return "each table's unit (table_unit row)"


def headline(items: Sequence[IndicatorsLike]) -> pd.DataFrame:
    """One screen: for each table, PS inputs, their share and PS VA / mfg VA beside the report's, with the gap."""
    t3, t4 = table3(items), table4(items)
    rows = []
    for ind in _ordered(items):
        c3 = t3[(t3["source"] == computed_label(ind))].iloc[0]
        p3 = t3[(t3["source"] == PUBLISHED_LABEL) & (t3["year"] == ind.meta.year) & (t3["country"] == ind.meta.country)]
        c4 = t4[(t4["source"] == computed_label(ind))].iloc[0]
        p4 = t4[(t4["source"] == PUBLISHED_LABEL) & (t4["year"] == ind.meta.year) & (t4["country"] == ind.meta.country)]
        pub3 = p3.iloc[0] if len(p3) else None
        pub4 = p4.iloc[0] if len(p4) else None
        row = {"country": ind.meta.country, "year": ind.meta.year, "currency": ind.meta.currency,
               "trillion": c3["all_trillion"], "trillion_report": pub3["all_trillion"] if pub3 is not None else math.nan,
               "share": c3["all_share_pct"],
               "share_report": pub3["all_share_pct"] if pub3 is not None else math.nan,
               "ratio": c4["ratio"], "ratio_report": float(pub4["ratio"]) if pub4 is not None else math.nan}
        row["trillion_gap"] = row["trillion"] - row["trillion_report"]
        row["share_gap"] = row["share"] - row["share_report"]
        row["ratio_gap"] = row["ratio"] - row["ratio_report"]
        rows.append(row)
    cols = ["country", "year", "currency", "trillion", "trillion_report", "trillion_gap", "share", "share_report",
            "share_gap", "ratio", "ratio_report", "ratio_gap"]
    return pd.DataFrame(rows, columns=cols)


def t5_by_table(t5: pd.DataFrame) -> pd.DataFrame:
    """表5 with tables as rows (computed and published one under the other) and sub-sectors as columns."""
    body = t5.drop(columns=["name_zh", "name_en"]).T
    body.columns = list(t5.index)
    body.insert(0, "source", [PUBLISHED_LABEL if PUBLISHED_LABEL in c else "ronghe" for c in body.index])
    body.insert(0, "table", [c.split(" · ")[0] for c in body.index])
    body["total"] = body[list(t5.index)].sum(axis=1, min_count=1)
    return body.reset_index(drop=True)


def report_frames(items: Sequence[IndicatorsLike]) -> ReportFrames:
    if not items:
        raise InputError("no tables to report on: import one with `ronghe data import` or pass --table ID")
    return ReportFrames(summary_side_by_side(items), table3(items), table4(items), table5(items), table6(items),
                        mfg_sectors(items), ps_subsectors(items), embodied(items), definitions(items))


def _years(years: list[int]) -> str:
    """1997, 1998, 1999, 2002 → '1997–1999, 2002'."""
    runs: list[list[int]] = []
    for y in sorted(years):
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in runs)


def _source_note(items: Sequence[IndicatorsLike]) -> str:
    groups: dict[tuple[str, str, str], list[IndicatorsLike]] = {}
    for i in _ordered(items):
        groups.setdefault((i.meta.publisher, i.meta.country, i.meta.unit), []).append(i)
    parts = []
    for (publisher, country, unit), its in groups.items():
        years = _years([i.meta.year for i in its if i.meta.year is not None])
        ids = its[0].meta.id if len(its) == 1 else f"{its[0].meta.id} … {its[-1].meta.id}"
        parts.append(f"{publisher} {country} {years} ({unit}; tables {ids})")
    return f"来源 Source: ronghe {__version__}, computed from IO tables: {'; '.join(parts)}."


def _published_note() -> str:
    return f"Rows/columns marked '{PUBLISHED_LABEL}': {PUBLISHED_SOURCE}."

def _t5_records(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.reset_index()
    total = {"ps_subsector": "total", "name_zh": "合计", "name_en": "Total",
             **{c: float(frame[c].sum(min_count=1)) for c in frame.columns[2:]}}
    return pd.concat([out, pd.DataFrame([total])], ignore_index=True)


def _check_writable(path: Path) -> None:
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise InputError("output folder does not exist", file=str(parent))
    if path.is_dir():
        raise InputError("output path is a folder, not a file", file=str(path))


# ----- JSON -------------------------------------------------------------------------------------------
def jsonable(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [jsonable(x) for x in v]
    if hasattr(v, "item") and not isinstance(v, str):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v
