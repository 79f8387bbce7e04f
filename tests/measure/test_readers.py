"""Readers on the real published tables: NBS 2018/2020, BEA 1997–2020, the generic layout, detection."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from ronghe.errors import InputError
from ronghe.measure import iomath
from ronghe.measure.readers import detect, read_tables
from ronghe.measure.readers.bea import read_bea, read_total_requirements
from ronghe.measure.readers.generic import read_generic
from ronghe.measure.readers.nbs import read_nbs
from tests.measure.conftest import write_rows


def _rel_gap_rows_cols(table) -> float:
    x_rows = table.x.to_numpy()
    x_cols = iomath.calc_x_from_inputs(table.Z.to_numpy(), table.V.to_numpy())
    return float(np.max(np.abs(x_rows - x_cols) / x_rows))


# ----- NBS ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("year", "total_yi"), [(2018, 2_495_498), (2020, 2_699_028)])
def test_nbs_total_output_matches_the_published_figure(nbs_tables, year, total_yi):
    table = nbs_tables[year]
    assert table.n == 153
    assert round(table.x.sum() / 1e4) == total_yi  # 万元 → 亿元
    assert round(table.published_x.sum() / 1e4) == total_yi


@pytest.mark.parametrize("year", [2018, 2020])
def test_nbs_tables_balance_exactly(nbs_tables, year):
    table = nbs_tables[year]
    assert _rel_gap_rows_cols(table) < 1e-9
    np.testing.assert_allclose(table.x.to_numpy(), table.published_x.to_numpy(), rtol=1e-9)


def test_nbs_blocks_hold_what_the_sheet_prints(nbs_tables, io_dir):
    table = nbs_tables[2020]
    rows = CalamineWorkbook.from_path(str(io_dir / "nbs-china" / "2020.xlsx")).get_sheet_by_name(
        "2020年全国投入产出表").to_python()
    tii = np.array(rows[159][3:156], dtype=float)  # the TII row, read independently of the reader
    np.testing.assert_allclose(table.Z.sum(axis=0).to_numpy(), tii, rtol=1e-12)
    assert list(table.Y.columns) == ["FU101", "FU102", "FU103", "FU201", "FU202", "EX", "IM"]
    assert (table.Y["IM"] <= 0).all() and table.Y["IM"].sum() < 0
    assert table.export_column == "EX" and table.exports.sum() > 0
    assert list(table.V.index) == ["VA001", "VA002", "VA003", "VA004"]
    assert table.sectors[0] == "01001" and table.sectors[-1] == "91149"
    assert table.names()["01001"] == "农产品" and table.names()["51105"] == "批发"


def test_nbs_meta(nbs_tables):
    m = nbs_tables[2018].meta
    assert (m.id, m.publisher, m.country, m.year, m.unit, m.currency) == (
        "nbs-cn-2018", "NBS", "CHN", 2018, "万元", "CNY")
    assert m.unit_factor == 1e4 and m.price_basis == "producers' prices"
    assert m.layout == m.classification == "nbs-153"
    assert m.source_files == ("2018.xlsx",)
    assert m.sha256 == ("b6c6013977cb71d928c2aab65c48feee3b728ea71b8fd83bd507b1f9c8d27034",)
    assert "生产价投入产出表" in m.notes


def test_nbs_blocks_are_found_by_markers_not_positions(nbs2020_rows, nbs_tables, tmp_path):
    shifted = write_rows(nbs2020_rows, tmp_path / "shifted.xlsx", "表1", shift=(3, 2))
    table = read_nbs(shifted)
    pd.testing.assert_frame_equal(table.Z, nbs_tables[2020].Z)
    pd.testing.assert_frame_equal(table.Y, nbs_tables[2020].Y)


def test_nbs_text_in_a_numeric_cell_names_sheet_and_cell(nbs2020_text_in_cell):
    with pytest.raises(InputError) as err:
        read_nbs(nbs2020_text_in_cell)
    msg = err.value.one_line()
    assert "2020-text.xlsx" in msg and "sheet '2020年全国投入产出表'" in msg and "cell F12" in msg and "'n/a'" in msg


# ----- BEA ------------------------------------------------------------------------------------------
def test_bea_gives_one_balanced_industry_table_per_year(bea_tables):
    assert sorted(bea_tables) == list(range(1997, 2021))
    for year, table in bea_tables.items():
        assert table.meta.id == f"bea-us-{year}" and table.n == 71
        assert _rel_gap_rows_cols(table) < 1e-3  # BEA rounds each cell to $1 million
        np.testing.assert_allclose(table.x.to_numpy(), table.published_x.to_numpy(), rtol=1e-3)
        assert np.median(np.abs(table.x - table.published_x) / table.published_x) < 5e-5


def test_bea_2020_output_and_final_uses(bea_tables):
    t = bea_tables[2020]
    assert t.published_x["111CA"] == 402077.0  # Farms, 'Total Industry Output' in the Use table
    assert round(t.x.sum()) == pytest.approx(36_478_052, abs=100)  # total commodity = industry output
    assert t.export_column == "F040" and t.exports.sum() == pytest.approx(1_826_344, abs=100)
    assert t.Y["F050"].sum() == pytest.approx(-2_477_531, abs=100)
    assert list(t.V.index) == ["V001", "V002", "V003"]
    assert t.V.to_numpy().sum() == pytest.approx(20_893_744, abs=100)  # GDP
    assert t.names()["42"] == "Wholesale trade"
    m = t.meta
    assert (m.publisher, m.country, m.unit, m.currency, m.unit_factor, m.layout) == (
        "BEA", "USA", "millions of USD", "USD", 1e6, "bea-summary")
    assert len(m.source_files) == 3 and len(m.sha256) == 3


def test_bea_imports_give_a_balanced_domestic_table(bea_tables):
    t = bea_tables[2020]
    imp_use, imp_final = t.extensions["imports_use"], t.extensions["imports_final"]
    assert imp_use.shape == (71, 71) and list(imp_final.columns) == list(t.Y.columns)
    assert imp_use.to_numpy().sum() == pytest.approx(1_375_033, rel=1e-3)  # 'Total Intermediate' imports
    x_domestic = (t.Z - imp_use).sum(axis=1) + (t.Y - imp_final).sum(axis=1)
    assert np.max(np.abs(x_domestic - t.x) / t.x) < 1e-4


@pytest.mark.parametrize("year", [1997, 2020])
def test_bea_leontief_is_close_to_bea_total_requirements(bea_tables, bea_files, year):
    """BEA's TR is after redefinitions, ours before: close but not equal (measured: median 4.0–5.0 %)."""
    tr = read_total_requirements(bea_files["tr"], year)
    ours = bea_tables[year].L().reindex(index=tr.index, columns=tr.columns).to_numpy()
    theirs = tr.to_numpy()
    big = theirs >= 0.01
    elementwise = np.abs(ours - theirs)[big] / theirs[big]
    output_multipliers = np.abs(ours.sum(axis=0) - theirs.sum(axis=0)) / theirs.sum(axis=0)
    assert np.median(elementwise) < 0.06
    assert np.median(output_multipliers) < 0.015 and output_multipliers.max() < 0.15
    assert np.max(np.abs(np.diag(ours) - np.diag(theirs)) / np.diag(theirs)) < 0.05


def test_bea_use_without_make_is_refused(bea_files):
    with pytest.raises(InputError, match="needs the Make table"):
        read_tables([bea_files["use"]])


def test_bea_total_requirements_is_not_an_io_table(bea_files):
    with pytest.raises(InputError, match="total requirements") as err:
        read_tables([bea_files["tr"]])
    assert "IxI_TR_1997-2020_PRO_SUM.xlsx" in err.value.one_line()


def test_bea_one_year_only(bea_files):
    (t,) = read_bea(bea_files["use"], bea_files["make"], years=[2005])
    assert t.meta.id == "bea-us-2005" and not t.extensions


# ----- generic --------------------------------------------------------------------------------------
def write_generic(table, folder: Path, *, meta: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    table.Z.to_csv(folder / "Z.csv")
    table.Y.rename(columns={"EX": "exports"}).to_csv(folder / "Y.csv")
    table.V.to_csv(folder / "V.csv")
    if meta is not None:
        (folder / "meta.json").write_text(meta, encoding="utf-8")
    return folder


def test_generic_folder_round_trips_a_real_table(nbs_tables, tmp_path):
    src = nbs_tables[2020]
    folder = write_generic(src, tmp_path / "cn2020", meta='{"country": "CHN", "year": 2020, "unit": "万元", '
                                                          '"currency": "CNY", "unit_factor": 10000}')
    src.x.to_frame("x").to_csv(folder / "x.csv")
    table = read_generic(folder)
    np.testing.assert_allclose(table.Z.to_numpy(), src.Z.to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(table.x.to_numpy(), src.x.to_numpy(), rtol=1e-12)
    assert table.export_column == "exports" and list(table.sectors) == list(src.sectors)
    assert (table.meta.id, table.meta.country, table.meta.year, table.meta.unit_factor) == (
        "cn2020", "CHN", 2020, 1e4)
    assert table.meta.source_files == ("Z.csv", "Y.csv", "V.csv", "x.csv", "meta.json")


def test_generic_xlsx_with_sheets_z_y_v(nbs_tables, tmp_path):
    src = nbs_tables[2018]
    path = tmp_path / "cn2018.xlsx"
    with pd.ExcelWriter(path, engine="xlsxwriter") as xw:
        src.Z.to_excel(xw, sheet_name="Z")
        src.Y.to_excel(xw, sheet_name="Y")
        src.V.to_excel(xw, sheet_name="V")
        pd.DataFrame({"key": ["country", "year"], "value": ["CHN", 2018]}).to_excel(
            xw, sheet_name="meta", index=False, header=False)
    assert detect(path).kind == "generic"
    table = read_generic(path)
    np.testing.assert_allclose(table.Y.to_numpy(), src.Y.to_numpy(), rtol=1e-12)
    assert table.meta.year == 2018 and table.export_column == "EX"


def test_generic_unbalanced_totals_are_refused_naming_the_sector(nbs_tables, tmp_path):
    src = nbs_tables[2020]
    Z = src.Z.copy()
    Z.loc["13012", "26046"] += 0.01 * src.x["13012"]  # 1 % more sales by 13012, more inputs to 26046
    folder = write_generic(src, tmp_path / "bad")
    Z.to_csv(folder / "Z.csv")
    with pytest.raises(InputError, match="totals do not balance for sector") as err:
        read_generic(folder)
    assert str(folder) in err.value.one_line() and "tolerance 1e-03" in err.value.one_line()


def test_generic_text_in_a_csv_cell_names_row_and_column(tmp_path):
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "Z.csv").write_text("sector,a,b\na,1,2\nb,3,oops\n", encoding="utf-8")
    (folder / "Y.csv").write_text("sector,hh\na,7\nb,5\n", encoding="utf-8")
    (folder / "V.csv").write_text("row,a,b\nva,7,3\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_generic(folder)
    msg = err.value.one_line()
    assert "Z.csv" in msg and "line 3" in msg and "'oops'" in msg and "row 'b', column 'b'" in msg


def test_generic_small_table_balances(tmp_path):
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "Z.csv").write_text("sector,a,b\na,1,2\nb,3,4\n", encoding="utf-8")
    (folder / "Y.csv").write_text("sector,hh,EX\na,5,2\nb,3,1\n", encoding="utf-8")
    (folder / "V.csv").write_text("row,a,b\nwages,4,2\nsurplus,2,3\n", encoding="utf-8")
    table = read_generic(folder)
    assert table.x.tolist() == [10.0, 11.0] and table.exports.tolist() == [2.0, 1.0]
    assert table.L().shape == (2, 2)


# ----- detection ------------------------------------------------------------------------------------
def test_detect_recognises_each_published_file(io_dir, bea_files):
    assert detect(io_dir / "nbs-china" / "2018.xlsx").kind == "nbs"
    assert detect(io_dir / "nbs-china" / "2020.xlsx").kind == "nbs"
    kinds = {k: detect(p).kind for k, p in bea_files.items()}
    assert kinds == {"use": "bea-use", "make": "bea-make", "imports": "bea-imports",
                     "tr": "bea-total-requirements"}


def test_directory_reads_everything_and_reports_the_rest(io_dir):
    skipped: list[tuple[Path, str]] = []
    tables = read_tables([io_dir], on_skip=lambda p, why: skipped.append((p, why)))
    ids = [t.meta.id for t in tables]
    assert ids[:2] == ["nbs-cn-2018", "nbs-cn-2020"]
    assert ids[2:] == [f"bea-us-{y}" for y in range(1997, 2021)]
    names = {p.name for p, _ in skipped}
    assert {"IxI_TR_1997-2020_PRO_SUM.xlsx", "PROVENANCE.md", "use_71.csv"} <= names


def test_table_id_option_names_each_year(bea_files, io_dir):
    tables = read_tables([bea_files["use"], bea_files["make"]], "us")
    assert [t.meta.id for t in tables] == [f"us-{y}" for y in range(1997, 2021)]
    (one,) = read_tables([io_dir / "nbs-china" / "2020.xlsx"], "cn")
    assert one.meta.id == "cn"


def test_same_id_twice_is_refused(io_dir, nbs_tables, tmp_path):
    copy = write_generic(nbs_tables[2020], tmp_path / "copy", meta='{"id": "nbs-cn-2020"}')
    with pytest.raises(InputError, match="two tables would get the id 'nbs-cn-2020'"):
        read_tables([io_dir / "nbs-china" / "2020.xlsx", copy])


def write_nbs_layout(table, path: Path, title: str, *, extra_final_use: str | None = None) -> Path:
    """Lay a table out the way NBS publishes it (codes row, TIU … GO, TII, VA rows, TVA, TI)."""
    fu = table.Y.drop(columns=["IM"])
    if extra_final_use:  # e.g. an 'OT' 其他 column, moved out of households so the table stays balanced
        fu.insert(fu.columns.get_loc("EX"), extra_final_use, 0.25 * fu["FU101"])
        fu["FU101"] *= 0.75
    codes, n = list(table.sectors), table.n
    cols = ["TIU", "FU101", "FU102", "THC", "FU103", "TC", "FU201", "FU202", "GCF", "EX"]
    cols = cols + ([extra_final_use] if extra_final_use else []) + ["TFU", "IM", "GO"]
    Z = table.Z.to_numpy()
    rows = [[title], ["（按当年生产者价格计算）"], ["单位：万元"], ["投入 产出", "", "部门名称", "中间使用"],
            ["", "", ""] + [f"部门{c}" for c in codes], ["", "部门名称", "代码", *codes, *cols]]
    for i, code in enumerate(codes):
        f = fu.iloc[i]
        sub = {"TIU": Z[i].sum(), "THC": f["FU101"] + f["FU102"], "TC": f["FU101"] + f["FU102"] + f["FU103"],
               "GCF": f["FU201"] + f["FU202"], "TFU": f.sum(), "IM": -table.Y["IM"].iloc[i], "GO": table.x.iloc[i]}
        rows.append(["", f"部门{code}", code, *Z[i], *[sub[c] if c in sub else f[c] for c in cols]])
    rows.append(["", "中间投入合计", "TII", *Z.sum(axis=0)])
    for code, va in table.V.iterrows():
        rows.append(["", code, code, *va.to_numpy()])
    rows.append(["", "增加值合计", "TVA", *table.V.to_numpy().sum(axis=0)])
    rows.append(["总投入", "", "TI", *(Z.sum(axis=0) + table.V.to_numpy().sum(axis=0))])
    width = 3 + n + len(cols)
    return write_rows([r + [""] * (width - len(r)) for r in rows], path, "表")


def test_nbs_reader_takes_any_sector_count_and_other_final_uses(nbs_tables, tmp_path):
    """A 2023-style table with another sector count (here 2-digit divisions) and an extra final-use column."""
    src = nbs_tables[2020]
    divisions = pd.Series(src.sectors.str[:2], index=src.sectors)
    small = src.aggregate(divisions)
    path = write_nbs_layout(small, tmp_path / "2023.xlsx", "2023年全国投入产出表", extra_final_use="OT")
    table = read_nbs(path)
    assert table.n == small.n and 50 < table.n < 153
    assert table.meta.year == 2023 and table.meta.classification == f"nbs-{small.n}"
    assert list(table.Y.columns) == ["FU101", "FU102", "FU103", "FU201", "FU202", "EX", "OT", "IM"]
    np.testing.assert_allclose(table.x.to_numpy(), small.x.to_numpy(), rtol=1e-12)
    assert round(table.x.sum() / 1e4) == 2_699_028


def test_generic_xlsx_text_in_a_cell_names_sheet_and_cell(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Z"
    for row in (["", "a", "b"], ["a", 1, 2], ["b", 3, "4 (est.)"]):
        wb["Z"].append(row)
    wb.create_sheet("Y").append(["", "hh"])
    wb.create_sheet("V").append(["", "a", "b"])
    path = tmp_path / "small.xlsx"
    wb.save(path)
    with pytest.raises(InputError) as err:
        read_generic(path)
    assert err.value.one_line() == (f"{path}: sheet 'Z': cell C3: block Z: expected a number, "
                                    "found '4 (est.)'")


def test_generic_labels_out_of_order_are_named(tmp_path):
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "Z.csv").write_text("sector,a,b\na,1,2\nb,3,4\n", encoding="utf-8")
    (folder / "Y.csv").write_text("sector,hh\nb,5\na,7\n", encoding="utf-8")
    (folder / "V.csv").write_text("row,a,b\nva,7,3\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"Y: row labels .* at position 1 found 'b', expected 'a'"):
        read_generic(folder)
