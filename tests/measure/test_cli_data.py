"""`ronghe data …` through click's runner: real files in, one-line errors and non-zero exits for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from ronghe.cli import main
from ronghe.errors import InputError
from ronghe.measure import store


def run(*args: str):
    return CliRunner().invoke(main, ["data", *args])


def assert_one_line_error(result, *fragments: str, code: int = 2) -> str:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def test_import_directory_list_and_remove(store_dir, io_dir):
    result = run("import", str(io_dir))
    assert result.exit_code == 0, result.output
    assert result.stdout.count("imported ") == 26
    assert "skipped" in result.stderr and "IxI_TR_1997-2020_PRO_SUM.xlsx" in result.stderr
    listing = json.loads(run("list", "--format", "json").stdout)
    assert len(listing) == 26
    cn = next(r for r in listing if r["id"] == "nbs-cn-2020")
    assert (cn["publisher"], cn["country"], cn["year"], cn["sectors"], cn["unit"], cn["price_basis"]) == (
        "NBS", "CHN", 2020, 153, "万元", "producers' prices")
    assert cn["sha256"] == ["230b4e369aceeaf4c058bcfe830a9c6ef0ba08797067bfc7145654fbeeb1aac7"]
    table = run("list").stdout
    assert table.splitlines()[0].split()[:5] == ["id", "publisher", "country", "year", "sectors"]
    assert "bea-us-2020" in table and "230b4e369ace" in table
    assert run("remove", "bea-us-1997").exit_code == 0
    assert len(json.loads(run("list", "--format", "json").stdout)) == 25


def test_import_bea_release_with_id(store_dir, bea_files):
    result = run("import", str(bea_files["use"]), str(bea_files["make"]), str(bea_files["imports"]),
                 "--id", "bea-us")
    assert result.exit_code == 0, result.output
    assert [m.id for m in store.list_tables()] == [f"bea-us-{y}" for y in range(1997, 2021)]


def test_truncated_workbook(store_dir, io_dir, tmp_path):
    bad = tmp_path / "2020-truncated.xlsx"
    bad.write_bytes((io_dir / "nbs-china" / "2020.xlsx").read_bytes()[:10_000])
    assert_one_line_error(run("import", str(bad)), "2020-truncated.xlsx", "truncated or corrupt")
    with pytest.raises(InputError, match="not a readable Excel workbook"):
        store.import_files([bad])
    assert store.list_tables() == []


def test_workbook_without_an_io_table(store_dir, tmp_path):
    path = tmp_path / "budget.xlsx"
    wb = Workbook()
    wb.active.title = "预算"
    wb.active.append(["项目", "金额"])
    wb.active.append(["差旅", 1200])
    wb.save(path)
    assert_one_line_error(run("import", str(path)), "budget.xlsx", "holds no IO table")
    with pytest.raises(InputError, match="no IO table"):
        store.import_files([path])


def test_text_in_a_numeric_cell(store_dir, nbs2020_text_in_cell):
    line = assert_one_line_error(run("import", str(nbs2020_text_in_cell)),
                                 "2020-text.xlsx", "sheet '2020年全国投入产出表'", "cell F12", "'n/a'")
    assert line.startswith("error: ")
    with pytest.raises(InputError, match="cell F12"):
        store.import_files([nbs2020_text_in_cell])


def test_totals_that_do_not_balance(store_dir, tmp_path: Path):
    folder = tmp_path / "region"
    folder.mkdir()
    (folder / "Z.csv").write_text("sector,agr,mfg\nagr,10,20\nmfg,5,40\n", encoding="utf-8")
    (folder / "Y.csv").write_text("sector,households,EX\nagr,60,10\nmfg,50,5\n", encoding="utf-8")
    # mfg: sales 5 + 40 + 50 + 5 = 100 but inputs 20 + 40 + 30 + 25 = 115
    (folder / "V.csv").write_text("row,agr,mfg\nwages,70,30\nsurplus,15,25\n", encoding="utf-8")
    assert_one_line_error(run("import", str(folder)), "region", "totals do not balance for sector 'mfg'",
                          "tolerance 1e-03")
    with pytest.raises(InputError, match="do not balance"):
        store.import_files([folder])


def test_unknown_table_id(store_dir):
    assert_one_line_error(run("remove", "nbs-cn-2017"), "'nbs-cn-2017'", "store is empty", code=3)
    assert_one_line_error(run("fetch", "nbs-cn-2017"), "no known download address", code=3)


def test_naming_a_file_that_is_not_a_table_is_fatal(store_dir, io_dir, bea_files):
    assert_one_line_error(run("import", str(io_dir / "PROVENANCE.md")), "PROVENANCE.md", "not a recognised")
    assert_one_line_error(run("import", str(bea_files["tr"])), "IxI_TR", "total requirements")
    assert_one_line_error(run("import", str(bea_files["make"])), "needs the Use table")
    assert_one_line_error(run("import", str(io_dir / "no-such.xlsx")), "no-such.xlsx", "no such file")
