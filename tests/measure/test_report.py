"""The Excel and HTML reports: sheets, labels, published figures beside computed ones, no network needed.

The unit tests use small Indicators-shaped objects so every figure they check is known by construction;
the integration tests at the end run the real NBS 2020 table through the real indicators.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from ronghe.errors import InputError
from ronghe.measure import report
from ronghe.measure.table import TableMeta

PS7 = [("wholesale", "批发", "Wholesale"),
       ("transport_storage_post", "交通运输、仓储和邮政", "Transport, storage and post"),
       ("information_software_it_services", "信息传输、软件和信息技术服务",
        "Information transmission, software and IT services"),
       ("finance", "金融", "Finance"),
       ("leasing_business_services", "租赁和商务服务", "Leasing and business services"),
       ("scientific_research_technical_services", "科学研究和技术服务", "Scientific research and technical services"),
       ("water_environment_public_facilities", "水利、环境和公共设施管理",
        "Water conservancy, environment and public facilities management")]


@dataclass
class FakeIndicators:
    meta: TableMeta
    definitions: dict
    by_group: pd.DataFrame
    by_mfg_sector: pd.DataFrame
    by_ps_subsector: pd.DataFrame
    embodied: pd.DataFrame
    summary: dict = field(default_factory=dict)


def fake(table_id: str, country: str, year: int, currency: str = "CNY", factor: float = 1e4) -> FakeIndicators:
    """Shares 10/12/9/8 % (+ year offset); PS inputs 1e8·k table units; structure 10…40 %."""
    meta = TableMeta(id=table_id, publisher="TEST", country=country, year=year, unit="test unit",
                     currency=currency, unit_factor=factor, source_files=("t.xlsx",), sha256=("ab" * 32,))
    off = (year - 2000) / 100
    share = {"all": 10 + off, "high": 12 + off, "medium": 9 + off, "low": 8 + off}
    inter = {"all": 1e9, "high": 4e8, "medium": 3e8, "low": 3e8}
    by_group = pd.DataFrame({
        "ps_inputs": {g: share[g] / 100 * inter[g] for g in share},
        "intermediate_inputs": inter, "share_pct": share,
    })
    by_group["ps_inputs_trillion"] = by_group["ps_inputs"] * factor / 1e12
    by_mfg = pd.DataFrame({"name": ["食品", "汽车"], "tech_group": ["low", "high"], "ps_inputs": [3e7, 5e7],
                           "intermediate_inputs": [3e8, 4e8], "share_pct": [10.0, 12.5],
                           "direct_ps_coeff": [0.05, 0.07], "complete_ps_requirement": [0.2, 0.3]},
                          index=pd.Index(["13", "36"], name="code"))
    va = [10.0, 15, 20, 25, 15, 10, 5]
    by_ps = pd.DataFrame({"name_zh": [p[1] for p in PS7], "name_en": [p[2] for p in PS7],
                          "inputs_to_mfg": [1e7] * 7, "share_of_mfg_intermediate_pct": [1.0] * 7,
                          "value_added": [v * 1e7 for v in va], "structure_pct": va},
                         index=pd.Index([p[0] for p in PS7], name="ps7"))
    emb = pd.DataFrame({"final_demand": [1e8, 2e8], "exports": [5e7, 0.0],
                        "embodied_ps_va_final_demand": [1e7, 3e7], "embodied_ps_va_exports": [4e6, 0.0]},
                       index=by_mfg.index)
    summary = {"table": table_id, "country": country, "year": year, "unit": meta.unit, "currency": currency,
               "ps_inputs_to_mfg": by_group.loc["all", "ps_inputs"],
               "ps_inputs_to_mfg_trillion": by_group.loc["all", "ps_inputs_trillion"],
               "ps_share_of_mfg_intermediate_pct": share, "ps_va_to_mfg_va": 2.0,
               "ps_structure_pct": dict(zip(by_ps.index, va, strict=True)),
               "embodied_ps_va_share_of_mfg_final_demand_pct": 13.3,
               "definitions": {"concordance": "test-concordance", "variant": "v1"}}
    return FakeIndicators(meta, {"concordance": "test-concordance", "variant": "v1",
                                 "formulas": {"share": "PS inputs / intermediate inputs"}},
                          by_group, by_mfg, by_ps, emb, summary)


@pytest.fixture
def items() -> list[FakeIndicators]:
    return [fake("us-2019", "USA", 2019, "USD", 1e6), fake("cn-2020", "CHN", 2020), fake("us-2020", "USA", 2020,
                                                                                           "USD", 1e6)]


def test_table3_sets_the_published_row_under_the_matching_chinese_year(items):
    t3 = report.table3(items)
    assert list(t3["source"]) == ["ronghe (computed from cn-2020)", report.PUBLISHED_LABEL,
                                  "ronghe (computed from us-2019)", "ronghe (computed from us-2020)"]
    published = t3.iloc[1]
    assert (published["all_trillion"], published["all_share_pct"]) == (11.7, 13.9)
    assert (published["high_share_pct"], published["medium_share_pct"], published["low_share_pct"]) == (
        15.2, 12.9, 12.8)
    computed = t3.iloc[0]
    assert computed["all_share_pct"] == pytest.approx(10.2)
    assert computed["all_trillion"] == pytest.approx(0.102 * 1e9 * 1e4 / 1e12)


def test_table4_derives_manufacturing_value_added_from_the_ratio(items):
    t4 = report.table4(items).set_index("source")
    row = t4.loc["ronghe (computed from us-2020)"]
    assert row["ps_va_trillion"] == pytest.approx(100e7 * 1e6 / 1e12)
    assert row["mfg_va_trillion"] == pytest.approx(row["ps_va_trillion"] / 2)
    assert report.PUBLISHED_LABEL not in t4.index  # the report's Table 4 has no year ≤ 2020


def test_table4_adds_published_row_when_year_matches():
    t4 = report.table4([fake("us-2024", "USA", 2024, "USD", 1e6)])
    pub = t4[t4["source"] == report.PUBLISHED_LABEL].iloc[0]
    assert (pub["ps_va_trillion"], pub["mfg_va_trillion"], pub["ratio"], pub["currency"]) == (10.7, 2.9, 5.0, "USD")


def test_table5_matches_published_sub_sectors_by_id_and_by_english_name():
    ind = fake("cn-2023", "CHN", 2023)
    t5 = report.table5([ind])
    pub = t5["CHN 2023 · report (published)"]
    assert pub["finance"] == 25.7 and pub["water_environment_public_facilities"] == 2.2
    renamed = ind.by_ps_subsector.rename(index=lambda i: f"x{i}")
    ind.by_ps_subsector = renamed
    pub2 = report.table5([ind])["CHN 2023 · report (published)"]
    assert list(pub2) == list(pub)


def test_table6_puts_countries_side_by_side_latest_year_first(items):
    t6 = report.table6(items)
    assert list(zip(t6["year"], t6["country"], strict=True)) == [(2020, "CHN"), (2020, "USA"), (2019, "USA")]


def test_long_format_has_one_numeric_value_per_row(items):
    long = report.to_long(items[:1])
    share = long[(long.block == "summary") & (long.variable == "ps_share_of_mfg_intermediate_pct.high")]
    assert share["value"].item() == pytest.approx(12.19)
    sector = long[(long.block == "by_mfg_sector") & (long.row == "36") & (long.variable == "share_pct")]
    assert sector["name"].item() == "汽车" and sector["value"].item() == 12.5
    assert long["value"].map(lambda v: isinstance(v, float)).all()


def test_workbook_has_one_formatted_sheet_per_report_table(items, tmp_path):
    path = report.report_to_xlsx(items, tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Summary", "T3 PS inputs", "T4 PS vs mfg VA", "T5 PS structure",
                             "T6 PS share by tech", "Mfg sectors", "PS sub-sectors", "Embodied PS VA", "Definitions"]
    t3 = wb["T3 PS inputs"]
    assert t3["A1"].value.startswith("表3") and t3["A3"].value == "国别" and t3["A4"].value == "Country"
    assert t3.freeze_panes == "D5"
    rows = list(t3.iter_rows(min_row=5, max_row=6, values_only=True))
    assert rows[0][:3] == ("CHN", 2020, "ronghe (computed from cn-2020)")
    assert rows[1][2] == report.PUBLISHED_LABEL and rows[1][4:6] == (11.7, 13.9)
    assert t3.cell(5, 6).number_format == "0.0"
    notes = [c.value for c in t3["A"] if isinstance(c.value, str)]
    assert any("Source" in n for n in notes) and any("CAICT" in n for n in notes)
    t5 = wb["T5 PS structure"]
    total = next(r for r in t5.iter_rows(values_only=True) if r[0] == "total")
    assert total[3] == pytest.approx(100.0)
    defs = [(r[1], r[2]) for r in wb["Definitions"].iter_rows(min_row=5, values_only=True) if r[1]]
    assert ("definitions.formulas.share", "PS inputs / intermediate inputs") in defs
    assert any(k == "source_file[0]" and "sha256 " + "ab" * 32 in v for k, v in defs)


def test_html_is_self_contained_with_charts_and_tables(items, tmp_path):
    path = report.report_to_html(items, tmp_path / "r.html")
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=[\"']?(https?:)?//", text)
    assert "plotly.js v" in text or "Plotly" in text
    assert len(text) > 3_000_000  # plotly.js is inlined, not linked
    for div in ("fig-share", "fig-structure", "fig-countries", "fig-ratio"):
        assert f'id="{div}"' in text
    assert "表3" in text and "Table 3" in text and report.PUBLISHED_LABEL in text


def test_report_refuses_an_empty_list_and_a_missing_folder(items, tmp_path):
    with pytest.raises(InputError, match="no tables"):
        report.report_to_xlsx([], tmp_path / "r.xlsx")
    with pytest.raises(InputError, match="does not exist"):
        report.report_to_html(items, tmp_path / "nowhere" / "r.html")


def test_published_figures_ship_inside_the_package(shared_data: Path):
    for name, file in (("table3", "table3_china_ps_inputs_in_manufacturing.csv"),
                       ("table4", "table4_ps_vs_manufacturing_value_added.csv"),
                       ("table5", "table5_ps_structure_pct.csv")):
        pd.testing.assert_frame_equal(report.published(name), pd.read_csv(shared_data / "report" / file))


def test_a_generic_table_without_year_still_reports(items, tmp_path):
    undated = fake("my-table", "XXX", 2020)
    undated.meta = TableMeta(**{**undated.meta.to_dict(), "year": None, "source_files": (), "sha256": ()})
    report.report_to_xlsx([*items, undated], tmp_path / "r.xlsx")
    report.report_to_html([*items, undated], tmp_path / "r.html")
    t3 = openpyxl.load_workbook(tmp_path / "r.xlsx")["T3 PS inputs"]
    assert any(r[2] == "ronghe (computed from my-table)" and r[1] is None for r in t3.iter_rows(values_only=True))


def test_source_note_compresses_consecutive_years(items):
    note = report._source_note([*items, fake("us-2021", "USA", 2021, "USD", 1e6)])
    assert "TEST USA 2019–2021" in note and "TEST CHN 2020" in note
