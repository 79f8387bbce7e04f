"""Excel and HTML reports of the integration indicators (the report's 表 3–表 6 and their detail).

Both outputs are built from the same frames (:func:`report_frames`), so the workbook, the HTML page and the
CSV never disagree. The report's own published figures ship with the package (``published/``) and are set
beside ronghe's numbers where country and year match, always labelled as such; they are never used to
compute anything.
"""

from __future__ import annotations

import html
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


def report_frames(items: Sequence[IndicatorsLike]) -> ReportFrames:
    if not items:
        raise InputError("no tables to report on: import one with `ronghe data import` or pass --table ID")
    return ReportFrames(summary_side_by_side(items), table3(items), table4(items), table5(items), table6(items),
                        mfg_sectors(items), ps_subsectors(items), embodied(items), definitions(items))


# ----- column labels (zh, en) and number formats ---------------------------------------------------------
@dataclass(frozen=True)
class Col:
    key: str
    zh: str
    en: str
    fmt: str = "text"  # text | general | int | money | trillion | pct | ratio | coeff
    width: float = 12


_ID_COLS = [Col("country", "国别", "Country", width=10), Col("year", "年份", "Year", "int", 7),
            Col("source", "来源", "Source", width=38)]
T3_COLS = [*_ID_COLS, Col("currency", "币种", "Currency", width=9)] + [
    c for g in GROUPS for c in (Col(f"{g}_trillion", f"{GROUP_LABELS[g][0]}投入（万亿）",
                                    f"{GROUP_LABELS[g][1]}: PS inputs (trillion)", "trillion", 14),
                                Col(f"{g}_share_pct", f"{GROUP_LABELS[g][0]}占比（%）",
                                    f"{GROUP_LABELS[g][1]}: share of intermediate inputs (%)", "pct", 14))]
T4_COLS = [*_ID_COLS, Col("currency", "币种", "Currency", width=9),
           Col("ps_va_trillion", "生产性服务业增加值（万亿）", "Producer services VA (trillion)", "trillion", 16),
           Col("mfg_va_trillion", "制造业增加值（万亿）", "Manufacturing VA (trillion)", "trillion", 16),
           Col("ratio", "生产性服务业比制造业", "PS VA : manufacturing VA", "ratio", 14)]
T6_COLS = [Col("year", "年份", "Year", "int", 7), Col("country", "国别", "Country", width=10),
           Col("source", "来源", "Source", width=38)] + [
    Col(f"{g}_share_pct", f"{GROUP_LABELS[g][0]}（%）", f"{GROUP_LABELS[g][1]} (%)", "pct", 14) for g in GROUPS]
MFG_COLS = [Col("table", "表", "Table", width=16), Col("unit", "单位", "Unit", width=14), Col("code", "代码", "Code", width=9),
            Col("name", "部门名称", "Sector", width=30), Col("tech_group", "技术组", "Tech group", width=10),
            Col("ps_inputs", "生产性服务投入", "PS inputs (table unit)", "money", 16),
            Col("intermediate_inputs", "中间投入合计", "Intermediate inputs (table unit)", "money", 16),
            Col("share_pct", "生产性服务占中间投入（%）", "PS share of intermediate inputs (%)", "pct", 14),
            Col("direct_ps_coeff", "直接消耗系数", "Direct PS coefficient", "coeff", 13),
            Col("complete_ps_requirement", "完全需求系数", "Complete PS requirement per unit final demand",
                "coeff", 16)]
PS_COLS = [Col("table", "表", "Table", width=16), Col("unit", "单位", "Unit", width=14), Col("id", "代码", "Id", width=10),
           Col("name_zh", "细分领域", "Sub-sector (zh)", width=24), Col("name_en", "Sub-sector", "Sub-sector",
                                                                       width=34),
           Col("inputs_to_mfg", "对制造业投入", "Inputs into manufacturing (table unit)", "money", 16),
           Col("share_of_mfg_intermediate_pct", "占制造业中间投入（%）",
               "Share of manufacturing intermediate inputs (%)", "pct", 14),
           Col("value_added", "增加值", "Value added (table unit)", "money", 16),
           Col("structure_pct", "结构（%）", "Structure (% of PS VA)", "pct", 12)]
EMB_COLS = [Col("table", "表", "Table", width=16), Col("unit", "单位", "Unit", width=14), Col("code", "代码", "Code", width=9),
            Col("name", "部门名称", "Sector", width=30),
            Col("final_demand", "最终需求", "Final demand (table unit)", "money", 16),
            Col("exports", "出口", "Exports (table unit)", "money", 16),
            Col("embodied_ps_va_final_demand", "最终需求隐含生产性服务增加值",
                "PS VA embodied in final demand", "money", 18),
            Col("share_final_demand_pct", "占最终需求（%）", "Share of final demand (%)", "pct", 12),
            Col("embodied_ps_va_exports", "出口隐含生产性服务增加值", "PS VA embodied in exports", "money", 18),
            Col("share_exports_pct", "占出口（%）", "Share of exports (%)", "pct", 12)]
DEF_COLS = [Col("table", "表", "Table", width=18), Col("key", "项目", "Item", width=40),
            Col("value", "内容", "Value", width=100)]

NOTE_DEFS = ("Producer services (生产性服务业) = the report's seven sub-sectors; manufacturing = the concordance's "
             "'manufacturing' codes (NBS: divisions 13–43), split into technology groups by the concordance. "
             "Share = PS inputs into the group / all intermediate inputs of the group (direct-use block). "
             "Definitions used for each table: sheet 'Definitions'.")


# ----- Excel ------------------------------------------------------------------------------------------
class _Book:
    """xlsxwriter workbook with the house formats; writes titled, bilingual, noted blocks."""

    def __init__(self, path: Path) -> None:
        import xlsxwriter

        self.wb = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True})
        self.wb.set_properties({"title": "ronghe integration indicators", "author": f"ronghe {__version__}",
                                "comments": "Computed by ronghe from official input-output tables"})
        add = self.wb.add_format
        base = {"font_name": "Arial", "font_size": 10}
        self.title = add({**base, "bold": True, "font_size": 13})
        self.subtitle = add({**base, "italic": True, "font_color": "#555555"})
        self.head_zh = add({**base, "bold": True, "bg_color": "#DCE6F1", "border": 1, "text_wrap": True,
                            "valign": "vcenter", "align": "center"})
        self.head_en = add({**base, "bg_color": "#EEF3F9", "border": 1, "text_wrap": True, "valign": "vcenter",
                            "align": "center", "font_size": 9})
        self.note = add({**base, "italic": True, "font_size": 9, "font_color": "#444444"})
        nums = {"text": None, "general": "General", "int": "0", "money": "#,##0", "trillion": "0.00", "pct": "0.0", "ratio": '0.00":1"',
                "coeff": "0.0000"}
        self.cell = {k: add({**base, "num_format": v} if v else base) for k, v in nums.items()}
        self.pub = {k: add({**base, "italic": True, "font_color": "#7F4F00", "bg_color": "#FFF8E5",
                            **({"num_format": v} if v else {})}) for k, v in nums.items()}

    def sheet(self, name: str):  # returns an xlsxwriter Worksheet
        ws = self.wb.add_worksheet(name)
        ws.hide_gridlines(2)
        return ws

    def block(self, ws, row: int, title: str, subtitle: str, cols: list[Col], frame: pd.DataFrame,
              notes: Sequence[str] = (), *, freeze: int | None = None, autofilter: bool = False) -> int:
        """Write title, units line, zh+en headers, data and notes from ``row``; return the next free row."""
        ws.write(row, 0, title, self.title)
        ws.write(row + 1, 0, subtitle, self.subtitle)
        head = row + 2
        for j, c in enumerate(cols):
            ws.write(head, j, c.zh, self.head_zh)
            ws.write(head + 1, j, c.en, self.head_en)
            ws.set_column(j, j, c.width)
        ws.set_row(head + 1, 30)
        r = head + 2
        for rec in frame.to_dict("records"):
            published_row = str(rec.get("source", "")).startswith(PUBLISHED_LABEL)
            for j, c in enumerate(cols):
                v = rec.get(c.key)
                fmt = (self.pub if published_row else self.cell)[c.fmt]
                if v is None or (isinstance(v, float) and not math.isfinite(v)):
                    ws.write_blank(r, j, None, fmt)
                elif c.fmt == "text" or isinstance(v, str):
                    ws.write_string(r, j, str(v), fmt)
                else:
                    ws.write_number(r, j, float(v), fmt)
            r += 1
        if autofilter and r > head + 2:
            ws.autofilter(head + 1, 0, r - 1, len(cols) - 1)
        if freeze is not None:
            ws.freeze_panes(head + 2, freeze)
        for note in notes:
            ws.write(r + 1, 0, note, self.note)
            r += 1
        return r + 2


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


def _t5_cols(frame: pd.DataFrame) -> list[Col]:
    cols = [Col("ps_subsector", "代码", "Id", width=12), Col("name_zh", "细分领域", "Sub-sector", width=26),
            Col("name_en", "Sub-sector", "Sub-sector", width=38)]
    for c in frame.columns[2:]:
        zh = "报告公布" if PUBLISHED_LABEL in c else "ronghe 计算"
        cols.append(Col(c, f"{c.split(' · ')[0]} {zh}", c, "pct", 16))
    return cols


def _t5_records(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.reset_index()
    total = {"ps_subsector": "total", "name_zh": "合计", "name_en": "Total",
             **{c: float(frame[c].sum(min_count=1)) for c in frame.columns[2:]}}
    return pd.concat([out, pd.DataFrame([total])], ignore_index=True)


def report_to_xlsx(items: Sequence[IndicatorsLike], path: str | Path) -> Path:
    """Write the analysts' workbook: Summary, T3–T6, sector detail, embodied PS value added, Definitions."""
    path = Path(path)
    fr = report_frames(items)
    _check_writable(path)
    book = _Book(path)
    src, pub = _source_note(items), _published_note()

    ws = book.sheet("Summary")
    summ = fr.summary.reset_index(names="indicator")
    labels = {i.meta.id: f"{i.meta.country} {i.meta.year}" for i in items}
    cols = [Col("indicator", "指标", "Indicator", width=58)] + [Col(c, c, labels.get(c, c), "general", 18)
                                                               for c in fr.summary.columns]
    summ = summ.map(lambda v: v if isinstance(v, int | float) or v is None else str(v))
    book.block(ws, 0, "融合指标汇总 Integration indicators: summary",
               "Each column one table; values in the table's unit unless the key says trillion or pct", cols,
               summ, [src, NOTE_DEFS], freeze=1)

    ws = book.sheet("T3 PS inputs")
    book.block(ws, 0, "表3 制造业中生产性服务投入规模及占比  Table 3: producer-service inputs into manufacturing",
               "万亿（本币）, % of the group's intermediate inputs · trillion of the table's currency", T3_COLS,
               fr.t3, [src, pub, NOTE_DEFS], freeze=3)

    ws = book.sheet("T4 PS vs mfg VA")
    book.block(ws, 0, "表4 生产性服务业增加值与制造业增加值之比  Table 4: producer services vs manufacturing value added",
               "万亿（本币） · trillion of the table's currency; ronghe: value added rows of the IO table", T4_COLS,
               fr.t4, [src, pub + " Report figures are national accounts, ronghe's are IO-table value added."],
               freeze=3)

    ws = book.sheet("T5 PS structure")
    book.block(ws, 0, "表5 生产性服务业细分领域占比  Table 5: structure of producer services by sub-sector",
               "% of producer-services value added", _t5_cols(fr.t5), _t5_records(fr.t5),
               [src, pub + " China's published wholesale = half of wholesale and retail."], freeze=3)

    ws = book.sheet("T6 PS share by tech")
    book.block(ws, 0, "表6 制造业中生产性服务投入占比（按技术密集度）  Table 6: PS share of manufacturing "
               "intermediate inputs by technology group", "% of intermediate inputs; countries side by side",
               T6_COLS, fr.t6, [src, NOTE_DEFS], freeze=3)

    ws = book.sheet("Mfg sectors")
    book.block(ws, 0, "制造业分行业生产性服务投入  Producer-service inputs by manufacturing sector",
               "table units (see Definitions); coefficients per unit of output / final demand", MFG_COLS,
               fr.mfg_sectors, [src, NOTE_DEFS], freeze=4, autofilter=True)

    ws = book.sheet("PS sub-sectors")
    book.block(ws, 0, "生产性服务业细分领域  Producer services by sub-sector",
               "table units (see Definitions)", PS_COLS, fr.ps_subsectors, [src], freeze=5, autofilter=True)

    ws = book.sheet("Embodied PS VA")
    book.block(ws, 0, "制造业隐性服务增加值  Producer-services value added embodied in manufacturing",
               "table units; embodied = v_ps · L · f over manufacturing final demand / exports", EMB_COLS,
               fr.embodied, [src, "Embodied value added: PS value-added coefficients × Leontief inverse × the "
                                  "manufacturing sector's final demand (or exports)."], freeze=4, autofilter=True)

    ws = book.sheet("Definitions")
    book.block(ws, 0, "定义与来源  Definitions and sources", f"ronghe {__version__}", DEF_COLS, fr.definitions,
               [NOTE_DEFS], freeze=2)
    try:
        book.wb.close()
    except OSError as exc:
        raise InputError(f"cannot write the workbook: {exc.strerror or exc}", file=str(path)) from exc
    return path


def _check_writable(path: Path) -> None:
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise InputError("output folder does not exist", file=str(parent))
    if path.is_dir():
        raise InputError("output path is a folder, not a file", file=str(path))


# ----- HTML -------------------------------------------------------------------------------------------
def _figures(fr: ReportFrames) -> list[tuple[str, Any]]:
    import plotly.graph_objects as go

    figs: list[tuple[str, Any]] = []
    t3 = fr.t3
    fig = go.Figure()
    colours = dict(zip(GROUPS, ("#1f3b73", "#d62728", "#2ca02c", "#ff7f0e"), strict=True))
    dashes = ("solid", "dash", "dot", "dashdot")
    countries = sorted(t3["country"].unique())
    for country, part in t3[t3["source"] != PUBLISHED_LABEL].groupby("country", sort=True):
        for g in GROUPS:
            fig.add_trace(go.Scatter(
                x=part["year"], y=part[f"{g}_share_pct"], mode="lines+markers",
                name=f"{_country(country)} · {GROUP_LABELS[g][0]} {GROUP_LABELS[g][1]} (ronghe)",
                line={"color": colours[g], "dash": dashes[countries.index(country) % len(dashes)]},
                marker={"color": colours[g], "size": 6}))
    if "CHN" in countries:  # the report's own Table 3 points, all years, as a reference
        pub = published("table3")
        for g in GROUPS:
            part = pub[pub["group"].map(_PUBLISHED_GROUPS) == g]
            fig.add_trace(go.Scatter(
                x=part["year"], y=part["share_of_intermediate_inputs_pct"], mode="markers",
                name=f"{_country('CHN')} · {GROUP_LABELS[g][0]} {GROUP_LABELS[g][1]} ({PUBLISHED_LABEL}, 表3)",
                marker={"color": colours[g], "symbol": "diamond-open", "size": 12}))
    fig.update_layout(title="制造业中间投入中生产性服务投入占比 · PS share of manufacturing intermediate inputs (%)",
                      xaxis_title="年份 Year", yaxis_title="%", legend={"font": {"size": 10}})
    figs.append(("share", fig))

    t5 = fr.t5
    computed = [c for c in t5.columns[2:] if PUBLISHED_LABEL not in c]
    # the report's 表 5 columns of the same countries, as a reference (hatched), whatever their years
    pub5 = published("table5").set_index("sector")
    present = set(t3["country"])
    ref = [c for c in pub5.columns if c.split("_")[0] in present]
    keys = [_ps_key(str(i), n) for i, n in zip(t5.index, t5["name_en"], strict=True)]
    bars = [(c, False) for c in computed] + [(c, True) for c in ref]  # (column, is published)
    bars.sort(key=lambda b: (b[0].replace("_", " ").split(" ")[0], b[1]))  # by country: ronghe, then report
    x = [f"{c.replace('_', ' ')} · {PUBLISHED_LABEL}" if is_pub else c for c, is_pub in bars]
    fig = go.Figure()
    for (idx, row), key in zip(t5.iterrows(), keys, strict=True):
        y = [(pub5.at[key, c] if key in pub5.index else None) if is_pub else row[c] for c, is_pub in bars]
        fig.add_trace(go.Bar(x=x, y=y, name=f"{row['name_zh']} {row['name_en']}", hovertext=str(idx),
                             marker={"pattern": {"shape": ["/" if is_pub else "" for _, is_pub in bars]}}))
    fig.update_layout(barmode="stack", title="生产性服务业细分领域占比 · Structure of producer services (% of PS VA); "
                      "hatched: the report's 表 5", yaxis_title="%", xaxis={"tickangle": -45})
    figs.append(("structure", fig))

    t6 = fr.t6
    latest = t6.sort_values("year").groupby("country").tail(1)
    fig = go.Figure()
    for _, row in latest.iterrows():
        fig.add_trace(go.Bar(x=[f"{GROUP_LABELS[g][0]}<br>{GROUP_LABELS[g][1]}" for g in GROUPS],
                             y=[row[f"{g}_share_pct"] for g in GROUPS],
                             name=f"{_country(row['country'])} {row['year']}"))
    fig.update_layout(barmode="group", yaxis_title="%",
                      title="国别比较（最新年份） · Countries side by side, latest year: PS share by technology group")
    figs.append(("countries", fig))

    t4 = fr.t4[fr.t4["source"] != PUBLISHED_LABEL]
    fig = go.Figure()
    for country, part in t4.groupby("country"):
        fig.add_trace(go.Scatter(x=part["year"], y=part["ratio"], mode="lines+markers", name=_country(country)))
    fig.update_layout(title="生产性服务业增加值与制造业增加值之比 · PS value added / manufacturing value added",
                      xaxis_title="年份 Year", yaxis_title="ratio : 1")
    figs.append(("ratio", fig))
    return figs


def _html_table(frame: pd.DataFrame, cols: list[Col] | None = None) -> str:
    if cols:
        frame = frame[[c.key for c in cols if c.key in frame.columns]].rename(
            columns={c.key: f"{c.zh} · {c.en}" for c in cols})
    fmt = {c: (lambda v: "" if pd.isna(v) else f"{v:,.2f}") for c in frame.columns
           if pd.api.types.is_float_dtype(frame[c])}
    table = frame.to_html(index=False, na_rep="", formatters=fmt, border=0, classes="tbl", escape=True)
    return f"<div class='wide'>{table}</div>"


_CSS = """body{font-family:Arial,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}
table.tbl{border-collapse:collapse;font-size:12px}table.tbl th{background:#dce6f1;padding:4px}
table.tbl td{padding:3px 6px;border-bottom:1px solid #eee;text-align:right}.note{color:#555;font-size:12px}
.wide{overflow-x:auto;max-width:100%}"""


def report_to_html(items: Sequence[IndicatorsLike], path: str | Path) -> Path:
    """Write one self-contained HTML page (plotly.js inline, no network needed) with charts and tables."""
    path = Path(path)
    fr = report_frames(items)
    _check_writable(path)
    parts: list[str] = []
    for i, (name, fig) in enumerate(_figures(fr)):
        fig.update_layout(template="plotly_white", height=480)
        parts.append(fig.to_html(full_html=False, include_plotlyjs=(i == 0), div_id=f"fig-{name}",
                                 config={"displaylogo": False}))
    e = html.escape
    t5 = _t5_records(fr.t5)
    body = [
        "<h1>制造业与生产性服务业融合指标 · Integration of manufacturing and producer services</h1>",
        f"<p class='note'>{e(_source_note(items))}<br>{e(NOTE_DEFS)}<br>{e(_published_note())}</p>",
        "<h2>图 Charts</h2>", *parts,
        "<h2>表3 制造业中生产性服务投入 · Table 3: PS inputs into manufacturing (trillion, %)</h2>",
        _html_table(fr.t3, T3_COLS),
        "<h2>表4 生产性服务业与制造业增加值 · Table 4: PS vs manufacturing value added (trillion)</h2>",
        _html_table(fr.t4, T4_COLS),
        "<h2>表5 生产性服务业细分领域占比 · Table 5: structure of producer services (%)</h2>",
        _html_table(t5, _t5_cols(fr.t5)),
        "<h2>表6 按技术密集度 · Table 6: PS share by technology group (%)</h2>", _html_table(fr.t6, T6_COLS),
        "<h2>指标汇总 · Summary</h2>",
        f"<div class='wide'>{fr.summary.to_html(border=0, classes='tbl', na_rep='')}</div>",
        "<h2>定义与来源 · Definitions and sources</h2>", _html_table(fr.definitions, DEF_COLS),
    ]
    doc = ("<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>"
           f"<title>ronghe report</title><style>{_CSS}</style></head><body>{''.join(body)}"
           f"<p class='note'>ronghe {e(__version__)}</p></body></html>")
    try:
        path.write_text(doc, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write the report: {exc.strerror or exc}", file=str(path)) from exc
    return path


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
