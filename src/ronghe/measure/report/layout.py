"""Column labels (zh, en), number formats and notes shared by the Excel and the HTML writers."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ronghe.measure.report.tables import GROUP_LABELS, GROUPS, PUBLISHED_LABEL


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


def _t5_cols(frame: pd.DataFrame) -> list[Col]:
    cols = [Col("ps_subsector", "代码", "Id", width=12), Col("name_zh", "细分领域", "Sub-sector", width=26),
            Col("name_en", "Sub-sector", "Sub-sector", width=38)]
    for c in frame.columns[2:]:
        zh = "报告公布" if PUBLISHED_LABEL in c else "ronghe 计算"
        cols.append(Col(c, f"{c.split(' · ')[0]} {zh}", c, "pct", 16))
    return cols




# ----- the analyst's summary -----------------------------------------------------------------------------
HEADLINE_COLS = [
    Col("country", "国别", "Country", width=9), Col("year", "年份", "Year", "int", 7),
    Col("currency", "币种", "Currency", width=9),
    Col("trillion", "生产性服务投入（万亿）ronghe", "PS inputs into mfg, trillion · ronghe", "trillion", 14),
    Col("trillion_report", "报告", "trillion · report", "trillion", 11),
    Col("trillion_gap", "差", "gap, trillion", "trillion", 10),
    Col("share", "占中间投入比重（%）ronghe", "share of mfg intermediate inputs, % · ronghe", "pct", 14),
    Col("share_report", "报告", "% · report", "pct", 10),
    Col("share_gap", "差（百分点）", "gap, pp", "pct", 10),
    Col("ratio", "生产性服务业/制造业增加值 ronghe", "PS VA / mfg VA · ronghe", "ratio", 14),
    Col("ratio_report", "报告", "ratio · report", "ratio", 10),
    Col("ratio_gap", "差", "gap", "ratio", 9),
]


def summary_cols() -> list[Col]:
    """Columns of the Summary (one row per table): labels in both languages, the unit in every header."""
    from ronghe.measure.report.tables import SUMMARY_LABELS

    fmt = {"%": "pct", "ratio": "ratio", "per unit": "coeff", "trillion {cur}": "trillion"}
    cols = [Col("country", "国别", "Country", width=9), Col("year", "年份", "Year", "int", 7),
            Col("table", "表", "Table", width=16), Col("unit", "单位", "Table unit", width=14)]
    for key, (zh, en, unit) in SUMMARY_LABELS.items():
        shown = unit.replace("{cur}", "of the table's currency")
        cols.append(Col(key, f"{zh}（{shown}）", f"{en} ({shown})", fmt[unit], 15))
    return cols


def t5_row_cols(frame: pd.DataFrame, names: dict[str, tuple[str, str]]) -> list[Col]:
    """表5 with tables as rows: one column per sub-sector (zh · en, %), then the total."""
    cols = [Col("table", "表", "Table", width=22), Col("source", "来源", "Source", width=18)]
    for key in frame.columns[2:]:
        zh, en = names.get(key, (key, key)) if key != "total" else ("合计", "Total")
        cols.append(Col(key, f"{zh}（%）", f"{en} (%)", "pct", 13))
    return cols
